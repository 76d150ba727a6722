"""PDF: A4 through Typst, over the same document model as the other formats, fetching nothing. Every PDF is
PDF/A-3u (archival: fonts embedded, Unicode text, XMP metadata with its title) and tagged (a structure tree with
the tables' headers, the language "vi"), so that it is kept and read aloud as the office's records require.

Typst lays out a national appendix (3.351 units, 120 000 cells) in seconds, where an HTML-to-PDF engine took
minutes. The data travels as JSON and is shown as strings: a unit name is never read as markup."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cchc_analysis.core import config
from cchc_analysis.core.exceptions import CchcError
from cchc_analysis.documents.document import Document
from cchc_analysis.documents.tables import NUMERIC, Table
from cchc_analysis.render.fonts import FONT_DIR

PDF_STANDARD = "a-3u"
TEMPLATE = config.PACKAGE_DIR / "templates" / "appendix.typ"
# A wide table longer than this (a province's or the nation's units, tens of pages) is looked up rather than read:
# 9 pt instead of 10 (10 instead of 11 on a portrait page) keeps its rows on one or two lines, twenty and more a page.
LONG_TABLE = 200


def write_pdf(doc: Document, path: Path) -> int:
    """A4 PDF of every appendix; returns the number of pages."""
    import typst
    from pypdf import PdfReader

    try:
        typst.compile(
            str(TEMPLATE),
            output=str(path),
            font_paths=[str(FONT_DIR)],
            ignore_system_fonts=True,  # the shipped font only: the same PDF on every machine
            pdf_standards=[PDF_STANDARD],
            sys_inputs={"doc": json.dumps(document_data(doc), ensure_ascii=False)},
        )
    except typst.TypstError as exc:  # a fault of this package, not of the data: said in one line
        raise CchcError(f"không tạo được phụ lục PDF: {exc.message}") from None
    return len(PdfReader(str(path)).pages)


def document_data(doc: Document) -> dict[str, Any]:
    """What the template lays out, as plain strings and numbers."""
    # the issuer's name never breaks across lines: "… của" may end a line, "UBND huyện Tứ Kỳ)" stays whole
    head, sep, tail = doc.reference.rpartition(" của ")
    ref = [head + sep, tail] if sep else ["", doc.reference]
    return {
        "title": doc.title,
        "appendices": [
            {
                "label": doc.label(i),
                "title": a.title,
                "wide": a.wide,
                "ref": ref,
                "notice": doc.notice if i == 0 else None,
                "tables": [_table(t, a.wide, len(a.tables) > 1) for t in a.tables],
                "paragraphs": a.paragraphs,
            }
            for i, a in enumerate(doc.appendices)
        ],
    }


def breakable(text: str) -> str:
    """A word longer than a cell is wide (a pasted address, a formula-like name) given places to break, as an
    invisible zero-width space every 20 letters: it wraps inside its cell instead of running over the next."""
    return re.sub(r"\S{25,}", lambda m: _ZWSP.join(re.findall(r".{1,20}", m.group(0))), text)


_ZWSP = "\u200b"


def _table(table: Table, wide: bool, headed: bool) -> dict[str, Any]:
    columns = table.columns
    numeric = {j for j, c in enumerate(columns) if c.fmt in NUMERIC or c.key == "stt"}
    rows: list[dict[str, Any]] = []
    longest: list[str | None] = [("" if c.fmt in NUMERIC or c.key == "stt" else None) for c in columns]
    for r in table.rows:
        if r.style == "group":
            rows.append({"style": "group", "text": str(r.values.get("text", ""))})
            continue
        cells = [table.shown(r, c) if j in numeric else breakable(table.shown(r, c)) for j, c in enumerate(columns)]
        for j, text in enumerate(cells):
            if longest[j] is not None and len(text) > len(longest[j] or ""):
                longest[j] = text
        rows.append({"style": r.style, "cells": cells})
    return {
        "heading": table.title if headed else None,
        "widths": [c.width for c in columns],
        "align": ["c" if c.key == "stt" else "r" if c.fmt in NUMERIC else "l" for c in columns],
        "longest": [None if s is None else s or "0" for s in longest],
        "labels": [c.label for c in columns],
        "head": table.head_rows(),
        "rows": rows,
        "notes": table.notes(),
        "size": (9 if len(rows) > LONG_TABLE else 10) if wide else (10 if len(rows) > LONG_TABLE else 11),
        "fit": wide and len(rows) > LONG_TABLE,  # many columns of figures: each just as wide as it needs
    }
