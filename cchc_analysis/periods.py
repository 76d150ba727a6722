"""Typed periods, parsed once from the strings analysts write: ``2023-08``, ``08/2023``, ``2023-H1``,
``2023``, ``2023-04..2023-08``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")
_VN = re.compile(r"^(?:tháng\s*|t)?(\d{1,2})\s*[/.-]\s*(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"tháng không hợp lệ: {self.month}/{self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2023-08``, ``08/2023``, ``8/2023`` or ``tháng 8/2023``; raises ValueError otherwise."""
        s = " ".join(str(text).split())
        m = _ISO.match(s)
        if m:
            return cls(int(m.group(1)), int(m.group(2)))
        m = _VN.match(s)
        if m:
            return cls(int(m.group(2)), int(m.group(1)))
        raise ValueError(f"không đọc được tháng «{text}» (viết dạng 2023-08 hoặc 08/2023)")

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return (self + 1).first_day - dt.timedelta(days=1)

    def __add__(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, months: int) -> Month:
        return self + (-months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def label(self) -> str:
        """Vietnamese label as the letters write it: ``tháng 8/2023``."""
        return f"tháng {self.month}/{self.year}"


@dataclass(frozen=True)
class Window:
    """An inclusive range of months."""

    start: Month
    end: Month

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"khoảng thời gian ngược: {self.start}..{self.end}")

    def months(self) -> list[Month]:
        out, m = [], self.start
        while m <= self.end:
            out.append(m)
            m = m + 1
        return out

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}..{self.end}"


def parse_period(text: str) -> Window:
    """Any period string as a window of months: a month, ``YYYY-H1``/``H2``, ``YYYY`` or ``A..B``."""
    s = str(text).strip()
    if ".." in s:
        a, b = s.split("..", 1)
        return Window(Month.parse(a), Month.parse(b))
    m = re.match(r"^(\d{4})-H([12])$", s, re.IGNORECASE)
    if m:
        year, half = int(m.group(1)), int(m.group(2))
        return Window(Month(year, 6 * half - 5), Month(year, 6 * half))
    if re.match(r"^\d{4}$", s):
        return Window(Month(int(s), 1), Month(int(s), 12))
    month = Month.parse(s)
    return Window(month, month)


def month_arg(text: str) -> Month:
    """A month given on the command line or as a parameter: a bad one is a usage error (exit 2)."""
    from .exceptions import UsageError

    try:
        return Month.parse(text)
    except ValueError as exc:
        raise UsageError(f"kỳ «{text}» không hợp lệ: {str(exc).split(' (')[0]} — {PERIOD_FORMS}") from None


PERIOD_FORMS = "viết tháng dạng 2023-08 hoặc 08/2023; 6 tháng, năm dạng 2023-H1, 2023-H2 hoặc 2023"


def months_text(months: list[Month]) -> str:
    """Months as runs: "1/2023–8/2023, 10/2023"."""
    runs: list[list[Month]] = []
    for m in sorted(set(months)):
        if runs and runs[-1][-1] + 1 == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    short = [r[0].label().removeprefix("tháng ") + (f"–{r[-1].label().removeprefix('tháng ')}" if len(r) > 1 else "")
             for r in runs]
    return ", ".join(short) if short else "chưa có tháng nào"
