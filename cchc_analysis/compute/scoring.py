"""The CCHC index estimate per unit: points per criterion and field, total, share of the maximum, band and
rank, and the report's grouped sentences ("Có 14 UBND xã đạt điểm số ở mức từ 80% đến dưới 90% …").

Arithmetic is in ``Decimal`` so that a share of exactly 80% is 80%, whatever the floating point would say.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from cchc_analysis.core.formatting import percent
from cchc_analysis.core.glossary import COMMUNE_LEVEL_KINDS, COMMUNE_WORDS, UNIT_KINDS
from cchc_analysis.core.params import Band
from cchc_analysis.inputs.criteria import CriteriaSet, Criterion, set_for_kind
from cchc_analysis.inputs.units import Unit

# Ten-point bins for the per-field sentences, highest first: (lowest share, label).
FIELD_BINS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("0.9"), "từ 90% đến 100%"),
    (Decimal("0.8"), "từ 80% đến dưới 90%"),
    (Decimal("0.7"), "từ 70% đến dưới 80%"),
    (Decimal("0.6"), "từ 60% đến dưới 70%"),
    (Decimal("0"), "dưới 60%"),
)


@dataclass(frozen=True)
class Scores:
    criteria: pl.DataFrame  # unit_id, set, field_id, criterion_id, name, method, max, points, value, status
    fields: pl.DataFrame  # unit_id, unit, set, field_id, field, points, max, share
    totals: pl.DataFrame  # unit_id, unit, unit_kind, set, points, max, share, band, rank, previous_rank, rank_change


def _share(points: Decimal, maximum: Decimal) -> Decimal:
    return points / maximum if maximum else Decimal(0)


def band_of(share: Decimal, bands: tuple[Band, ...]) -> str:
    for band in bands:
        if share >= band.min_share:
            return band.label
    return bands[-1].label


def competition_ranks(points: list[Decimal]) -> list[int]:
    """1 + the number of strictly higher scores: ties share a rank (1, 2, 2, 4)."""
    return [1 + sum(other > p for other in points) for p in points]


def _criterion_points(
    unit: Unit, c: Criterion, self_scores: dict[tuple[str, str], Decimal], values: dict[tuple[str, str], Any]
) -> tuple[Decimal, float | int | None, str]:
    """A criterion's points for a unit, the value they were computed from, and how ("self", "missing",
    "computed", "no_data", "deferred")."""
    if c.method == "self":
        points = self_scores.get((unit.id, c.id))
        return (points, None, "self") if points is not None else (Decimal(0), None, "missing")
    if c.method == "computed":
        value = values.get((unit.id, c.indicator)) if c.indicator else None
        return c.computed_points(value), value, "computed" if value is not None else "no_data"
    return Decimal(0), None, "deferred"


def _unit_fields(
    unit: Unit,
    cset: CriteriaSet,
    self_scores: dict[tuple[str, str], Decimal],
    values: dict[tuple[str, str], Any],
    crit_rows: list[dict],
    field_rows: list[dict],
) -> Decimal:
    """A unit's points per criterion and per field (appended to the rows), and its total."""
    total = Decimal(0)
    for spec in cset.fields:
        field_points = Decimal(0)
        for c in spec.criteria:
            points, value, status = _criterion_points(unit, c, self_scores, values)
            field_points += points
            crit_rows.append(
                {
                    "unit_id": unit.id,
                    "set": cset.unit_kind,
                    "field_id": spec.id,
                    "criterion_id": c.id,
                    "name": c.name,
                    "method": c.method,
                    "max": float(c.max),
                    "points": float(points),
                    "value": None if value is None else float(value),
                    "status": status,
                }
            )
        total += field_points
        share = _share(field_points, spec.max)
        field_rows.append(
            {
                "unit_id": unit.id,
                "unit": unit.name,
                "set": cset.unit_kind,
                "field_id": spec.id,
                "field": spec.name,
                "points": float(field_points),
                "max": float(spec.max),
                "share": float(share),
                "bin": _bin(share),
            }
        )
    return total


def _ranked(total_rows: list[dict], previous_ranks: dict[str, int]) -> pl.DataFrame:
    """Each set's units ranked by points (ties share a rank), beside last year's rank."""
    ranked = []
    for set_name in dict.fromkeys(r["set"] for r in total_rows):
        group = [r for r in total_rows if r["set"] == set_name]
        for r, rank in zip(group, competition_ranks([g["_points"] for g in group]), strict=False):
            prev = previous_ranks.get(r["unit_id"])
            ranked.append(
                {
                    **{k: v for k, v in r.items() if k != "_points"},
                    "rank": rank,
                    "previous_rank": prev,
                    "rank_change": None if prev is None else prev - rank,
                }
            )
    totals = pl.DataFrame(
        ranked,
        schema_overrides={"previous_rank": pl.Int32, "rank_change": pl.Int32, "rank": pl.Int32},
        infer_schema_length=None,
    )
    return totals.sort("set", "rank", "unit") if totals.height else totals


