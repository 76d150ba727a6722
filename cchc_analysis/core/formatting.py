"""Numbers and dates the Vietnamese way, through Babel's ``vi`` locale: 1.698; 99,94%; 8,34."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALE = "vi"


def _decimal(x: float | Decimal) -> Decimal:
    """``x`` without the binary noise of a float (0.91875 - 0.85 is 0.06874999…): nine decimals are far below any
    figure a document prints, and far above the noise."""
    return x if isinstance(x, Decimal) else Decimal(repr(float(x))).quantize(Decimal("1e-9"))


def _half_up(fmt, x: float | Decimal, pattern: str) -> str:
    """Rounded half away from zero, as offices (and Excel) round: 6,875 → 6,88, never 6,87."""
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        return fmt(_decimal(x), format=pattern, locale=LOCALE)


def integer(n: int | None) -> str:
    return "" if n is None else format_decimal(n, format="#,##0", locale=LOCALE)


def percent(rate: float | None, decimals: int = 2) -> str:
    """A fraction in [0, 1] as a percentage: 0.9994 → ``99,94%``."""
    if rate is None:
        return ""
    pattern = "#,##0." + "0" * decimals + "%" if decimals else "#,##0%"
    return _half_up(format_percent, rate, pattern)


def letter_percent(rate: float | None) -> str:
    """A rate as the letters print it: up to two decimals, no trailing zeros (96,65%; 80,2%; 100%)."""
    return "" if rate is None else _half_up(format_percent, rate, "#,##0.##%")


def letter_pp(pp: float | None) -> str:
    """A difference in percentage points, written with a % sign as the letters do (5,51%)."""
    return "" if pp is None else _half_up(format_decimal, abs(pp), "#,##0.##") + "%"


def number(x: float | None, decimals: int = 2) -> str:
    if x is None:
        return ""
    return _half_up(format_decimal, x, "#,##0." + "0" * decimals)


def points(x: float | Decimal | None) -> str:
    """A score as reports write it: up to two decimals, no trailing zeros (62,12; 72,5; 74)."""
    return "" if x is None else _half_up(format_decimal, x, "#,##0.##")


def long_date(day: dt.date) -> str:
    """``ngày 15 tháng 9 năm 2023`` as official letters write dates."""
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def date_span(start: dt.date, end: dt.date) -> str:
    """``từ ngày 01/4/2023 đến ngày 31/8/2023``, as the province's notices write a window (seed 000)."""
    return f"từ ngày {format_date(start, format='dd/M/yyyy', locale=LOCALE)} đến ngày " + format_date(
        end, format="dd/M/yyyy", locale=LOCALE
    )


def signed_pp(pp: float) -> str:
    """A change in percentage points with its sign, for tables: +5,51; -1,23; 0,00."""
    if round(pp, 2) == 0:
        return format_decimal(0, format="0.00", locale=LOCALE)
    return format_decimal(pp, format="+#,##0.00;-#,##0.00", locale=LOCALE)


def roman(n: int) -> str:
    """Appendix numbers: I, II, III, IV … (Nghị định 30/2020: Roman numerals when there are several)."""
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + letters, n - value
    return out


def fill(template: str, **words: str) -> str:
    """An analyst's sentence from params with its placeholders filled: ``{area}``, ``{period}`` … for the names
    given, and nothing else — every other brace (``{{ }}``, ``{% %}``, ``{x}``) stays as written, never read as
    a format or template instruction."""
    import re

    return re.sub(r"\{(\w+)\}", lambda m: words[m.group(1)] if m.group(1) in words else m.group(0), template)
