"""Altair charts with Vietnamese labels and number format, rendered as SVG (vl-convert) so that they work
offline, in the notebook's HTML and in print."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import altair as alt
import polars as pl

from cchc_analysis.core import config
from cchc_analysis.core.escaping import script_json
from cchc_analysis.core.formatting import integer
from cchc_analysis.core.glossary import INDICATOR_SHORT, LABELS
from cchc_analysis.documents.monthly import MonthlyReview
from cchc_analysis.render.fonts import FONT_DIR, FONT_FAMILY

if TYPE_CHECKING:
    from cchc_analysis.core.periods import Month
    from cchc_analysis.inputs.units import Registry

_VI_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"], "percent": "%"}
_AREA_COLOUR, _BELOW, _ABOVE, _TARGET = "#444444", "#c0392b", "#2e6da4", "#27864a"


_bundle_sent = False  # whether this kernel's page already has Vega (see _html_output)


def enable(renderer: str = "svg") -> None:
    """Use the shipped font and the given renderer: ``svg`` (offline, printable) or ``html`` (interactive, with
    Vega inlined once per page so it needs no network)."""
    import vl_convert as vlc

    global _bundle_sent
    vlc.register_font_directory(str(FONT_DIR))
    if renderer == "html":
        _bundle_sent = False
        alt.renderers.register("cchc_html", _html_output)
        alt.renderers.enable("cchc_html")
    else:
        alt.renderers.enable(renderer)


def _html_output(spec: dict, **_: object) -> dict[str, str]:
    """One chart as HTML embedded against a single Vega bundle per page. The bundle's top-level ``const``s would
    clash if it were loaded twice ("Identifier has already been declared"), so it travels with the first chart
    only, inside a function scope and guarded; every chart waits for ``vegaEmbed`` and embeds its spec, which is
    escaped so no string in the data can end the script."""
    import uuid

    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    global _bundle_sent
    parts = []
    if not _bundle_sent:
        # the stub marks snippet as required; at run time it is optional (the default puts vegaEmbed on window)
        bundle = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())  # pyright: ignore[reportCallIssue]
        parts.append(f"<script>if (!window.vegaEmbed) {{ (function () {{\n{bundle}\n}})(); }}</script>")
        _bundle_sent = True
    if len(parts) == 1:  # the page's first chart: its pickers above it, where a reader looks first
        parts.append(
            "<style>.cchc-chart{display:flex;flex-direction:column}.cchc-chart .vega-bindings{order:-1}</style>"
        )
    div = f"cchc-chart-{uuid.uuid4().hex}"
    parts.append(
        f'<div id="{div}" class="cchc-chart"></div>'
        f"<script>(function () {{ var spec = {script_json(spec)}; var tries = 0;"
        f' function draw() {{ if (window.vegaEmbed) {{ window.vegaEmbed("#{div}", spec,'
        f' {{"actions": false, "renderer": "svg"}}).catch(console.error); }}'
        f" else if (tries++ < 200) {{ setTimeout(draw, 50); }} }} draw(); }})();</script>"
    )
    return {"text/html": "".join(parts)}


def configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT_FAMILY, locale={"number": _VI_NUMBERS})
        .configure_axis(labelFontSize=11, titleFontSize=12)
        .configure_title(fontSize=14, anchor="start")
    )


def records(frame: pl.DataFrame) -> list[dict]:
    # Altair takes plain records, so the notebook needs neither pandas nor pyarrow conversion.
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def rate_vs_area(review: MonthlyReview, indicator: str) -> alt.TopLevelMixin:
    """Each unit's rate in the month, sorted, against the area rate (and the target where there is one)."""
    title = f"Tỷ lệ {INDICATOR_SHORT[indicator]} {review.month.label()}"
    return unit_rates(
        review.units.filter(pl.col("indicator") == indicator),
        review.area_rate(indicator),
        getattr(review.params.targets, indicator, None),
        title,
        review.area_name,
        indicator,
    )


def unit_rates(
    rates: pl.DataFrame, area: float | None, target: float | None, title: str, area_name: str, indicator: str
) -> alt.TopLevelMixin:
    """Bars of each unit's rate (``unit``, ``rate``, ``numerator``, ``denominator``), sorted, red below the
    area rate, with the area rate and the target (when below 100%) as dashed rules. An area of more units than a
    notebook shows (``config.NOTEBOOK_ROWS``) is drawn as its distribution, then its lowest units as bars."""
    df = (
        rates.filter(pl.col("rate").is_not_null())
        .select("unit", "rate", "numerator", "denominator")
        .with_columns(below=pl.col("rate") < area if area is not None else pl.lit(False))
    )
    full = f"{title}: bình quân chung {_pct(area)}" + (f"; chỉ tiêu {_pct(target)}" if target and target < 1 else "")
    if df.height > config.NOTEBOOK_ROWS:
        lowest = df.sort("rate").head(_LOWEST)
        return configure(
            alt.vconcat(
                _distribution(df, area, target, area_name, indicator).properties(title=full),
                _bars(lowest, area, target, area_name, indicator).properties(
                    title=f"{integer(_LOWEST)} đơn vị có tỷ lệ thấp nhất trong {integer(df.height)} đơn vị"
                ),
            )
        )
    return configure(_bars(df, area, target, area_name, indicator).properties(title=full))


