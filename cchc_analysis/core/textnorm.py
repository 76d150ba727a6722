"""Vietnamese text keys for matching names and headers.

One rule removes diacritics (``unaccent``, character for character so that positions in a draft still match);
the keys below are built on it. Three strengths, strictest first:
- ``tone_key``: NFC, case-folded, punctuation dropped, and each word's tone mark moved to a suffix,
  so "hoá" and "hóa" (old and new tone placement) agree while "Quang" and "Quảng" stay apart;
- ``fold``: every diacritic removed and đ → d ("Hung Dao"), used only where it is unambiguous;
- ``ocr_fold``: ``fold`` plus the OCR confusion Đ → P seen in scanned letters ("Hung Pao").
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Combining tone marks → a digit; vowel-shape marks (circumflex, breve, horn) stay on the letter.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC with runs of white space (including no-break spaces) folded to one space."""
    return " ".join(nfc(text).split())


def words(text: str) -> list[str]:
    text = nfc(text).casefold().replace("&", " và ")
    return _WORD.findall(text)


def _tone_word(word: str) -> str:
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def tone_key(text: str) -> str:
    return " ".join(_tone_word(w) for w in words(text))


@functools.lru_cache(maxsize=8192)
def _unaccent_char(ch: str) -> str:
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 else ch


def unaccent(text: str) -> str:
    """``text`` without diacritics, đ → d, one character for each character (positions are kept)."""
    return "".join(_unaccent_char(ch) for ch in text)


def plain(text: str) -> str:
    """Case-folded, without diacritics, white space folded; punctuation kept ("8/2023" stays readable)."""
    return " ".join(unaccent(nfc(text).casefold()).split())


def fold(text: str) -> str:
    return unaccent(" ".join(words(text)))


def ocr_fold(text: str) -> str:
    # Vietnamese words do not start with a bare "p" (only "ph"), so a leading "p" is a misread "Đ".
    return " ".join(re.sub(r"^p(?!h)", "d", w) for w in fold(text).split())


def header_key(text: str) -> str:
    """Headers match ignoring case, spacing, punctuation and diacritics."""
    return fold(text).replace(" ", "").replace("_", "")


# Characters that are not text: C0 controls other than tab and line breaks, DEL, C1 controls, the noncharacters
# U+FFFE and U+FFFF, bidirectional controls (they make the text shown differ from the text stored) and zero-width
# characters (two names that look the same would be two units). Refused where text enters, never dropped.
_NOT_TEXT_RANGES = (
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C),
    (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0xFDD0, 0xFDEF),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xFFFE, 0xFFFF), (0xE0000, 0xE007F),
)  # fmt: skip
_NOT_TEXT = re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in _NOT_TEXT_RANGES) + "]")
# the same class for polars (Rust's regex): code points written as \x{…}
NOT_TEXT_PATTERN = "[" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in _NOT_TEXT_RANGES) + "]"


def not_text(value: str) -> str | None:
    """The first character of ``value`` that is not text, as "U+202E", or None."""
    found = _NOT_TEXT.search(value)
    return f"U+{ord(found.group(0)):04X}" if found else None


NOT_TEXT_HELP = (
    "ký tự điều khiển hoặc ký tự vô hình (không phải chữ) — xóa ký tự đó (gõ lại ô), hoặc xuất lại tệp từ hệ thống"
)
