"""Appendices rendered from one HTML source: self-contained HTML, A4 PDF (WeasyPrint) and XLSX (openpyxl).

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I). The font is shipped in the package and inlined, so
an appendix looks the same on every machine and opens offline; no external URL is ever written or fetched.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from . import config
from .escaping import Fragment, csv_cell
from .formatting import long_date, roman
from .params import Params
from .tables import Col, Table, cell_text

# fontTools (ours, and WeasyPrint's when it embeds fonts in a PDF) warns about tables it drops, such as
# "FFTM NOT subset": nothing the analyst can act on, so it must not reach the terminal.
logging.getLogger("fontTools").setLevel(logging.ERROR)

FONT_DIR = config.PACKAGE_DIR / "data" / "fonts"
FONT_FAMILY = "Liberation Serif"
_FACES = (("normal", "normal", "LiberationSerif-Regular.ttf"), ("bold", "normal", "LiberationSerif-Bold.ttf"),
          ("normal", "italic", "LiberationSerif-Italic.ttf"), ("bold", "italic", "LiberationSerif-BoldItalic.ttf"))
_NUMERIC = {"int", "pct", "pp", "num"}


@dataclass
class Appendix:
    title: str  # printed in capitals
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # text after the tables (the report's sentences)

    @property
    def wide(self) -> bool:
        return any(t.landscape for t in self.tables)


@dataclass
class Document:
    title: str  # the HTML page title
    reference: str  # "(Kèm theo văn bản số … ngày … của …)"
    appendices: list[Appendix]
    notice: str | None = None  # said on the first page, above the first table (e.g. units missing data)

    def label(self, index: int) -> str:
        return "Phụ lục" if len(self.appendices) == 1 else f"Phụ lục {roman(index + 1)}"


def reference_line(params: Params) -> str:
    """The italic line under an appendix title; blanks stay as dots to be filled by hand."""
    doc = params.document
    number = doc.number or "……/……"
    day = long_date(doc.date) if doc.date else "ngày …… tháng …… năm ……"
    return f"(Kèm theo văn bản số {number} {day} của {doc.issuer})"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("cchc_analysis", "templates"), autoescape=select_autoescape(["j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def _subset(path: Path, chars: str) -> bytes:
    """The font cut down to the characters a document uses (fontTools, a WeasyPrint dependency)."""
    import io

    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


@lru_cache(maxsize=8)
def fonts_css(chars: str | None = None) -> str:
    """@font-face rules with the shipped font inlined as data URIs; with ``chars``, only those glyphs (an
    HTML appendix then weighs tens of kilobytes of font instead of two megabytes)."""
    rules = []
    for weight, style, name in _FACES:
        raw = (FONT_DIR / name).read_bytes() if chars is None else _subset(FONT_DIR / name, chars)
        data = base64.b64encode(raw).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}')
    return "\n".join(rules)


def _head_rows(columns: list[Col]) -> list[list[dict]]:
    if not any(c.group for c in columns):
        return [[{"text": c.label, "rowspan": 1, "colspan": 1} for c in columns]]
    top: list[dict] = []
    for i, c in enumerate(columns):
        if c.group is None:
            top.append({"text": c.label, "rowspan": 2, "colspan": 1})
        elif i and columns[i - 1].group == c.group:
            top[-1]["colspan"] += 1
        else:
            top.append({"text": c.group, "rowspan": 1, "colspan": 1})
    return [top, [{"text": c.label, "rowspan": 1, "colspan": 1} for c in columns if c.group is not None]]


def table_html(table: Table, standalone: bool = False) -> str:
    """The table as an HTML fragment (all text escaped); ``standalone`` adds a minimal style for notebooks."""
    total = sum(c.width for c in table.columns) or 1
    rows = []
    for r in table.rows:
        if r.style == "group":
            rows.append({"style": "group", "text": r.values.get("text", "")})
            continue
        cells = [{"text": cell_text(r.values.get(c.key), c.fmt, c.empty if r.style == "data" else ""),
                  "cls": "c" if c.key == "stt" else ("n" if c.fmt in _NUMERIC else "")} for c in table.columns]
        rows.append({"style": r.style, "cells": cells})
    html = _env().get_template("table.html.j2").render(
        widths=[f"{100 * c.width / total:.2f}" for c in table.columns], head_rows=_head_rows(table.columns), rows=rows)
    if standalone:
        style = ("<style>.cchc-t table{border-collapse:collapse;font-size:12px} .cchc-t th,.cchc-t td{border:1px solid "
                 "#999;padding:2px 4px} .cchc-t td.n{text-align:right} .cchc-t tr.group td,.cchc-t tr.total td"
                 "{font-weight:bold}</style>")
        return f'{style}<div class="cchc-t"><p><b>{_escape(table.title)}</b></p>{html}</div>'
    return html


def shown(table: Table) -> Fragment:
    """A table as a notebook shows it: the appendix's HTML with a minimal style of its own."""
    return Fragment(table_html(table, standalone=True))


def _escape(text: str) -> str:
    return str(escape(text))


