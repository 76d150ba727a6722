"""Data made inert: the escaping helpers the notebooks, charts and CSV writer share, and charts that show a
month without data as a gap."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest

from cchc_analysis.core.escaping import bullets, csv_cell, html_text, script_json, strong
from cchc_analysis.render import charts, write_csv


@pytest.mark.parametrize(
    "text", ["=1+1", "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
)
def test_formula_text_is_prefixed(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["UBND xã Tân Kỳ", "-1,18", "-12", "+3,5", "99,05%", 12, -3.5, None, ""])
def test_ordinary_cells_are_unchanged(value):
    assert csv_cell(value) == value


def test_csv_numbers_stay_numbers_and_text_is_safe(tmp_path):
    frame = pl.DataFrame({"unit": ["=2+5", "Hà Kỳ"], "change_pp": [-11.26, 1.5], "n": [-3, 4]})
    write_csv(frame, tmp_path / "a.csv")
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").splitlines()
    assert lines[1] == "'=2+5,-11.26,-3"
    assert lines[2] == "Hà Kỳ,1.5,4"


def test_html_fragments_escape():
    assert html_text('<b a="1">') == "&lt;b a=&quot;1&quot;&gt;"
    assert "<script>" not in strong("<script>x</script>").html
    frag = bullets(["<img src=x onerror=alert(1)>", "a & b"], heading="<h1>").html
    assert "<img" not in frag and "&amp;" in frag and "<h3>&lt;h1&gt;</h3>" in frag


def test_script_json_cannot_close_the_script():
    value = {"unit": "</script><script>alert(1)</script>", "x": "\u2028<!--"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_a_month_without_data_is_a_gap_in_the_line():
    months = [dt.date(2023, m, 1) for m in range(1, 6)]
    df = pl.DataFrame({"unit": ["Hà Kỳ"] * 5, "month": months, "rate": [0.9, 0.92, None, 0.95, 0.97]})
    import vl_convert as vlc

    chart = charts._gapped_lines(df, "unit", "Đơn vị", "Tỷ lệ").properties(width=300, height=200)
    svg = vlc.vegalite_to_svg(chart.to_dict())
    lines = re.findall(r'<g class="mark-line role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S)
    paths = re.findall(r' d="([^"]+)"', lines[0])
    # two runs, January–February and April–May: each starts with its own move-to
    assert sum(p.count("M") for p in paths) == 2, paths
