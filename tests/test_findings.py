"""The May 2023 letter (seed 000) from the sample: figures quoted from the seed."""

from __future__ import annotations

import polars as pl
import pytest

from cchc_analysis.compute.findings import build_context, evaluate
from cchc_analysis.core.periods import Month
from cchc_analysis.store.database import Store

from conftest import run_cli, sample_params


@pytest.fixture(scope="module")
def sample_frame(tmp_path_factory):
    db = tmp_path_factory.mktemp("f") / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    with Store.open(db, read_only=True) as st:
        return st.current()


def pp(x):
    return round(x, 2)


def test_may_2023(sample_frame):
    ctx = build_context(sample_frame, Month(2023, 5), sample_params(Month(2023, 5)))
    assert (round(ctx.area["digitized_input"] * 100, 2), round(ctx.area["digitized_output"] * 100, 2)) == (96.65, 96.28)
    f = evaluate(ctx)
    below = f.filter(pl.col("rule") == "remind_below_area")
    got = {
        (r["unit"], r["indicator"]): (round(r["value"] * 100, 2), pp(r["change_pp"]), pp(r["gap_pp"]))
        for r in below.iter_rows(named=True)
    }
    assert got == {
        ("UBND xã Tái Sơn", "digitized_input"): (88.31, 5.51, 8.34),
        ("UBND xã Hưng Đạo", "digitized_input"): (86.77, 2.94, 9.88),
        ("UBND xã Văn Tố", "digitized_input"): (87.06, -1.23, 9.59),
        ("UBND xã Minh Đức", "digitized_output"): (87.54, -5.24, 8.74),
        ("UBND xã Hà Kỳ", "digitized_output"): (85.81, -11.26, 10.47),
    }
    runs = dict(zip(below["unit"], below["decline_run"], strict=False))
    assert runs["UBND xã Văn Tố"] == 2 and runs["UBND xã Tái Sơn"] == runs["UBND xã Hưng Đạo"] == 0
    both = set(f.filter(pl.col("rule") == "commend_both_digitization")["unit"])
    assert both == {
        "Phòng Tài chính - Kế hoạch",
        "Phòng Văn hóa và Thông tin",
        "Phòng Kinh tế và Hạ tầng",
        "Phòng Nội vụ",
    }
    single = f.filter(pl.col("rule") == "commend_single_full")
    assert set(single["unit"]) == {
        "UBND xã Dân Chủ",
        "UBND xã Phượng Kỳ",
        "UBND xã Bình Lãng",
        "UBND xã Cộng Lạc",
        "UBND xã Quảng Nghiệp",
        "UBND xã Ngọc Kỳ",
    }
    assert set(single["indicator"]) == {"digitized_output"}
    esc = f.filter(pl.col("kind") == "escalate")
    assert sorted(zip(esc["unit"], esc["indicator"], esc["level"], strict=False)) == [
        ("UBND xã Ngọc Kỳ", "e_cert", 1),
        ("UBND xã Tiên Động", "e_cert", 1),
    ]


def test_august_2023_payment_cases_and_ladder(sample_frame):
    ctx = build_context(sample_frame, Month(2023, 8), sample_params(Month(2023, 8)))
    assert [round(ctx.area[i] * 100, 2) for i in ("digitized_input", "digitized_output", "online_payment")] == [
        97.67,
        99.05,
        80.2,
    ]
    # the history an issued June and July would leave (issuing itself is not built yet)
    f = evaluate(ctx, issued_sanctions={"tien-dong": 2, "dan-chu": 2, "hung-dao": 1, "phuong-ky": 1})
    poor = f.filter(pl.col("rule") == "remind_good_month_poor_window").filter(pl.col("indicator") == "online_payment")
    got = {
        r["unit"]: (round(r["value"] * 100, 2), round(r["window_value"] * 100, 2)) for r in poor.iter_rows(named=True)
    }
    assert got == {
        "Phòng Tài chính - Kế hoạch": (67.27, 28.16),
        "UBND xã Cộng Lạc": (61.88, 13.15),
        "UBND xã Hà Kỳ": (96.77, 28.3),
        "UBND xã Tái Sơn": (44.33, 12.32),
        "UBND xã Tân Kỳ": (78.18, 19.52),
    }
    esc = f.filter(pl.col("kind") == "escalate")
    assert sorted(zip(esc["unit"], esc["level"], strict=False)) == [
        ("UBND xã Dân Chủ", 3),
        ("UBND xã Hưng Đạo", 2),
        ("UBND xã Phượng Kỳ", 2),
        ("UBND xã Tiên Động", 3),
    ]


