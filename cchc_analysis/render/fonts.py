"""The shipped font (Liberation Serif, OFL, metric-compatible with Times New Roman), inlined as @font-face so an
output looks the same on every machine and opens offline; cut down to the glyphs a page uses where size matters."""

from __future__ import annotations

import base64
import logging
from functools import lru_cache
from pathlib import Path

from cchc_analysis.core import config

# fontTools warns about tables it drops, such as
# "FFTM NOT subset": nothing the analyst can act on, so it must not reach the terminal.
logging.getLogger("fontTools").setLevel(logging.ERROR)

FONT_DIR = config.PACKAGE_DIR / "data" / "fonts"
FONT_FAMILY = "Liberation Serif"
FACES = (
    ("normal", "normal", "LiberationSerif-Regular.ttf"),
    ("bold", "normal", "LiberationSerif-Bold.ttf"),
    ("normal", "italic", "LiberationSerif-Italic.ttf"),
    ("bold", "italic", "LiberationSerif-BoldItalic.ttf"),
)


def _subset(path: Path, chars: str) -> bytes:
    """The font cut down to the characters a document uses (fontTools)."""
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
    HTML appendix then weighs tens of kilobytes of font instead of two megabytes). The URIs are quoted: a CSS
    parser then reads each as one string token instead of a megabyte of characters one by one."""
    rules = []
    for weight, style, name in FACES:
        raw = (FONT_DIR / name).read_bytes() if chars is None else _subset(FONT_DIR / name, chars)
        data = base64.b64encode(raw).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; '
            f'src: url("data:font/ttf;base64,{data}") format("truetype"); }}'
        )
    return "\n".join(rules)
