"""Which months a figure over a window rests on, and which of them the store lacks.

A figure over a window (year to date, the online-payment window, a half year) is right only when the store holds
every month of the window for the units it concerns; computed from fewer months it would be stated as fact and
be wrong. A run therefore stops naming the months, or, when the analyst allows it, says in every document which
months each window lacks and leaves out what rests on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from cchc_analysis.core.exceptions import CchcError
from cchc_analysis.core.glossary import AREA_KINDS
from cchc_analysis.core.periods import Month, Window
from cchc_analysis.inputs.units import Registry, Unit

# names shown in a message before "và N đơn vị khác"
SHOWN_NAMES = 5


# said first in every document made from the throwaway sample store of a run with no store of its own
PREVIEW_NOTE = (
    "BẢN XEM TRƯỚC trên số liệu mẫu (huyện Tứ Kỳ năm 2023), lập khi chưa có kho dữ liệu: không phải số liệu của "
    "đơn vị, không dùng để ban hành."
)


class IncompleteData(CchcError):
    """The store lacks months or units a run's figures rest on; the message names them and what to do."""


def month_list(months: Iterable[Month]) -> str:
    """Months as offices list them, the year once per run of the same year: "tháng 4, 5, 6, 7/2023",
    "tháng 11, 12/2022, 1/2023"."""
    by_year: dict[int, list[int]] = {}
    for m in sorted(set(months)):
        by_year.setdefault(m.year, []).append(m.month)
    return "tháng " + ", ".join(f"{', '.join(map(str, ms))}/{year}" for year, ms in by_year.items())


def span(window: Window) -> str:
    """A window as a short span of days: "01/4–31/8/2023", "01/12/2022–31/1/2023"."""
    first, last = window.start.first_day, window.end.last_day
    start = f"{first:%d}/{first.month}" + ("" if first.year == last.year else f"/{first.year}")
    return f"{start}–{last.day:02d}/{last.month}/{last.year}"


