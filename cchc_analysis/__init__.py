"""cchc-workbook: monthly one-stop-shop statistics → CCHC letters, scores and appendices."""

from __future__ import annotations

__version__ = "0.1.0"
