"""HTML: the appendix as a self-contained page (the font inlined, every value escaped), the tables notebooks
show, and the source the PDF is rendered from."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from cchc_analysis.core import config
from cchc_analysis.core.escaping import Fragment
from cchc_analysis.documents.document import Document
from cchc_analysis.documents.tables import NUMERIC, Table
from cchc_analysis.render.fonts import fonts_css


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("cchc_analysis", "templates"),
        autoescape=select_autoescape(["j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def table_html(table: Table, standalone: bool = False) -> str:
    """The table as an HTML fragment (all text escaped); ``standalone`` adds a minimal style for notebooks."""
    total = sum(c.width for c in table.columns) or 1
    rows = []
    for r in table.rows:
        if r.style == "group":
            rows.append({"style": "group", "text": r.values.get("text", "")})
            continue
        cells = [
            {
                "text": table.shown(r, c),
                "cls": "c" if c.key == "stt" else ("n" if c.fmt in NUMERIC else ""),
            }
            for c in table.columns
        ]
        rows.append({"style": r.style, "cells": cells})
    html = (
        _env()
        .get_template("table.html.j2")
        .render(widths=[f"{100 * c.width / total:.2f}" for c in table.columns], head_rows=table.head_rows(), rows=rows)
    )
    if standalone:
        # JupyterLab and nbconvert right-align every table cell (":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon
        # td"); names and sentences read from the left. The class is doubled to outrank that selector.
        t = ".cchc-t.cchc-t table"
        style = (
            f"<style>{t}{{border-collapse:collapse;font-size:12px}} {t} th,{t} td{{border:1px solid #999;"
            f"padding:2px 4px}} {t} td{{text-align:left}} {t} th{{text-align:center}} {t} td.n{{text-align:right}} "
            f"{t} td.c{{text-align:center}} {t} tr.group td,{t} tr.total td{{font-weight:bold}}</style>"
        )
        return f'{style}<div class="cchc-t"><p><b>{_escape(table.title)}</b></p>{html}</div>'
    return html


def shown(table: Table, limit: int | None = None) -> Fragment:
    """A table as a notebook shows it: the appendix's HTML with a minimal style of its own; with ``limit``, its first
    ``limit`` rows and a line saying how many the appendix holds."""
    from dataclasses import replace

    from cchc_analysis.core.formatting import integer

    if limit is None or len(table.rows) <= limit:
        return Fragment(table_html(table, standalone=True))
    html = table_html(replace(table, rows=table.rows[:limit]), standalone=True)
    note = (
        f"Bảng có {integer(len(table.rows))} dòng; ở đây là {integer(limit)} dòng đầu. Bảng đầy đủ ở phụ lục "
        "(HTML, PDF, XLSX, Word) trong thư mục kết quả."
    )
    return Fragment(f"{html}<p><i>{_escape(note)}</i></p>")


def _escape(text: str) -> str:
    return str(escape(text))


def document_html(doc: Document, only: int | None = None, subset_fonts: bool = False, inline_fonts: bool = True) -> str:
    """The whole document, or only appendix ``only`` (the PDF renders each appendix on its own, so that
    each numbers its own pages and shows no number on its first page). ``inline_fonts=False``: the fonts come
    with the renderer (the PDF parses them once per run, not once per appendix)."""
    css = (config.PACKAGE_DIR / "templates" / "appendix.css").read_text(encoding="utf-8")
    indices = range(len(doc.appendices)) if only is None else [only]
    appendices = [
        {
            "label": doc.label(i),
            "title": doc.appendices[i].title,
            "wide": doc.appendices[i].wide,
            "tables": [
                {
                    "heading": t.title if len(doc.appendices[i].tables) > 1 else None,
                    "html": Markup(table_html(t)),
                    "notes": t.notes(),
                }
                for t in doc.appendices[i].tables
            ],
            "paragraphs": doc.appendices[i].paragraphs,
            "notice": doc.notice if i == 0 else None,
        }
        for i in indices
    ]

    # the issuer's name never breaks across lines: "… của" may end a line, "UBND huyện Tứ Kỳ)" stays whole
    head, sep, tail = doc.reference.rpartition(" của ")
    ref_head, ref_tail = (head + sep, tail) if sep else ("", doc.reference)

    def render(fonts: str) -> str:
        return (
            _env()
            .get_template("appendix.html.j2")
            .render(
                title=doc.title,
                fonts_css=Markup(fonts),
                css=Markup(css),
                appendices=appendices,
                ref_head=ref_head,
                ref_tail=ref_tail,
            )
        )

    if not inline_fonts:
        return render("")
    if not subset_fonts:
        return render(fonts_css())
    # every character the page shows (page numbers and CSS-generated text included), plus digits
    chars = "".join(sorted(set(render("")) | set("0123456789…–—")))
    return render(fonts_css(chars))


def write_html(doc: Document, path: Path) -> None:
    path.write_text(document_html(doc, subset_fonts=True), encoding="utf-8")


# Sorting and searching a table in the page itself (no library, no network): a click on a column's heading sorts
# by it (again: the other way), numbers as numbers read the Vietnamese way ("1.234", "95,50%", "+2,10", "—").
_SORTABLE_JS = """
(function () {
  var box = document.getElementById(__BOX__); if (!box) return;
  var table = box.querySelector('table'), body = table.tBodies[0], search = box.querySelector('input');
  var rows = Array.prototype.slice.call(body.rows);
  function key(cell) {
    var t = cell.textContent.trim(), n = t.replace(/\\./g, '').replace(',', '.').replace(/[%+]/g, '');
    return t !== '' && !isNaN(n) ? parseFloat(n) : t.toLowerCase();
  }
  var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
  Array.prototype.forEach.call(heads, function (th, j) {
    th.style.cursor = 'pointer'; th.title = 'Bấm để sắp xếp';
    th.addEventListener('click', function () {
      var down = th.dataset.sort !== 'asc'; th.dataset.sort = down ? 'asc' : 'desc';
      rows.sort(function (a, b) {
        var x = key(a.cells[j]), y = key(b.cells[j]);
        if (typeof x !== typeof y) { x = String(x); y = String(y); }
        return (x < y ? -1 : x > y ? 1 : 0) * (down ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  search.addEventListener('input', function () {
    var q = search.value.trim().toLowerCase();
    rows.forEach(function (r) { r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none'; });
  });
})();
"""


def interactive(table: Table) -> Fragment:
    """A table a reader can sort (click a heading) and search (a box above it), in the page itself."""
    import json
    import uuid

    box = f"cchc-bang-{uuid.uuid4().hex}"
    search = '<p><input type="search" placeholder="Tìm trong bảng…" aria-label="Tìm trong bảng" style="width:20em"></p>'
    script = _SORTABLE_JS.replace("__BOX__", json.dumps(box))
    return Fragment(f'<div id="{box}">{search}{table_html(table, standalone=True)}</div><script>{script}</script>')