def test_ladder_from_issued_letters(tmp_path):
    """Issue May, June and July in order; August's levels then come from the store (seed 002)."""
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    for month in ("2023-05", "2023-06", "2023-07"):
        res = run_cli("issue", month, "--store", str(db))
        assert res.returncode == 0, res.stderr
    again = run_cli("issue", "2023-07", "--store", str(db))
    assert again.returncode == 0 and "cùng nội dung" in again.stdout
    from cchc_analysis.store.database import issued_sanctions

    with Store.open(db, read_only=True) as st:
        ctx = build_context(st.current(), Month(2023, 8), sample_params(Month(2023, 8)))
        f = evaluate(ctx, issued_sanctions(st, 2023, Month(2023, 8).first_day))
    esc = f.filter(pl.col("kind") == "escalate")
    assert sorted(zip(esc["unit"], esc["level"], strict=False)) == [
        ("UBND xã Dân Chủ", 3),
        ("UBND xã Hưng Đạo", 2),
        ("UBND xã Phượng Kỳ", 2),
        ("UBND xã Tiên Động", 3),
    ]


def test_changed_findings_need_force_and_keep_the_old_version(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    assert run_cli("issue", "2023-05", "--store", str(db)).returncode == 0
    other = tmp_path / "p.yaml"
    other.write_text("rules:\n  commend_single_full: {enabled: false}\n", encoding="utf-8")
    res = run_cli("issue", "2023-05", "--store", str(db), "--params", str(other))
    assert res.returncode == 1 and "--force" in res.stderr
    assert run_cli("issue", "2023-05", "--store", str(db), "--params", str(other), "--force").returncode == 0
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT version, superseded FROM letters ORDER BY version").fetchall() == [(1, True), (2, False)]
    con.close()


def test_sentences_in_the_seeds_style(sample_frame):
    from cchc_analysis.documents.sentences import with_sentences

    ctx = build_context(sample_frame, Month(2023, 5), sample_params(Month(2023, 5)))
    s = dict(
        zip(
            *with_sentences(evaluate(ctx), ctx)
            .filter(pl.col("rule") == "remind_below_area")
            .select("unit", "sentence"),
            strict=False,
        )
    )
    # seed 000's sentence, but for one word: the seed writes "so với cùng kỳ tháng 4/2023"
    assert s["UBND xã Tái Sơn"] == (
        "UBND xã Tái Sơn (88,31%), tăng 5,51% so với tháng 4/2023, nhưng vẫn thấp hơn "
        "8,34% mức bình quân chung của huyện."
    )
    assert s["UBND xã Văn Tố"].endswith(
        "đây là tháng thứ 2 liên tiếp UBND xã Văn Tố có kết quả giảm so với tháng trước liền kề."
    )
    ctx8 = build_context(sample_frame, Month(2023, 8), sample_params(Month(2023, 8)))
    s8 = with_sentences(evaluate(ctx8), ctx8)
    tc = s8.filter((pl.col("unit") == "Phòng Tài chính - Kế hoạch") & (pl.col("indicator") == "online_payment"))
    assert tc["sentence"][0] == (
        "Phòng Tài chính - Kế hoạch mặc dù có tỷ lệ hồ sơ thanh toán trực tuyến trong tháng "
        "8/2023 đạt 67,27%, vượt tỷ lệ giao của UBND tỉnh (30%); tuy nhiên, kết quả này tính "
        "từ ngày 01/4/2023-31/8/2023 chỉ đạt 28,16%, chưa đảm bảo tỷ lệ do UBND tỉnh giao."
    )


def test_sanction_sentences(sample_frame):
    from cchc_analysis.documents.sentences import with_sentences

    ctx = build_context(sample_frame, Month(2023, 8), sample_params(Month(2023, 8)))
    s = with_sentences(evaluate(ctx, {"dan-chu": 2}), ctx).filter(
        (pl.col("kind") == "escalate") & (pl.col("unit_id") == "dan-chu")
    )["sentence"][0]
    # seed 002, section 4
    assert s == (
        "Phê bình lần thứ ba đối với UBND xã Dân Chủ. Lý do: tỷ lệ hồ sơ thanh toán trực tuyến trong tháng "
        "8/2023 đạt 19,51%; từ ngày 01/4/2023-31/8/2023 đạt 12,5%, chưa đảm bảo tỷ lệ do UBND tỉnh giao."
    )
    ctx5 = build_context(sample_frame, Month(2023, 5), sample_params(Month(2023, 5)))
    s5 = with_sentences(evaluate(ctx5), ctx5).filter((pl.col("kind") == "escalate") & (pl.col("unit_id") == "ngoc-ky"))
    assert s5["sentence"][0] == (
        "Nhắc nhở lần thứ nhất đối với UBND xã Ngọc Kỳ. Lý do: Tính đến hết ngày 31/5/2023, "
        "UBND xã Ngọc Kỳ chưa thực hiện chứng thực bản sao điện tử từ bản chính."
    )
