"""The anomalies page as one Vega-Lite specification, so that every view shares its selections: a unit picker
(the registry's names) and an indicator picker; the picked unit's months beside the area's rate, its findings'
rules in the tooltips and its denominators; a unit × month heatmap per indicator, cells with a finding on that
indicator outlined; the reports each unit sent or did not send. Clicking a cell or a row picks its unit everywhere.
The data travels once, as named datasets; the page needs no network (Vega is inlined by ``charts.enable``)."""

from __future__ import annotations

import warnings
from typing import Any

import altair as alt
import polars as pl

from cchc_analysis.compute.coverage import SOURCE_SHORT
from cchc_analysis.compute.exploration import INDICATORS, RATE_INDICATORS
from cchc_analysis.core.glossary import INDICATOR_SHORT, LABELS
from cchc_analysis.render.charts import configure, records

_CELL = 13  # pixels a unit's row takes in a heatmap: 35 units in 455 px, 129 in 1.677 px (the page scrolls)
_FLAG, _AREA, _UNIT = "#000000", "#444444", "#2e6da4"


def page(
    cells: pl.DataFrame,
    area: pl.DataFrame,
    reports: pl.DataFrame,
    title: str,
    unit: str | None = None,
    targets: dict[str, float] | None = None,
) -> Page:
    """The combined chart; ``unit`` (an id): the page locked to that unit (a page to send to one commune);
    ``targets``: each rate's target, drawn beside the unit's months."""
    units = cells.select("unit_id", "unit", "order").unique().sort("order")
    if unit is not None:
        units = units.filter(pl.col("unit_id") == unit)
        cells, reports = cells.filter(pl.col("unit_id") == unit), reports.filter(pl.col("unit_id") == unit)
    ids, names = units["unit_id"].to_list(), units["unit"].to_list()
    flagged = cells.filter(pl.col("check").is_not_null())
    # the page opens on a unit with a finding on an indicator, else on the first with data: never on an empty view
    reporting = cells.filter(pl.col("value").is_not_null() & pl.col("indicator").is_in(RATE_INDICATORS))
    first = next((f.item(0, "unit_id") for f in (flagged, reporting) if f.height), ids[0] if ids else "")
    pick = alt.selection_point(
        name="don_vi",
        fields=["unit_id"],
        value=[{"unit_id": first}],
        on="click",
        clear=False,
        bind=alt.binding_select(options=ids, labels=names, name="Đơn vị: "),
    )
    shown = alt.param(
        name="chi_tieu",
        value=INDICATORS[0],
        bind=alt.binding_select(
            options=list(INDICATORS), labels=[INDICATOR_SHORT[i] for i in INDICATORS], name="Chỉ tiêu: "
        ),
    )
    months = cells["month"].unique().sort()
    with warnings.catch_warnings():  # one picker shared by every view is the point: Altair says it merged them
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        return _page(cells, area, reports, title, pick, shown, months.len(), targets or {})


def _page(
    cells: pl.DataFrame,
    area: pl.DataFrame,
    reports: pl.DataFrame,
    title: str,
    pick: Any,
    shown: Any,
    n_months: int,
    targets: dict[str, float],
) -> Page:
    heat = [_heatmap(ind, pick, _lowest(cells, ind)) for ind in INDICATORS]
    rows = [alt.hconcat(*heat[i : i + 3]).resolve_scale(color="independent") for i in range(0, len(heat), 3)]
    chart = alt.vconcat(
        _unit_view(pick, n_months),
        *rows,
        _reports(pick),
        title=alt.Title(title, anchor="start", fontSize=16),
    ).resolve_scale(color="independent")
    datasets = {
        "dv": records(cells.select("unit_id", "unit", "order").unique().sort("order")),
        "o": _compact(
            cells.select(
                "unit_id",
                pl.col("month").dt.strftime("%Y-%m-15"),
                "indicator",
                pl.col("value").round(4),
                "numerator",
                "denominator",
                pl.col("previous").round(4),
                "check",
                "threshold",
                "severity",
                pl.col("z_own").round(2),
                pl.col("z_peer").round(2),
            )
        ),
        "vung": records(area.select("indicator", pl.col("month").dt.strftime("%Y-%m-15"), pl.col("value").round(4))),
        "chi_tieu_giao": [{"indicator": k, "target": v} for k, v in targets.items()],
        "bao_cao": _compact(reports.select("unit_id", pl.col("month").dt.strftime("%Y-%m-15"), "source", "sent")),
    }
    return Page(configure(chart.add_params(shown)).configure_view(stroke=None), datasets)


