"""Text is text, dates are dates (issue 27, items 3 and 4): control, bidirectional and zero-width characters are
refused where they enter — exports, registries, params, dossier lists — with file, row and column, never
dropped; two units one name apart only by case, or a parent cycle, are refused when the registry loads; dossier
dates before 2000 or after today are refused, and a timestamp with a time zone is taken in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.inputs.units import Registry

from conftest import run_cli, store_rows, write_csv

REGISTRY_HEAD = ["id", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "aliases"]
HIDDEN = ["\x00", "\x01", "\x0b", "\x7f", "\x85", "\ufffe", "\u202e", "\u2067", "\u200d", "\u200b", "\ufeff"]


@pytest.mark.parametrize("char", HIDDEN)
def test_an_export_cell_that_is_not_text_is_refused_with_its_place(tmp_path, char):
    from cchc_analysis.inputs.readers import Unreadable, read_table

    path = write_csv(tmp_path / "so-lieu.csv", [["2023-05", f"UBND xã Tái{char}Sơn", 100, 90, 80, 70, "", ""]])
    with pytest.raises(Unreadable) as caught:
        read_table(path)
    assert str(caught.value.problem).startswith(f"so-lieu.csv, dòng 2, cột B: ô có U+{ord(char):04X}")


@pytest.mark.parametrize("char", ["\x00", "\u202e"])
def test_the_command_refuses_it_in_one_line_and_never_reads_the_unit_it_looks_like(tmp_path, char):
    path = write_csv(tmp_path / "so-lieu.csv", [["2023-05", f"UBND xã Tái{char}Sơn", 100, 90, 80, 70, "", ""]])
    res = run_cli("check", str(path))
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("lỗi:")]
    assert res.returncode == 1 and len(errors) == 1, res.stderr
    assert "so-lieu.csv" in errors[0] and "dòng 2" in errors[0] and "cột B" in errors[0], errors[0]
    assert "Tái Sơn" not in res.stdout


def _registry(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "tinh-x.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([REGISTRY_HEAD, *rows])
    return path


@pytest.mark.parametrize("char", ["\x01", "\ufffe", "\u202e", "\u200d"])
def test_a_registry_name_that_is_not_text_is_refused(tmp_path, char):
    path = _registry(tmp_path, [["x1", f"UBND xã A{char}n", "An", "xa", "", "", "", ""]])
    with pytest.raises(UsageError, match=r"dòng 2, cột «name»: có U\+"):
        Registry.load(str(path))


def test_two_units_one_name_apart_only_by_case_or_a_parent_cycle_are_refused(tmp_path):
    same = _registry(tmp_path, [["x1", "UBND xã An Bình", "An Bình", "xa", "", "", "", ""],
                                ["x2", "UBND XÃ AN BÌNH", "AN BÌNH", "xa", "", "", "", ""]])  # fmt: skip
    with pytest.raises(UsageError, match="cùng tên"):
        Registry.load(str(same))
    tones = _registry(tmp_path, [["x1", "UBND xã Hoà Bình", "Hoà Bình", "xa", "", "", "", ""],
                                 ["x2", "UBND xã Hòa Bình", "Hòa Bình", "xa", "", "", "", ""]])  # fmt: skip
    with pytest.raises(UsageError, match="cùng tên"):
        Registry.load(str(tones))
    # the same name in two periods (a commune re-formed) is two units, one at a time
    apart = _registry(tmp_path, [["x1", "UBND xã An Bình", "An Bình", "xa", "", "", "2025-06-30", ""],
                                 ["x2", "UBND xã An Bình", "An Bình", "xa", "", "2025-07-01", "", ""]])  # fmt: skip
    assert len(Registry.load(str(apart)).units) == 2
    cycle = _registry(tmp_path, [["a", "UBND huyện A", "A", "huyen", "b", "", "", ""],
                                 ["b", "UBND tỉnh B", "B", "tinh", "a", "", "", ""]])  # fmt: skip
    with pytest.raises(UsageError, match="lặp vòng"):
        Registry.load(str(cycle))


def test_a_params_text_that_is_not_text_is_refused_naming_its_key(tmp_path):
    from cchc_analysis.core.params import load_params

    (tmp_path / "defaults.yaml").write_text("area: tu-ky\n", encoding="utf-8")
    period = tmp_path / "2023-08.yaml"
    period.write_text('document:\n  closing: "Yêu cầu \\x01 <b>&</b>"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"khóa document\.closing: có U\+0001"):
        load_params(path=period, params_dir=tmp_path)


HEADER = ["unit", "field", "procedure_code", "received_at", "due_at", "resolved_at", "status", "channel",
          "online_required", "digitized_input", "result_required", "digitized_output", "fee", "paid_online",
          "reused_data", "e_cert"]  # fmt: skip
GOOD = ["UBND xã Hưng Đạo", "Hộ tịch", "TT-1", "2023-05-03", "2023-05-05", "2023-05-04", "da_giai_quyet",
        "truc_tuyen", "1", "1", "1", "1", "0", "0", "0", "0"]  # fmt: skip


def test_a_dossier_list_with_hidden_characters_or_dates_out_of_range_is_refused(tmp_path):
    bad = [list(GOOD) for _ in range(4)]
    bad[0][1] = "Hộ\x0btịch"  # line 2: a vertical tab in the field
    bad[1][3], bad[1][4], bad[1][5] = "1850-05-03", "1850-05-05", "1850-05-04"  # line 3
    bad[2][3], bad[2][4], bad[2][5] = "0203-05-03", "0203-05-05", "0203-05-04"  # line 4: 203 for 2023
    bad[3][0] = "UBND xã Tái\u200dSơn"  # line 5: a zero-width joiner inside the name
    path = tmp_path / "ho-so.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *bad])
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    before = store_rows(db)
    res = run_cli("ingest-dossiers", str(path), "--store", str(db))
    assert res.returncode == 1
    assert "ho-so.csv, dòng 2, cột field «Lĩnh vực»" in res.stderr and "U+" not in res.stdout
    assert "dòng 3, cột received_at «Ngày tiếp nhận»: «Ngày tiếp nhận» trước năm 2000" in res.stderr
    assert "cũng ở dòng 4" in res.stderr
    assert "ho-so.csv, dòng 5, cột unit «Đơn vị»" in res.stderr
    assert store_rows(db) == before


def test_a_timestamp_with_a_time_zone_counts_in_the_offices_month(tmp_path):
    from cchc_analysis.inputs.dossiers import aggregate

    utc = pl.Datetime("us", "UTC")
    rows = {c: [v] for c, v in zip(HEADER, GOOD, strict=True)}
    frame = pl.DataFrame(rows).with_columns(
        received_at=pl.lit(dt.datetime(2023, 5, 31, 20, 0)).cast(utc),  # 03:00 on 1 June in Hà Nội
        due_at=pl.lit(dt.datetime(2023, 6, 5, 1, 0)).cast(utc),
        resolved_at=pl.lit(dt.datetime(2023, 6, 2, 1, 0)).cast(utc),
    )
    path = tmp_path / "ho-so.parquet"
    frame.write_parquet(path)
    stats, _ = aggregate(pl.scan_parquet(path))
    assert stats.filter(pl.col("tiep_nhan") > 0)["month"].to_list() == [dt.date(2023, 6, 1)]
