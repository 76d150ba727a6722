"""CSV: a table as Excel opens it, UTF-8 with a BOM, no text cell a formula."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cchc_analysis.core.escaping import csv_cell


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """A table as CSV for Excel: UTF-8 with a BOM, so Vietnamese text opens correctly, and no text cell that
    Excel would run as a formula. Number columns stay numbers, negative ones included."""
    text_columns = [c for c, t in frame.schema.items() if t == pl.String]
    safe = frame.with_columns(
        pl.col(c).map_elements(csv_cell, return_dtype=pl.String, skip_nulls=True) for c in text_columns
    )
    safe.write_csv(path, include_bom=True)
