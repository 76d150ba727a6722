"""The national service index (Quyết định 766/QĐ-TTg, 23/6/2022), computed beside the report from the
statistics we hold. 100 points in six groups; a group that needs data we do not hold (publicity on the
portal, satisfaction surveys, national data links) is shown as not computed, never as zero.

Method, per unit over the period (rates pooled over its months):
- tiến độ giải quyết (20): (on time + still in progress at the end) / (on time + late + in progress) × 20;
  dossiers still in progress are taken as within time, since unit-month statistics do not say otherwise;
- dịch vụ công trực tuyến (12): online rate, full points from ``online_full_at`` (50%);
- thanh toán trực tuyến (10): paid online / dossiers with a fee, in proportion, or full from
  ``payment_full_at`` when set (one provincial client uses 30%);
- số hóa hồ sơ (22): electronic results 6 and digitized components 4 (full from 80%, else rate × max ÷ 80%),
  reuse of digitized data 2 (reusing dossiers / received, full from 80%), e-certification 2 (commune level:
  any electronic certified copy in the period); 8 points need national data links: not computed;
- công khai, minh bạch (18) and mức độ hài lòng (18): not computed (portal and complaint data).
"""

from __future__ import annotations

import polars as pl

from cchc_analysis.core.glossary import COMMUNE_LEVEL_KINDS
from cchc_analysis.core.params import Index766

GROUPS: tuple[tuple[str, str, float], ...] = (
    ("cong_khai", "Công khai, minh bạch", 18),
    ("tien_do", "Tiến độ giải quyết", 20),
    ("truc_tuyen", "Dịch vụ công trực tuyến", 12),
    ("thanh_toan", "Thanh toán trực tuyến", 10),
    ("so_hoa", "Số hóa hồ sơ", 22),
    ("hai_long", "Mức độ hài lòng", 18),
)
# Inside "số hóa hồ sơ": what we can compute, and the points we cannot.
DIGITIZATION_PARTS = (("result", 6), ("components", 4), ("reuse", 2), ("e_cert", 2))


def _ratio(num: int | None, den: int | None) -> float | None:
    return num / den if num is not None and den else None


def _scaled(rate: float | None, maximum: float, full_at: float | None) -> float | None:
    if rate is None:
        return None
    return maximum * (min(1.0, rate / full_at) if full_at else rate)


def unit_index(row: dict, kind: str, p: Index766) -> dict[str, float | None]:
    """Points per group for one unit; ``row`` holds its sums over the period and its end-of-period stocks."""
    in_progress = row.get("in_progress") or 0
    on_time, late = row.get("dung_han"), row.get("qua_han")
    pace = None
    if on_time is not None and late is not None and on_time + late + in_progress:
        pace = 20 * (on_time + in_progress) / (on_time + late + in_progress)
    parts = {
        "result": _scaled(_ratio(row.get("so_hoa_ket_qua"), row.get("ket_qua")), 6, p.digitization_full_at),
        "components": _scaled(
            _ratio(row.get("so_hoa_tiep_nhan"), row.get("phai_so_hoa_tiep_nhan")), 4, p.digitization_full_at
        ),
        "reuse": _scaled(_ratio(row.get("tai_su_dung"), row.get("tiep_nhan")), 2, p.reuse_full_at),
        "e_cert": (2.0 if row.get("chung_thuc_dien_tu") else 0.0)
        if kind in COMMUNE_LEVEL_KINDS and row.get("chung_thuc_dien_tu") is not None
        else None,
    }
    known = [v for v in parts.values() if v is not None]
    return {
        "cong_khai": None,
        "tien_do": pace,
        "truc_tuyen": _scaled(_ratio(row.get("truc_tuyen"), row.get("phai_truc_tuyen")), 12, p.online_full_at),
        "thanh_toan": _scaled(_ratio(row.get("thanh_toan_truc_tuyen"), row.get("co_phi")), 10, p.payment_full_at),
        "so_hoa": sum(known) if known else None,
        "so_hoa_max": float(sum(m for k, m in DIGITIZATION_PARTS if parts[k] is not None)),
        "hai_long": None,
    }


def index_table(sums: pl.DataFrame, p: Index766) -> pl.DataFrame:
    """Per unit: points per group (null: not computed), points computed, the maximum of what was computed,
    and their share. ``sums``: unit_id, unit, unit_kind, the period's sums and ``in_progress``."""
    rows = []
    for r in sums.iter_rows(named=True):
        pts = unit_index(r, r["unit_kind"], p)
        maxima = {g: m for g, _, m in GROUPS}
        computed_max = sum(maxima[g] for g in ("tien_do", "truc_tuyen", "thanh_toan") if pts[g] is not None)
        computed_max += (pts["so_hoa_max"] or 0) if pts["so_hoa"] is not None else 0
        total = sum(v for g, _, _ in GROUPS if (v := pts[g]) is not None)
        rows.append(
            {
                "unit_id": r["unit_id"],
                "unit": r["unit"],
                "unit_kind": r["unit_kind"],
                **{g: pts[g] for g, _, _ in GROUPS},
                "computed": total,
                "computed_max": computed_max,
                "share": total / computed_max if computed_max else None,
            }
        )
    schema = {
        "unit_id": pl.String,
        "unit": pl.String,
        "unit_kind": pl.String,
        **{g: pl.Float64 for g, _, _ in GROUPS},
        "computed": pl.Float64,
        "computed_max": pl.Float64,
        "share": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
