"""How the documents look: one module per format over the documents' model (``documents.document``,
``documents.tables``) behind this one entry point — HTML (``html``), A4 PDF (``pdf``), XLSX (``xlsx``), Word
(``docx``), CSV (``csv``) — with the charts and the shipped font.

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I). The font is shipped in the package and inlined, so an
appendix looks the same on every machine and opens offline; no external URL is ever written or fetched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cchc_analysis.core.iri  # noqa: F401 - for its effect, see there
from cchc_analysis.documents.document import Appendix, Document, reference_line
from cchc_analysis.render.csv import write_csv
from cchc_analysis.render.docx import write_docx, write_template
from cchc_analysis.render.html import document_html, interactive, shown, table_html, write_html
from cchc_analysis.render.pdf import write_pdf
from cchc_analysis.render.xlsx import write_xlsx

__all__ = [
    "APPENDIX_FORMATS",
    "Appendix",
    "Document",
    "document_html",
    "interactive",
    "reference_line",
    "shown",
    "table_html",
    "write_csv",
    "write_docx",
    "write_html",
    "write_pdf",
    "write_template",
    "write_appendix",
    "write_xlsx",
]

# The appendix in each format a run writes, in order: (progress label, file suffix, writer). A writer returns
# the number of pages where it knows them.
APPENDIX_FORMATS: tuple[tuple[str, str, Callable[[Document, Path], int | None]], ...] = (
    ("Phụ lục HTML", "html", write_html),
    ("Phụ lục PDF (A4)", "pdf", write_pdf),
    ("Phụ lục XLSX", "xlsx", write_xlsx),
    ("Phụ lục Word", "docx", write_docx),
)


def write_appendix(doc: Document, folder: Path, stem: str) -> tuple[int | None, list[tuple[str, float]]]:
    """The appendix in every format into ``folder`` as ``stem.<suffix>``: the number of PDF pages, and each
    format's (progress label, seconds)."""
    pages, steps = None, []
    for label, suffix, write in APPENDIX_FORMATS:
        start = time.perf_counter()
        pages = write(doc, folder / f"{stem}.{suffix}") or pages
        steps.append((label, time.perf_counter() - start))
    return pages, steps