def document_html(doc: Document, only: int | None = None, subset_fonts: bool = False) -> str:
    """The whole document, or only appendix ``only`` (the PDF renders each appendix on its own, so that
    each numbers its own pages and shows no number on its first page)."""
    css = (config.PACKAGE_DIR / "templates" / "appendix.css").read_text(encoding="utf-8")
    indices = range(len(doc.appendices)) if only is None else [only]
    appendices = [{
        "label": doc.label(i), "title": doc.appendices[i].title, "wide": doc.appendices[i].wide,
        "tables": [{"heading": t.title if len(doc.appendices[i].tables) > 1 else None, "html": Markup(table_html(t)),
                    "note": t.note} for t in doc.appendices[i].tables],
        "paragraphs": doc.appendices[i].paragraphs, "notice": doc.notice if i == 0 else None,
    } for i in indices]
    def render(fonts: str) -> str:
        return _env().get_template("appendix.html.j2").render(
            title=doc.title, fonts_css=Markup(fonts), css=Markup(css), appendices=appendices, ref=doc.reference)

    if not subset_fonts:
        return render(fonts_css())
    # every character the page shows (page numbers and CSS-generated text included), plus digits
    chars = "".join(sorted(set(render("")) | set("0123456789…–—")))
    return render(fonts_css(chars))


def write_html(doc: Document, path: Path) -> None:
    path.write_text(document_html(doc, subset_fonts=True), encoding="utf-8")


def write_pdf(doc: Document, path: Path) -> int:
    """A4 PDF, appendix by appendix then joined; returns the number of pages."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()
    # Only the inlined fonts (data: URLs) are loaded; anything else is refused, never fetched.
    offline = URLFetcher(allowed_protocols={"data"})
    rendered = [HTML(string=document_html(doc, only=i), url_fetcher=offline).render(font_config=fonts)
                for i in range(len(doc.appendices))]
    pages = [page for r in rendered for page in r.pages]
    rendered[0].copy(pages).write_pdf(path)
    return len(pages)


# -- XLSX -----------------------------------------------------------------------------------------
_XLSX_FORMATS = {"int": "#,##0", "pct": "0.00%", "pp": "+0.00;-0.00;0.00", "num": "#,##0.00"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in name)[:31] or "Bang"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def write_xlsx(tables: list[Table], path: Path, created: dt.datetime | None = None, notice: str | None = None) -> None:
    """One sheet per table: title, headers, numbers as numbers with Vietnamese-readable formats, frozen
    header, fitted widths. Text that Excel would run as a formula is written as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    if created:
        wb.properties.created = created
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name=FONT_FAMILY, bold=True)
    plain = Font(name=FONT_FAMILY)
    used: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(_sheet_name(table.name, used))
        ncol = len(table.columns)
        ws.cell(1, 1, table.title).font = Font(name=FONT_FAMILY, bold=True, size=13)
        ws.merge_cells(start_row=1, end_row=1, start_column=1, end_column=ncol)
        if notice:
            cell = ws.cell(2, 1, _as_text(notice))
            cell.data_type, cell.font = "s", Font(name=FONT_FAMILY, bold=True, italic=True)
        head = _head_rows(table.columns)
        row0 = 3
        for r_off, heads in enumerate(head):
            col = 1
            for h in heads:
                while any(_covered(ws, row0 + r_off, col)):
                    col += 1
                cell = ws.cell(row0 + r_off, col, h["text"])
                cell.font, cell.border = bold, border
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                if h["rowspan"] > 1 or h["colspan"] > 1:
                    ws.merge_cells(start_row=row0 + r_off, end_row=row0 + r_off + h["rowspan"] - 1,
                                   start_column=col, end_column=col + h["colspan"] - 1)
                col += h["colspan"]
        first = row0 + len(head)
        ws.freeze_panes = ws.cell(first, 3 if ncol > 2 else 1)
        widths = [max(8, min(40, len(c.label) * 0.6 + 2)) for c in table.columns]
        for i, r in enumerate(table.rows):
            rr = first + i
            if r.style == "group":
                cell = ws.cell(rr, 1, _as_text(r.values.get("text", "")))
                cell.font = bold
                ws.merge_cells(start_row=rr, end_row=rr, start_column=1, end_column=ncol)
                continue
            for j, c in enumerate(table.columns, start=1):
                value = r.values.get(c.key)
                cell = ws.cell(rr, j)
                if c.fmt in _NUMERIC and value is not None:
                    cell.value = int(value) if c.fmt == "int" else float(value)
                    cell.number_format = _XLSX_FORMATS[c.fmt]
                elif value is None and c.empty and r.style == "data":
                    cell.value = c.empty
                elif value is not None:
                    cell.value = _as_text(str(value))
                    if str(value).startswith(_FORMULA_START):
                        cell.data_type = "s"
                cell.font = bold if r.style == "total" else plain
                cell.border = border
                widths[j - 1] = max(widths[j - 1], min(60, len(cell_text(value, c.fmt)) + 2))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
    wb.save(path)


def _covered(ws, row: int, col: int):
    for rng in ws.merged_cells.ranges:
        yield rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col


def _as_text(text: str) -> str:
    # control characters other than tab/newline are invalid in XLSX XML
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """A table as CSV for Excel: UTF-8 with a BOM, so Vietnamese text opens correctly, and no text cell that
    Excel would run as a formula. Number columns stay numbers, negative ones included."""
    text_columns = [c for c, t in frame.schema.items() if t == pl.String]
    safe = frame.with_columns(pl.col(c).map_elements(csv_cell, return_dtype=pl.String, skip_nulls=True)
                              for c in text_columns)
    safe.write_csv(path, include_bom=True)
