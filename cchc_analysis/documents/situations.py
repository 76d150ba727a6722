"""The letter's body as an office writes it (seeds 000 and 002): units in the same situation form one sentence
with their count ("04 cơ quan …; gồm: …", "Có 02 địa phương mặc dù …, gồm:"), each situation with its own
request, a unit whose record calls for it singled out ("Riêng …"), identical reasons said once, and no unit
commended for what the same letter reminds it about. Every line keeps the findings it rests on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cchc_analysis.compute.findings import Context
from cchc_analysis.core.formatting import fill, integer
from cchc_analysis.core.formatting import letter_percent as pct
from cchc_analysis.core.formatting import letter_pp as pp
from cchc_analysis.core.glossary import COMMUNE_LEVEL_KINDS, INDICATOR_LABELS, UNIT_KINDS
from cchc_analysis.core.params import Params

DIGITIZATION = ("digitized_input", "digitized_output")
APPENDIX = "Phụ lục I"  # the monthly appendix that lists every finding (annexes.monthly_document)


@dataclass(frozen=True)
class Line:
    """One paragraph of a section: its mark ("-" a bullet, "+" a member of the group above, "" plain), its text
    and the findings it rests on ("rule:indicator:unit_id")."""

    text: str
    mark: str = ""
    findings: tuple[str, ...] = ()


def key(row: dict) -> str:
    return f"{row['rule']}:{row['indicator']}:{row['unit_id']}"


def count(n: int, rows: list[dict], place: bool = False) -> str:
    """ "04 cơ quan", "06 UBND xã", "02 địa phương", "1.204 đơn vị": two digits under ten, as the letters write."""
    number = f"{n:02d}" if n < 10 else integer(n)
    kinds = {r["unit_kind"] for r in rows}
    if kinds <= COMMUNE_LEVEL_KINDS:
        words = ", ".join(UNIT_KINDS[k] for k in sorted(kinds, key=list(UNIT_KINDS).index))
        return f"{number} {'địa phương' if place else f'UBND {words}'}"
    return f"{number} {'cơ quan' if not kinds & COMMUNE_LEVEL_KINDS else 'đơn vị'}"


def names(rows: list[dict], more: bool = False) -> str:
    """ "UBND các xã Dân Chủ, Phượng Kỳ và Ngọc Kỳ", "Phòng Nội vụ, UBND xã Hà Kỳ"; ``more``: a list that goes
    on ("… và 3 địa phương khác"), so its names are joined by commas only."""
    join = ", ".join if more else _and
    return _grouped(rows, lambda kind, ns: f"UBND {'các ' if len(ns) > 1 else ''}{kind} {join(ns)}", lambda n: n)


def addressees(rows: list[dict]) -> str:
    """Who a request is addressed to: "Trưởng phòng Tài chính - Kế hoạch, Chủ tịch UBND các xã Cộng Lạc và Hà Kỳ"."""

    def head_of(name: str) -> str:
        return f"Trưởng phòng {name[6:]}" if name.startswith("Phòng ") else f"Thủ trưởng {name}"

    return _grouped(rows, lambda kind, ns: f"Chủ tịch UBND {'các ' if len(ns) > 1 else ''}{kind} {_and(ns)}", head_of)


def _grouped(rows: list[dict], communes: Callable[[str, list[str]], str], others: Callable[[str], str]) -> str:
    parts, seen = [], set()
    by_kind: dict[str, list[str]] = {}
    for r in rows:
        if r["unit_id"] in seen:
            continue
        seen.add(r["unit_id"])
        if r["unit_kind"] in COMMUNE_LEVEL_KINDS:
            by_kind.setdefault(r["unit_kind"], []).append(r["short_name"])
        else:
            parts.append(others(r["unit"]))
    parts += [communes(UNIT_KINDS[kind], ns) for kind, ns in by_kind.items()]
    return ", ".join(parts)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} và {items[-1]}"


@dataclass
class Words:
    """What every sentence of one letter shares: the month, its neighbours, the area and the request texts."""

    ctx: Context
    words: dict[str, str]
    reminded: dict[str, set[str]] = field(default_factory=dict)  # unit_id → indicators reminded or sanctioned on
    _rates: dict[str, dict[str, dict]] = field(default_factory=dict)

    @property
    def params(self) -> Params:
        return self.ctx.params

    @property
    def month(self) -> str:
        return self.ctx.month.label()

    @property
    def prev(self) -> str:
        return (self.ctx.month - 1).label()

    @property
    def average(self) -> str:
        return f"mức bình quân chung của {self.params.area_name}"

    def request(self, situation: str, indicator: str, rows: list[dict]) -> str | None:
        texts = self.params.document.requests
        # payment and e-certification have one situation each: their own request is the one the analyst edits
        own = [indicator] if indicator in ("online_payment", "e_cert") else []
        order = [f"{situation}.{indicator}", *own, situation, indicator]
        text = next((texts[k] for k in order if texts.get(k)), None)
        if not text:
            return None
        if len(rows) > self.params.document.named_max:  # the group named only some: ask them all, as a group
            heads = [
                h
                for h, kinds in (
                    ("Thủ trưởng các cơ quan, đơn vị", False),
                    (f"Chủ tịch UBND các {self.params.communes}", True),
                )
                if any((r["unit_kind"] in COMMUNE_LEVEL_KINDS) == kinds for r in rows)
            ]
            who = " và ".join(heads) + " nêu trên"
            return fill(text, **self.words, label=_request_label(indicator), addressees=who, units=who)
        return fill(text, **self.words, label=_request_label(indicator), addressees=addressees(rows), units=names(rows))

    def cap(self, rows: list[dict]) -> tuple[list[dict], list[dict]]:
        """The units a group names (the furthest behind first when there are more than ``document.named_max``)
        and the ones it only counts."""
        limit = self.params.document.named_max
        if len(rows) <= limit:
            return rows, []
        order = sorted(rows, key=lambda r: (r["value"] is None, r["value"] if r["value"] is not None else 0))
        shown = {id(r) for r in order[:limit]}
        return [r for r in rows if id(r) in shown], [r for r in rows if id(r) not in shown]

    def rest(self, rows: list[dict]) -> str:
        """ "1.204 địa phương khác": the units a capped group only counts."""
        return f"{integer(len(rows))} {count(len(rows), rows, place=True).split(' ', 1)[1]} khác"

    def listed(self, rows: list[dict], each: Callable[[dict], str] | None = None, sep: str = "; ") -> str:
        """A group's members after "gồm:" (``each`` formats one; default: their names together), the rest
        counted with a pointer to the appendix that lists them all."""
        shown, hidden = self.cap(rows)
        text = sep.join(each(r) for r in shown) if each else names(shown, more=bool(hidden))
        return text + (f" và {self.rest(hidden)} (chi tiết tại {APPENDIX})" if hidden else "")

    def lines(self, rows: list[dict], each: Callable[[dict], str], mark: str) -> list[Line]:
        """One line per member, the rest in one line that counts them."""
        shown, hidden = self.cap(rows)
        out = [Line(each(r), mark, (key(r),)) for r in shown]
        if hidden:
            out.append(
                Line(f"Còn {self.rest(hidden)} có cùng tình trạng, chi tiết tại {APPENDIX}.", mark, _keys(hidden))
            )
        return out

    def rates(self, unit_id: str) -> dict[str, dict]:
        if not self._rates:
            for r in self.ctx.month_rates.iter_rows(named=True):
                self._rates.setdefault(r["unit_id"], {})[r["indicator"]] = r
        return self._rates.get(unit_id, {})


def _request_label(indicator: str) -> str:
    return {
        "digitized_input": "tỷ lệ số hóa đầy đủ thành phần hồ sơ TTHC khi tiếp nhận",
        "digitized_output": "tỷ lệ số hóa kết quả giải quyết TTHC",
    }.get(indicator, INDICATOR_LABELS.get(indicator, indicator))


def _keys(rows: Iterable[dict]) -> tuple[str, ...]:
    return tuple(key(r) for r in rows)


# ---------------------------------------------------------------------------------------------------------------
# Commendations
# ---------------------------------------------------------------------------------------------------------------


def _fraction(rate: dict) -> str:
    return f"{integer(rate['numerator'])}/{integer(rate['denominator'])}"


def _payment_met(w: Words, row: dict) -> dict | None:
    """A department or commune commended on digitization whose online payment also met the province's target
    (and that this letter does not remind about payment): its payment figure, said with the commendation."""
    if not w.params.rules.commend_thresholds.enabled:  # a letter that commends nobody on payment says none
        return None
    rate = w.rates(row["unit_id"]).get("online_payment")
    if not rate or not rate["denominator"] or "online_payment" in w.reminded.get(row["unit_id"], set()):
        return None
    return rate if rate["rate"] is not None and rate["rate"] >= w.params.targets.online_payment else None


def commendations(rows: list[dict], w: Words) -> list[Line]:
    """Section 1: one line per situation, units of a kind together ("04 cơ quan …; gồm: …")."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        claims = _claims(r, w)
        departments = r["unit_kind"] not in COMMUNE_LEVEL_KINDS
        groups.setdefault((r["rule"], claims, departments), []).append(r)
    out = []
    for (rule, claims, _), members in groups.items():
        out += _commend_group(rule, claims, members, w)
    return out