class Page:
    """The page's chart and its data. Altair checks the chart against the Vega-Lite schema; the data (tens of
    thousands of plain records for a province, which that check walked one by one for seconds) joins the
    specification after it, as the named datasets the chart refers to."""

    def __init__(self, chart: alt.TopLevelMixin, datasets: dict[str, list[dict]]) -> None:
        self.chart, self.datasets = chart, datasets

    def to_dict(self) -> dict[str, Any]:
        spec = self.chart.to_dict()
        spec["datasets"] = {**spec.get("datasets", {}), **self.datasets}
        return spec

    def _repr_mimebundle_(self, *_: Any, **__: Any) -> Any:
        """Shown in a notebook through Altair's active renderer, as a chart would be."""
        render = alt.renderers.get()
        if render is None:  # no renderer enabled: the specification itself, as Altair would give it
            return {"application/vnd.vegalite.v5+json": self.to_dict()}
        return render(self.to_dict())


def _compact(frame: pl.DataFrame) -> list[dict]:
    """Records without their empty fields (a cell with no finding carries no rule, no threshold): a 129-unit
    year is thousands of cells, and an absent field reads as empty in the page's expressions. Months are the
    15th, a day no time zone moves into another month."""
    return [{k: v for k, v in r.items() if v is not None} for r in frame.iter_rows(named=True)]


def _units(chart: alt.Chart) -> alt.Chart:
    """The unit's name and place in the list, looked up once per cell from the units' own dataset."""
    return chart.transform_lookup(
        lookup="unit_id", from_=alt.LookupData(alt.NamedData("dv"), "unit_id", ["unit", "order"])
    )


def _tooltip() -> list[alt.Tooltip]:
    fields = [
        ("unit", LABELS["unit"]),
        ("thang", LABELS["month"]),
        ("label", LABELS["indicator"]),
        ("shown", LABELS["value"]),
        ("before", LABELS["previous"]),
        ("tu_so", LABELS["numerator"]),
        ("mau_so", LABELS["denominator"]),
        ("quy_tac", "Quy tắc"),
        ("nguong", LABELS["threshold"]),
        ("muc_do", LABELS["severity"]),
        ("z1", LABELS["z_own"]),
        ("z2", LABELS["z_peer"]),
    ]
    return [alt.Tooltip(f"{name}:N", title=title) for name, title in fields]


def _formatted(base: alt.Chart) -> alt.Chart:
    """Every tooltip field as a reader reads it: a rate in %, a count as a number, "—" where there is none (no
    rule fired, no denominator), never "null"."""
    is_rate = "datum.indicator != 'e_cert'"

    def number(field: str, spec: str) -> str:
        return f"datum.{field} == null ? '—' : format(datum.{field}, '{spec}')"

    names = ", ".join(f"'{k}': '{INDICATOR_SHORT[k]}'" for k in INDICATORS)
    return base.transform_calculate(
        label=f"{{{names}}}[datum.indicator]",
        flagged="datum.check != null",
        shown=f"datum.value == null ? '—' : ({is_rate} ? format(datum.value, '.2%') : format(datum.value, ',d'))",
        before=f"datum.previous == null ? '—' : ({is_rate} ? format(datum.previous, '.2%') : format(datum.previous, ',d'))",
        thang="timeFormat(toDate(datum.month), '%m/%Y')",
        tu_so=number("numerator", ",d"),
        mau_so=number("denominator", ",d"),
        quy_tac="datum.check == null ? '—' : datum.check",
        nguong="datum.threshold == null ? '—' : datum.threshold",
        muc_do="datum.severity == null ? '—' : datum.severity",
        z1=number("z_own", ".2f"),
        z2=number("z_peer", ".2f"),
    )


def _lowest(cells: pl.DataFrame, indicator: str) -> float:
    """Where a rate's colour scale begins: the tenth below the lowest twentieth of its cells (payment rates sit near
    30 %, digitization near 95 %), so that each heatmap shows its own spread."""
    values = cells.filter(pl.col("indicator") == indicator)["value"].drop_nulls()
    if values.is_empty():
        return 0.5
    return max(0.0, min(0.9, int(float(values.quantile(0.05) or 0) * 10) / 10))


