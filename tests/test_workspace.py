"""The installed workbook: the wheel built from the checkout, installed into a fresh virtual environment and
run from an empty folder; an analyst's workspace made by `cchc init`; the lookup order; notebooks run from
their own folder with their defaults; `cchc doctor` on a broken workspace."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import cchc_installed as _cchc
from conftest import run_cli, workspace_copy

# real runs of the command end to end (see conftest: `pytest -m "not e2e"` is the fast loop)
pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_the_installed_wheel_runs_from_an_empty_folder(installed, tmp_path):
    venv, package = installed
    before = _files(package)
    empty = tmp_path / "trong"
    empty.mkdir()
    version = _cchc(venv, "--version", cwd=empty)
    assert version.returncode == 0 and version.stdout.startswith("cchc-workbook ")
    lab = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "jupyterlab", "--version"], capture_output=True, text=True, cwd=empty
    )
    assert lab.returncode == 0 and lab.stdout.strip()[0].isdigit(), lab.stderr
    res = _cchc(venv, "run", "monthly", "2023-05", "--quiet", cwd=empty)
    assert res.returncode == 0, res.stderr
    folder = empty / "outputs" / "2023-05"
    for name in (
        "phu-luc-2023-05.pdf",
        "phu-luc-2023-05.html",
        "phu-luc-2023-05.xlsx",
        "findings.csv",
        "01_monthly_review.html",
    ):
        assert (folder / name).is_file(), name
    assert "UBND xã Tái Sơn" in (folder / "findings.csv").read_text(encoding="utf-8-sig")
    tpl = _cchc(venv, "template", "2023-08", "-o", "t.xlsx", cwd=empty)
    assert tpl.returncode == 0 and (empty / "t.xlsx").is_file(), tpl.stderr
    assert _files(package) == before  # nothing written inside the installed package
    assert not (package.parent / "outputs").exists() and not (package.parent / "data").exists()


def test_init_makes_a_workspace_that_runs(installed, tmp_path):
    venv, package = installed
    res = _cchc(venv, "init", "cchc-2023", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    ws = tmp_path / "cchc-2023"
    for rel in (
        "params/defaults.yaml",
        "params/units/tu-ky.csv",
        "params/criteria/tu-ky-2023-xa.yaml",
        "notebooks/01_monthly_review.ipynb",
        "HUONG-DAN.md",
    ):
        assert (ws / rel).is_file(), rel
    assert (ws / "data").is_dir() and (ws / "outputs").is_dir()
    assert not list((ws / "params").rglob("20*.yaml"))  # no period's parameters: the sample's are not the analyst's
    assert "# " in (ws / "params" / "defaults.yaml").read_text(encoding="utf-8")  # commented for the analyst
    # from a subfolder the workspace is found upwards: its store, its outputs
    sub = ws / "notebooks"
    assert _cchc(venv, "ingest", "--sample", cwd=sub).returncode == 0
    assert (ws / "data" / "cchc.duckdb").is_file()
    res = _cchc(venv, "run", "anomalies", "2023-05", "--quiet", cwd=sub)
    assert res.returncode == 0, res.stderr
    assert (ws / "outputs" / "2023-05-bat-thuong" / "anomalies.csv").is_file()
    # a second init keeps what is there
    (ws / "params" / "2023-08.yaml").write_text("area_name: huyện\n", encoding="utf-8")
    again = _cchc(venv, "init", str(ws), cwd=tmp_path)
    assert again.returncode == 0 and "giữ nguyên" in again.stdout
    assert (ws / "params" / "2023-08.yaml").read_text(encoding="utf-8") == "area_name: huyện\n"


def _template_units(path: Path) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    ws = wb["so_lieu"] if "so_lieu" in wb.sheetnames else wb.worksheets[0]
    return [r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[1]]


def test_lookup_order_workspace_then_cchc_home_then_packaged(tmp_path):
    home = tmp_path / "home"
    assert run_cli("init", str(home)).returncode == 0
    registry = home / "params" / "units" / "tu-ky.csv"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("UBND xã Hưng Đạo,", "UBND xã Hưng Đạo Mới,"), encoding="utf-8"
    )
    # outside any workspace: CCHC_HOME's registry
    outside = tmp_path / "ngoai"
    outside.mkdir()
    res = run_cli("template", "2023-08", "-o", "t.xlsx", cwd=outside, env={"CCHC_HOME": str(home)})
    assert res.returncode == 0, res.stderr
    assert "UBND xã Hưng Đạo Mới" in _template_units(outside / "t.xlsx")
    # outside any workspace and with no CCHC_HOME: the packaged registry
    res = run_cli("template", "2023-08", "-o", "p.xlsx", cwd=outside, env={"CCHC_HOME": ""})
    assert res.returncode == 0, res.stderr
    assert "UBND xã Hưng Đạo" in _template_units(outside / "p.xlsx")
    # a workspace found from the current folder comes before CCHC_HOME
    ws = tmp_path / "ws"
    assert run_cli("init", str(ws)).returncode == 0
    res = run_cli("template", "2023-08", "-o", "t2.xlsx", cwd=ws / "notebooks", env={"CCHC_HOME": str(home)})
    assert res.returncode == 0, res.stderr
    units = _template_units(ws / "notebooks" / "t2.xlsx")
    assert "UBND xã Hưng Đạo" in units and "UBND xã Hưng Đạo Mới" not in units
    # and --area as a path to a CSV comes before both
    res = run_cli("template", "2023-08", "-o", "t3.xlsx", "--area", str(registry), cwd=ws, env={"CCHC_HOME": str(home)})
    assert res.returncode == 0, res.stderr
    assert "UBND xã Hưng Đạo Mới" in _template_units(ws / "t3.xlsx")


def test_notebooks_run_from_their_own_folder_with_their_defaults(tmp_path):
    ws = tmp_path / "ws"
    assert run_cli("init", str(ws)).returncode == 0
    env = {k: os.environ.pop(k) for k in ("CCHC_STORE", "CCHC_HOME") if k in os.environ}
    cwd = Path.cwd()
    try:
        os.chdir(ws / "notebooks")
        for name in ("01_monthly_review", "02_semiannual_report", "03_anomalies"):
            nb = nbformat.read(ws / "notebooks" / f"{name}.ipynb", as_version=4)
            NotebookClient(
                nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ws / "notebooks")}}
            ).execute()
            outputs = [o for c in nb.cells for o in c.get("outputs", [])]
            assert outputs and not [o for o in outputs if o["output_type"] == "error"], name  # (a failing cell raises)
            text = "\n".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
            if name == "01_monthly_review":
                assert "Tái Sơn" in text  # the embedded sample, as cchc run uses with no store
    finally:
        os.chdir(cwd)
        os.environ.update(env)
    assert not (ws / "data" / "cchc.duckdb").exists()  # the sample never lands in the workspace's store


def test_doctor_fails_on_a_workspace_with_no_registry(tmp_path):
    ws = tmp_path / "ws"
    assert run_cli("init", str(ws)).returncode == 0
    defaults = ws / "params" / "defaults.yaml"
    defaults.write_text(defaults.read_text(encoding="utf-8").replace("area: tu-ky", "area: tinh-moi"), encoding="utf-8")
    res = run_cli("doctor", cwd=ws)
    assert res.returncode == 1
    line = next(ln for ln in res.stdout.splitlines() if "danh mục đơn vị" in ln)
    assert line.startswith("✗") and "tinh-moi" in line and "cách xử lý" in line


def test_version_and_a_wrong_area_in_one_line(tmp_path):
    from cchc_analysis import __version__

    res = run_cli("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"cchc-workbook {__version__}"
    bad = run_cli("run", "monthly", "2023-05", "--area", "khong-co", "--out", str(tmp_path))
    assert bad.returncode == 2
    lines = [ln for ln in bad.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "khong-co" in lines[0] and "tu-ky" in lines[0], bad.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "monthly"], "thiếu tham số THÁNG"),
        (["run", "anomalies", "2023-05", "thua"], "thừa tham số: thua"),
        (["run", "monthly", "2023-05", "thua"], "kỳ «thua» không hợp lệ"),  # monthly takes several months
        (["check-report"], "thiếu tham số TỆP"),
        (["khong-co-lenh"], "không có lệnh «khong-co-lenh»"),
        (["run", "monthly", "2023-05", "--khong-co"], "không có tùy chọn --khong-co"),
        (["run", "monthly", "2023-13"], "2023-08 hoặc 08/2023; 6 tháng, năm dạng 2023-H1, 2023-H2 hoặc 2023"),
        (["issue", "thang-tam"], "2023-08 hoặc 08/2023"),
    ],
)
def test_usage_errors_are_one_vietnamese_line(args, expected):
    res = run_cli(*args)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("lỗi: ") and expected in lines[0], res.stderr
    for english in ("Missing", "No such", "Usage", "Error", "Try ", "Got unexpected", "argument"):
        assert english not in res.stderr


def test_help_has_no_english_words():
    import re

    english = re.compile(
        r"Show this message|\[required\]|<bool>|<str>|<path>|\bUsage\b|\bOptions\b|"
        r"\bArguments\b|\bCommands\b|\[default"
    )
    placeholder = re.compile(r"\[(folder|files|file|period)\]|\{[a-z_]+\}|\b(FOLDER|FILES|PERIOD)\b")
    for args in ([], ["run", "monthly"], ["init"], ["check-report"], ["ingest"], ["params"]):
        res = run_cli(*args, "--help", env={"COLUMNS": "120"})
        assert res.returncode == 0, res.stderr
        assert not english.search(res.stdout), (args, english.findall(res.stdout))
        assert not placeholder.search(res.stdout), (args, placeholder.findall(res.stdout))
        assert "Cách dùng" in res.stdout
    assert "Mã thoát: 0" in run_cli("--help", env={"COLUMNS": "120"}).stdout  # exit codes, in the help


def test_a_month_with_no_data_lists_the_months_the_store_holds(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    res = run_cli("run", "monthly", "2023-11", "--store", str(db), "--out", str(tmp_path / "o"))
    assert res.returncode == 1  # data the analyst must bring, not a wrong command
    assert "kho có: 1/2023–8/2023" in res.stderr and not (tmp_path / "o").exists()


def test_check_takes_the_store(tmp_path):
    db = tmp_path / "s.duckdb"
    sample = REPO / "cchc_analysis" / "data" / "sample"
    assert run_cli("ingest", str(sample / "so-lieu-2023-01.csv"), "--store", str(db)).returncode == 0
    res = run_cli("check", str(sample / "so-lieu-2023-01.csv"), str(sample / "so-lieu-2023-02.csv"), "--store", str(db))
    assert res.returncode == 0, res.stderr
    assert "35 dòng mới, 35 dòng đơn vị – tháng đã có" in res.stdout


def test_store_summary_by_area(tmp_path):
    import json

    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    mine = json.loads(run_cli("store", "--store", str(db), "--area", "tu-ky", "--json").stdout)
    other = json.loads(run_cli("store", "--store", str(db), "--area", "tinh-khac", "--json").stdout)
    assert [m["month"] for m in mine["months"]] == [f"2023-{m:02d}" for m in range(1, 9)]
    assert all(m["units"] == 35 for m in mine["months"]) and other["months"] == []


def test_run_takes_the_area_as_a_registry_file(tmp_path):
    registry = tmp_path / "tinh-thu.csv"
    shutil.copyfile(REPO / "params" / "units" / "tu-ky.csv", registry)
    sample = sorted((REPO / "cchc_analysis" / "data" / "sample").glob("so-lieu-2023-0[1-5].csv"))  # to May
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", *map(str, sample), "--area", str(registry), "--store", str(db)).returncode == 0
    res = run_cli(
        "run",
        "monthly",
        "2023-05",
        "--area",
        str(registry),
        "--store",
        str(db),
        "--out",
        str(tmp_path / "o"),
        "--quiet",
    )
    assert res.returncode == 0, res.stderr
    assert "UBND xã Tái Sơn" in (tmp_path / "o" / "2023-05" / "findings.csv").read_text(encoding="utf-8-sig")
    other = run_cli("run", "monthly", "2023-05", "--store", str(db), "--out", str(tmp_path / "o2"))
    assert other.returncode == 1 and "tinh-thu" in other.stderr and "--area" in other.stderr


def test_store_month_lists_sources_and_missing_units(tmp_path):
    """`cchc store --month`: each unit present with the file, row and spelling it came from; the units missing,
    those that reported before apart from those that never did."""
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    registry = tmp_path / "tu-ky-moi.csv"
    text = (REPO / "params" / "units" / "tu-ky.csv").read_text(encoding="utf-8").rstrip("\n")
    registry.write_text(text + "\nxa-moi,UBND xã Mới Lập,Mới Lập,xa,huyen-tu-ky,2023-09-01,,\n", encoding="utf-8")
    sept = tmp_path / "thang-9.csv"
    sept.write_text(
        "ky,don_vi,tiep_nhan,so_hoa_tiep_nhan,ket_qua,so_hoa_ket_qua,co_phi,thanh_toan_truc_tuyen\n"
        "2023-09,Tai Son,10,9,8,8,2,1\n2023-09,UBND xã Hưng Đạo,10,9,8,8,2,1\n",
        encoding="utf-8",
    )
    assert run_cli("ingest", str(sept), "--store", str(db), "--area", str(registry)).returncode == 0
    res = run_cli("store", "--store", str(db), "--month", "2023-09", "--area", str(registry))
    assert res.returncode == 0, res.stderr
    lines = [" ".join(ln.replace("│", " ").split()) for ln in res.stdout.splitlines()]
    assert lines[0] == "Tháng 9/2023, huyện Tứ Kỳ: 2/36 đơn vị có số liệu."
    assert "UBND xã Tái Sơn thang-9.csv 2 Tai Son" in lines
    assert "UBND xã Hưng Đạo thang-9.csv 3 (như danh mục)" in lines
    before = next(ln for ln in lines if ln.startswith("Thiếu, đã có số liệu các tháng trước"))
    never = next(ln for ln in lines if ln.startswith("Thiếu, chưa từng có số liệu"))
    assert before.startswith("Thiếu, đã có số liệu các tháng trước (33):") and "UBND xã Tiên Động" in before
    assert never == "Thiếu, chưa từng có số liệu (1): UBND xã Mới Lập"


def test_a_run_writes_anywhere_and_its_notebook_reads_the_same_workspace(tmp_path):
    """Issue 30: `cchc run monthly PERIOD --area NAME --out DIR` from a workspace, DIR outside it: the notebook's
    kernel works in DIR, and still reads the workspace's own registry, params and notebook."""
    ws = workspace_copy(tmp_path)
    registry = (REPO / "params" / "units" / "tu-ky.csv").read_text(encoding="utf-8")
    (ws / "params" / "units" / "ven-song.csv").write_text(registry, encoding="utf-8")  # an area only ws knows
    may = REPO / "cchc_analysis" / "data" / "sample" / "so-lieu-2023-05.csv"
    assert run_cli("ingest", str(may), "--area", "ven-song", cwd=ws).returncode == 0
    elsewhere = tmp_path / "gui-di"
    res = run_cli(
        "run", "monthly", "2023-05", "--area", "ven-song", "--out", str(elsewhere), "--allow-partial", "--quiet", cwd=ws
    )
    assert res.returncode == 0, res.stderr
    html = (elsewhere / "2023-05" / "01_monthly_review.html").read_text(encoding="utf-8")
    assert "Tái Sơn" in html and "Traceback" not in html
