from __future__ import annotations

import datetime as dt

import pytest

from cchc_analysis.exceptions import UsageError
from cchc_analysis.params import load_params
from cchc_analysis.periods import Month

from conftest import sample_params


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
