"""The embedded sample: Tứ Kỳ 2023, rebuilt from the seeds' published figures (see data/sample/README.md)."""

from __future__ import annotations

from pathlib import Path

from .config import SAMPLE_DIR

SAMPLE_AREA = "tu-ky"


def sample_files() -> list[Path]:
    """The sample's monthly files, in month order."""
    return sorted(SAMPLE_DIR.glob("so-lieu-*.csv"))


def sample_score_files() -> list[Path]:
    """The sample's self-assessed CCHC scores (H1 2023)."""
    return sorted(SAMPLE_DIR.glob("tu-cham-*.csv"))
