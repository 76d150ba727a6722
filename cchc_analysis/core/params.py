"""Run parameters: ``params/defaults.yaml`` overridden by ``params/<period>.yaml``, validated with pydantic.

Unknown keys are rejected with their path, so a typo never silently leaves a rule at its default.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cchc_analysis.core import config, workspace
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.glossary import DESK_LABELS, SCOPE_LABELS, AreaWords
from cchc_analysis.core.periods import Month, ReportPeriod, Window, parse_period


class Strict(BaseModel):
    """A settings model read from a file the analyst edits: no key it does not know, never changed once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(Strict):
    enabled: bool = True


class IndicatorRule(Rule):
    indicators: tuple[str, ...] = ("digitized_input", "digitized_output")


class BelowAreaRule(IndicatorRule):
    # a pooled average always has units just below it; the letters name only clear gaps
    min_gap_pp: float = Field(default=0.0, ge=0, le=100)
    min_denominator: int = Field(default=1, ge=1)


class PoorWindowRule(IndicatorRule):
    indicators: tuple[str, ...] = ("digitized_input", "digitized_output", "online_payment")
    # digitization: the month must beat the year to date by this much to be worth a sentence
    min_improvement_pp: float = Field(default=5.0, ge=0, le=100)


class ThresholdRule(Rule):
    digitized_input: float = Field(default=0.985, ge=0, le=1)
    digitized_output: float = Field(default=0.99, ge=0, le=1)
    online_payment: float = Field(default=0.80, ge=0, le=1)


class Rules(Strict):
    commend_both_digitization: Rule = Rule()
    commend_single_full: IndicatorRule = IndicatorRule()
    commend_thresholds: ThresholdRule = ThresholdRule()
    remind_below_area: BelowAreaRule = BelowAreaRule()
    remind_good_month_poor_window: PoorWindowRule = PoorWindowRule()
    remind_no_e_cert: Rule = Rule()
    escalate_payment: Rule = Rule()
    escalate_no_e_cert: Rule = Rule()


class Targets(Strict):
    digitized_input: float = Field(default=1.0, ge=0, le=1)
    digitized_output: float = Field(default=1.0, ge=0, le=1)
    online_payment: float = Field(default=0.30, ge=0, le=1)
    online: float | None = Field(default=None, ge=0, le=1)
    on_time: float | None = Field(default=None, ge=0, le=1)


class Signer(Strict):
    """The signature block: "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH", or just "CHỦ TỊCH"; the name under the space left
    for the signature."""

    on_behalf: str | None = None  # "KT. CHỦ TỊCH" when a deputy signs
    title: str = "CHỦ TỊCH"
    name: str = ""


REQUEST_INDICATORS = ("digitized_input", "digitized_output", "online_payment", "e_cert")
SITUATIONS = ("rising", "falling", "repeated", "low", "window")
REQUESTS = {
    "digitized_input": "Đề nghị {addressees} cần tiếp tục quan tâm chỉ đạo để nâng cao hơn nữa tỷ lệ số hóa hồ sơ "
    "TTHC khi tiếp nhận trong {next}, đảm bảo bằng hoặc cao hơn mức bình quân chung của toàn {area}.",
    "digitized_output": "Đề nghị {addressees} cần quan tâm chỉ đạo để nâng cao hơn nữa tỷ lệ số hóa kết quả giải "
    "quyết TTHC trong {next}, đảm bảo bằng hoặc cao hơn mức bình quân chung của toàn {area}.",
    "online_payment": "Yêu cầu {addressees} tăng cường chỉ đạo, xác định giải pháp để triển khai thực hiện trong "
    "những tháng còn lại của năm {year}, đảm bảo hoàn thành và vượt chỉ tiêu do UBND tỉnh giao.",
    "e_cert": "Đề nghị {addressees} khẩn trương triển khai chứng thực bản sao điện tử từ bản chính trong {next}.",
    "repeated": "Đề nghị {addressees} có giải pháp chỉ đạo quyết liệt, các công chức có liên quan chủ động khắc phục "
    "để nâng cao {label} trong {next}, không để kết quả tiếp tục giảm.",
    "repeated.digitized_input": "Đề nghị {addressees} có giải pháp chỉ đạo quyết liệt và các công chức có liên "
    "quan tích cực, chủ động tuyên truyền, hướng dẫn công dân, tổ chức nộp hồ sơ trực tuyến nhằm cải thiện {label} "
    "trong {next}, không để tiếp diễn tình trạng giảm tỷ lệ số hóa hồ sơ TTHC khi tiếp nhận.",
    "low": "Yêu cầu {addressees} cần quan tâm thực hiện đúng quy trình giải quyết TTHC trực tuyến để nâng cao "
    "{label} trong {rest}.",
    "window": "Yêu cầu trong {rest}, {units} cần duy trì và nâng cao {label}, bằng hoặc cao hơn kết quả của {period}.",
}


