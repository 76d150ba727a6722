"""Paths inside the package, and the defaults every command shares. Where a run's params, registries,
criteria, notebooks, store and outputs come from is decided in one place: ``workspace``."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PACKAGE_DIR / "data" / "sample"
DEFAULT_AREA = "tu-ky"
SAMPLE_AREA = "tu-ky"  # the embedded sample's area (Tứ Kỳ 2023)
# A notebook shows at most this many units in a list, a table or a chart's bars: a district (35) and a province
# (129) whole, a national month (3.351 units, a 26 MB page drawn one bar per unit) as its distribution, its worst
# units and the first rows, each saying how many more the appendix and the CSV files hold.
NOTEBOOK_ROWS = 150
SAMPLE_PARAMS = SAMPLE_DIR / "params"  # the sample's own period parameters: its letters' rules, numbers, signer
