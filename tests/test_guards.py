"""Paths and the unexpected (issue 27, item 7): a store or output folder inside the installed program or a system
folder is refused; an unexpected failure is one Vietnamese line naming a log file that holds the traceback."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cchc_analysis import cli
from cchc_analysis.core.config import PACKAGE_DIR

from conftest import run_cli

SITE = Path(sysconfig.get_paths()["purelib"])


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "--sample", "--store", str(PACKAGE_DIR / "kho.duckdb")],
        ["ingest", "--sample", "--store", str(SITE / "kho.duckdb")],
        ["ingest", "--sample", "--store", "/usr/kho.duckdb"],
        ["run", "monthly", "2023-05", "--out", str(PACKAGE_DIR / "ket-qua")],
        ["run", "monthly", "2023-05", "--out", "/etc/cchc"],
        ["run", "monthly", "2023-05", "--out", str(Path(sys.prefix) / "bin" / "ket-qua")],
    ],
)
def test_a_store_or_outputs_inside_the_program_or_the_system_are_refused(args, tmp_path):
    res = run_cli(*args, cwd=tmp_path)
    assert res.returncode == 2 and "thư mục cài đặt chương trình hoặc thư mục hệ thống" in res.stderr
    target = Path(args[-1])
    assert not target.exists()


def test_an_unexpected_failure_is_one_line_with_a_log_of_the_traceback(tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("hỏng ở bên trong\nmột dòng nữa")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.Registry, "load", broken)
    result = CliRunner().invoke(cli.app, ["check", "tep.csv"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("lỗi: chương trình gặp lỗi chưa lường trước"), result.output
    log = Path(lines[0].split("chi tiết đã ghi vào ")[1].split(";")[0])
    assert log.is_file() and "RuntimeError: hỏng ở bên trong" in log.read_text(encoding="utf-8")
    assert "Traceback" in log.read_text(encoding="utf-8")
    log.unlink()


def test_params_with_yaml_aliases_or_deep_nesting_are_refused(tmp_path):
    from cchc_analysis.core.exceptions import UsageError
    from cchc_analysis.core.params import load_params

    (tmp_path / "defaults.yaml").write_text("area: tu-ky\n", encoding="utf-8")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    bomb = tmp_path / "2023-05.yaml"
    bomb.write_text(laughs, encoding="utf-8")
    with pytest.raises(UsageError, match="bí danh YAML"):
        load_params(path=bomb, params_dir=tmp_path)
    deep = tmp_path / "2023-06.yaml"
    deep.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match="lồng nhau quá sâu"):
        load_params(path=deep, params_dir=tmp_path)