_LOWEST = 30  # the units a large area's chart names


def _rules(area: float | None, target: float | None, area_name: str) -> list[alt.Chart]:
    """The area rate and the target (when below 100%) as dashed vertical rules."""
    rules = [{"name": f"Bình quân chung {area_name}", "value": area, "colour": _AREA_COLOUR}]
    if target is not None and target < 1:
        rules.append({"name": "Chỉ tiêu", "value": target, "colour": _TARGET})
    return [
        alt.Chart(alt.Data(values=[rule]))
        .mark_rule(color=rule["colour"], strokeDash=[4, 3], size=1.5)
        .encode(x="value:Q")
        for rule in rules
        if rule["value"] is not None
    ]


def _distribution(
    df: pl.DataFrame, area: float | None, target: float | None, area_name: str, indicator: str
) -> alt.LayerChart:
    """How many units have each rate, in bins of one percentage point counted here (the chart carries a hundred
    bins, not a record per unit), red below the area rate."""
    binned = (
        df.with_columns(low=(pl.col("rate") * 100).floor().clip(0, 99) / 100)
        .group_by("low")
        .agg(units=pl.len())
        .with_columns(high=pl.col("low") + 0.01, below=pl.col("low") + 0.01 <= (area if area is not None else 0))
        .sort("low")
    )
    bars = (
        alt.Chart(alt.Data(values=records(binned)))
        .mark_bar()
        .encode(
            x=alt.X(
                "low:Q",
                bin="binned",
                title=f"Tỷ lệ {INDICATOR_SHORT[indicator]}",
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[_start(df, area, target), 1]),
            ),
            x2="high:Q",
            y=alt.Y("units:Q", title="Số đơn vị"),
            color=alt.Color("below:N", legend=None, scale=alt.Scale(domain=[True, False], range=[_BELOW, _ABOVE])),
            tooltip=[
                alt.Tooltip("low:Q", title="Từ", format=".0%"),
                alt.Tooltip("high:Q", title="Đến", format=".0%"),
                alt.Tooltip("units:Q", title="Số đơn vị", format=",d"),
            ],
        )
    )
    return alt.LayerChart(layer=[bars, *_rules(area, target, area_name)], width=420, height=200)


def _start(df: pl.DataFrame, area: float | None, target: float | None) -> float:
    """Where the rate axis begins: rates near 100% would otherwise look all alike."""
    lowest = min([r for r in [df["rate"].min(), area, target] if r is not None], default=0)
    return max(0.0, int(lowest * 10) / 10 - 0.05)


def _bars(df: pl.DataFrame, area: float | None, target: float | None, area_name: str, indicator: str) -> alt.LayerChart:
    label = INDICATOR_SHORT[indicator]
    start = _start(df, area, target)
    base = alt.Chart(alt.Data(values=records(df)))
    bars = base.mark_bar().encode(
        x=alt.X(
            "rate:Q",
            title=f"Tỷ lệ {label}",
            axis=alt.Axis(format=".0%"),
            scale=alt.Scale(domain=[start, 1], clamp=True),
        ),
        y=alt.Y("unit:N", sort="-x", title=None),
        color=alt.Color("below:N", legend=None, scale=alt.Scale(domain=[True, False], range=[_BELOW, _ABOVE])),
        tooltip=[
            alt.Tooltip("unit:N", title=LABELS["unit"]),
            alt.Tooltip("rate:Q", title=LABELS["rate"], format=".2%"),
            alt.Tooltip("numerator:Q", title="Tử số", format=",d"),
            alt.Tooltip("denominator:Q", title="Mẫu số", format=",d"),
        ],
    )
    return alt.LayerChart(layer=[bars, *_rules(area, target, area_name)], width=420, height=max(160, 15 * df.height))


def score_shares(totals: pl.DataFrame, bands) -> alt.TopLevelMixin:
    """Each unit's estimated CCHC score as a share of the maximum, coloured by band."""
    df = totals.select("unit", "share", "points", "max", "band", "rank")
    chart = (
        alt.Chart(alt.Data(values=records(df)))
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title="Tỷ lệ điểm trên điểm tối đa",
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0.5, 1], clamp=True),
            ),
            y=alt.Y("unit:N", sort=alt.EncodingSortField("rank"), title=None),
            color=alt.Color("band:N", title="Dự kiến xếp loại", sort=[b.label for b in bands]),
            tooltip=[
                alt.Tooltip("unit:N", title=LABELS["unit"]),
                alt.Tooltip("points:Q", title="Điểm", format=".2f"),
                alt.Tooltip("share:Q", title=LABELS["rate"], format=".2%"),
                alt.Tooltip("rank:Q", title="Xếp hạng"),
            ],
        )
    )
    return configure(
        chart.properties(title="Ước tính Chỉ số CCHC theo đơn vị", width=420, height=max(160, 15 * df.height))
    )


