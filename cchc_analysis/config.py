"""Paths derived from the project root, and the defaults every command shares."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The analyst's working folder holds params/, data/ and outputs/. From a clone it is the repository;
# CCHC_HOME points elsewhere (e.g. a shared drive) without reinstalling.
PROJECT_ROOT = Path(os.environ.get("CCHC_HOME", PACKAGE_DIR.parent)).resolve()
PARAMS_DIR = PROJECT_ROOT / "params"
UNITS_DIR = PARAMS_DIR / "units"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
SAMPLE_DIR = PACKAGE_DIR / "data" / "sample"

DEFAULT_AREA = "tu-ky"
DEFAULT_STORE = PROJECT_ROOT / "data" / "cchc.duckdb"


def store_path(explicit: str | Path | None = None) -> Path:
    """The store to use: ``--store``, else ``$CCHC_STORE``, else ``data/cchc.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("CCHC_STORE")
    return Path(env) if env else DEFAULT_STORE


def units_file(area: str) -> Path:
    return UNITS_DIR / f"{area}.csv"