def _claims(row: dict, w: Words) -> tuple[str, ...]:
    """What a commendation claims of its unit: online payment only when the same letter does not remind the unit
    about it (commendations on a rate it is reminded about never reach here: ``monthly.without_contradictions``)."""
    reminded = w.reminded.get(row["unit_id"], set())
    rule = row["rule"]
    if rule == "commend_single_full":
        return (row["indicator"],)
    if rule == "commend_thresholds":
        return DIGITIZATION if "online_payment" in reminded else (*DIGITIZATION, "online_payment")
    return (*DIGITIZATION, "online_payment") if _payment_met(w, row) else DIGITIZATION


def _commend_group(rule: str, claims: tuple[str, ...], rows: list[dict], w: Words) -> list[Line]:
    month = w.month
    if rule == "commend_single_full":
        label = INDICATOR_LABELS[claims[0]]
        if len(rows) == 1:
            return [Line(f"{rows[0]['unit']} có {label} trong {month} đạt tỷ lệ 100%.", "-", _keys(rows))]
        text = f"{count(len(rows), rows)} có {label} trong {month} đạt tỷ lệ 100%; gồm: {w.listed(rows)}."
        return [Line(text, "-", _keys(rows))]
    label = INDICATOR_LABELS["digitization"]
    if rule == "commend_thresholds":
        what = label + (" và hồ sơ đã thanh toán trực tuyến trên cổng dịch vụ công" if len(claims) == 3 else "")
        if len(rows) == 1:
            text = f"{rows[0]['unit']} có {what} trong {month} đạt tỷ lệ cao ({_high(w, rows[0], claims)})."
        else:
            figures = w.listed(rows, lambda r: f"{r['unit']} ({_high(w, r, claims)})")
            text = f"{count(len(rows), rows)} có {what} trong {month} đạt tỷ lệ cao, gồm: {figures}."
        return [Line(text, "-", _keys(rows))]
    paid = ""
    if len(claims) == 3 and len(rows) == 1 and (met := _payment_met(w, rows[0])):
        paid = f"; tỷ lệ hồ sơ đã thanh toán trực tuyến đạt {pct(met['rate'])}, đảm bảo theo chỉ tiêu do UBND tỉnh giao"
    if len(rows) == 1:
        return [Line(f"{rows[0]['unit']} có {label} trong {month} đạt tỷ lệ 100%{paid}.", "-", _keys(rows))]
    members = w.listed(rows, lambda r: f"{r['unit']} ({_dossiers(w, r, claims)})")
    # the units that also met the payment target are a situation of their own, and their sentence says so
    met = " và tỷ lệ hồ sơ đã thanh toán trực tuyến đảm bảo theo chỉ tiêu do UBND tỉnh giao" if len(claims) == 3 else ""
    text = f"{count(len(rows), rows)} có {label} trong {month} đạt tỷ lệ 100%{met}; gồm: {members}."
    return [Line(text, "-", _keys(rows))]