class DocumentFields(Strict):
    """The letter itself (công văn, Nghị định 30/2020/NĐ-CP) and the line under each appendix title: "(Kèm theo
    văn bản số … ngày … của …)". ``{area}`` is the area's word (``area_name``), ``{period}`` the letter's month
    ("tháng 8/2023"), ``{next}`` the month after it, ``{year}`` its year and ``{addressees}`` the heads of the
    units a section names."""

    number: str | None = None  # e.g. "1220/UBND-NV"; blank leaves dots to fill by hand
    date: dt.date | None = None
    issuer: str = ""  # "UBND huyện Tứ Kỳ"; empty: from the registry's unit for the area
    code: str = "UBND-NV"  # the number's suffix, printed "Số:      /UBND-NV" until the letter is numbered
    report_code: str = "BC-UBND"  # the same for the semi-annual and annual report
    # The report (seed 003): its title ({kind}: "Sơ kết" for half a year, "Tổng kết" for a year; {next}: the period
    # after), the plan or document it answers ("Kế hoạch số 116/KH-UBND ngày 16/6/2023 của UBND huyện về …"), the
    # text the analyst writes for the parts data cannot (by field id, or "procedures", "positive", "shortcomings",
    # "causes", "directions"), and the share of dossiers digitized at both ends that a commune must reach for
    # the report to name it as doing well.
    report_title: str = (
        "{kind} công tác Cải cách hành chính {period} và phương hướng, nhiệm vụ Cải cách hành chính {next}"
    )
    report_basis: str | None = None
    report_texts: dict[str, tuple[str, ...]] = {}
    report_good_digitization: float = Field(default=0.98, ge=0, le=1)
    authority: str = "Ủy ban nhân dân"  # the issuer's body, over the area's name in the header
    place: str | None = None  # the place before the date; None: the area's name from the registry ("Tứ Kỳ")
    subject: str = (
        "biểu dương, nhắc nhở các {departments}, UBND các {communes} trong thực hiện nhiệm vụ "
        "Cải cách hành chính {period}"
    )
    recipients: tuple[str, ...] = (
        "Thủ trưởng các {departments} thuộc UBND {area}",
        "Chủ tịch UBND các {communes}",
    )
    notice: str | None = None  # the provincial notice the letter answers: "Thông báo số 70/TB-VP ngày 22/5/2023 của …"
    proposer: str = "Văn phòng HĐND và UBND {area}"
    intro: str = (
        "Chủ tịch UBND {area} biểu dương, nhắc nhở các cơ quan, đơn vị về việc thực hiện cải cách hành chính "
        "trong {period}, cụ thể như sau:"
    )
    intro_notice: str = "Thực hiện {notice} và theo đề xuất của {proposer}, Chủ tịch UBND {area} có ý kiến như sau:"
    # The opening: the office's voice around the area's figures ({figures}: "tỷ lệ … đạt 96,65%, tăng 1,18% so
    # với tháng 4/2023; tuy nhiên, tỷ lệ … giảm …"), which indicators those figures name, the area's standing
    # when known ("huyện … vẫn xếp ở thứ hạng chưa cao trong phạm vi toàn tỉnh") and further paragraphs.
    opening: str = (
        "Trong {period}, các cơ quan, đơn vị, UBND các {communes} đã có nhiều cố gắng trong thực hiện nhiệm vụ "
        "Cải cách hành chính. Kết quả {figures}"
    )
    headline: tuple[Literal["digitized_input", "digitized_output", "online_payment"], ...] = (
        "digitized_input",
        "digitized_output",
        "online_payment",
    )
    standing: str | None = None
    assessment: tuple[str, ...] = ()
    remind_title: str = (
        "Đối với các cơ quan, đơn vị, UBND {communes} có kết quả thực hiện nhiệm vụ cải cách hành chính đạt thấp"
    )
    # The request closing each group of a section: by indicator, by situation ("rising", "falling",
    # "repeated": falling again, "low", "window": a good month in a poor year) or both ("repeated.digitized_input");
    # the most specific given is used. {label}: the indicator's name; {rest}: the months left in the year.
    requests: dict[str, str] = Field(default_factory=lambda: dict(REQUESTS))
    # Standing requests printed under an indicator's heading when the month names no unit on it (seed 000, 2.4).
    standing_requests: dict[
        Literal["digitized_input", "digitized_output", "online_payment", "e_cert"], tuple[str, ...]
    ] = {}
    # A sentence added to a named unit's reason under a sanction (what the data cannot know: "việc đăng tải tin
    # bài … chưa cao"): unit name as the registry writes it, long or short → text.
    reasons: dict[str, str] = {}
    # Standing requirements for the rest of the year, their own numbered section (seed 002, §5): printed when the
    # letter criticises (a ladder step past the first), or always; the closing then is ``requirements_closing``.
    requirements_title: str = "Chủ tịch UBND {area} giao Chủ tịch UBND các {communes} thực hiện đảm bảo"
    requirements: tuple[str, ...] = ()
    requirements_when: Literal["criticism", "always"] = "criticism"
    requirements_closing: str = "Yêu cầu các cơ quan, đơn vị, UBND các {communes} nghiêm túc thực hiện./."
    # A large area: a group names at most this many units (the furthest behind first), counts the rest and points
    # to the appendix that lists them all; a district's groups stay whole.
    named_max: int = Field(default=20, ge=1)
    closing: str = (
        "Yêu cầu các cơ quan, đơn vị, UBND các {communes} nghiêm túc rút kinh nghiệm, tập trung cao độ trong chỉ "
        "đạo thực hiện nhiệm vụ Cải cách hành chính tại địa phương, đơn vị để khắc phục các tình trạng nêu trên "
        "ngay trong {next}./."
    )

    @field_validator("requests")
    @classmethod
    def _known_requests(cls, given: dict[str, str]) -> dict[str, str]:
        """Requests the file gives replace the defaults one by one; a key no section reads is a typo."""
        known = set(REQUEST_INDICATORS) | set(SITUATIONS) | {f"{s}.{i}" for s in SITUATIONS for i in REQUEST_INDICATORS}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(
                f"không có yêu cầu «{unknown[0]}» (dùng: {', '.join(sorted(REQUEST_INDICATORS + SITUATIONS))})"
            )
        return {**REQUESTS, **given}

    copies: tuple[str, ...] = ("Như trên", "CT, các PCT.UBND {area}", "Các cơ quan, đơn vị có liên quan", "Lưu: VT, NV")
    signer: Signer = Signer()
    # The report is the People's Committee's own: signed on its behalf ("TM. ỦY BAN NHÂN DÂN" over "CHỦ TỊCH"),
    # with its own recipients; a name left empty is the letter's signer's.
    report_signer: Signer = Signer(on_behalf="TM. ỦY BAN NHÂN DÂN")
    report_copies: tuple[str, ...] = (
        "Thường trực HĐND {area}",
        "CT, các PCT. UBND {area}",
        "Phòng Nội vụ {area}",
        "Lưu: VT, NV",
    )


