"""The unit registry (``params/units/<area>.csv``) and name matching.

A registry is data: any number of units of any kind, each valid between two dates, so a district of
23 communes and a province of 150 after the 2025 reform are the same code.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.glossary import (
    AREA_KINDS,
    COMMUNE_LEVEL_KINDS,
    COMMUNE_WORDS,
    DEPARTMENT_WORDS,
    UNIT_KINDS,
    AreaWords,
)
from cchc_analysis.core.textnorm import NOT_TEXT_HELP, clean, fold, not_text, ocr_fold, tone_key, words
from cchc_analysis.core.workspace import area_id, default_area, units_file

REGISTRY_COLUMNS = ("id", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "aliases")

# Words written before (or after) a unit's own name. Matched as tone keys, so "phường" is stripped
# but "Phượng Kỳ" is not.
_PREFIXES = (
    "ủy ban nhân dân",
    "uỷ ban nhân dân",
    "ubnd",
    "các xã",
    "xã",
    "thị trấn",
    "tt",
    "phường",
    "đặc khu",
    "phòng",
    "cơ quan",
    "bộ phận một cửa",
)
_SUFFIXES = ("huyện", "cấp huyện", "thị xã", "thành phố", "tp", "tỉnh", "cấp tỉnh")
_PREFIX_KEYS = sorted((tone_key(p).split() for p in _PREFIXES), key=len, reverse=True)
_SUFFIX_KEYS = [tone_key(s).split() for s in _SUFFIXES]
# For names typed without diacritics; "phuong" is left out because it is also Phượng.
_FOLD_PREFIX_KEYS = sorted((fold(p).split() for p in _PREFIXES if fold(p) != "phuong"), key=len, reverse=True)
_FOLD_SUFFIX_KEYS = [fold(s).split() for s in _SUFFIXES]


@dataclass(frozen=True)
class Unit:
    id: str
    name: str  # canonical, e.g. "UBND xã Hưng Đạo"
    short_name: str  # "Hưng Đạo"
    kind: str
    parent: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    aliases: tuple[str, ...]

    @property
    def is_commune_level(self) -> bool:
        return self.kind in COMMUNE_LEVEL_KINDS

    def valid_on(self, first: dt.date, last: dt.date) -> bool:
        """Valid at any day between ``first`` and ``last``."""
        return (self.valid_from is None or self.valid_from <= last) and (
            self.valid_to is None or self.valid_to >= first
        )


class MatchError(Exception):
    """A name matched no unit, or several; ``str()`` is the user's message."""


class _NotFound(MatchError):
    """No unit of the registry is written this way (not even one out of its period)."""


def _variants(tokens: list[str], prefixes: list[list[str]], suffixes: list[list[str]]) -> list[str]:
    """The name itself, then with leading prefixes and trailing suffixes stripped one at a time."""
    out = [" ".join(tokens)]
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if len(tokens) > len(p) and tokens[: len(p)] == p:
                tokens = tokens[len(p) :]
                out.append(" ".join(tokens))
                changed = True
                break
        for s in suffixes:
            if len(tokens) > len(s) and tokens[-len(s) :] == s:
                tokens = tokens[: -len(s)]
                out.append(" ".join(tokens))
                changed = True
                break
    return out


@lru_cache(maxsize=65536)
def _has_diacritics(name: str) -> bool:
    return fold(name) != " ".join(words(name))


@lru_cache(maxsize=65536)
def _level_variants(name: str) -> list[list[str]]:
    """Variants per matching level: tone keys, diacritic-free, diacritic-free with OCR repairs. Cached: a file
    names each unit once a month, a year of them the same names over and over."""
    folded = _variants(fold(name).split(), _FOLD_PREFIX_KEYS, _FOLD_SUFFIX_KEYS)
    return [
        _variants(tone_key(name).split(), _PREFIX_KEYS, _SUFFIX_KEYS),
        folded,
        [ocr_fold(v) for v in folded],
    ]


