"""The input corpus (tests/data/, rebuilt by tests/data/build_corpus.py): every bad file is rejected with its
located one-line message and leaves the store as it was; every awkward but readable file is read."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cchc_analysis.cli import app

from conftest import run_cli, store_rows

DATA = Path(__file__).resolve().parent / "data"


def cases(folder: str) -> list[tuple[str, str]]:
    with (DATA / folder / "expected.tsv").open(encoding="utf-8") as fh:
        return [(r["file"], r["expected"]) for r in csv.DictReader(fh, delimiter="\t")]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("bad") / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    return db, store_rows(db)


def test_the_corpus_is_large_enough():
    assert len(cases("bad")) >= 50


@pytest.mark.parametrize(("name", "expected"), cases("bad"))
def test_bad_input_is_rejected_and_changes_nothing(sample_store, name, expected):
    db, before = sample_store
    target = DATA / "bad" / name
    files = (
        sorted(str(p) for p in target.glob("*.csv")) if target.is_dir() and name.endswith("hai-tep") else [str(target)]
    )
    res = CliRunner().invoke(app, ["ingest", *files, "--store", str(db)])
    assert res.exit_code == 1, res.output
    errors = [ln for ln in res.output.splitlines() if ln.startswith("lỗi:")]
    assert errors, res.output
    assert any(expected in ln for ln in errors), (expected, errors)
    # one line per problem, each naming the file
    assert all(Path(files[0]).name in ln or Path(files[-1]).name in ln for ln in errors)
    assert "Traceback" not in res.output
    assert store_rows(db) == before


@pytest.mark.parametrize(("name", "expected"), cases("readable"))
def test_awkward_but_readable_input_is_read(tmp_path, name, expected):
    db = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(DATA / "readable" / name), "--store", str(db)])
    assert res.exit_code == 0, res.output
    unit, received = expected.split("=")
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute(
        "SELECT c.tiep_nhan FROM unit_month_current c JOIN units u ON u.id = c.unit_id WHERE u.name = ?", [unit]
    ).fetchone()
    con.close()
    assert got == (int(received),)
