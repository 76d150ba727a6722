"""Bounded reading (issue 27, item 2): a workbook is checked before it is parsed — parts, sizes, compression
ratio — so a few kilobytes never become gigabytes; a cell declared at XFD1048576 costs only the cells present; a
cell longer than Excel allows, or a damaged workbook.xml, is one located line."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook

from conftest import run_cli

HEADER = ["ky", "don_vi", "tiep_nhan", "so_hoa_tiep_nhan", "ket_qua", "so_hoa_ket_qua", "co_phi",
          "thanh_toan_truc_tuyen"]  # fmt: skip


def _workbook(path: Path, far: bool = False, long_cell: int = 0) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "so_lieu"
    ws.append(HEADER)
    ws.append(["2023-05", "UBND xã Tái Sơn" + "x" * long_cell, 100, 90, 80, 70, None, None])
    if far:
        ws["XFD1048576"] = "cuối"
    wb.save(path)
    return path


def _rezip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        names = src.namelist()
        for name in names:
            out.writestr(name, replace.get(name, src.read(name)))
        for name, data in replace.items():  # parts the source lacks (openpyxl writes no shared strings)
            if name not in names:
                out.writestr(name, data)
    return target


def test_a_shared_string_that_inflates_to_hundreds_of_mb_is_refused_before_parsing(tmp_path):
    base = _workbook(tmp_path / "base.xlsx")
    huge = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + b"A" * (300 << 20)
    bomb = _rezip(base, tmp_path / "bom.xlsx", {"xl/sharedStrings.xml": huge + b"</t></si></sst>"})
    assert bomb.stat().st_size < 2 << 20
    res = run_cli("check", str(bomb), timeout=60)
    assert res.returncode == 1 and "giải nén ra quá lớn" in res.stderr and "xl/sharedStrings.xml" in res.stderr


def test_a_cell_declared_at_the_last_column_and_row_costs_only_the_cells_present(tmp_path):
    far = _workbook(tmp_path / "xa.xlsx", far=True)
    assert far.stat().st_size < 10_000
    res = run_cli("check", str(far), timeout=60)  # the declared 16.384 × 1.048.576 cells are never walked
    assert res.returncode in (0, 1) and "lỗi không lường trước" not in res.stderr, res.stderr


def test_a_cell_longer_than_excel_allows_is_refused_with_its_place(tmp_path):
    path = _workbook(tmp_path / "dai.xlsx", long_cell=40_000)
    res = run_cli("check", str(path))
    assert res.returncode == 1 and "dòng 2, cột B" in res.stderr and "32767" in res.stderr.replace(".", "")


def test_a_damaged_workbook_xml_is_one_line(tmp_path):
    base = _workbook(tmp_path / "base.xlsx")
    broken = _rezip(base, tmp_path / "hong.xlsx", {"xl/workbook.xml": b"<workbook><sheets><sheet name="})
    res = run_cli("check", str(broken))
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("lỗi:")]
    assert res.returncode == 1 and len(lines) == 1 and "tệp Excel bị hỏng" in lines[0], res.stderr


def test_a_table_of_a_million_rows_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "trung.csv"
    line = "2023-08,UBND xã An Thanh,10,5,10,5,1,1\n"
    path.write_text(",".join(HEADER) + "\n" + line * 1_000_000, encoding="utf-8")
    res = run_cli("check", str(path), timeout=60)
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("lỗi:")]
    assert res.returncode == 1 and len(lines) == 1 and "có hơn 500.000 dòng" in lines[0], res.stderr[:500]


def test_rows_with_a_cell_at_the_last_column_are_refused_before_they_are_padded(tmp_path):
    from openpyxl import load_workbook

    path = _workbook(tmp_path / "xa-nhieu.xlsx")
    wb = load_workbook(path)
    ws = wb["so_lieu"]
    for r in range(3, 20_003):  # each row padded to 16.384 cells by the reader would be 327 million cells
        ws.cell(r, 16_384, "x")
    wb.save(path)
    res = run_cli("check", str(path), timeout=60)
    assert res.returncode == 1 and "có ô ở XFD" in res.stderr, res.stderr
