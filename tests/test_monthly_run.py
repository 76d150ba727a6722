"""`cchc run monthly` end to end on the sample: papermill runs the real notebook; the CSVs, the appendix and
the manifest are read back as an analyst would. Figures are quoted from seeds 000 and 002."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest

from conftest import run_cli, workspace_copy

# real runs of the command end to end (see conftest: `pytest -m "not e2e"` is the fast loop)
pytestmark = pytest.mark.e2e


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to show Vietnamese"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def pct(value: str) -> float:
    return round(float(value) * 100, 2)


def test_outputs_and_progress(runs):
    out, results = runs
    names = {p.name for p in (out / "2023-05").iterdir()}
    assert names == {
        "01_monthly_review.ipynb",
        "01_monthly_review.html",
        "phu-luc-2023-05.html",
        "phu-luc-2023-05.pdf",
        "phu-luc-2023-05.xlsx",
        "phu-luc-2023-05.docx",
        "cong-van-2023-05.docx",
        "findings.csv",
        "indicators.csv",
        "manifest.json",
    }
    lines = results["2023-05"].stdout.splitlines()
    assert any("Chạy notebook" in ln for ln in lines) and any("Phụ lục PDF" in ln for ln in lines)
    # nothing temporary or failed is left beside the result
    assert sorted(p.name for p in out.iterdir()) == ["2023-05", "2023-08"]
    # the page's title says what it is, for which month and area (it was "Notebook")
    html = (out / "2023-05" / "01_monthly_review.html").read_text(encoding="utf-8")
    assert "<title>Rà soát cải cách hành chính tháng 5/2023 — huyện Tứ Kỳ</title>" in html


def test_may_findings_csv(runs):  # seed 000
    out, _ = runs
    rows = read_csv(out / "2023-05" / "findings.csv")
    assert list(rows[0]) == [
        "period",
        "unit",
        "unit_kind",
        "indicator",
        "kind",
        "level",
        "value",
        "window_value",
        "area_value",
        "change_pp",
        "gap_pp",
        "decline_run",
        "gap_dossiers",
        "sentence",
    ]
    remind = {(r["unit"], r["indicator"]): r for r in rows if r["kind"] == "remind" and r["indicator"] != "e_cert"}
    expected = {
        ("UBND xã Tái Sơn", "digitized_input"): (88.31, 5.51, 8.34),
        ("UBND xã Hưng Đạo", "digitized_input"): (86.77, 2.94, 9.88),
        ("UBND xã Văn Tố", "digitized_input"): (87.06, -1.23, 9.59),
        ("UBND xã Minh Đức", "digitized_output"): (87.54, -5.24, 8.74),
        ("UBND xã Hà Kỳ", "digitized_output"): (85.81, -11.26, 10.47),
    }
    got = {
        k: (pct(r["value"]), round(float(r["change_pp"]), 2), round(float(r["gap_pp"]), 2)) for k, r in remind.items()
    }
    assert got == expected
    assert {pct(r["area_value"]) for k, r in remind.items() if k[1] == "digitized_input"} == {96.65}
    assert {pct(r["area_value"]) for k, r in remind.items() if k[1] == "digitized_output"} == {96.28}
    assert remind[("UBND xã Văn Tố", "digitized_input")]["decline_run"] == "2"
    assert "đây là tháng thứ 2 liên tiếp" in remind[("UBND xã Văn Tố", "digitized_input")]["sentence"]
    esc = sorted((r["unit"], r["indicator"], r["level"]) for r in rows if r["kind"] == "escalate")
    assert esc == [("UBND xã Ngọc Kỳ", "e_cert", "1"), ("UBND xã Tiên Động", "e_cert", "1")]
    commended = {r["unit"] for r in rows if r["kind"] == "commend"}
    assert commended == {
        "Phòng Tài chính - Kế hoạch",
        "Phòng Văn hóa và Thông tin",
        "Phòng Kinh tế và Hạ tầng",
        "Phòng Nội vụ",
        "UBND xã Dân Chủ",
        "UBND xã Phượng Kỳ",
        "UBND xã Bình Lãng",
        "UBND xã Cộng Lạc",
        "UBND xã Quảng Nghiệp",
        "UBND xã Ngọc Kỳ",
    }


def test_august_findings_csv_after_issuing_may_to_july(runs):  # seed 002
    out, _ = runs
    rows = read_csv(out / "2023-08" / "findings.csv")
    payment = {
        r["unit"]: (pct(r["value"]), pct(r["window_value"]))
        for r in rows
        if r["indicator"] == "online_payment" and r["kind"] == "remind"
    }
    assert payment == {
        "Phòng Tài chính - Kế hoạch": (67.27, 28.16),
        "UBND xã Cộng Lạc": (61.88, 13.15),
        "UBND xã Hà Kỳ": (96.77, 28.3),
        "UBND xã Tái Sơn": (44.33, 12.32),
        "UBND xã Tân Kỳ": (78.18, 19.52),
    }
    levels = sorted((r["unit"], r["level"]) for r in rows if r["kind"] == "escalate")
    assert levels == [
        ("UBND xã Dân Chủ", "3"),
        ("UBND xã Hưng Đạo", "2"),
        ("UBND xã Phượng Kỳ", "2"),
        ("UBND xã Tiên Động", "3"),
    ]
    # seed 002: the two "good month, poor window" digitization reminders
    poor = {
        (r["unit"], r["indicator"]): (pct(r["value"]), pct(r["window_value"]))
        for r in rows
        if r["kind"] == "remind" and r["window_value"] and r["indicator"] != "online_payment"
    }
    assert poor == {
        ("UBND xã Tiên Động", "digitized_output"): (96.15, 86.93),
        ("UBND xã Hưng Đạo", "digitized_input"): (97.67, 85.89),
    }


def test_indicators_csv_pooled_rates_match_a_hand_sum(runs):
    out, _ = runs
    rows = read_csv(out / "2023-08" / "indicators.csv")
    assert list(rows[0]) == [
        "period",
        "window",
        "unit",
        "unit_kind",
        "indicator",
        "numerator",
        "denominator",
        "rate",
        "missing_months",
    ]
    area = {(r["window"], r["indicator"]): r for r in rows if r["unit"] == "Toàn huyện"}
    assert [pct(area[("2023-08", i)]["rate"]) for i in ("digitized_input", "digitized_output", "online_payment")] == [
        97.67,
        99.05,
        80.2,
    ]
    # every unit's numerators and denominators add up to the pooled figure
    for indicator in ("digitized_input", "online_payment"):
        units = [
            r
            for r in rows
            if r["window"] == "2023-04..2023-08"
            and r["indicator"] == indicator
            and r["unit_kind"] != "area"
            and r["denominator"]
        ]
        total = area[("2023-04..2023-08", indicator)]
        assert sum(int(r["numerator"]) for r in units) == int(total["numerator"])
        assert sum(int(r["denominator"]) for r in units) == int(total["denominator"])
    tc = [
        r
        for r in rows
        if r["unit"] == "Phòng Tài chính - Kế hoạch"
        and r["window"] == "2023-04..2023-08"
        and r["indicator"] == "online_payment"
    ][0]
    assert pct(tc["rate"]) == 28.16
    # counts carry a numerator only
    late = [r for r in rows if r["indicator"] == "late"]
    assert late and all(r["denominator"] == "" and r["rate"] == "" for r in late)


def test_notebook_executed_with_its_parameters(runs):
    out, _ = runs
    nb = json.loads((out / "2023-08" / "01_monthly_review.ipynb").read_text(encoding="utf-8"))
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and 'period = "2023-08"' in "".join(injected[0]["source"])
    html = (out / "2023-08" / "01_monthly_review.html").read_text(encoding="utf-8")
    # the letter's opening figures (seed 002), the sections in order, charts as SVG, no code
    assert "97,67%, tăng 0,54% so với tháng 7/2023" in html and "80,2%, tăng 29,86%" in html
    assert (
        html.index("Biểu dương các cơ quan")
        < html.index("Về thanh toán trực tuyến")
        < html.index("Phê bình lần thứ hai")
        < html.index("Phê bình lần thứ ba")
    )
    assert html.count('<img alt="Biểu đồ" src="data:image/svg+xml;base64,') >= 3 and "load_review(" not in html
    assert '<html lang="vi">' in html


def test_manifest_records_inputs_and_steps(runs):
    out, _ = runs
    m = json.loads((out / "2023-05" / "manifest.json").read_text(encoding="utf-8"))
    assert m["period"] == "2023-05" and m["parameters"]["rules"]["escalate_payment"]["enabled"] is False
    names = [f["file_name"] for f in m["inputs"]["store"]["source_files"]]
    assert sum(n.startswith("so-lieu-2023-") for n in names) == 8 and "tu-cham-2023-H1.csv" in names
    assert all(len(f["sha256"]) == 64 for f in m["inputs"]["files"])
    assert {"polars", "duckdb", "papermill", "typst"} <= set(m["versions"])
    steps = [s["step"] for s in m["steps"]]
    assert steps[0].startswith("Đọc kho dữ liệu") and any(s.startswith("Chạy notebook") for s in steps)
    assert set(m["outputs"]) >= {"findings.csv", "phu-luc-2023-05.pdf", "cong-van-2023-05.docx", "phu-luc-2023-05.docx"}


def test_run_without_a_store_uses_the_sample(tmp_path):
    out = tmp_path / "out"
    res = run_cli(
        "run", "monthly", "2023-05", "--out", str(out), "--quiet", env={"CCHC_STORE": ""}, cwd=workspace_copy(tmp_path)
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    rows = read_csv(out / "2023-05" / "findings.csv")
    assert any(r["unit"] == "UBND xã Tái Sơn" for r in rows)
    assert not (out / "2023-05" / "sample.duckdb").exists()


def broken_workspace(tmp_path, source: str, position: int | None = None):
    """A workspace whose monthly notebook has one more cell, ``source``, at ``position`` (default: last)."""
    home = workspace_copy(tmp_path)
    path = home / "notebooks" / "01_monthly_review.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "id": "broken"}
    nb["cells"].insert(len(nb["cells"]) if position is None else position, {**cell, "source": source})
    path.write_text(json.dumps(nb), encoding="utf-8")
    return home


def failed_run(tmp_path, home) -> str:
    """`cchc run monthly 2023-05` from ``home`` on the sample: it must fail with one line (returned), no
    traceback, nothing final and the failed run kept to read."""
    db, out = tmp_path / "s.duckdb", tmp_path / "out"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    res = run_cli("run", "monthly", "2023-05", "--store", str(db), "--out", str(out), "--quiet", cwd=home)
    assert res.returncode == 1
    errors = [ln for ln in res.stderr.splitlines() if ln.strip() and not ln.startswith("cảnh báo:")]
    assert len(errors) == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert not (out / "2023-05").exists() and (out / "2023-05.failed").is_dir()
    return errors[0]


def test_failing_notebook_leaves_nothing_final(tmp_path):
    home = broken_workspace(tmp_path, "total = 1\ntotal / 0  # a broken cell")
    error = failed_run(tmp_path, home)
    assert "total = 1 ⏎ total / 0" in error and "ZeroDivisionError" in error


def test_bad_period_is_a_usage_error(tmp_path):
    res = run_cli("run", "monthly", "2023-13", "--store", str(tmp_path / "x.duckdb"), "--out", str(tmp_path))
    assert res.returncode == 2 and "tháng không hợp lệ" in res.stderr


def test_pages_target_turns_the_pdf_into_images(runs, tmp_path):
    assert shutil.which("pdftoppm"), "poppler-utils is missing: make test installs it (scripts/sysdeps.sh)"
    out, _ = runs
    from cchc_analysis.core import config

    res = subprocess.run(
        ["make", "-s", "pages", "PERIOD=2023-05", f"OUT={out}"],
        cwd=config.PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    names = [p.name for p in (out / "2023-05" / "pages").glob("*.png")]
    for kind in ("phu-luc-2023-05", "excel-phu-luc-2023-05", "word-phu-luc-2023-05", "word-cong-van-2023-05"):
        assert any(n.startswith(f"{kind}-") for n in names), (kind, names)


def _children_left() -> list:
    import psutil

    return [p for p in psutil.Process().children(recursive=True) if p.is_running() and p.status() != "zombie"]


def test_the_appendix_is_written_beside_the_notebook_and_leaves_no_process(tmp_path, monkeypatch):
    """The appendix runs in its own process while the notebook runs: its steps are reported like the others, and
    when the command returns nothing it started is still running."""
    from cchc_analysis.core.periods import Month
    from cchc_analysis.runs.inputs import resolve
    from cchc_analysis.runs.run import run_monthly
    from cchc_analysis.runs.sample import build_sample_store

    monkeypatch.chdir(workspace_copy(tmp_path))
    db = build_sample_store(tmp_path / "s.duckdb")
    folder = run_monthly(resolve(Month(2023, 5), db, out=tmp_path / "out"), quiet=True)
    steps = [s["step"] for s in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["steps"]]
    assert steps[-4:] == ["Phụ lục HTML", "Phụ lục PDF (A4)", "Phụ lục XLSX", "Phụ lục Word"]
    assert (folder / "phu-luc-2023-05.pdf").read_bytes().startswith(b"%PDF")
    assert _children_left() == []


def test_a_broken_appendix_template_fails_in_one_line_and_leaves_nothing_final(tmp_path):
    home = workspace_copy(tmp_path)
    (home / "templates").mkdir()
    (home / "templates" / "phu-luc.docx").write_bytes(b"<html>not a Word file</html>")
    error = failed_run(tmp_path, home)
    assert "phu-luc.docx" in error and "không mở được" in error


def test_a_failing_notebook_stops_the_appendix_process(tmp_path, monkeypatch):
    from cchc_analysis.core.exceptions import RunError
    from cchc_analysis.core.periods import Month
    from cchc_analysis.runs.inputs import resolve
    from cchc_analysis.runs.run import run_monthly
    from cchc_analysis.runs.sample import build_sample_store

    home = broken_workspace(tmp_path, "raise ValueError('hỏng')", position=2)
    monkeypatch.chdir(home)
    db = build_sample_store(tmp_path / "s.duckdb")
    with pytest.raises(RunError, match="ValueError: hỏng"):
        run_monthly(resolve(Month(2023, 5), db, out=tmp_path / "out"), quiet=True)
    assert _children_left() == []
    assert not (tmp_path / "out" / "2023-05").exists()


def test_a_rerun_never_overwrites_what_went_with_an_issued_letter(tmp_path):
    db, out = tmp_path / "s.duckdb", tmp_path / "out"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    args = ("run", "monthly", "2023-05", "--store", str(db), "--out", str(out), "--quiet")
    assert run_cli(*args).returncode == 0
    assert run_cli("issue", "2023-05", "--store", str(db)).returncode == 0
    sent = (out / "2023-05" / "findings.csv").read_bytes()
    stamp = (out / "2023-05" / "manifest.json").stat().st_mtime_ns
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    assert "đã ban hành" in res.stderr and "2023-05-chay-lai-1" in res.stderr and "--force" in res.stderr
    assert (out / "2023-05" / "manifest.json").stat().st_mtime_ns == stamp  # untouched
    assert (out / "2023-05-chay-lai-1" / "findings.csv").read_bytes() == sent
    res = run_cli(*args, "--force")
    assert res.returncode == 0 and "ghi đè" in res.stderr
    assert (out / "2023-05" / "manifest.json").stat().st_mtime_ns != stamp
    assert sorted(p.name for p in out.iterdir()) == ["2023-05", "2023-05-chay-lai-1"]


def test_the_notebook_html_reads_as_an_official_would(runs, tmp_path):
    """No word for developers, and in a real browser the tables' names and sentences read from the left while
    numbers stay on the right."""
    from conftest import browser_dom

    out, _ = runs
    page = out / "2023-08" / "01_monthly_review.html"
    html = page.read_text(encoding="utf-8")
    assert "cchc_analysis" not in html and "phép tính nằm trong gói" not in html
    probe = tmp_path / "probe.html"
    script = (
        "<script>window.addEventListener('load', function () { var out = [];"
        " document.querySelectorAll('.cchc-t table tbody tr:not(.group) td').forEach(function (td) {"
        " out.push((td.className || 'text') + ':' + getComputedStyle(td).textAlign); });"
        " var p = document.createElement('pre'); p.id = 'probe'; p.textContent = out.join('\\n');"
        " document.body.appendChild(p); });</script>"
    )
    probe.write_text(html.replace("</body>", script + "</body>"), encoding="utf-8")
    dom, _ = browser_dom(probe, tmp_path)
    found = dom.split('<pre id="probe">', 1)[1].split("</pre>", 1)[0].split("\n")
    aligned = {}
    for line in found:
        kind, align = line.rsplit(":", 1)
        aligned.setdefault(kind, set()).add(align)
    assert aligned["text"] == {"left"} and aligned["n"] == {"right"}, aligned


@pytest.mark.e2e
def test_a_month_of_a_batch_is_what_its_own_command_gives(runs, tmp_path):
    """The shared run is `cchc run monthly 2023-05 2023-08`: one kernel, reset between the notebooks. August, the
    second, run alone gives the same findings, letter and notebook outputs; its cells count from 1."""
    import docx

    out, _ = runs
    res = run_cli("run", "monthly", "2023-08", "--store", str(out.parent / "cchc.duckdb"), "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr

    def shown(notebook):
        cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        texts = [
            "".join(o.get("data", {}).get(kind, ""))
            for c in cells
            for o in c["outputs"]
            for kind in ("text/html", "text/plain")
        ]
        return [c["execution_count"] for c in cells], texts

    batch, alone = out / "2023-08", tmp_path / "2023-08"
    assert (batch / "findings.csv").read_bytes() == (alone / "findings.csv").read_bytes()
    letter = [[p.text for p in docx.Document(str(d / "cong-van-2023-08.docx")).paragraphs] for d in (alone, batch)]
    assert letter[0] == letter[1]
    counts, texts = shown(batch / "01_monthly_review.ipynb")
    assert counts == list(range(1, len(counts) + 1))
    assert texts == shown(alone / "01_monthly_review.ipynb")[1]
    assert [ln for ln in runs[1]["2023-05"].stdout.splitlines() if ln.startswith("Kết quả:")] == [
        f"Kết quả: {out / m}" for m in ("2023-05", "2023-08")
    ]


def test_a_letter_number_is_for_one_month_only():
    res = run_cli("run", "monthly", "2023-05", "2023-06", "--number", "12/UBND-NV")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "chỉ dùng khi chạy một tháng" in res.stderr
    res = run_cli("run", "monthly", "2023-05", "2023-05")
    assert res.returncode == 2 and "hai lần" in res.stderr
