"""The document model the renderers share: an official document's appendices, each with its tables and
paragraphs, the reference line under each title and what its first page must say."""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc_analysis.core.formatting import long_date, roman
from cchc_analysis.core.params import Params
from cchc_analysis.documents.tables import Table


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


def reference_line(params: Params, code: str | None = None) -> str:
    """The italic line under an appendix title; blanks stay as dots to be filled by hand, as the document's own
    header leaves them (``code``: the number's suffix, the letter's by default)."""
    doc = params.document
    number = doc.number or f"…/{code or doc.code}"
    day = long_date(doc.date) if doc.date else "ngày … tháng … năm …"
    return f"(Kèm theo văn bản số {number} {day} của {doc.issuer})"