def names_text(names: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    return shown + (f" và {len(names) - SHOWN_NAMES} đơn vị khác" if len(names) > SHOWN_NAMES else "")


@dataclass(frozen=True)
class Gap:
    """The months of one window the store lacks for the units concerned: months no unit has (``absent``), and
    months only some units lack (``partly``: month → their names)."""

    purpose: str  # what the window is for, as messages name it: "lũy kế từ đầu năm"
    window: Window
    absent: tuple[Month, ...]
    partly: Mapping[Month, tuple[str, ...]]
    unit_ids: frozenset[str]  # the units with at least one month missing

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(sorted({*self.absent, *self.partly}))

    def where(self) -> str:
        """ "lũy kế từ đầu năm 01/01–31/8/2023"."""
        return f"{self.purpose} {span(self.window)}"


def find_gaps(
    frame: pl.DataFrame, windows: Mapping[str, tuple[str, Window]], concerned: Iterable[Unit]
) -> dict[str, Gap]:
    """For each named window (name → (purpose, window)), the months its units lack, or nothing when it is whole.
    A unit is expected in a month when it concerns the figure and the registry has it valid that month."""
    units = list(concerned)
    held = {(u, m) for u, m in frame.select("unit_id", "month").unique().iter_rows()}
    out: dict[str, Gap] = {}
    for name, (purpose, window) in windows.items():
        absent: list[Month] = []
        partly: dict[Month, tuple[str, ...]] = {}
        gapped: set[str] = set()
        for month in window.months():
            expected = [u for u in units if u.valid_on(month.first_day, month.last_day)]
            missing = [u for u in expected if (u.id, month.first_day) not in held]
            if not missing:
                continue
            gapped |= {u.id for u in missing}
            if len(missing) == len(expected):
                absent.append(month)
            else:
                partly[month] = tuple(u.name for u in missing)
        if gapped:
            out[name] = Gap(purpose, window, tuple(absent), partly, frozenset(gapped))
    return out


def gaps_text(gaps: Iterable[Gap]) -> str:
    """What the windows lack, once per month: "thiếu số liệu tháng 4, 5, 6, 7/2023 (thanh toán trực tuyến lũy kế
    01/4–31/8/2023)"; months only some units lack name them: "tháng 6/2023 của 2 đơn vị (Hà Kỳ, Văn Tố)"."""
    gaps = list(gaps)
    absent = sorted({m for g in gaps for m in g.absent})
    partly: dict[Month, set[str]] = {}
    for g in gaps:
        for month, names in g.partly.items():
            if month not in absent:
                partly.setdefault(month, set()).update(names)
    parts = [month_list(absent)] if absent else []
    for month, names in sorted(partly.items()):
        ordered = sorted(names)
        parts.append(f"{month.label()} của {len(ordered)} đơn vị ({names_text(ordered)})")
    return f"thiếu số liệu {'; '.join(parts)} ({'; '.join(g.where() for g in gaps)})"


def refusal(gaps: Iterable[Gap], option: str = "--allow-partial") -> IncompleteData:
    """The one line a run stops with when a window lacks months."""
    return IncompleteData(
        f"{gaps_text(gaps)}: nhập số liệu các tháng đó (cchc ingest TỆP…), hoặc chạy lại với {option} để lập văn bản "
        "chỉ trên các tháng đã có, nói rõ tháng còn thiếu"
    )


def missing_months(gaps: Iterable[Gap]) -> dict[str, list[str]]:
    """What a run's manifest records: each window's missing months, by what the window is for."""
    return {g.purpose: [str(m) for m in g.months] for g in gaps}


def partial_note(gaps: Iterable[Gap], left_out: bool) -> str:
    """Said in every document of a run allowed to go on without them; ``left_out``: the document leaves out
    what rests on the missing months (a letter), else every figure of the period is qualified (a report)."""
    if left_out:
        rest = "Số liệu lũy kế chỉ tính trong các tháng đã có số liệu; các nội dung dựa trên tháng còn thiếu không được nêu."
    else:
        rest = "Mọi số liệu của kỳ trong văn bản này chỉ tính trong các tháng đã có số liệu, chưa phải số liệu cả kỳ."
    return f"Lưu ý: {gaps_text(gaps)}. {rest}"


@dataclass(frozen=True)
class Coverage:
    """Which units the month's figures cover: those that reported earlier in the year (and are still valid)
    against those with data for the month. A unit that never reports is not missing."""

    month: Month
    reported: int
    expected: int
    missing: tuple[str, ...]  # names, in registry order

    @property
    def partial(self) -> bool:
        return bool(self.missing)

    def names(self) -> str:
        return ", ".join(self.missing)

    def sentence(self) -> str:
        """Said on the first page of the letter, notebook and appendix of a partial month."""
        return (
            f"Lưu ý: số liệu {self.month.label()} mới có {self.reported}/{self.expected} đơn vị; chưa có số liệu "
            f"của {len(self.missing)} đơn vị ({self.names()}). Các tỷ lệ bình quân chung chỉ tính trên các đơn vị "
            "đã có số liệu."
        )


def month_coverage(frame: pl.DataFrame, month: Month, registry: Registry) -> Coverage:
    """The units with data for ``month`` against those that reported in an earlier month of its year and are
    valid in ``month``."""
    this = set(frame.filter(pl.col("month") == month.first_day)["unit_id"].to_list())
    earlier = (
        set(
            frame.filter(pl.col("month").is_between(dt.date(month.year, 1, 1), (month - 1).first_day))[
                "unit_id"
            ].to_list()
        )
        if month.month > 1
        else set()
    )
    valid = {u.id for u in registry.valid_units(month.first_day, month.last_day)}
    expected = (earlier & valid) | this
    missing = tuple(u.name for u in registry.units if u.id in expected - this)
    return Coverage(month, len(this & expected), len(expected), missing)


@dataclass(frozen=True)
class Presence:
    """A month of the store against the registry: the units expected (valid that month, not the area itself),
    those present, and of the missing, those that reported before and those that never did."""

    expected: list[Unit]
    present: set[str]
    before: list[Unit]
    never: list[Unit]


def presence(registry: Registry, month: Month, present: set[str], earlier: set[str]) -> Presence:
    expected = [u for u in registry.valid_units(month.first_day, month.last_day) if u.kind not in AREA_KINDS]
    missing = [u for u in expected if u.id not in present]
    return Presence(
        expected,
        present,
        [u for u in missing if u.id in earlier],
        [u for u in missing if u.id not in earlier],
    )
