"""Paths inside the package, and the defaults every command shares. Where a run's params, registries,
criteria, notebooks, store and outputs come from is decided in one place: ``workspace``."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PACKAGE_DIR / "data" / "sample"
DEFAULT_AREA = "tu-ky"
SAMPLE_AREA = "tu-ky"  # the embedded sample's area (Tứ Kỳ 2023)
SAMPLE_PARAMS = SAMPLE_DIR / "params"  # the sample's own period parameters: its letters' rules, numbers, signer