class Band(Strict):
    min_share: Decimal = Field(ge=0, le=1)  # share of the maximum score, inclusive
    label: str


class Scoring(Strict):
    """The CCHC index estimate: bands by share of the maximum (highest first) and last year's ranks."""

    bands: tuple[Band, ...] = (
        Band(min_share=Decimal("0.9"), label="Hoàn thành xuất sắc nhiệm vụ"),
        Band(min_share=Decimal("0.8"), label="Hoàn thành tốt nhiệm vụ"),
        Band(min_share=Decimal("0.7"), label="Hoàn thành nhiệm vụ"),
        Band(min_share=Decimal("0"), label="Không hoàn thành nhiệm vụ"),
    )
    previous_ranks: dict[str, int] = {}  # unit name as written → its rank in last year's index
    previous_label: str = "năm trước"

    @field_validator("bands")
    @classmethod
    def _descending(cls, bands: tuple[Band, ...]) -> tuple[Band, ...]:
        shares = [b.min_share for b in bands]
        if not bands or shares != sorted(shares, reverse=True) or shares[-1] != 0:
            raise ValueError("các mức xếp loại phải giảm dần và mức cuối cùng bắt đầu từ 0")
        return bands


class Index766(Strict):
    """The national service index (Quyết định 766/QĐ-TTg): where a group scores full points. Not
    authoritative in public sources, so every threshold is a parameter."""

    online_full_at: float = Field(default=0.5, gt=0, le=1)
    digitization_full_at: float = Field(default=0.8, gt=0, le=1)
    reuse_full_at: float = Field(default=0.8, gt=0, le=1)
    payment_full_at: float | None = Field(default=None, gt=0, le=1)  # None: points in proportion to the rate