def score_units(
    units: list[Unit],
    sets: list[CriteriaSet],
    self_scores: dict[tuple[str, str], Decimal],
    values: dict[tuple[str, str], float | int | None],
    bands: tuple[Band, ...],
    previous_ranks: dict[str, int] | None = None,
) -> Scores:
    """``self_scores``: (unit_id, criterion_id) → score; ``values``: (unit_id, indicator) → the rate or
    count over the period; ``previous_ranks``: unit_id → last year's rank."""
    crit_rows: list[dict] = []
    field_rows: list[dict] = []
    total_rows: list[dict] = []
    for unit in units:
        cset = set_for_kind(sets, unit.kind)
        if cset is None:
            continue
        total = _unit_fields(unit, cset, self_scores, values, crit_rows, field_rows)
        share = _share(total, cset.max_total)
        total_rows.append(
            {
                "unit_id": unit.id,
                "unit": unit.name,
                "unit_kind": unit.kind,
                "set": cset.unit_kind,
                "_points": total,
                "points": float(total),
                "max": float(cset.max_total),
                "share": float(share),
                "band": band_of(share, bands),
            }
        )
    totals = _ranked(total_rows, previous_ranks or {})
    return Scores(pl.DataFrame(crit_rows, infer_schema_length=None), pl.DataFrame(field_rows), totals)


def _bin(share: Decimal) -> str:
    return next(label for low, label in FIELD_BINS if share >= low)


def unit_list(names: list[str], kinds: list[str]) -> str:
    """ "UBND các xã A, B và thị trấn C" / "UBND xã A" — the reports' way of naming a group of units."""
    communes = [n.split("xã ", 1)[-1] for n, k in zip(names, kinds, strict=False) if k == "xa"]
    towns = [n.split("thị trấn ", 1)[-1] for n, k in zip(names, kinds, strict=False) if k == "thi_tran"]
    wards = [n.split("phường ", 1)[-1] for n, k in zip(names, kinds, strict=False) if k == "phuong"]
    zones = [n.split("đặc khu ", 1)[-1] for n, k in zip(names, kinds, strict=False) if k == "dac_khu"]
    others = [n for n, k in zip(names, kinds, strict=False) if k not in COMMUNE_LEVEL_KINDS]
    parts = []
    for items, word in ((communes, "xã"), (wards, "phường"), (towns, "thị trấn"), (zones, "đặc khu")):
        if items:
            parts.append(f"{'các ' if len(items) > 1 else ''}{word} {', '.join(items)}")
    text = "UBND " + " và ".join(parts) if parts else ""
    return "; ".join([t for t in (text, *others) if t])


def group_subject(kinds: list[str]) -> str:
    """ "UBND xã", "UBND xã, thị trấn", "UBND xã, phường, đặc khu": the kinds the group holds, in the usual order."""
    if all(k in COMMUNE_LEVEL_KINDS for k in kinds):
        return "UBND " + ", ".join(UNIT_KINDS[k] for k in COMMUNE_WORDS if k in set(kinds))
    return "đơn vị"


def grouped_sentences(table: pl.DataFrame, what: str, by: str = "bin", order: list[str] | None = None) -> list[str]:
    """One sentence per group: "Có 10 UBND xã đạt điểm số ở mức từ 80% đến dưới 90% (UBND các xã …)."
    ``table`` has unit, unit_kind, share and the ``by`` column; a group of one names the unit's share."""
    out = []
    groups = order or list(dict.fromkeys(table[by].to_list()))
    for group in groups:
        part = table.filter(pl.col(by) == group).sort("share", "unit", descending=[True, False])
        if part.is_empty():
            continue
        names, kinds = part["unit"].to_list(), part["unit_kind"].to_list()
        if part.height == 1:
            out.append(f"{names[0]} đạt {what} {percent(part['share'][0])} ({group}).")
        else:
            out.append(
                f"Có {part.height:02d} {group_subject(kinds)} đạt {what} ở mức {group} ({unit_list(names, kinds)})."
            )
    return out


def band_sentences(totals: pl.DataFrame, bands: tuple[Band, ...]) -> list[str]:
    """The overall sentences, one per band: "Có 14 UBND xã, thị trấn được xếp loại Hoàn thành tốt nhiệm vụ
    (từ 80% đến dưới 90% số điểm tối đa) …"."""
    out = []
    for i, band in enumerate(bands):
        part = totals.filter(pl.col("band") == band.label).sort("rank", "unit")
        if part.is_empty():
            continue
        upper = bands[i - 1].min_share if i else None
        if band.min_share > 0 or upper is None:
            span = f"từ {percent(float(band.min_share), 0)}" + (
                f" đến dưới {percent(float(upper), 0)}" if upper else " trở lên"
            )
        else:
            span = f"dưới {percent(float(upper), 0)}"
        names, kinds = part["unit"].to_list(), part["unit_kind"].to_list()
        count = f"{part.height:02d} {group_subject(kinds)}" if part.height > 1 else names[0]
        listed = f" ({unit_list(names, kinds)})" if part.height > 1 else ""
        out.append(
            f"{'Có ' if part.height > 1 else ''}{count} đạt {span} số điểm tối đa, "
            f'dự kiến xếp loại "{band.label}"{listed}.'
        )
    return out