def named_area(word: str, name: str) -> tuple[str, str]:
    """An area as a heading names it ("huyện Tứ Kỳ") and as a place line does ("Tứ Kỳ"), from its word ("huyện")
    and its name written with or without it: the one rule for an area's name in every document."""
    if name.lower().startswith(word.lower() + " "):
        return name, name[len(word) :].strip()
    return f"{word} {name}", name


class Registry:
    """Units of one area, with an index of every way their names are written."""

    def __init__(self, area: str, units: list[Unit]):
        self.area = area
        self.units = list(units)
        self.by_id = {u.id: u for u in self.units}
        self._all = frozenset(self.by_id)
        self._below_area = frozenset(u.id for u in self.units if u.kind not in AREA_KINDS)
        self._valid_cache: dict[tuple[dt.date, dt.date], frozenset[str]] = {}
        # every name matched other than exactly, as written → (the unit's name, how it was read): what a run
        # tells the analyst it understood
        self.understood: dict[str, tuple[str, str]] = {}
        self._index: list[dict[str, set[str]]] = [defaultdict(set) for _ in range(3)]
        for u in self.units:
            for name in (u.name, u.short_name, *u.aliases):
                for level, variants in enumerate(_level_variants(name)):
                    for key in variants:
                        self._index[level][key].add(u.id)

    @classmethod
    def load(cls, area: str | None = None, path: Path | None = None) -> Registry:
        """The registry of ``area`` (a name or a path to a CSV; default: the area of the params in use)."""
        area = area or default_area()
        path = path or units_file(area)
        if not path.is_file():
            raise UsageError(f"không có danh mục đơn vị «{path}» — tạo tệp params/units/{area}.csv")
        area = area_id(area)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REGISTRY_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise UsageError(f"{path}: danh mục đơn vị thiếu cột {', '.join(missing)}")
            units = []
            for lineno, row in enumerate(reader, start=2):
                units.append(_unit_from_row(path, lineno, row))
        ids = [u.id for u in units]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise UsageError(f"{path}: mã đơn vị trùng: {', '.join(dup)}")
        _refuse_same_names(path, units)
        _refuse_parent_cycles(path, units)
        return cls(area, units)

    def area_unit(self, first: dt.date | None = None, last: dt.date | None = None) -> Unit | None:
        """The area's own People's Committee (kind tinh, thanh_pho, huyen or thi_xa) — the top, not its districts —
        valid between ``first`` and ``last`` when given, the one valid latest."""
        ids = {u.id for u in self.units if u.kind in AREA_KINDS}
        areas = [
            u
            for u in self.units
            if u.kind in AREA_KINDS
            and u.parent not in ids
            and (first is None or last is None or u.valid_on(first, last))
        ]
        return max(areas, key=lambda u: u.valid_to or dt.date.max, default=None)

    def words(self) -> AreaWords:
        """How documents name this area and its groups of units, from the kinds its registry holds."""
        unit = self.area_unit()
        kinds = {u.kind for u in self.units}
        communes = ", ".join(UNIT_KINDS[k] for k in COMMUNE_WORDS if k in kinds) or "xã"
        departments = ", ".join(w for k, w in DEPARTMENT_WORDS.items() if k in kinds) or "cơ quan, đơn vị"
        if unit is None:
            return AreaWords(None, None, communes, departments)
        word = UNIT_KINDS[unit.kind]
        return AreaWords(word, named_area(word, unit.short_name)[0], communes, departments)

    def _valid(self, first: dt.date, last: dt.date) -> frozenset[str]:
        """Ids of the units valid between ``first`` and ``last``, computed once per period (not once per row)."""
        key = (first, last)
        if key not in self._valid_cache:
            self._valid_cache[key] = frozenset(u.id for u in self.units if u.valid_on(first, last))
        return self._valid_cache[key]

    def valid_units(self, first: dt.date, last: dt.date) -> list[Unit]:
        return [u for u in self.units if u.valid_on(first, last)]

    def match(
        self, name: str, first: dt.date | None = None, last: dt.date | None = None, area_level: bool = False
    ) -> Unit:
        """The one unit ``name`` designates, valid between ``first`` and ``last`` when given. The area itself
        (kind huyện/tỉnh) is a candidate only with ``area_level``: monthly statistics never belong to it. A name
        followed by the area's own ("UBND xã Hưng Đạo huyện Tứ Kỳ") is read without it. Every name read other than
        as the registry writes it is kept in ``understood``."""
        try:
            unit, how = self._find(name, first, last, area_level)
        except _NotFound:
            short = self._without_area(name)
            if short is None:
                raise
            try:
                unit, how = self._find(short[0], first, last, area_level)
            except MatchError:
                raise MatchError(
                    f"không có đơn vị «{clean(name)}» trong danh mục {self.area}{self._suggest(short[0])}"
                ) from None
            how = ", ".join(p for p in (f'bỏ "{short[1]}"', how) if p)
        written = clean(name)
        if how and written not in self.understood:
            self.understood[written] = (unit.name, how)
        return unit

    def _without_area(self, name: str) -> tuple[str, str] | None:
        """``name`` without a trailing mention of the area itself ("… huyện Tứ Kỳ", "… tỉnh Kinh Bắc"), and
        that mention as written; None when it has none."""
        tokens = clean(name).split()
        for unit in self.units:
            if unit.kind not in AREA_KINDS:
                continue
            word = UNIT_KINDS[unit.kind]
            for own in {unit.short_name, unit.name, f"{word} {unit.short_name}"}:
                size = len(own.split())
                tail = " ".join(tokens[-size:])
                if len(tokens) > size and fold(tail) == fold(own):
                    return " ".join(tokens[:-size]).rstrip(" ,-–"), tail
        return None

    def _find(
        self, name: str, first: dt.date | None, last: dt.date | None, area_level: bool
    ) -> tuple[Unit, str | None]:
        """The unit, and how the name was read when it is not the unit's own (None: written as the registry)."""
        if not clean(name):
            raise MatchError("thiếu tên đơn vị")
        allowed = self._all if area_level else self._below_area
        valid = allowed if first is None else self._valid(first, last or first) & allowed
        levels = _level_variants(name)
        # A name written with diacritics must agree with them ("Quảng" is never "Quang"); only a name
        # typed without any is matched diacritic-free, and only when that is unambiguous.
        if _has_diacritics(name):
            levels = levels[:1]
        for level, variants in enumerate(levels):
            for key in variants:
                ids = self._index[level].get(key)
                if not ids:
                    continue
                candidates = sorted(ids & valid)
                if len(candidates) == 1:
                    unit = self.by_id[candidates[0]]
                    exact = clean(name) == unit.name
                    return unit, None if exact else _how(name, unit, level, variants.index(key))
                if len(candidates) > 1:
                    names = "; ".join(self.by_id[i].name for i in candidates)
                    raise MatchError(f"tên đơn vị «{clean(name)}» không rõ là đơn vị nào: {names} — ghi đủ tên có dấu")
                if not ids & allowed:
                    raise MatchError(
                        f"«{clean(name)}» là chính quyền cấp {UNIT_KINDS[self.by_id[min(ids)].kind]} — số liệu tháng "
                        "nhập theo từng đơn vị trực thuộc (cơ quan, xã, phường …)"
                    )
                expired = "; ".join(f"{self.by_id[i].name} ({_validity(self.by_id[i])})" for i in sorted(ids))
                later = first is not None and all(
                    (v := self.by_id[i].valid_from) is not None and v > (last or first) for i in ids
                )
                state = "chưa có hiệu lực" if later else "không còn hiệu lực"
                raise MatchError(f"đơn vị «{clean(name)}» {state} trong kỳ này: {expired}")
        raise _NotFound(f"không có đơn vị «{clean(name)}» trong danh mục {self.area}{self._suggest(name)}")

    def _suggest(self, name: str) -> str:
        keys = {}
        for u in self.units:
            for n in (u.name, u.short_name, *u.aliases):
                keys.setdefault(fold(n), u.name)
                keys.setdefault(_level_variants(n)[1][-1], u.name)
        close = difflib.get_close_matches(_level_variants(name)[1][-1], list(keys), n=6, cutoff=0.5)
        names = list(dict.fromkeys(keys[k] for k in close))[:3]
        return f" — gần nhất: {'; '.join(names)}" if names else " — thêm đơn vị hoặc bí danh vào danh mục"