def _dossiers(w: Words, row: dict, claims: tuple[str, ...]) -> str:
    """A member's figures after "gồm:": "tiếp nhận 76/76 hồ sơ, số hóa 77/77 hồ sơ", or "3/3 hồ sơ" when both
    are the same."""
    r = w.rates(row["unit_id"])
    i, o = _fraction(r["digitized_input"]), _fraction(r["digitized_output"])
    text = f"{i} hồ sơ" if i == o else f"tiếp nhận {i} hồ sơ, số hóa {o} hồ sơ"
    paid = _payment_met(w, row) if "online_payment" in claims else None
    return text + (f"; thanh toán trực tuyến đạt {pct(paid['rate'])}" if paid else "")


def _high(w: Words, row: dict, claims: tuple[str, ...]) -> str:
    r = w.rates(row["unit_id"])
    parts = [
        f"tiếp nhận đạt {pct(r['digitized_input']['rate'])}",
        f"giải quyết đạt {pct(r['digitized_output']['rate'])}",
    ]
    if "online_payment" in claims:
        parts.append(f"thanh toán trực tuyến đạt {pct(r['online_payment']['rate'])}")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# Reminders, one indicator's section
# ---------------------------------------------------------------------------------------------------------------


def situation(row: dict) -> str:
    """Which group of its section a reminder belongs to."""
    if row["rule"] == "remind_good_month_poor_window":
        return "window"
    if row["rule"] != "remind_below_area":
        return "other"
    change = row["change_pp"]
    if change is None or change == 0:
        return "low"
    if change > 0:
        return "rising"
    return "repeated" if (row["decline_run"] or 0) >= 2 else "falling"


