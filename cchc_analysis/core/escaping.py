"""Data made inert wherever it is shown: unit names, sentences, params and headlines come from registries,
aliases and params files that anyone may edit, so they are escaped for HTML and script-embedded JSON,
and kept from being a formula in a spreadsheet. Notebooks show data only through the fragments here."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# A text cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*%?$")


def html_text(value: Any) -> str:
    """Text for an HTML element or attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(value: Any) -> str:
    """JSON to place inside a ``<script>`` element: no ``</script>``, ``<!--`` or line separator can end or
    change the script, whatever the strings hold."""
    text = json.dumps(value, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would take for a formula, prefixed with ``'`` (OWASP CSV injection);
    anything else, signed numbers written as text included, unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _SIGNED_NUMBER.match(value):
        return value
    return "'" + value


@dataclass(frozen=True)
class Fragment:
    """A piece of HTML built only from escaped text, displayed as HTML by Jupyter and nbconvert."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def strong(text: Any) -> Fragment:
    """A line in bold: the headline of a review."""
    return Fragment(f"<p><strong>{html_text(text)}</strong></p>")


def bullets(
    items: Iterable[Any], heading: Any = None, level: int = 3, limit: int | None = None, rest: str = ""
) -> Fragment:
    """An optional heading and a list, each item escaped; with ``limit``, the first ``limit`` items and a last line
    counting the others ("… và 1.204 mục khác" followed by ``rest``, where to find them)."""
    from cchc_analysis.core.formatting import integer

    items = list(items)
    shown = items if limit is None else items[:limit]
    head = f"<h{level}>{html_text(heading)}</h{level}>" if heading is not None else ""
    body = "".join(f"<li>{html_text(item)}</li>" for item in shown)
    if len(items) > len(shown):
        more = f"… và {integer(len(items) - len(shown))} mục khác {rest}".strip()
        body += f"<li><i>{html_text(more)}</i></li>"
    return Fragment(f"{head}<ul>{body}</ul>" if body else head)
