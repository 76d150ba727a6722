"""Which reports each unit of the registry sent, month by month since January: the form II.06a counts, the
digitization figures, the payment figures, dossier lists and self-assessed scores. A unit that never reported is
in it too: it is never flagged by a check on the data, because it has none."""

from __future__ import annotations

import datetime as dt

import polars as pl

from cchc_analysis.core.glossary import AREA_KINDS, COMMUNE_LEVEL_KINDS, UNIT_KINDS
from cchc_analysis.core.periods import Month, Window, parse_period
from cchc_analysis.inputs.units import Registry, Unit

# source → (its label, the unit-month columns any of which shows the report was sent)
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ii06a": ("Mẫu II.06a", ("tiep_nhan", "dung_han", "qua_han")),
    "digitization": ("Số hóa", ("so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", "so_hoa_ket_qua")),
    "payment": ("Thanh toán", ("co_phi", "thanh_toan_truc_tuyen")),
    "dossiers": ("DS hồ sơ", ()),
    "scores": ("Tự chấm điểm", ()),
}
SOURCE_SHORT = {key: label for key, (label, _) in SOURCES.items()}


def reports(
    frame: pl.DataFrame, kinds: dict[str, str], scores: pl.DataFrame, registry: Registry, month: Month
) -> pl.DataFrame:
    """One row per registry unit valid in the year, month from January to ``month`` and source: ``sent``
    (bool). ``kinds``: each file's kind by SHA-256 (a unit-month from a dossier list); ``scores``: self-assessed
    scores (period, unit_id), a period counting for each of its months."""
    months = list(Window(Month(month.year, 1), month).months())
    first, last = months[0].first_day, month.first_day
    units = ordered_units(registry, first, last)
    rows = frame.filter(pl.col("month").is_between(first, last))
    if "area" in rows.columns:
        rows = rows.filter(pl.col("area") == registry.area)
    have: dict[tuple[str, dt.date], dict[str, bool]] = {}
    for r in rows.iter_rows(named=True):
        sent = {key: any(r.get(c) is not None for c in cols) for key, (_, cols) in SOURCES.items() if cols}
        sent["dossiers"] = kinds.get(r.get("source_sha256") or "", "") == "dossiers"
        have[(r["unit_id"], r["month"])] = sent
    scored = {(u, m) for p, u in scores.select("period", "unit_id").unique().iter_rows() for m in _months_of(p)}
    out = []
    for order, u in enumerate(units):
        for m in months:
            got = have.get((u.id, m.first_day), {})
            for key, (label, _) in SOURCES.items():
                sent = (u.id, m) in scored if key == "scores" else got.get(key, False)
                out.append(
                    {
                        "unit_id": u.id,
                        "unit": u.name,
                        "order": order,
                        "month": m.first_day,
                        "source": label,
                        "sent": sent,
                    }
                )
    schema = {"unit_id": pl.String, "unit": pl.String, "order": pl.Int64, "month": pl.Date, "source": pl.String}
    return pl.DataFrame(out, schema={**schema, "sent": pl.Boolean})


def ordered_units(registry: Registry, first: dt.date, last: dt.date) -> list[Unit]:
    """The registry's units valid between ``first`` and ``last`` (not the area itself) as the pages list them:
    agencies, then communes, wards and special zones, each by name."""
    kinds = list(UNIT_KINDS)
    units = [u for u in registry.units if u.kind not in AREA_KINDS and u.valid_on(first, last)]
    return sorted(
        units, key=lambda u: (u.kind in COMMUNE_LEVEL_KINDS, kinds.index(u.kind) if u.kind in kinds else 99, u.name)
    )


def _months_of(period: str) -> list[Month]:
    try:
        window = parse_period(period)
    except ValueError:
        return []
    return list(window.months())