_ORDER = ("low", "rising", "falling", "repeated", "window", "other")


def reminders(indicator: str, rows: list[dict], w: Words, sanctioned: set[str]) -> list[Line]:
    """One indicator's section: a group per situation, each closed by its request."""
    if indicator == "e_cert":
        return _no_e_cert(rows, w, sanctioned)
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(situation(r), []).append(r)
    out: list[Line] = []
    for name in sorted(by, key=_ORDER.index):
        members = by[name]
        out += _group(name, indicator, members, w, after=bool(out))
        request = w.request(name, indicator, members)
        if request:
            out.append(Line(request, "", _keys(members)))
    return out


def _group(name: str, indicator: str, rows: list[dict], w: Words, after: bool) -> list[Line]:
    """One situation's lines: one unit in a sentence of its own; several in one sentence with their count and a
    member line each. Online payment's good months in a poor window stay one sentence each (seed 002, 2.3)."""
    if name in ("rising", "falling"):
        return _below_group(name, rows, w)
    if len(rows) == 1 or (name == "window" and indicator == "online_payment"):
        one = {
            "window": _payment_window_sentence if indicator == "online_payment" else _window_sentence,
            "repeated": _repeated_sentence,
            "low": _low_sentence,
        }.get(name, _other_sentence)
        lead = "Riêng " if name == "repeated" and after else ""
        return w.lines(rows, lambda r: lead + one(r, w), "-")
    month, label = w.ctx.month, INDICATOR_LABELS[indicator]
    counted = count(len(rows), rows, place=True)
    if name == "repeated":
        head = f"Có {counted} tiếp tục có kết quả giảm so với {w.prev} và thấp hơn {w.average}, gồm:"

        def member(r: dict) -> str:
            return (
                f"{r['unit']} ({pct(r['value'])}), giảm {pp(r['change_pp'])} so với {w.prev}, thấp hơn "
                f"{pp(r['gap_pp'])} {w.average}; đây là tháng thứ {r['decline_run']} liên tiếp có kết quả giảm so "
                "với tháng trước liền kề."
            )

    elif name == "window":
        head = (
            f"Có {counted} mặc dù có {label} trong {w.month} đạt cao; tuy nhiên kết quả trong {month.month} tháng đầu "
            f"năm {month.year} còn thấp, gồm:"
        )

        def member(r: dict) -> str:
            return (
                f"{r['unit']}: {w.month} đạt {pct(r['value'])}, {month.month} tháng đầu năm {month.year} chỉ đạt "
                f"{pct(r['window_value'])}."
            )

    else:
        listed = w.listed(rows, lambda r: f"{r['unit']} ({pct(r['value'])})")
        return [Line(f"Có {counted} có {label} trong {w.month} đạt tỷ lệ thấp, gồm: {listed}.", "-", _keys(rows))]
    return [Line(head, "-", _keys(rows)), *w.lines(rows, member, "+")]


