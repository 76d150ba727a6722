from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
import polars as pl
import pytest

from cchc_analysis.core.glossary import COUNT_COLUMNS
from cchc_analysis.inputs.units import Registry

HEADER = [
    "ky",
    "don_vi",
    "tiep_nhan",
    "so_hoa_tiep_nhan",
    "ket_qua",
    "so_hoa_ket_qua",
    "co_phi",
    "thanh_toan_truc_tuyen",
]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.load("tu-ky")


def write_csv(path: Path, rows: list[list], header: list[str] = HEADER, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def run_cli(
    *args: str, env: dict | None = None, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess:
    """The installed console script, as an analyst runs it (``cwd``: from inside that folder, e.g. a workspace;
    ``timeout``: a bound for a case that would otherwise hang, not a measure of speed)."""
    cchc = Path(sys.executable).with_name("cchc")
    return subprocess.run(
        [str(cchc), *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=timeout
    )


def store_rows(path: Path) -> list[tuple]:
    """Every row of every table, to compare a store before and after."""
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = []
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
            out.append((table, sorted(map(repr, con.execute(f'SELECT * FROM "{table}"').fetchall()))))
        return out
    finally:
        con.close()


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """The sample ingested, letters 05–07 issued, and `cchc run monthly 2023-05 2023-08` (one command, both
    notebooks in one kernel: real papermill runs), shared by the tests that read their outputs; the command's
    result under each month."""
    base = tmp_path_factory.mktemp("run")
    db, out = base / "cchc.duckdb", base / "out"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    for month in ("2023-05", "2023-06", "2023-07"):
        res = run_cli("issue", month, "--store", str(db))
        assert res.returncode == 0, res.stderr
    res = run_cli("run", "monthly", "2023-05", "2023-08", "--store", str(db), "--out", str(out))
    assert res.returncode == 0, res.stderr
    return out, {"2023-05": res, "2023-08": res}


@pytest.fixture(scope="session")
def semiannual_run(tmp_path_factory):
    """The sample (statistics and H1 2023 self-assessment) and `cchc run semiannual 2023-H1`."""
    base = tmp_path_factory.mktemp("h1")
    db, out = base / "cchc.duckdb", base / "out"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    res = run_cli("run", "semiannual", "2023-H1", "--store", str(db), "--out", str(out))
    assert res.returncode == 0, res.stderr
    return out / "2023-H1", db


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # the network is off: no host resolves and every request goes to a closed port
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--enable-logging=stderr",
    "--v=0",
]


def browser_dom(page: Path, tmp_path: Path, budget_ms: int = 20000) -> tuple[str, str]:
    """The page as a reader's browser leaves it once its scripts have run (headless Chromium, network off):
    the serialised DOM and what the browser logged (console errors included)."""
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is missing: make test installs it (scripts/sysdeps.sh --test)"
    profile = tmp_path / f"chromium-{page.stem}"
    res = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout, res.stderr


# Shared helpers: tests import them from here, never from one another.
REPO = Path(__file__).resolve().parents[1]
# A URL the browser would fetch: an offline output must hold none.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)


def frame(rows: list[dict]) -> pl.DataFrame:
    """Unit-month rows as the store gives them, from dicts naming only the columns a test cares about."""
    base = {c: None for c in COUNT_COLUMNS}
    full = [{**base, "unit": r["unit_id"], "unit_kind": r.get("unit_kind", "xa"), **r} for r in rows]
    schema = {
        "unit_id": pl.String,
        "unit": pl.String,
        "unit_kind": pl.String,
        "month": pl.Date,
        **{c: pl.Int64 for c in COUNT_COLUMNS},
    }
    return pl.DataFrame([{k: r[k] for k in schema} for r in full], schema=schema)


def workspace_copy(tmp_path: Path) -> Path:
    """A workspace with the repository's params and notebooks, and no store."""
    home = tmp_path / "home"
    shutil.copytree(REPO / "params", home / "params")
    shutil.copytree(REPO / "notebooks", home / "notebooks")
    return home


# End-to-end tests (real runs of the command: papermill, PDF, a browser, a built wheel) say so themselves, with
# @pytest.mark.e2e or a module's pytestmark, so that `pytest -m "not e2e"` is the fast loop; `make test` runs
# everything. A test that uses one of these fixtures without the mark is refused at collection.
E2E_FIXTURES = {"runs", "semiannual_run", "hostile_runs", "installed", "partial_store"}


def pytest_collection_modifyitems(config, items):
    unmarked = [
        item.nodeid
        for item in items
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("e2e") is None
    ]
    if unmarked:
        raise pytest.UsageError("end-to-end fixture without @pytest.mark.e2e: " + ", ".join(unmarked))


def review_of(month, store):
    """The month's review from ``store``, its inputs resolved as ``cchc run monthly --store STORE`` resolves them."""
    from cchc_analysis.documents.monthly import load_review
    from cchc_analysis.runs.inputs import resolve

    inputs = resolve(month, store)
    return load_review(month, inputs.params, inputs.registry, store)


def sample_params(period):
    """The parameters of a sample period, as a run on the sample's store reads them (its own period file)."""
    from cchc_analysis.core.config import SAMPLE_PARAMS
    from cchc_analysis.core.params import load_params
    from cchc_analysis.inputs.units import Registry

    params = load_params(period, fallback=SAMPLE_PARAMS / f"{period}.yaml")
    return params.with_area_words(Registry.load(params.area).words())


# The wheel of this checkout installed into a fresh venv, and the command as an analyst runs it from there.
@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """The wheel of this checkout in a fresh venv. Its dependencies are the test environment's (a .pth line),
    so nothing is downloaded; the package itself comes only from the wheel: the checkout is not on the path."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    # built from a copy: setuptools writes build/ inside the source tree, and each test worker builds its own
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in ("cchc_analysis", "params", "notebooks"):
        shutil.copytree(REPO / name, source / name, ignore=skip)
    res = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    (wheel,) = dist.glob("cchc_workbook-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    where = subprocess.run(
        [str(python), "-c", "import cchc_analysis; print(cchc_analysis.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=base,
    ).stdout.strip()
    assert where.startswith(str(site)), where  # the wheel's copy, not the checkout's
    return venv, site / "cchc_analysis"


def cchc_installed(venv: Path, *args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("CCHC_HOME", "CCHC_STORE")}
    # the borrowed dependencies' data files (nbconvert's templates) live under the test environment's prefix
    shared = str(Path(sys.prefix) / "share" / "jupyter")
    return subprocess.run(
        [str(venv / "bin" / "cchc"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, "PATH": f"{venv / 'bin'}:{clean.get('PATH', '')}", "JUPYTER_PATH": shared, **(env or {})},
    )