class AreaFigure(Strict):
    """A total stated elsewhere (a province's table, a report) to hold the sum of the units against."""

    period: str  # "2023-H1", "2023-05", "2023-04..2023-06"
    column: str  # a count column of the input, e.g. "tiep_nhan"
    scope: Literal["all", "commune_level", "departments"] = "all"
    value: int
    source: str = ""

    @field_validator("period")
    @classmethod
    def _a_period(cls, value: str) -> str:
        parse_period(value)  # a bad period is named with its key when the parameters load
        return value

    @property
    def window(self) -> Window:
        return parse_period(self.period)


class Anomalies(Strict):
    """Thresholds of the data-quality checks (cchc anomalies)."""

    change_pp: float = Field(default=10.0, gt=0)  # a month-on-month change this large, in points, is a sudden change
    robust_z: float = Field(default=3.5, gt=0)  # modified z-score (median and MAD) against history and against peers
    perfect_months: int = Field(default=3, ge=2)  # consecutive months at 100% …
    perfect_max_denominator: int = Field(default=5, ge=1)  # … on denominators this small
    correction_pp: float = Field(default=1.0, gt=0)  # a restated month moving a rate by this much
    min_denominator: int = Field(default=20, ge=1)  # a change on fewer dossiers is at most "thấp" (one moves it 5 pp)
    area_figures: tuple[AreaFigure, ...] = ()


