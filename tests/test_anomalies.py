"""Each data-quality check on data built here, and `cchc anomalies` / `cchc run anomalies` on the sample."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from cchc_analysis.compute.anomalies import find_anomalies, robust_z
from cchc_analysis.core.params import AreaFigure, load_params
from cchc_analysis.core.periods import Month

from conftest import frame as build
from conftest import run_cli

BALANCED = {
    "ky_truoc_chuyen_sang": 0,
    "tiep_nhan": 10,
    "dung_han": 10,
    "qua_han": 0,
    "dang_giai_quyet": 0,
    "tam_dung": 0,
    "tra_lai": 0,
    "huy": 0,
}


def row(unit, month, kind="xa", **counts):
    return {"unit_id": unit, "unit_kind": kind, "month": dt.date(2023, month, 1), **BALANCED, **counts}


def digit(unit, month, num, den, kind="xa", **extra):
    return row(unit, month, kind, so_hoa_ket_qua=num, ket_qua=den, **extra)


def run(rows, month, originals=None, **anomaly_params):
    f = build(rows)
    params = load_params()
    params = params.model_copy(update={"anomalies": params.anomalies.model_copy(update=anomaly_params)})
    return find_anomalies(f, build(originals) if originals else f, Month(2023, month), params)


def checks(found: pl.DataFrame, unit: str) -> set[str]:
    return set(found.filter(pl.col("unit_id") == unit)["check"])


def test_robust_z_is_the_modified_z_score():
    # median 10, MAD 1 → 0,6745 × (14 − 10) / 1
    assert robust_z(14, [9, 10, 10, 11, 12, 8]) == pytest.approx(0.6745 * 4)
    assert robust_z(14, [10, 10, 10, 10]) is None  # no spread: no score
    assert robust_z(14, [1, 2]) is None  # too few values


def test_sudden_change_by_points_and_by_z_score():
    rows = []
    for u, may in (("drop", 80), ("steady", 93), *[(f"p{i}", 95) for i in range(6)]):
        rows += [digit(u, 3, 95, 100), digit(u, 4, 95, 100), digit(u, 5, may, 100)]
    found = run(rows, 5)
    drop = found.filter((pl.col("unit_id") == "drop") & (pl.col("check") == "sudden_change")).row(0, named=True)
    assert drop["indicator"] == "digitized_output" and "giảm 15,00 điểm %" in drop["evidence"]
    assert "95,00% → 80,00%" in drop["evidence"]
    assert "sudden_change" not in checks(found, "steady")  # 2 points
    # below the threshold in points, but far from every peer: still named, with low severity
    rows2 = [digit(f"p{i}", 4, 95, 100) for i in range(6)]
    rows2 += [digit(f"p{i}", 5, 94 + i % 3, 100) for i in range(6)]  # peers move −1, 0 or +1 point
    rows2 += [digit("odd", 4, 95, 100), digit("odd", 5, 88, 100)]
    odd = run(rows2, 5).filter(pl.col("unit_id") == "odd").row(0, named=True)
    assert odd["check"] == "sudden_change" and odd["severity"] == "thấp"


def test_perfection_on_tiny_denominators():
    rows = [digit("tiny", m, 2, 2) for m in (3, 4, 5)] + [digit("big", m, 50, 50) for m in (3, 4, 5)]
    rows += [digit("short", m, 2, 2) for m in (4, 5)]
    found = run(rows, 5)
    assert "perfection" in checks(found, "tiny")
    assert "perfection" not in checks(found, "big") and "perfection" not in checks(found, "short")


def test_missing_months():
    rows = [digit("gone", m, 9, 10) for m in (1, 2, 3)] + [digit("gap", m, 9, 10) for m in (1, 3, 4)]
    rows += [digit("ok", m, 9, 10) for m in (1, 2, 3, 4)]
    found = run(rows, 4)
    gone = found.filter(pl.col("unit_id") == "gone").row(0, named=True)
    assert gone["check"] == "missing_month" and gone["severity"] == "cao" and "tháng 4/2023" in gone["evidence"]
    gap = found.filter(pl.col("unit_id") == "gap").row(0, named=True)
    assert gap["severity"] == "trung bình" and "tháng 2/2023" in gap["evidence"]
    assert checks(found, "ok") == set()


def test_totals_that_disagree():
    rows = [
        row("bad", 5, dung_han=9),
        row("ok", 5),
        row("carry", 4, dang_giai_quyet=3, tiep_nhan=13),
        row("carry", 5, ky_truoc_chuyen_sang=1, tiep_nhan=9),
    ]
    found = run(rows, 5)
    bad = found.filter(pl.col("unit_id") == "bad").row(0, named=True)
    assert bad["check"] == "unbalanced" and "= 10" in bad["evidence"] and "= 9" in bad["evidence"]
    carry = found.filter((pl.col("unit_id") == "carry") & (pl.col("check") == "carry_over")).row(0, named=True)
    assert "chuyển sang 1" in carry["evidence"] and "còn 3 hồ sơ" in carry["evidence"]
    assert checks(found, "ok") == set()


def test_area_figure_from_params():
    rows = [row("a", 5), row("b", 5, tiep_nhan=12, dung_han=12)]
    wrong = AreaFigure(period="2023-05", column="tiep_nhan", value=23, source="báo cáo tỉnh")
    right = AreaFigure(period="2023-05", column="tiep_nhan", value=22)
    found = run(rows, 5, area_figures=(wrong,))
    total = found.filter(pl.col("check") == "area_total").row(0, named=True)
    assert total["severity"] == "cao" and "là 22" in total["evidence"] and "báo cáo tỉnh ghi 23" in total["evidence"]
    assert run(rows, 5, area_figures=(right,)).filter(pl.col("check") == "area_total").is_empty()


def test_no_dossiers():
    found = run([row("none", 5, tiep_nhan=0, dung_han=0), row("some", 5)], 5)
    assert checks(found, "none") == {"no_dossiers"} and checks(found, "some") == set()


def test_late_corrections_and_a_window_that_fell_while_every_month_rose():
    first = [digit("u", 1, 90, 100), digit("u", 2, 92, 100), digit("u", 3, 93, 100)]
    # February was later restated down to 80%: every month still rises from the one before (70 → 80 → 93)…
    now = [digit("u", 1, 70, 100), digit("u", 2, 80, 100), digit("u", 3, 93, 100)]
    found = run(now, 3, originals=first)
    kinds = found.filter(pl.col("unit_id") == "u")["check"].to_list()
    assert kinds.count("late_correction") == 2  # January and February moved
    fell = found.filter(pl.col("check") == "window_fell").row(0, named=True)
    # …but January–February now pools to 75%, not the 91% first stored
    assert "nay 75,00%, trước đây 91,00%" in fell["evidence"] and fell["severity"] == "cao"
    assert run(first, 3).filter(pl.col("check").is_in(["late_correction", "window_fell"])).is_empty()


def test_sample_may_flags_ha_ky_output_drop(tmp_path):  # DOMAIN: Hà Kỳ −11,26 pp in May 2023
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    res = run_cli("anomalies", "2023-05", "--store", str(db), "--json")
    assert res.returncode == 0, res.stderr
    found = json.loads(res.stdout)
    ha_ky = [f for f in found if f["unit"] == "UBND xã Hà Kỳ" and f["indicator"] == "digitized_output"]
    assert ha_ky and ha_ky[0]["check"] == "sudden_change" and "giảm 11,26 điểm %" in ha_ky[0]["evidence"]
    table = run_cli("anomalies", "2023-05", "--store", str(db), "--unit", "Hà Kỳ")
    assert "Thay đổi đột ngột" in table.stdout and "UBND xã Tái Sơn" not in table.stdout


@pytest.mark.e2e
def test_run_anomalies_writes_an_offline_notebook_and_csv(tmp_path):
    db, out = tmp_path / "s.duckdb", tmp_path / "out"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    res = run_cli("run", "anomalies", "2023-05", "--store", str(db), "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    folder = out / "2023-05-bat-thuong"
    html = (folder / "03_anomalies.html").read_text(encoding="utf-8")
    from conftest import EXTERNAL

    assert not EXTERNAL.search(html)
    assert "vega-embed" in html or "vegaEmbed" in html  # interactive charts, their code inlined
    assert "UBND xã Hà Kỳ" in html
    # how to work the notebook in JupyterLab stays in the notebook, out of the page an official reads
    assert "charts.unit_history" not in html and "cchc run anomalies" not in html
    nb = (folder / "03_anomalies.ipynb").read_text(encoding="utf-8")
    assert "charts.unit_history" in nb
    csv = (folder / "anomalies.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == (
        "Kiểm tra,Mức độ,Đơn vị,Tháng,Chỉ tiêu,Ngưỡng,Giá trị,Giá trị trước,z so với lịch sử đơn vị,"
        "z so với các đơn vị khác,Tử số,Mẫu số,Căn cứ"
    )


def test_anomalies_without_a_store_read_the_sample(tmp_path):
    from conftest import workspace_copy

    res = run_cli("anomalies", "2023-05", "--json", env={"CCHC_STORE": ""}, cwd=workspace_copy(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "dùng số liệu mẫu" in res.stderr
    assert any(f["unit"] == "UBND xã Hà Kỳ" and "giảm 11,26 điểm %" in f["evidence"] for f in json.loads(res.stdout))


def test_severity_weighs_size_unusualness_and_dossiers():
    """A 20-point fall is "cao" only when it is unusual for the unit and its peers and rests on enough dossiers;
    the same fall shared by every unit, or on five dossiers, is "thấp" (issue 31: 72 of 104 province findings were
    "cao" on the change alone, with |z| < 1)."""
    history = [95, 94, 95, 96, 95]  # months 1–5, a unit's ordinary wobble

    def unit(u, june, den=100):
        return [digit(u, m, round(r * den / 100), den) for m, r in enumerate(history, 1)] + [
            digit(u, 6, round(june * den / 100), den)
        ]

    lone = unit("lone", 75) + [r for i in range(8) for r in unit(f"p{i}", 95 + i % 2)]
    first = run(lone, 6).filter((pl.col("unit_id") == "lone") & (pl.col("check") == "sudden_change")).row(0, named=True)
    assert first["severity"] == "cao" and first["threshold"].startswith("thay đổi ≥ 10 điểm %")
    assert first["previous"] == pytest.approx(0.95) and first["value"] == pytest.approx(0.75)
    assert (first["numerator"], first["denominator"]) == (75, 100)
    # every unit fell by about 20 points: ordinary among its peers
    shared = [r for i in range(8) for r in unit(f"s{i}", 75 + i % 3)]
    rows = run(shared, 6).filter(pl.col("check") == "sudden_change")
    assert rows.height == 8 and set(rows["severity"]) <= {"thấp", "trung bình"}
    # five dossiers: one dossier is 20 points
    few = unit("few", 80, den=5) + [r for i in range(8) for r in unit(f"q{i}", 95)]
    tiny = run(few, 6).filter((pl.col("unit_id") == "few") & (pl.col("check") == "sudden_change"))
    assert tiny.height == 1 and tiny["severity"][0] == "thấp"


def test_a_z_score_over_a_history_that_never_moves_is_capped_and_explained():
    rows = [digit("flat", m, 1000 - (m == 4), 1000) for m in range(1, 6)] + [digit("flat", 6, 700, 1000)]
    rows += [r for i in range(6) for r in [digit(f"p{i}", m, 950 + m + i, 1000) for m in range(1, 7)]]
    flat = run(rows, 6).filter((pl.col("unit_id") == "flat") & (pl.col("check") == "sudden_change")).row(0, named=True)
    assert flat["z_own"] == -10.0 and "≥ 10 (rất khác thường" in flat["evidence"]
    assert "581" not in flat["evidence"]


def test_a_point_is_red_only_for_a_finding_on_its_own_indicator_and_an_empty_chart_says_why():
    from cchc_analysis.render import charts

    rows = []
    for u, may in (("drop", 70), *[(f"p{i}", 95) for i in range(6)]):
        rows += [digit(u, 4, 95, 100, so_hoa_tiep_nhan=95, phai_so_hoa_tiep_nhan=100)]
        rows += [digit(u, 5, may, 100, so_hoa_tiep_nhan=95, phai_so_hoa_tiep_nhan=100)]
    f = build(rows)
    found = run(rows, 5)
    assert set(found.filter(pl.col("unit_id") == "drop")["indicator"]) == {"digitized_output"}

    def flags(indicator):
        spec = charts.changes(f, Month(2023, 5), indicator, found).to_dict()
        return {r["unit_id"]: r["flag"] for r in spec["data"]["values"]}, str(spec)

    output, _ = flags("digitized_output")
    assert output["drop"] == "Có cảnh báo về số hóa kết quả" and output["p0"] == "Không"
    intake, text = flags("digitized_input")
    assert intake["drop"] == "Không" and "Có cảnh báo về số hóa khi tiếp nhận" in text  # the legend says it
    january = str(charts.changes(f, Month(2023, 4), "digitized_output", found).to_dict())
    assert "chưa có số liệu tháng trước để so sánh" in january
    assert "là số bản, không có tỷ lệ" in str(charts.changes(f, Month(2023, 5), "e_cert", found).to_dict())
    axis = charts.rate_axis().to_dict()
    assert axis["format"] == ".1~%" and axis["tickMinStep"] == 0.001  # 99,8% and 100%, never 100% twice