def _other_sentence(r: dict, _w: Words) -> str:
    return f"{r['unit']} có {INDICATOR_LABELS.get(r['indicator'], r['indicator'])} đạt {pct(r['value'])}."


def _below_group(name: str, rows: list[dict], w: Words) -> list[Line]:
    """Units below the average that rose, or fell for the first time: one sentence with their count and a
    member line each ("+ UBND xã Tái Sơn (88,31%), tăng 5,51% …")."""
    prev, average = w.prev, w.average
    if name == "rising":
        lead = f"mặc dù kết quả tăng so với {prev}, nhưng vẫn thấp hơn {average}, gồm:"
    else:
        lead = f"có kết quả giảm so với {prev} và thấp hơn {average}, gồm:"

    def change(r: dict) -> str:
        """ "tăng 5,51% so với tháng 4/2023, nhưng vẫn thấp hơn 8,34% mức bình quân chung của huyện." """
        move, but = ("tăng", ", nhưng vẫn") if name == "rising" else ("giảm", " và")
        return f"{move} {pp(r['change_pp'])} so với {prev}{but} thấp hơn {pp(r['gap_pp'])} {average}."

    if len(rows) == 1:
        r = rows[0]
        label = INDICATOR_LABELS[r["indicator"]]
        return [Line(f"{r['unit']} có {label} trong {w.month} đạt {pct(r['value'])}, {change(r)}", "-", (key(r),))]
    head = Line(f"Có {count(len(rows), rows, place=True)} {lead}", "-", _keys(rows))
    return [head, *w.lines(rows, lambda r: f"{r['unit']} ({pct(r['value'])}), {change(r)}", "+")]


def _repeated_sentence(r: dict, w: Words) -> str:
    unit, run = r["unit"], r["decline_run"]
    return (
        f"{unit} ({pct(r['value'])}) tiếp tục có kết quả giảm so với {w.prev} (giảm {pp(r['change_pp'])}) và thấp "
        f"hơn {pp(r['gap_pp'])} {w.average}; đây là tháng thứ {run} liên tiếp {unit} có kết quả giảm so với tháng "
        "trước liền kề."
    )


def _low_sentence(r: dict, w: Words) -> str:
    same = f", không đổi so với {w.prev}" if r["change_pp"] == 0 else ""
    label = INDICATOR_LABELS[r["indicator"]]
    return f"{r['unit']} có {label} trong {w.month} đạt tỷ lệ thấp ({pct(r['value'])}){same}."


def _window_sentence(r: dict, w: Words) -> str:
    month = w.ctx.month
    label = INDICATOR_LABELS[r["indicator"]]
    return (
        f"{r['unit']} mặc dù có {label} trong {w.month} đạt {pct(r['value'])}; tuy nhiên kết quả này trong "
        f"{month.month} tháng đầu năm {month.year} chỉ đạt {pct(r['window_value'])}."
    )


