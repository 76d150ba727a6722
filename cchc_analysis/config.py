"""Paths inside the package, and the defaults every command shares. Where a run's params, registries,
criteria, notebooks, store and outputs come from is decided in one place: ``workspace``."""

from __future__ import annotations

from pathlib import Path

from .workspace import DEFAULT_AREA, store_path, units_file

PACKAGE_DIR = Path(__file__).resolve().parent
SAMPLE_DIR = PACKAGE_DIR / "data" / "sample"

__all__ = ["DEFAULT_AREA", "PACKAGE_DIR", "SAMPLE_DIR", "store_path", "units_file"]