def _heatmap(indicator: str, pick: Any, lowest: float) -> alt.Chart:
    rate = indicator in RATE_INDICATORS
    colour = (
        alt.Color(
            "value:Q",
            title="Tỷ lệ",
            scale=alt.Scale(scheme="redyellowgreen", domain=[lowest, 1], clamp=True),
            legend=alt.Legend(format=".0%", orient="bottom", direction="horizontal", gradientLength=120),
        )
        if rate
        else alt.Color("value:Q", title="Số bản", scale=alt.Scale(scheme="blues"), legend=alt.Legend(orient="bottom"))
    )
    base = _formatted(_units(alt.Chart(alt.NamedData("o")).transform_filter(f"datum.indicator == '{indicator}'")))
    return (
        base.mark_rect()
        .encode(
            x=alt.X("month:O", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%m", labelAngle=0)),
            y=alt.Y("unit:N", sort=alt.EncodingSortField("order"), title=None, axis=alt.Axis(labelLimit=170)),
            color=colour,
            stroke=alt.condition("datum.flagged", alt.value(_FLAG), alt.value(None)),
            strokeWidth=alt.condition("datum.flagged", alt.value(2), alt.value(0)),
            opacity=alt.condition(pick, alt.value(1), alt.value(0.55)),
            tooltip=_tooltip(),
        )
        .add_params(pick)
        .properties(
            title=alt.Title(
                f"{INDICATOR_SHORT[indicator].capitalize()} ({'tỷ lệ' if rate else 'số bản'})",
                subtitle="Viền đen: có cảnh báo về chỉ tiêu này",
            ),
            width=alt.Step(16),
            height=alt.Step(_CELL),
        )
    )


def _unit_view(pick: Any, n_months: int) -> alt.LayerChart:
    """The picked unit's months on the picked indicator (points black where a rule fired), the area's rate as a
    dashed line, the target (params.targets) as a dotted green one, and the unit's name written above them."""
    width = max(360, 40 * n_months)
    mine = _formatted(
        _units(alt.Chart(alt.NamedData("o"))).transform_filter(pick).transform_filter("datum.indicator == chi_tieu")
    )
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y", tickCount="month"))
    line = mine.mark_line(point=False, color=_UNIT, invalid="break-paths-show-domains").encode(
        x=x, y=alt.Y("value:Q", title=LABELS["value"], scale=alt.Scale(zero=False))
    )
    dots = mine.mark_point(filled=True, size=80).encode(
        x=x,
        y="value:Q",
        color=alt.condition("datum.flagged", alt.value(_FLAG), alt.value(_UNIT)),
        shape=alt.condition("datum.flagged", alt.value("diamond"), alt.value("circle")),
        tooltip=_tooltip(),
    )
    average = (
        alt.Chart(alt.NamedData("vung"))
        .transform_filter("datum.indicator == chi_tieu")
        .mark_line(color=_AREA, strokeDash=[4, 3])
        .encode(x=x, y="value:Q", tooltip=[alt.Tooltip("value:Q", title="Bình quân chung", format=".2%")])
    )
    goal = (
        alt.Chart(alt.NamedData("chi_tieu_giao"))
        .transform_filter("datum.indicator == chi_tieu")
        .mark_rule(color="#27864a", strokeDash=[2, 2])
        .encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title="Chỉ tiêu giao", format=".0%")])
    )
    name = (
        mine.transform_aggregate(unit="min(unit)", label="min(label)")
        .transform_calculate(text="'Đơn vị: ' + datum.unit + ' — ' + datum.label + ' (nét đứt: bình quân chung)'")
        .mark_text(align="left", baseline="top", fontSize=13, fontWeight="bold", dy=-14)
        .encode(text="text:N", x=alt.value(0), y=alt.value(0))
    )
    return alt.LayerChart(layer=[average, goal, line, dots, name], width=width, height=220)


def _reports(pick: Any) -> alt.Chart:
    """Units × months × source: what was sent, and what was not, units that never reported included."""
    return (
        _units(alt.Chart(alt.NamedData("bao_cao")))
        .transform_calculate(status="datum.sent ? 'Đã có' : 'Thiếu'")
        .mark_rect(stroke="#ffffff", strokeWidth=1)
        .encode(
            x=alt.X("month:O", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%m", labelAngle=0)),
            y=alt.Y("unit:N", sort=alt.EncodingSortField("order"), title=None, axis=alt.Axis(labelLimit=170)),
            column=alt.Column(
                "source:N",
                title=None,
                sort=list(SOURCE_SHORT.values()),
                header=alt.Header(labelFontWeight="bold", labelAngle=0, labelLimit=90),
            ),
            color=alt.Color(
                "status:N",
                title="Báo cáo",
                scale=alt.Scale(domain=["Đã có", "Thiếu"], range=["#cfe3c6", "#c0392b"]),
                legend=alt.Legend(orient="bottom"),
            ),
            opacity=alt.condition(pick, alt.value(1), alt.value(0.6)),
            tooltip=[
                alt.Tooltip("unit:N", title=LABELS["unit"]),
                alt.Tooltip("month:T", title=LABELS["month"], format="%m/%Y"),
                alt.Tooltip("source:N", title="Nguồn"),
                alt.Tooltip("status:N", title="Báo cáo"),
            ],
        )
        .add_params(pick)
        .properties(
            title=alt.Title("Báo cáo đã gửi và còn thiếu", subtitle="Cả đơn vị trong danh mục chưa từng báo cáo"),
            width=alt.Step(12),
            height=alt.Step(_CELL),
        )
    )