_LEVEL_WORDS = ("", "không dấu", "không dấu/OCR")


def _how(name: str, unit: Unit, level: int, position: int) -> str:
    """How a name that is not the unit's own was read: without diacritics (and with OCR repairs), as an alias,
    shortened ("Dân Chủ", "xã Hà Kỳ" for "UBND xã Dân Chủ"), with words around it dropped ("… huyện Tứ Kỳ"), or
    only written otherwise (case, spaces, where the tone mark sits)."""
    key = _level_variants(name)[level][position]
    own = [_level_variants(n)[level] for n in (unit.name, unit.short_name)]
    parts = [_LEVEL_WORDS[level]] if level else []
    if not any(key in v for v in own):
        parts.append("bí danh")
    elif position:
        parts.append("bỏ phần thừa ở đầu/cuối tên")
    elif key != own[0][0]:
        parts.append("tên rút gọn")
    elif not level:
        parts.append("khác chữ hoa, khoảng trắng hoặc vị trí dấu")
    return ", ".join(parts)


def _date(path: Path, lineno: int, text: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{path}, dòng {lineno}: ngày «{text}» không hợp lệ (viết dạng 2023-01-01)") from None


def _refuse_same_names(path: Path, units: list[Unit]) -> None:
    """Two units valid at the same time whose names are one name after NFC, case folding and the tone mark's
    place ("Hoà"/"Hòa"; invisible characters are refused before): no file could say which of them it means."""
    seen: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        key = tone_key(u.name)
        for other in seen[key]:
            if u.valid_on(other.valid_from or dt.date.min, other.valid_to or dt.date.max):
                raise UsageError(
                    f"{path}: hai đơn vị «{other.id}» và «{u.id}» cùng tên «{u.name}» trong cùng thời gian hiệu lực — "
                    "đặt tên khác nhau, hoặc ghi ngày hiệu lực (valid_from, valid_to) không chồng nhau"
                )
        seen[key].append(u)


def _refuse_parent_cycles(path: Path, units: list[Unit]) -> None:
    """A unit that is, through its parents, its own parent would make the area endless."""
    parent = {u.id: u.parent for u in units if u.parent}
    for start in parent:
        chain, current = [start], parent.get(start)
        while current:
            if current in chain:
                loop = " → ".join([*chain[chain.index(current) :], current])
                raise UsageError(f"{path}: đơn vị cấp trên lặp vòng ({loop}) — sửa cột parent")
            chain.append(current)
            current = parent.get(current)


def _unit_from_row(path: Path, lineno: int, row: dict[str, str]) -> Unit:
    for column, value in row.items():
        code = not_text(value) if isinstance(value, str) else None
        if code:
            raise UsageError(f"{path}, dòng {lineno}, cột «{column}»: có {code}: {NOT_TEXT_HELP}")
    kind = (row["kind"] or "").strip()
    if kind not in UNIT_KINDS:
        raise UsageError(f"{path}, dòng {lineno}: loại đơn vị «{kind}» không hợp lệ ({', '.join(UNIT_KINDS)})")
    if not (row["id"] or "").strip() or not clean(row["name"] or ""):
        raise UsageError(f"{path}, dòng {lineno}: thiếu mã hoặc tên đơn vị")
    aliases = tuple(clean(a) for a in (row["aliases"] or "").split("|") if clean(a))
    return Unit(
        id=row["id"].strip(),
        name=clean(row["name"]),
        short_name=clean(row["short_name"] or row["name"]),
        kind=kind,
        parent=(row["parent"] or "").strip(),
        valid_from=_date(path, lineno, row["valid_from"]),
        valid_to=_date(path, lineno, row["valid_to"]),
        aliases=aliases,
    )


def _validity(u: Unit) -> str:
    start = u.valid_from.strftime("%d/%m/%Y") if u.valid_from else "…"
    end = u.valid_to.strftime("%d/%m/%Y") if u.valid_to else "…"
    return f"hiệu lực {start}–{end}"