class Params(Strict):
    area: str = config.DEFAULT_AREA
    area_name: str = ""  # the area's word in sentences ("huyện", "tỉnh"); empty: from the registry
    communes: str = ""  # its commune-level units as letters group them ("xã, thị trấn"); empty: from the registry
    departments: str = ""  # its other units ("cơ quan chuyên môn", "sở, ban, ngành"); empty: from the registry
    targets: Targets = Targets()
    payment_window_start: dt.date | None = None  # None: the window starts on 1 January
    rules: Rules = Rules()
    document: DocumentFields = DocumentFields()
    scoring: Scoring = Scoring()
    index766: Index766 = Index766()
    anomalies: Anomalies = Anomalies()
    ladder: tuple[str, str, str] = ("Nhắc nhở lần thứ nhất", "Phê bình lần thứ hai", "Phê bình lần thứ ba")

    def with_area_words(self, words: AreaWords) -> Params:
        """The area's words these parameters leave empty, from its registry: "tỉnh" or "huyện", the issuer
        "UBND tỉnh …", the groups of units present ("xã, phường, đặc khu"; "sở, ban, ngành")."""
        issuer = self.document.issuer or (f"UBND {words.name}" if words.name else "UBND")
        return self.model_copy(
            update={
                "area_name": self.area_name or words.area or "địa bàn",
                "communes": self.communes or words.communes,
                "departments": self.departments or words.departments,
                "document": self.document.model_copy(update={"issuer": issuer}),
            }
        )

    @property
    def area_id(self) -> str:
        """The area's name in the store: ``area`` itself, or a registry file's name without ``.csv``."""
        return workspace.area_id(self.area)

    def scope_label(self, scope: str) -> str:
        """A group's label in tables: "Toàn tỉnh", "Các xã, phường, đặc khu", "Các sở, ban, ngành"."""
        return SCOPE_LABELS[scope].format(area=self.area_name, communes=self.communes, departments=self.departments)

    def desk_label(self, scope: str) -> str:
        return DESK_LABELS[scope].format(area=self.area_name, communes=self.communes, departments=self.departments)

    def payment_window(self, end: Month) -> Window:
        """The online-payment window ending with ``end``: from ``payment_window_start``'s day and month in
        ``end``'s year (1 January when unset), or just ``end`` when that day is still to come."""
        start = self.payment_window_start
        first = Month(end.year, start.month) if start else Month(end.year, 1)
        return Window(min(first, end), end)


# The document fields only the analyst knows, for each period: left blank in the draft until given.
DOCUMENT_FIELDS = {"number": "số văn bản", "date": "ngày ban hành", "signer.name": "họ tên người ký"}


def unset_fields(document: DocumentFields) -> list[str]:
    """The period's document fields still unset ("số văn bản (document.number)" …)."""
    values = {"number": document.number, "date": document.date, "signer.name": document.signer.name}
    return [f"{label} (document.{key})" for key, label in DOCUMENT_FIELDS.items() if not values[key]]


def unset_warning(params: Params, period: Month | ReportPeriod) -> str | None:
    """One warning naming the document fields a draft leaves blank, and where to fill them."""
    missing = unset_fields(params.document)
    if not missing:
        return None
    return (
        f"chưa điền {', '.join(missing)}: bản dự thảo để trống các chỗ đó — điền vào "
        f"{period_file_name(period, params.area_id)} (tạo bằng: cchc params {period}) hoặc chạy với "
        "--number, --date, --signer"
    )


def period_file_name(period: Month | ReportPeriod, area: str) -> str:
    """Where a period's parameters belong in a workspace: ``params/<period>.yaml`` for the area the defaults
    name, ``params/areas/<area>/<period>.yaml`` for another."""
    home_area = workspace.area_id(workspace.default_area())
    return f"params/{period}.yaml" if area == home_area else f"params/areas/{area}/{period}.yaml"


PARAMS_MAX_BYTES = 1 << 20  # a params file is a few KB; past this it is not one
PARAMS_MAX_DEPTH = 64  # brackets open at once; the parser's time grows with it faster than linearly


def _depth(text: str) -> int:
    """How deep "[" and "{" nest outside quotes, without parsing (a cheap bound before the YAML parser)."""
    depth = deepest = 0
    quote = ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def _read(path: Path) -> dict[str, Any]:
    """A params file as data: bounded in size, no YAML aliases (a few bytes of them expand without end), no
    nesting deeper than the parameters have."""
    try:
        if path.stat().st_size > PARAMS_MAX_BYTES:
            raise UsageError(f"{path}: tệp tham số lớn bất thường (trên 1 MB) — kiểm tra lại tệp")
        text = path.read_text(encoding="utf-8")
        if _depth(text) > PARAMS_MAX_DEPTH:
            raise UsageError(f"{path}: tệp tham số lồng nhau quá sâu — kiểm tra các dấu [ ] {{ }}")
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise UsageError(f"{path}: tệp tham số dùng bí danh YAML (*tên) — viết đầy đủ từng giá trị")
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        why = "có ký tự không phải chữ" if isinstance(exc, yaml.reader.ReaderError) else "sai cú pháp"
        raise UsageError(
            f"{path}: không đọc được YAML{where} ({why}) — kiểm tra thụt lề, dấu «:» và ký tự lạ"
        ) from None
    except RecursionError:
        raise UsageError(f"{path}: tệp tham số lồng nhau quá sâu — kiểm tra lại tệp") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: không phải văn bản UTF-8 — mở bằng trình soạn thảo và lưu lại dạng UTF-8") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: tệp tham số phải là một bảng khóa: giá trị")
    _refuse_not_text(path, data, [])
    return data


