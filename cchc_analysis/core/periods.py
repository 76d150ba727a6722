"""Typed periods, parsed once at the edge from the strings analysts write: a ``Month`` (``2023-08``,
``08/2023``), a ``Half`` (``2023-H1``), a ``Year`` (``2023``) and a ``Window`` of months (``2023-04..2023-08``).
Everything past the command line and the notebook's parameter cell takes these types, never a label."""

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

    @property
    def window(self) -> Window:
        return Window(self, self)


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


@dataclass(frozen=True, order=True)
class Half:
    """Six months of a year, the semi-annual report's period: ``2023-H1``, ``2023-H2``."""

    year: int
    half: int

    def __post_init__(self) -> None:
        if self.half not in (1, 2) or not 1900 <= self.year <= 9999:
            raise ValueError(f"nửa năm không hợp lệ: {self.year}-H{self.half}")

    @property
    def window(self) -> Window:
        return Window(Month(self.year, 6 * self.half - 5), Month(self.year, 6 * self.half))

    def __str__(self) -> str:
        return f"{self.year:04d}-H{self.half}"

    def label(self) -> str:
        """``6 tháng đầu năm 2023``, ``6 tháng cuối năm 2023``."""
        return f"6 tháng {'đầu' if self.half == 1 else 'cuối'} năm {self.year}"


@dataclass(frozen=True, order=True)
class Year:
    """A calendar year, the annual report's period: ``2023``."""

    year: int

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 9999:
            raise ValueError(f"năm không hợp lệ: {self.year}")

    @property
    def window(self) -> Window:
        return Window(Month(self.year, 1), Month(self.year, 12))

    def __str__(self) -> str:
        return f"{self.year:04d}"

    def label(self) -> str:
        return f"năm {self.year}"


ReportPeriod = Half | Year


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


def report_period(value: object) -> ReportPeriod:
    """``2023-H1``, ``2023-H2`` or ``2023`` (also any window that is exactly one of them); ValueError otherwise."""
    text = "" if value is None else " ".join(str(value).split())
    if not text:
        raise ValueError("thiếu kỳ đánh giá")
    wrong = ValueError(f"«{text}» không phải 6 tháng hay một năm (viết 2023-H1, 2023-H2 hoặc 2023)")
    try:
        window = parse_period(text)
    except ValueError:
        raise wrong from None
    start, count = window.start, len(window.months())
    if count == 12 and start.month == 1:
        return Year(start.year)
    if count == 6 and start.month in (1, 7):
        return Half(start.year, 1 if start.month == 1 else 2)
    raise wrong


def period_arg(text: str) -> ReportPeriod:
    """A report period given on the command line or as a parameter: a bad one is a usage error (exit 2)."""
    from cchc_analysis.core.exceptions import UsageError

    try:
        return report_period(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def window_arg(text: str) -> Window:
    """Any period given on the command line, as a window of months: a bad one is a usage error (exit 2)."""
    from cchc_analysis.core.exceptions import UsageError

    try:
        return parse_period(text)
    except ValueError as exc:
        raise UsageError(f"kỳ «{text}» không hợp lệ: {str(exc).split(' (')[0]} — {PERIOD_FORMS}") from None


def date_arg(text: str) -> dt.date:
    """A day given on the command line (a document's date): ``2023-09-15`` or ``15/9/2023``; a usage error otherwise."""
    from cchc_analysis.core.exceptions import UsageError

    s = " ".join(str(text).split())
    iso = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", s)
    vn = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", s)
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if vn:
            return dt.date(int(vn.group(3)), int(vn.group(2)), int(vn.group(1)))
    except ValueError:
        pass
    raise UsageError(f"ngày «{text}» không hợp lệ — viết dạng 2023-09-15 hoặc 15/9/2023")


def month_arg(text: str) -> Month:
    """A month given on the command line or as a parameter: a bad one is a usage error (exit 2)."""
    from cchc_analysis.core.exceptions import UsageError

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
    short = [
        r[0].label().removeprefix("tháng ") + (f"–{r[-1].label().removeprefix('tháng ')}" if len(r) > 1 else "")
        for r in runs
    ]
    return ", ".join(short) if short else "chưa có tháng nào"
