from __future__ import annotations

import datetime as dt
import os

import pytest
import yaml

from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.params import load_params
from cchc_analysis.core.periods import Month

from conftest import run_cli, sample_params


def test_defaults_reproduce_the_seeds_practice():
    p = load_params()
    assert p.targets.online_payment == 0.30 and p.payment_window_start == dt.date(2023, 4, 1)
    assert p.ladder[2] == "Phê bình lần thứ ba"


def test_period_file_overrides_only_what_it_names():
    may = sample_params(Month(2023, 5))
    assert not may.rules.escalate_payment.enabled and may.rules.escalate_no_e_cert.enabled
    assert sample_params(Month(2023, 8)).rules.escalate_payment.enabled


def test_unknown_key_rejected_with_its_path(tmp_path):
    (tmp_path / "defaults.yaml").write_text("rules:\n  escalate_payment: {enabeld: false}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"rules\.escalate_payment\.enabeld: khóa không được phép"):
        load_params(params_dir=tmp_path)


def test_out_of_range_target_rejected(tmp_path):
    (tmp_path / "x.yaml").write_text("targets: {online_payment: 30}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"targets\.online_payment"):
        load_params(path=tmp_path / "x.yaml", params_dir=tmp_path)


REGISTRY_HEAD = "id,name,short_name,kind,parent,valid_from,valid_to,aliases\n"


def test_init_for_another_area_sets_it_up_and_says_what_to_fill(tmp_path):
    registry = tmp_path / "kinh-bac.csv"
    registry.write_text(
        REGISTRY_HEAD
        + "tinh-kb,UBND tỉnh Kinh Bắc,tỉnh Kinh Bắc,tinh,,2025-07-01,,\n"
        + "so-tc,Sở Tài chính,Sở Tài chính,co_quan,tinh-kb,2025-07-01,,\n"
        + "x1,UBND xã Yên Phong,Yên Phong,xa,tinh-kb,2025-07-01,,\n",
        encoding="utf-8",
    )
    res = run_cli("init", str(tmp_path / "ws"), "--area", str(registry))
    assert res.returncode == 0, res.stderr
    ws = tmp_path / "ws"
    assert (ws / "params" / "units" / "kinh-bac.csv").read_text(encoding="utf-8") == registry.read_text(
        encoding="utf-8"
    )
    assert (
        not (ws / "params" / "units" / "tu-ky.csv").exists() and not (ws / "params" / "areas" / "tu-ky.yaml").exists()
    )
    assert "tỉnh Kinh Bắc" in res.stdout and "params/areas/kinh-bac.yaml" in res.stdout and "cchc params" in res.stdout
    from cchc_analysis.core import workspace

    old = os.getcwd()
    os.chdir(ws)
    try:
        assert workspace.default_area() == "kinh-bac"
        from cchc_analysis.core.periods import Month
        from cchc_analysis.runs.inputs import resolve

        params = resolve(Month(2025, 9)).params  # as a run in the workspace resolves them
        assert params.area_name == "tỉnh" and params.document.issuer == "UBND tỉnh Kinh Bắc"
        assert params.document.signer.name == "" and "Lưu: VT" in params.document.copies
    finally:
        os.chdir(old)


def test_init_refuses_a_broken_registry_and_makes_nothing(tmp_path):
    broken = tmp_path / "tinh-x.csv"
    broken.write_text("id,name\nx1,UBND xã A\n", encoding="utf-8")
    res = run_cli("init", str(tmp_path / "ws"), "--area", str(broken))
    assert res.returncode == 2 and res.stderr.startswith("lỗi:") and "thiếu cột" in res.stderr
    assert not (tmp_path / "ws").exists()


def test_params_writes_the_period_fields_to_fill_and_never_overwrites(tmp_path):
    assert run_cli("init", str(tmp_path / "ws")).returncode == 0
    ws = tmp_path / "ws"
    res = run_cli("params", "2023-08", cwd=ws)
    assert res.returncode == 0, res.stderr
    target = ws / "params" / "2023-08.yaml"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["document"]["number"] is None and data["document"]["date"] is None
    assert data["document"]["signer"]["name"] == ""
    target.write_text(target.read_text(encoding="utf-8").replace("number: null", 'number: "57/UBND-VP"'))
    again = run_cli("params", "2023-08", cwd=ws)
    assert again.returncode == 2 and "--force" in again.stderr
    assert "57/UBND-VP" in target.read_text(encoding="utf-8")
    half = run_cli("params", "2023-H1", cwd=ws)
    assert half.returncode == 0 and (ws / "params" / "2023-H1.yaml").is_file()
    assert run_cli("params", "2023-13", cwd=ws).returncode == 2