def _refuse_not_text(path: Path, value: Any, where: list[str]) -> None:
    """A parameter's text holding a control, bidirectional or zero-width character, named with its key."""
    from cchc_analysis.core.textnorm import NOT_TEXT_HELP, not_text

    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_not_text(path, key, where)
            _refuse_not_text(path, item, [*where, str(key)])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_not_text(path, item, [*where, str(i)])
    elif isinstance(value, str) and (code := not_text(value)):
        raise UsageError(f"{path}, khóa {'.'.join(where) or '(gốc)'}: có {code}: {NOT_TEXT_HELP}")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def param_sources(
    period: Month | ReportPeriod | None = None,
    path: Path | None = None,
    params_dir: Path | None = None,
    area: str | None = None,
    fallback: Path | None = None,
) -> list[Path]:
    """The files a run's parameters come from, in the order they apply (missing ones left out): the defaults,
    the area's own (``params/areas/<area>.yaml``: its document's words, recipients …), then ``path`` or the
    period's — ``params/<period>.yaml`` for the area the defaults name, ``params/areas/<area>/<period>.yaml`` for
    another (a province's August is not the district's). ``fallback``: the period's file when the workspace has
    none (the embedded sample's own, for a store that holds only the sample in that period)."""

    def lookup(name: str) -> Path | None:
        return params_dir / name if params_dir else workspace.params_file(name)

    defaults = lookup("defaults.yaml")
    home_area = (_read(defaults).get("area") if defaults and defaults.is_file() else None) or config.DEFAULT_AREA
    chosen = workspace.area_id(area) if area else None
    if path is not None:
        if not path.is_file():
            raise UsageError(f"không có tệp tham số {path}")
        last = path
    elif period and chosen and chosen != workspace.area_id(home_area):
        last = lookup(f"areas/{chosen}/{period}.yaml")
    else:
        last = lookup(f"{period}.yaml") if period else None
    if chosen is None:  # the area the files name, the last one winning
        chosen = workspace.area_id(home_area)
        if last is not None and last.is_file():
            chosen = workspace.area_id(_read(last).get("area") or chosen)
    if (last is None or not last.is_file()) and fallback is not None and chosen == config.SAMPLE_AREA:
        last = fallback
    own = lookup(f"areas/{chosen}.yaml")
    return [s for s in (defaults, own, last) if s is not None and s.is_file()]


def load_params(
    period: Month | ReportPeriod | None = None,
    path: Path | None = None,
    params_dir: Path | None = None,
    area: str | None = None,
    document: dict[str, Any] | None = None,
    fallback: Path | None = None,
) -> Params:
    """Defaults, then the period's file (``params/<period>.yaml``, else ``fallback``) or ``path`` when given;
    ``area`` (``--area``: a name or a path to a registry CSV) and ``document`` (``--number``, ``--date``,
    ``--signer``) over the files' own. The area's words the files leave empty come from its registry:
    ``Params.with_area_words`` (runs.inputs does both)."""
    merged: dict[str, Any] = {}
    if area:
        workspace.units_file(area)  # a registry that does not exist is named now, not as "no data" later
    sources = param_sources(period, path, params_dir, area, fallback)
    for source in sources:
        merged = _merge(merged, _read(source))
    if document:
        merged = _merge(merged, {"document": document})
    if area:
        merged["area"] = area
    try:
        return Params.model_validate(merged)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            what = "khóa không được phép" if err["type"] == "extra_forbidden" else err["msg"]
            lines.append(f"{where}: {what}")
        raise UsageError(f"tham số không hợp lệ ({', '.join(s.name for s in sources)}): " + "; ".join(lines)) from None