def trends(review: MonthlyReview, indicator: str, units: list[str] | None = None) -> alt.TopLevelMixin:
    """Monthly rates since January of the named units (default: those the letter names on this indicator),
    beside the area rate. A month without data is a gap in the line, never a segment across it."""
    if units is None:
        units = review.findings.filter(pl.col("indicator") == indicator)["unit_id"].unique().to_list()
    listed = len(units)
    if listed > config.NOTEBOOK_ROWS:  # thousands of lines are one blot: the first the letter names
        units = units[:_LINES]
    months = [m.first_day for m in review.windows["ytd"].months()]
    of_indicator = review.history.filter(pl.col("indicator") == indicator)
    named = of_indicator.filter(pl.col("unit_id").is_in(units)).select("unit_id", "unit").unique()
    grid = named.join(pl.DataFrame({"month": months}, schema={"month": pl.Date}), how="cross")
    hist = grid.join(of_indicator.select("unit_id", "month", "rate"), on=["unit_id", "month"], how="left").select(
        "unit", "month", "rate"
    )
    area = []
    for m in months:
        sub = of_indicator.filter((pl.col("month") == m) & pl.col("denominator").is_not_null())
        den = sub["denominator"].sum()
        area.append(
            {
                "unit": f"Bình quân chung {review.area_name}",
                "month": m,
                "rate": float(sub["numerator"].sum()) / float(den) if den else None,
            }
        )
    df = pl.concat([hist, pl.DataFrame(area, schema=hist.schema)]).sort("unit", "month")
    title = f"Diễn biến tỷ lệ {INDICATOR_SHORT[indicator]} từ đầu năm {review.month.year}"
    if listed > len(units):
        title += f" ({integer(len(units))} đơn vị đầu trong {integer(listed)} đơn vị)"
    return configure(
        _gapped_lines(df, "unit", LABELS["unit"], f"Tỷ lệ {INDICATOR_SHORT[indicator]}").properties(
            title=title, width=480, height=240
        )
    )


_LINES = 12  # the units a trend chart of a large area draws


def _gapped_lines(df: pl.DataFrame, series: str, series_title: str, y_title: str) -> alt.Chart:
    """Lines over months that break where a rate is missing (null rows stay in the data for that)."""
    return (
        alt.Chart(alt.Data(values=records(df)))
        .mark_line(point=True, invalid="break-paths-show-domains")
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y", tickCount="month")),
            y=alt.Y("rate:Q", title=y_title, axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=False)),
            color=alt.Color(f"{series}:N", title=series_title),
            tooltip=[
                alt.Tooltip(f"{series}:N", title=series_title),
                alt.Tooltip("month:T", title=LABELS["month"], format="%m/%Y"),
                alt.Tooltip("rate:Q", title=LABELS["rate"], format=".2%"),
            ],
        )
    )


def _pct(rate: float | None) -> str:
    from cchc_analysis.core.formatting import percent

    return percent(rate) if rate is not None else "—"


