"""A national area (thousands of units) through the same renderers: the PDF keeps twenty and more rows a page,
the Word table reads back merged and escaped, the notebook shows a distribution, the lowest units and the first
rows, each saying how many more there are. Times are measured in benchmarks/national.py, not here."""

from __future__ import annotations

import random

import docx
import polars as pl
from pypdf import PdfReader

from cchc_analysis.core import config
from cchc_analysis.core.escaping import bullets
from cchc_analysis.documents.tables import Col, Row, Table
from cchc_analysis.render import Appendix, Document, shown, write_docx, write_pdf

GROUP = "Số hóa khi tiếp nhận tháng 6/2026"


def national_table(n: int) -> Table:
    """A wide table shaped as the digitization appendix: 17 columns, area totals of six digits, as a national month has."""
    rng = random.Random(30)
    figures = [
        Col(f"c{j}", f"Cột số {j} (hồ sơ)", "int" if j % 3 else "pct", GROUP if j < 7 else None) for j in range(14)
    ]
    cols = [
        Col("stt", "STT", "int", width=0.9),
        Col("unit", "Đơn vị", width=3.2),
        *figures,
        Col("flags", "Đánh giá", width=4.4),
    ]
    rows = [Row({"text": "I. Các xã, phường, đặc khu"}, "group")]
    for i in range(1, n + 1):
        values = {f"c{j}": (rng.randint(0, 900) if j % 3 else rng.uniform(0.7, 1)) for j in range(14)}
        flags = "Nhắc nhở (số hóa khi tiếp nhận, số hóa kết quả)" if i % 2 else ""
        rows.append(Row({"stt": i, "unit": f"UBND phường Đơn Vị {i:04d}", **values, "flags": flags}))
    rows.append(Row({"unit": "Toàn quốc", **{f"c{j}": 261_465 if j % 3 else 1.0 for j in range(14)}}, "total"))
    return Table("So hoa", "Số hóa", cols, rows, landscape=True)


def test_a_national_wide_table_has_twenty_rows_a_page_and_no_figure_overflows(tmp_path):
    n = 600
    path = tmp_path / "n.pdf"
    pages = write_pdf(Document("Thử", "(Kèm theo)", [Appendix("Số hóa toàn quốc", [national_table(n)])]), path)
    assert pages <= n / 20, pages
    reader = PdfReader(str(path))
    assert all(p.mediabox.width > p.mediabox.height for p in reader.pages)  # landscape throughout
    text = "\n".join(p.extract_text() for p in reader.pages)
    # every unit once, and the six-digit total whole on its line (a figure that overflowed would be cut)
    assert all(f"UBND phường Đơn Vị {i:04d}" in text for i in range(1, n + 1))
    assert "261.465" in text


def test_the_word_table_reads_back_merged_and_escaped(tmp_path):
    table = national_table(3)
    evil = 'UBND xã <w:p>{{ x }}</w:t>&\x07"Tân"'
    table.rows.insert(2, Row({"stt": 99, "unit": evil}))
    path = tmp_path / "n.docx"
    write_docx(Document("Thử", "(Kèm theo)", [Appendix("Số hóa", [table])]), path)
    grid = docx.Document(str(path)).tables[0]
    top, names = grid.rows[0].cells, grid.rows[1].cells
    # STT and Đơn vị span both header rows; the group heading spans its seven columns
    assert top[0]._tc is names[0]._tc or top[0].text == "STT" and names[0].text == ""
    assert [c.text for c in top[2:9]] == [GROUP] * 7 and names[2].text == "Cột số 0 (hồ sơ)"
    assert grid.rows[2].cells[0].text == "I. Các xã, phường, đặc khu" and len(grid.rows[2]._tr.tc_lst) == 1
    assert grid.rows[4].cells[1].text == 'UBND xã <w:p>{{ x }}</w:t>&"Tân"'  # text, less the control character
    assert grid.rows[-1].cells[3].text == "261.465"


def test_a_notebook_shows_a_large_area_in_part_and_says_how_much_more():
    items = [f"Đơn vị {i}" for i in range(config.NOTEBOOK_ROWS + 1204)]
    html = str(bullets(items, heading="1. Biểu dương", limit=config.NOTEBOOK_ROWS, rest="(Phụ lục I)"))
    assert html.count("<li>") == config.NOTEBOOK_ROWS + 1 and "… và 1.204 mục khác (Phụ lục I)" in html
    table = national_table(config.NOTEBOOK_ROWS + 50)
    page = str(shown(table, limit=config.NOTEBOOK_ROWS))
    assert f"Đơn Vị {config.NOTEBOOK_ROWS - 1:04d}" in page and f"Đơn Vị {config.NOTEBOOK_ROWS + 1:04d}" not in page
    assert f"Bảng có {len(table.rows)} dòng" in page
    # a district's table is shown whole
    assert "Bảng có" not in str(shown(national_table(35), limit=config.NOTEBOOK_ROWS))


def test_a_large_area_chart_is_a_distribution_and_its_lowest_units():
    from cchc_analysis.render import charts

    rng = random.Random(7)
    rates = pl.DataFrame(
        [{"unit": f"UBND xã {i}", "rate": rng.uniform(0.6, 1), "numerator": 1, "denominator": 1} for i in range(3351)]
    )
    spec = charts.unit_rates(rates, 0.9, 0.95, "Tỷ lệ", "toàn quốc", "digitized_input").to_dict()
    records = _records(spec)
    assert len(records) < 200  # bins and 30 units, not 3.351 bars
    lowest = set(rates.sort("rate").head(30)["unit"])
    assert lowest <= {r.get("unit") for r in records}
    assert "30 đơn vị có tỷ lệ thấp nhất trong 3.351 đơn vị" in str(spec)
    # a district keeps one bar per unit
    district = charts.unit_rates(rates.head(35), 0.9, None, "Tỷ lệ", "huyện", "digitized_input").to_dict()
    assert len({r.get("unit") for r in _records(district)}) >= 35


def _records(spec) -> list[dict]:
    """Every data record a chart specification carries, wherever it sits."""
    if isinstance(spec, dict):
        values = spec.get("values") if isinstance(spec.get("values"), list) else []
        datasets = [r for d in spec.get("datasets", {}).values() for r in d] if "datasets" in spec else []
        return values + datasets + [r for k, v in spec.items() if k not in ("values", "datasets") for r in _records(v)]
    if isinstance(spec, list):
        return [r for v in spec for r in _records(v)]
    return []