def period_file_text(period: Month | ReportPeriod) -> str:
    """A period's parameters with every document field its drafts need, empty and explained: what
    ``cchc params PERIOD`` writes for the analyst to fill."""
    monthly = isinstance(period, Month)
    what = "công văn biểu dương, nhắc nhở" if monthly else "báo cáo cải cách hành chính"
    run = f"cchc run {'monthly' if monthly else 'semiannual'} {period}"
    lines = [
        f"# Tham số riêng của {period.label()}: {what}. Điền các chỗ trống rồi chạy lại: {run}",
        '# Để trống (null hoặc "") thì bản dự thảo để chỗ trống như văn thư để, và lệnh chạy nhắc một lần.',
        "# Có thể ghi thêm bất kỳ khóa nào của params/defaults.yaml để thay cho riêng kỳ này (quy tắc, chỉ tiêu).",
        "document:",
        f'  number: null      # số văn bản, ví dụ "125/{"UBND-NV" if monthly else "BC-UBND"}"; trống: «Số: …/…»',
        f"  date: null        # ngày ban hành, ví dụ {(period.window.end + 1).first_day:%Y-%m-%d}; trống: «ngày … tháng … năm …»",
    ]
    if monthly:
        lines += [
            "  notice: null      # văn bản của cấp trên mà công văn thực hiện, ví dụ "
            '"Thông báo số …/TB-VP ngày … của Văn phòng UBND tỉnh …"; trống: không nêu',
            "  standing: null    # thứ hạng của địa bàn nếu đã biết, nối sau các tỷ lệ ở phần mở đầu, ví dụ "
            '"huyện … vẫn xếp ở thứ hạng chưa cao trong phạm vi toàn tỉnh"; trống: không nêu',
            "  assessment: []    # các đoạn nhận xét thêm sau phần mở đầu (số liệu không có), mỗi đoạn một dòng «- …»",
            "  reasons: {}       # thêm vào lý do nhắc nhở, phê bình của một đơn vị, ví dụ "
            '{Hưng Đạo: "việc đăng tải tin bài … chưa kịp thời"}',
        ]
    else:
        lines += [
            "  report_basis: null  # văn bản báo cáo thực hiện, ví dụ "
            '"Kế hoạch số …/KH-UBND ngày … của UBND … về …"; trống: không nêu',
            "  report_texts: {}    # các phần số liệu không viết được, theo mã lĩnh vực (chi_dao, the_che, …) hoặc "
            "procedures, positive, shortcomings, causes, directions: mỗi phần một danh sách đoạn văn; trống: để chỗ",
        ]
    lines += [
        "  signer:",
        "    # on_behalf: KT. CHỦ TỊCH   # khi Phó Chủ tịch ký thay (bỏ dấu # ở đầu dòng)",
        "    # title: PHÓ CHỦ TỊCH       # chức vụ người ký, nếu không phải CHỦ TỊCH",
        '    name: ""                   # họ và tên người ký',
    ]
    return "\n".join(lines) + "\n"


def write_period_file(period: Month | ReportPeriod, area: str | None = None, force: bool = False) -> Path:
    """``cchc params PERIOD``: the period's parameters file in the workspace, its document fields empty to fill.
    An existing file is never overwritten without ``force``."""
    root = workspace.find_workspace() or workspace.home()
    if root is None:
        raise UsageError("chưa có thư mục làm việc — tạo bằng cchc init THƯ_MỤC rồi chạy lệnh này trong đó")
    target = root / period_file_name(period, workspace.area_id(area or workspace.default_area()))
    if target.exists() and not force:
        raise UsageError(f"đã có {target} — sửa tệp đó, hoặc thêm --force để ghi lại tệp trống")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(period_file_text(period), encoding="utf-8")
    except OSError as exc:
        from cchc_analysis.core.exceptions import os_reason

        raise UsageError(f"không ghi được {target} ({os_reason(exc)}) — kiểm tra quyền ghi") from None
    return target
