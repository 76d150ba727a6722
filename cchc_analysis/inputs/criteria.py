"""CCHC index criteria as data: ``params/criteria/<area>-<year>-<unit kind>.yaml``.

A criterion is scored one of three ways: ``self`` (the unit's self-assessed score, from an input file),
``computed`` (from the stored indicators by thresholds) or ``deferred`` (not assessable before year end:
0 points, shown as such). Points are decimals, so an edge such as exactly 80% is never lost to rounding.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from cchc_analysis.core import workspace
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.params import Strict

INDICATORS = ("on_time", "digitized_input", "digitized_output", "online", "online_payment", "e_cert", "reuse")


class Criterion(Strict):
    id: str
    name: str
    max: Decimal = Field(gt=0)
    method: Literal["self", "computed", "deferred"] = "self"
    indicator: str | None = None
    # (lowest value, share of max), highest first: [[1.0, 1], [0.95, 0.5]] = 100% → full, 95% → half, else 0.
    # Rates are fractions; e-certification and reuse are counts.
    thresholds: tuple[tuple[Decimal, Decimal], ...] = ()

    @model_validator(mode="after")
    def _method_fits(self) -> Criterion:
        if self.method == "computed":
            if self.indicator not in INDICATORS:
                raise ValueError(f"tiêu chí {self.id}: chỉ tiêu «{self.indicator}» không có ({', '.join(INDICATORS)})")
            if not self.thresholds:
                raise ValueError(f"tiêu chí {self.id}: thiếu ngưỡng (thresholds)")
            lows = [t[0] for t in self.thresholds]
            if lows != sorted(lows, reverse=True) or any(not 0 <= s <= 1 for _, s in self.thresholds):
                raise ValueError(f"tiêu chí {self.id}: ngưỡng phải giảm dần, tỷ lệ điểm trong [0, 1]")
        elif self.indicator or self.thresholds:
            raise ValueError(f"tiêu chí {self.id}: chỉ tiêu và ngưỡng chỉ dùng với method: computed")
        return self

    def computed_points(self, value: float | int | None) -> Decimal:
        if value is None:
            return Decimal(0)
        v = Decimal(str(value))
        for low, share in self.thresholds:
            if v >= low:
                return self.max * share
        return Decimal(0)


class FieldSpec(Strict):
    id: str
    name: str
    short: str | None = None  # for table headers: "Thủ tục hành chính"
    max: Decimal = Field(gt=0)
    criteria: tuple[Criterion, ...]

    @model_validator(mode="after")
    def _sums(self) -> FieldSpec:
        total = sum((c.max for c in self.criteria), Decimal(0))
        if total != self.max:
            raise ValueError(f"lĩnh vực {self.id}: tổng điểm các tiêu chí {total} khác điểm tối đa {self.max}")
        return self


class CriteriaSet(Strict):
    area: str
    year: int
    unit_kind: str  # the file's name part: "xa", "huyen"
    applies_to: tuple[str, ...]  # unit kinds scored with this set
    title: str
    max_total: Decimal
    fields: tuple[FieldSpec, ...]

    @model_validator(mode="after")
    def _consistent(self) -> CriteriaSet:
        total = sum((f.max for f in self.fields), Decimal(0))
        if total != self.max_total:
            raise ValueError(f"tổng điểm tối đa các lĩnh vực {total} khác max_total {self.max_total}")
        ids = [c.id for f in self.fields for c in f.criteria]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"mã tiêu chí trùng: {', '.join(dup)}")
        return self

    @property
    def criteria(self) -> dict[str, Criterion]:
        return {c.id: c for f in self.fields for c in f.criteria}


def load_criteria(path: Path) -> CriteriaSet:
    if not path.is_file():
        raise UsageError(f"không có bộ tiêu chí {path} — tạo tệp params/criteria/<địa bàn>-<năm>-<loại đơn vị>.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return CriteriaSet.model_validate(data)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: không đọc được YAML ({exc.__class__.__name__})") from None
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            what = (
                "khóa không được phép" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            )
            lines.append(f"{where}: {what}" if where else what)
        raise UsageError(f"bộ tiêu chí {path.name} không hợp lệ: " + "; ".join(lines)) from None


def criteria_sets(area: str, year: int, directory: Path | None = None) -> list[CriteriaSet]:
    """Every criteria set of an area and year (one per unit kind)."""
    paths = (
        sorted(directory.glob(f"{area}-{year}-*.yaml"))
        if directory
        else workspace.criteria_files(f"{area}-{year}-*.yaml")
    )
    sets = [load_criteria(p) for p in paths]
    if not sets:
        where = directory or "params/criteria/ (thư mục làm việc, CCHC_HOME, mặc định)"
        raise UsageError(
            f"chưa có bộ tiêu chí cho {area} năm {year} trong {where} — tạo tệp "
            f"params/criteria/{area}-{year}-<loại đơn vị>.yaml trong thư mục làm việc"
        )
    return sets


def set_for_kind(sets: list[CriteriaSet], kind: str) -> CriteriaSet | None:
    return next((s for s in sets if kind in s.applies_to), None)
