"""An analyst's first real month (issue 26), from the installed wheel in a fresh workspace: only that month in
the store, no sample parameters. Every run is right, or stops and says why; nothing it did not make is touched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from conftest import cchc_installed as cchc

# real runs of the command end to end (see conftest: `pytest -m "not e2e"` is the fast loop)
pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[1] / "cchc_analysis" / "data" / "sample"
# what the sample's own period parameters say: never on an analyst's documents
# ("1220/" with its slash: a bare "1220" turns up inside the manifest's SHA-256 hashes now and then)
SAMPLE_FACTS = (
    "1220/",
    "15 tháng 9",
    "70/TB-VP",
    "Vũ Thị Hà",
    "22/5/2023",
    "7/7 lĩnh vực",
    "chưa cao, chưa đầy đủ, kịp thời",
    "thứ hạng chưa cao",
    "116/KH-UBND",
)


def _letter(path: Path) -> str:
    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _everything(folder: Path) -> str:
    """Every word a reader of the folder's documents sees, with the CSVs and the manifest."""
    parts = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".docx":
            parts.append(_letter(path))
        elif path.suffix == ".xlsx":
            wb = load_workbook(path, read_only=True)
            parts += [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
        elif path.suffix in (".html", ".csv", ".json"):
            parts.append(path.read_text(encoding="utf-8-sig"))
    return "\n".join(parts)


def _hidden(outputs: Path) -> list[str]:
    return sorted(p.name for p in outputs.iterdir() if p.name.startswith("."))


# one analyst's first month as a story, step after step in one workspace: the steps depend on the ones before
def test_the_first_real_month_in_a_fresh_workspace(installed, tmp_path):  # noqa: PLR0915
    venv, _ = installed
    assert cchc(venv, "init", "ws", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    data, outputs = ws / "data", ws / "outputs"

    failed = cchc(venv, "issue", "2023-04", cwd=ws)
    assert failed.returncode == 1 and failed.stderr.startswith("lỗi:")
    assert list(data.iterdir()) == []  # a failed command leaves no store

    # the office's own August file: its own spellings, not the embedded sample
    august = ws / "so-lieu-thang-8.csv"
    august.write_text((SAMPLE / "so-lieu-2023-08.csv").read_text(encoding="utf-8").replace("UBND xã ", "Xã "))
    assert cchc(venv, "ingest", str(august), cwd=ws).returncode == 0

    stop = cchc(venv, "run", "monthly", "2023-08", cwd=ws)
    assert stop.returncode == 1
    errors = [ln for ln in stop.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1 and errors[0].startswith("lỗi: thiếu số liệu tháng 1, 2, 3, 4, 5, 6, 7/2023"), stop.stderr
    assert "01/4–31/8/2023" in errors[0] and "--allow-partial" in errors[0]
    assert not (outputs / "2023-08").exists() and _hidden(outputs) == []

    go = cchc(venv, "run", "monthly", "2023-08", "--allow-partial", "--quiet", cwd=ws)
    assert go.returncode == 0, go.stderr
    out = outputs / "2023-08"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["missing_months"]["lũy kế từ đầu năm"] == [f"2023-0{m}" for m in range(1, 8)]
    assert manifest["missing_months"]["thanh toán trực tuyến lũy kế"] == [f"2023-0{m}" for m in range(4, 8)]
    letter = _letter(out / "cong-van-2023-08.docx")
    assert "thiếu số liệu tháng 1, 2, 3, 4, 5, 6, 7/2023" in letter and "trong các tháng đã có số liệu" in letter
    assert "Số: …/UBND-NV" in letter and "ngày … tháng … năm …" in letter
    # nothing over a window it does not hold: no "chưa thực hiện" e-certification, no payment sanction
    assert "chưa thực hiện chứng thực" not in letter and "Phê bình" not in letter
    findings = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "remind_no_e_cert" not in findings and "escalate" not in findings
    every = _everything(out)
    for fact in SAMPLE_FACTS:
        assert fact not in every, fact
    blanks = [w for w in manifest["warnings"] if "document.number" in w]
    assert len(blanks) == 1 and "document.signer.name" in blanks[0]
    assert sum("document.number" in ln for ln in go.stderr.splitlines()) == 1

    # the analyst fills the period's fields; a note kept in the output folder survives the rerun
    made = cchc(venv, "params", "2023-08", cwd=ws)
    assert made.returncode == 0, made.stderr
    period_file = ws / "params" / "2023-08.yaml"
    text = period_file.read_text(encoding="utf-8")
    period_file.write_text(text.replace("number: null", 'number: "57/UBND-VP"').replace('name: ""', "name: Lê Văn An"))
    (out / "ghi-chu.txt").write_text("đã gửi bản này cho trưởng phòng\n", encoding="utf-8")

    # a run killed midway leaves its hidden folder; the next run of the period removes it
    env = {k: v for k, v in os.environ.items() if k not in ("CCHC_HOME", "CCHC_STORE")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    killed = subprocess.Popen(
        [str(venv / "bin" / "cchc"), "run", "monthly", "2023-08", "--allow-partial"],
        cwd=ws,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _hidden(outputs):
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    assert _hidden(outputs), "the run was not caught midway"

    again = cchc(venv, "run", "monthly", "2023-08", "--allow-partial", "--quiet", cwd=ws)
    assert again.returncode == 0, again.stderr
    assert _hidden(outputs) == []
    assert (out / "ghi-chu.txt").read_text(encoding="utf-8") == "đã gửi bản này cho trưởng phòng\n"
    assert "Số: …/UBND-NV" in _letter(out / "cong-van-2023-08.docx")  # the first draft, untouched
    beside = _letter(outputs / "2023-08-chay-lai-1" / "cong-van-2023-08.docx")
    assert "Số: 57/UBND-VP" in beside and "Lê Văn An" in beside
    assert "document.number" not in again.stderr


def test_a_folder_cchc_did_not_make_is_never_written_over(installed, tmp_path):
    venv, _ = installed
    mine = tmp_path / "ket-qua" / "2023-05"
    mine.mkdir(parents=True)
    (mine / "bao-cao-cua-toi.docx").write_bytes(b"not cchc's")
    res = cchc(venv, "run", "monthly", "2023-05", "--out", str(tmp_path / "ket-qua"), cwd=tmp_path)
    assert res.returncode == 2 and "không có manifest.json" in res.stderr
    assert sorted(p.name for p in (tmp_path / "ket-qua").iterdir()) == ["2023-05"]
    assert [p.name for p in mine.iterdir()] == ["bao-cao-cua-toi.docx"]
    template = tmp_path / "mau.xlsx"
    template.write_bytes(b"the analyst's own workbook")
    refused = cchc(venv, "template", "2023-08", "-o", str(template), cwd=tmp_path)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert template.read_bytes() == b"the analyst's own workbook"