def _payment_window_sentence(r: dict, w: Words) -> str:
    label = INDICATOR_LABELS["online_payment"]
    return (
        f"{r['unit']} mặc dù có {label} trong {w.month} đạt {pct(r['value'])}, vượt tỷ lệ giao của UBND tỉnh "
        f"({pct(w.params.targets.online_payment)}); tuy nhiên, kết quả này tính từ ngày {payment_span(w.ctx)} chỉ "
        f"đạt {pct(r['window_value'])}, chưa đảm bảo tỷ lệ do UBND tỉnh giao."
    )


def payment_span(ctx: Context) -> str:
    """ "01/4/2023-31/8/2023": the online payment window, as the letters write it."""
    start = ctx.params.payment_window(ctx.month).start.first_day
    end = ctx.month.last_day
    return f"{start.day:02d}/{start.month}/{start.year}-{end.day:02d}/{end.month}/{end.year}"


def _e_cert_until(ctx: Context) -> str:
    end = ctx.month.last_day
    return f"Tính đến hết ngày {end.day}/{end.month}/{end.year}"


def _no_e_cert(rows: list[dict], w: Words, sanctioned: set[str]) -> list[Line]:
    label = INDICATOR_LABELS["e_cert"]
    until = _e_cert_until(w.ctx)
    if len(rows) == 1:
        text = f"{until}, {rows[0]['unit']} chưa thực hiện {label}."
    else:
        text = f"{until}, có {count(len(rows), rows, place=True)} chưa thực hiện {label}, gồm {w.listed(rows)}."
    out = [Line(text, "", _keys(rows))]
    # a unit the same letter sanctions for it is asked there; the others here
    unasked = [r for r in rows if r["unit_id"] not in sanctioned]
    if unasked and (request := w.request("other", "e_cert", unasked)):
        out.append(Line(request, "", _keys(unasked)))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Sanctions: the reasons under a ladder step
# ---------------------------------------------------------------------------------------------------------------


def reasons(rows: list[dict], w: Words, extra: dict[str, str]) -> list[Line]:
    """ "Lý do:" and why each unit climbs the ladder; units with the same reason share one sentence, and a note
    the params add for a unit (``document.reasons``) ends its own."""
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(_reason_key(r, extra), []).append(r)
    groups = list(by.values())
    if len(groups) == 1:
        return [Line(f"Lý do: {_reason(groups[0], w, extra)}", "", _keys(groups[0]))]
    out = [Line("Lý do:", "", _keys(rows))]
    singles = [g[0] for g in groups if len(g) == 1]
    out += [Line(_reason(g, w, extra), "-", _keys(g)) for g in groups if len(g) > 1]
    return out + w.lines(singles, lambda r: _reason([r], w, extra), "-")


def _reason_key(r: dict, extra: dict[str, str]) -> str:
    if r["indicator"] == "e_cert" and r["unit_id"] not in extra:
        return "e_cert"
    return key(r)


def _reason(rows: list[dict], w: Words, extra: dict[str, str]) -> str:
    first = rows[0]
    label = INDICATOR_LABELS.get(first["indicator"], first["indicator"])
    note = extra.get(first["unit_id"])
    if first["indicator"] == "e_cert":
        text = f"{_e_cert_until(w.ctx)}, {w.listed(rows)} chưa thực hiện {label}"
    elif first["rule"] == "escalate_payment":
        text = (
            f"{first['unit']} có {label} trong {w.month} đạt {pct(first['value'])}; từ ngày {payment_span(w.ctx)} đạt "
            f"{pct(first['window_value'])}, chưa đảm bảo tỷ lệ do UBND tỉnh giao"
        )
    else:
        text = f"{first['unit']} có {label} đạt {pct(first['value'])}"
    return f"{text}; {note.rstrip('.')}." if note else f"{text}."
