"""PDF: A4 through WeasyPrint from the HTML source, appendix by appendix, fetching nothing. Every PDF is PDF/A-3u
(archival: fonts embedded, Unicode text, XMP metadata with its title) and tagged (a structure tree, the language
"vi"), so that it is kept and read aloud as the office's records require."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cchc_analysis.documents.document import Document
from cchc_analysis.render.fonts import fonts_css
from cchc_analysis.render.html import document_html

PDF_VARIANT = "pdf/a-3u"


def write_pdf(doc: Document, path: Path) -> int:
    """A4 PDF, appendix by appendix then joined; returns the number of pages."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()
    # Only the inlined fonts (data: URLs) are loaded; anything else is refused, never fetched.
    offline = URLFetcher(allowed_protocols={"data"})
    # the fonts' 2 MB of CSS parsed once for every appendix, instead of once inside each appendix's HTML
    faces = CSS(string=fonts_css(), font_config=fonts, url_fetcher=offline)
    rendered = [
        HTML(string=document_html(doc, only=i, inline_fonts=False), url_fetcher=offline).render(
            font_config=fonts, stylesheets=[faces], pdf_tags=True
        )
        for i in range(len(doc.appendices))
    ]
    pages = [page for r in rendered for page in r.pages]
    document = rendered[0].copy(pages)  # pyright: ignore[reportArgumentType]  (copy takes a list of pages)
    with _page_references_once():
        document.write_pdf(path, pdf_variant=PDF_VARIANT, pdf_tags=True)
    return len(pages)


@contextmanager
def _page_references_once() -> Iterator[None]:
    """pydyf rebuilds the tuple of every page's reference each time it is read, and WeasyPrint's tagging reads it
    once per tagged element: for a national appendix (100 000 cells on 900 pages) that was most of the PDF's time.
    While a PDF is written the tuple is built once per number of pages; what is written is the same."""
    import pydyf

    prop = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(prop, property) or prop.fget is None:  # another pydyf: leave it as it is
        yield
        return
    build = prop.fget

    def cached(pdf: Any) -> tuple:
        kids = len(pdf.pages["Kids"])
        memo = pdf.__dict__.get("_cchc_page_references")
        if memo is None or memo[0] != kids:
            memo = (kids, build(pdf))
            pdf.__dict__["_cchc_page_references"] = memo
        return memo[1]

    pydyf.PDF.page_references = property(cached)  # pyright: ignore[reportAttributeAccessIssue]
    try:
        yield
    finally:
        pydyf.PDF.page_references = prop  # pyright: ignore[reportAttributeAccessIssue]
