"""Build the sample's H1 2023 self-assessment (cchc_analysis/data/sample/tu-cham-2023-H1.csv).

Seed 003 publishes each commune's band, three ranks and, per field, which communes fall in which share of
the field's maximum; it does not publish the scores. This script picks, for every commune, field points that
satisfy every one of those statements (and the district's 62,12 of 72,5), subtracts the points the criteria
compute from the sample's statistics, spreads the rest over the self-assessed criteria, and checks the
result with the package's own scoring before writing. Run: .venv/bin/python scripts/build_scores.py
"""

from __future__ import annotations

import csv
import sys
import tempfile
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_analysis.core.config import SAMPLE_PARAMS  # noqa: E402
from cchc_analysis.core.params import load_params  # noqa: E402
from cchc_analysis.core.periods import report_period  # noqa: E402
from cchc_analysis.documents.semiannual import review_semiannual  # noqa: E402
from cchc_analysis.inputs.ingest import check  # noqa: E402
from cchc_analysis.inputs.units import Registry  # noqa: E402
from cchc_analysis.runs.sample import SAMPLE_AREA, sample_files  # noqa: E402
from cchc_analysis.store.database import Store  # noqa: E402

D = Decimal
OUT = ROOT / "cchc_analysis" / "data" / "sample" / "tu-cham-2023-H1.csv"
PERIOD = "2023-H1"  # parsed where the package needs a period: report_period(PERIOD)

# Seed 003, "Hoàn thành tốt nhiệm vụ" (ranks 1–14 in the order listed) and "Hoàn thành nhiệm vụ" (ranks 15–23:
# Quang Phục 17th, TT Tứ Kỳ 21st, Dân Chủ 22nd, Tiên Động 23rd as the report says).
GOOD = [
    "Phượng Kỳ",
    "Ngọc Kỳ",
    "Quang Trung",
    "Chí Minh",
    "Quang Khải",
    "An Thanh",
    "Tái Sơn",
    "Đại Hợp",
    "Đại Sơn",
    "Hưng Đạo",
    "Tân Kỳ",
    "Minh Đức",
    "Nguyên Giáp",
    "Hà Thanh",
]
FAIR = ["Quảng Nghiệp", "Hà Kỳ", "Quang Phục", "Cộng Lạc", "Bình Lãng", "Văn Tố", "TT Tứ Kỳ", "Dân Chủ", "Tiên Động"]
TOTALS = {
    **{n: D("65.5") - D("0.4") * i for i, n in enumerate(GOOD)},
    **dict(zip(FAIR, map(D, ("59.15", "59.1", "59.0", "58.9", "58.8", "58.7", "56.9", "55.5", "54.6")), strict=False)),
}

# Per field (seed 003): the share of the field's maximum each commune must fall in, as [low, high].
# (the units each field's sentence names: seed 003, "* Về ước chấm điểm chỉ số CCHC trong lĩnh vực …")
DIRECTION_80 = {
    "Quang Trung",
    "Chí Minh",
    "Quang Khải",
    "Tái Sơn",
    "Đại Hợp",
    "Đại Sơn",
    "Hưng Đạo",
    "Tân Kỳ",
    "Quảng Nghiệp",
    "Hà Kỳ",
}
PROCEDURES_80 = {"Dân Chủ", "Hà Kỳ", "Hưng Đạo", "Minh Đức", "Quảng Nghiệp", "Tân Kỳ", "TT Tứ Kỳ"}
FINANCE_80 = {"Đại Hợp", "Quảng Nghiệp", "Hà Kỳ", "Tiên Động", "TT Tứ Kỳ"}


def ranges(name: str) -> dict[str, tuple[Decimal, Decimal]]:
    """Allowed share of each field's maximum for a commune."""
    r = {
        "chi_dao": (
            (D("0.9"), D("0.9"))
            if name == "Ngọc Kỳ"
            else (D("0.8"), D("0.875"))
            if name in DIRECTION_80
            else (D("0.6"), D("0.675"))
            if name in ("Dân Chủ", "TT Tứ Kỳ")
            else (D("0.7"), D("0.775"))
        ),
        "the_che": (D("0.8"), D("0.8")) if name == "Tân Kỳ" else (D("0.9"), D("1")),
        "thu_tuc": (D("0.8"), D("0.895")) if name in PROCEDURES_80 else (D("0.9"), D("1")),
        "to_chuc": (D("0.9"), D("1")),
        "cong_vu": (D("0.56"), D("0.56")) if name == "Dân Chủ" else (D("0.6"), D("0.725")),
        "tai_chinh": (D("0.8"), D("0.895")) if name in FINANCE_80 else (D("0.9"), D("1")),
        "chinh_quyen_so": (D(7) / D("11.5"), D(7) / D("11.5")) if name == "Tiên Động" else (D("0.9"), D("1")),
    }
    return r