def changes(frame: pl.DataFrame, month, indicator: str, found: pl.DataFrame) -> alt.TopLevelMixin:
    """Each unit's rate this month against its change since last month; a unit is red only for a finding on this
    indicator (``found``: the month's findings), as the legend says. Click a point to highlight the unit; tooltips
    give the figures. With nothing to draw (a count, a first month) the chart says why."""
    from cchc_analysis.compute.indicators import RATIOS, monthly_rates

    label = INDICATOR_SHORT.get(indicator, indicator)
    if indicator not in RATIOS:
        return nothing(f"{label.capitalize()} {month.label()}", f"{label} là số bản, không có tỷ lệ để so sánh")
    flagged = found.filter(pl.col("indicator") == indicator)["unit_id"].unique().to_list()
    rates = monthly_rates(frame.filter(pl.col("month") <= month.first_day)).filter(
        (pl.col("month") == month.first_day) & (pl.col("indicator") == indicator) & pl.col("rate").is_not_null()
    )
    df = rates.select("unit_id", "unit", "rate", "change_pp", "numerator", "denominator").with_columns(
        flag=pl.when(pl.col("unit_id").is_in(flagged))
        .then(pl.lit(f"Có cảnh báo về {label}"))
        .otherwise(pl.lit("Không"))
    )
    if df.filter(pl.col("change_pp").is_not_null()).is_empty():
        why = "chưa có số liệu tháng trước để so sánh" if not df.is_empty() else "không có đơn vị nào có tỷ lệ này"
        return nothing(f"{label.capitalize()} {month.label()}", why)
    pick = alt.selection_point(fields=["unit"], on="click", clear="dblclick")
    chart = (
        alt.Chart(alt.Data(values=records(df)))
        .mark_circle(size=90)
        .encode(
            x=alt.X("change_pp:Q", title="Thay đổi so với tháng trước (điểm %)"),
            y=alt.Y("rate:Q", title=f"Tỷ lệ {label}", axis=rate_axis(), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "flag:N",
                title="Cảnh báo",
                scale=alt.Scale(domain=[f"Có cảnh báo về {label}", "Không"], range=[_BELOW, _ABOVE]),
            ),
            opacity=alt.condition(pick, alt.value(1), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("unit:N", title=LABELS["unit"]),
                alt.Tooltip("rate:Q", title=LABELS["rate"], format=".2%"),
                alt.Tooltip("change_pp:Q", title="Thay đổi (điểm %)", format="+.2f"),
                alt.Tooltip("numerator:Q", title="Tử số", format=",d"),
                alt.Tooltip("denominator:Q", title="Mẫu số", format=",d"),
                alt.Tooltip("flag:N", title="Cảnh báo"),
            ],
        )
        .add_params(pick)
    )
    title = f"{label.capitalize()} {month.label()}: tỷ lệ và thay đổi"
    return configure(chart.properties(title=title, width=460, height=300))


def nothing(title: str, why: str) -> alt.TopLevelMixin:
    """A chart with nothing to draw, saying why in its place."""
    return configure(
        alt.Chart(alt.Data(values=[{"why": why}]))
        .mark_text(fontSize=13, color="#555555")
        .encode(text="why:N")
        .properties(title=title, width=460, height=40)
    )


def rate_axis() -> alt.Axis:
    """A rate axis whose labels never repeat: as many decimals as the ticks need (99,8%; 100%), ticks at least
    0,1 point apart."""
    return alt.Axis(format=".1~%", tickMinStep=0.001)


def unit_history(frame: pl.DataFrame, unit: str, month: Month, registry: Registry) -> alt.TopLevelMixin:
    """One unit's monthly rates on every indicator since January, with a tooltip per month. ``unit`` as an
    analyst writes it ("Hà Kỳ"), matched through the area's registry."""
    from cchc_analysis.compute.indicators import monthly_rates

    if "area" in frame.columns:
        frame = frame.filter(pl.col("area") == registry.area)
    unit_id = registry.match(unit).id
    sub = frame.filter(
        ((pl.col("unit") == unit) | (pl.col("unit_id") == unit_id))
        & pl.col("month").is_between(month.first_day.replace(month=1), month.first_day)
    )
    if sub.is_empty():
        raise ValueError(f"không có số liệu của «{unit}»")
    name = sub["unit"][0]
    rates = monthly_rates(sub).with_columns(
        indicator_label=pl.col("indicator").replace_strict(INDICATOR_SHORT, default=pl.col("indicator"))
    )
    months = pl.DataFrame({"month": [dt.date(month.year, m, 1) for m in range(1, month.month + 1)]})
    grid = rates.select("indicator_label").unique().join(months, how="cross")
    df = grid.join(
        rates.select("month", "indicator_label", "rate", "numerator", "denominator", "change_pp"),
        on=["indicator_label", "month"],
        how="left",
    ).sort("indicator_label", "month")
    legend = alt.selection_point(fields=["indicator_label"], bind="legend")
    chart = (
        alt.Chart(alt.Data(values=records(df)))
        .mark_line(point=True, invalid="break-paths-show-domains")
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y", tickCount="month")),
            y=alt.Y("rate:Q", title=LABELS["rate"], axis=rate_axis(), scale=alt.Scale(zero=False)),
            color=alt.Color("indicator_label:N", title="Chỉ tiêu"),
            opacity=alt.condition(legend, alt.value(1), alt.value(0.15)),
            tooltip=[
                alt.Tooltip("indicator_label:N", title="Chỉ tiêu"),
                alt.Tooltip("month:T", title=LABELS["month"], format="%m/%Y"),
                alt.Tooltip("rate:Q", title=LABELS["rate"], format=".2%"),
                alt.Tooltip("numerator:Q", title="Tử số", format=",d"),
                alt.Tooltip("denominator:Q", title="Mẫu số", format=",d"),
                alt.Tooltip("change_pp:Q", title="Thay đổi (điểm %)", format="+.2f"),
            ],
        )
        .add_params(legend)
    )
    return configure(
        chart.properties(title=f"Diễn biến các chỉ tiêu của {name} năm {month.year}", width=480, height=260)
    )