FILL_ORDER = ("cong_vu", "thu_tuc", "chinh_quyen_so", "tai_chinh", "chi_dao", "to_chuc", "the_che")
DISTRICT = {
    "chi_dao": D("8"),
    "the_che": D("5.5"),
    "thu_tuc": D("12.5"),
    "to_chuc": D("5.5"),
    "cong_vu": D("9.62"),
    "tai_chinh": D("6.5"),
    "chinh_quyen_so": D("14.5"),
}  # 62,12 of 72,5 (seed 003)


def q(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_DOWN)


def field_targets(name: str, cset, computed: dict[str, Decimal], self_max: dict[str, Decimal]) -> dict[str, Decimal]:
    """Field points within the seed's ranges, feasible for the self-assessed part, adding up to TOTALS."""
    lo, hi = {}, {}
    for spec in cset.fields:
        a, b = ranges(name)[spec.id]
        lo[spec.id] = max(q(a * spec.max + D("0.0049")), computed[spec.id])
        hi[spec.id] = min(q(b * spec.max), self_max[spec.id] + computed[spec.id])
        assert lo[spec.id] <= hi[spec.id], (name, spec.id, lo[spec.id], hi[spec.id])
    out = dict(lo)
    rest = TOTALS[name] - sum(lo.values())
    assert rest >= 0, (name, "total below the seed's ranges", sum(lo.values()))
    for fid in FILL_ORDER:
        add = min(rest, hi[fid] - out[fid])
        out[fid] += add
        rest -= add
    assert rest == 0, (name, "total above the seed's ranges")
    return out


def spread(points: Decimal, criteria) -> dict[str, Decimal]:
    """Self-assessed points over a field's criteria, in proportion to their maxima, to the hundredth."""
    total_max = sum(c.max for c in criteria)
    out = {c.id: min(c.max, q(points * c.max / total_max)) for c in criteria}
    left = points - sum(out.values())
    for c in criteria:  # the hundredths lost to rounding, where there is room
        add = min(left, c.max - out[c.id])
        out[c.id] += add
        left -= add
    assert left == 0 and all(0 <= out[c.id] <= c.max for c in criteria), (points, out)
    return out


def main() -> None:
    registry = Registry.load(SAMPLE_AREA)
    params = load_params(report_period(PERIOD), fallback=SAMPLE_PARAMS / f"{PERIOD}.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.duckdb"
        with Store.open(db) as st:
            st.ingest(check(sample_files(), registry), registry)
            frame = st.current()
            empty = st.scores()
    review = review_semiannual(frame, empty, registry, report_period(PERIOD), params, allow_partial=True)
    crit = review.scores.criteria
    rows = []
    for unit in registry.units:
        cset = next((s for s in review.sets if unit.kind in s.applies_to), None)
        if cset is None:
            continue
        own = {r["criterion_id"]: D(str(r["points"])) for r in crit.iter_rows(named=True) if r["unit_id"] == unit.id}
        if unit.kind == "huyen":
            targets = DISTRICT
        else:
            computed = {f.id: sum((own[c.id] for c in f.criteria if c.method == "computed"), D(0)) for f in cset.fields}
            self_max = {f.id: sum((c.max for c in f.criteria if c.method == "self"), D(0)) for f in cset.fields}
            targets = field_targets(unit.short_name, cset, computed, self_max)
        for spec in cset.fields:
            selfs = [c for c in spec.criteria if c.method == "self"]
            computed_pts = sum((own[c.id] for c in spec.criteria if c.method == "computed"), D(0))
            for cid, pts in spread(targets[spec.id] - computed_pts, selfs).items():
                c = cset.criteria[cid]
                rows.append(
                    [PERIOD, unit.name, cid, c.name, str(c.max), str(pts.normalize()), "Mẫu dựng lại từ báo cáo"]
                )
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "Kỳ đánh giá",
                "Đơn vị",
                "Mã tiêu chí",
                "Tên tiêu chí",
                "Điểm tối đa",
                "Điểm tự chấm",
                "Tài liệu kiểm chứng, ghi chú",
            ]
        )
        w.writerows(rows)
    verify(frame, registry, params)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rows")


def verify(frame, registry, params) -> None:
    """Every seed statement, through the package's own validation and scoring."""
    from cchc_analysis.inputs.selfscores import check_scores

    batch = check_scores([OUT], registry)
    assert not batch.problems, batch.problems[:3]
    scores = batch.files[0].frame
    review = review_semiannual(frame, scores, registry, report_period(PERIOD), params)
    t = review.scores.totals
    short = {u.name: u.short_name for u in registry.units}
    by_band = {}
    for r in t.filter(t["set"] == "xa").iter_rows(named=True):
        by_band.setdefault(r["band"], set()).add(short[r["unit"]])
    assert by_band == {"Hoàn thành tốt nhiệm vụ": set(GOOD), "Hoàn thành nhiệm vụ": set(FAIR)}, by_band
    rank = {short[r["unit"]]: r["rank"] for r in t.iter_rows(named=True)}
    assert (rank["Tiên Động"], rank["Dân Chủ"], rank["Quang Phục"]) == (23, 22, 17)
    district = t.filter(t["set"] == "huyen").row(0, named=True)
    assert (round(district["points"], 2), round(district["share"] * 100, 2)) == (62.12, 85.68)


if __name__ == "__main__":
    main()
