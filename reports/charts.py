"""Plotly figures for the dashboards, built in Python and drawn by our own copy of plotly.js."""

import json

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from reports.formatting import D3_COUNT, D3_DENSITY, D3_PERCENT

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
CURRENT, BEFORE, PANEL = "#0b5cad", "#9fb3c8", "#e08a00"
# Up to this count an axis ticks at every whole number (plotly's own choice would be halves).
SMALL_COUNT = 10


def plain(text):
    """A label plotly.js will not read as HTML: it interprets tags even when entity-escaped."""
    return str(text).replace("<", "‹").replace(">", "›")


def number_format(values):
    """The d3 format of `values` as the tables print them: a count "68,501", else "2.35"."""
    shown = [value for value in values if value is not None]
    if all(isinstance(value, int) and not isinstance(value, bool) for value in shown):
        return D3_COUNT
    return D3_DENSITY


def axis_format(d3_format):
    """The axis ticks' format for values in `d3_format`: its separators and decimals, but
    without trailing zeros ("20%", not "20.0%": "~" in d3; a count axis zoomed in to halves
    reads "0.5" rather than a second "1")."""
    if d3_format == D3_COUNT:
        return ",~f"
    return d3_format[:-1] + "~" + d3_format[-1]


def count_ticks(values):
    """A count axis's ticks: whole numbers only where plotly would tick at halves (an
    institution's 1 or 2 units)."""
    shown = [abs(value) for value in values if value is not None]
    small = max(shown, default=0) <= SMALL_COUNT
    return {"tickformat": axis_format(D3_COUNT), **({"dtick": 1, "tick0": 0} if small else {})}


def _hover(label, value, d3_format, suffix=""):
    """A hover line in the tables' number format. plotly.js names the trace in the box's
    side by itself (no "<extra>" tag: a figure of our charts carries no markup at all)."""
    return f"%{{{label}}}: %{{{value}:{d3_format}}}{suffix}"


def _layout(title, height):
    # separators: decimal point then thousands separator, in both languages (as the tables);
    # exponentformat "none" keeps plotly's SI suffixes ("68.501k") off every axis.
    return go.Layout(
        separators=".,",
        title={"text": plain(title), "x": 0, "font": {"size": 15}} if title else None,
        template="none",
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 20, "t": 40, "b": 30},
        barmode="group",
        legend={"orientation": "h", "y": -0.08},
        yaxis={"automargin": True, "autorange": "reversed", "exponentformat": "none"},
        xaxis={
            "automargin": True,
            "separatethousands": True,
            "exponentformat": "none",
            "gridcolor": "#e4e7eb",
        },
    )


def bar_figure(rows, *, year, baseline=None):
    """Horizontal bars of each row's value, beside its baseline value when there is one.

    A year that did not ask a row has no bar for it (never a bar of 0). Untitled: the panel's
    heading names it.
    """
    labels = [plain(row.label) for row in rows]
    current = [row.value if row.asked else None for row in rows]
    before = [row.baseline if row.baseline_asked else None for row in rows]
    d3_format = number_format(current + before)
    traces = [
        go.Bar(
            y=labels,
            x=current,
            orientation="h",
            name=str(year),
            marker_color=CURRENT,
            hovertemplate=_hover("y", "x", d3_format),
        )
    ]
    if baseline and any(value is not None for value in before):
        traces.append(
            go.Bar(
                y=labels,
                x=before,
                orientation="h",
                name=str(baseline),
                marker_color=BEFORE,
                hovertemplate=_hover("y", "x", d3_format),
            )
        )
    figure = go.Figure(traces, _layout(None, 60 + 26 * len(rows) * len(traces)))
    if d3_format == D3_COUNT:
        figure.update_xaxes(**count_ticks(current + before))
    else:
        figure.update_xaxes(tickformat=axis_format(d3_format))
    return figure


def growth_figure(rows, *, year, baseline, panel=True):
    """Growth of the headline figures: all reporting institutions, beside the matched panel
    for the viewers who may see it (`panel`). A growth over the items both years asked says
    so in its label."""
    over_shared = _("over the items asked in both years")
    labels = [plain(f"{row.label} ({over_shared})" if row.shared else row.label) for row in rows]
    traces = [
        go.Bar(
            y=labels,
            x=[row.growth_pct for row in rows],
            orientation="h",
            name=_("all reporting institutions"),
            marker_color=CURRENT,
            hovertemplate=_hover("y", "x", D3_PERCENT, "%"),
        )
    ]
    if panel:
        traces.append(
            go.Bar(
                y=labels,
                x=[row.panel_growth_pct for row in rows],
                orientation="h",
                name=_("institutions reporting in both years"),
                marker_color=PANEL,
                hovertemplate=_hover("y", "x", D3_PERCENT, "%"),
            )
        )
    figure = go.Figure(
        traces,
        _layout(
            _("Growth %(year)s over %(baseline)s, %%") % {"year": year, "baseline": baseline},
            120 + 52 * len(rows),
        ),
    )
    figure.update_xaxes(
        tickformat=axis_format(D3_PERCENT), ticksuffix="%", zeroline=True, zerolinecolor="#52606d"
    )
    return figure


def province_figure(title, names, values):
    """Bars of a per-million density by province."""
    figure = go.Figure(
        [
            go.Bar(
                x=[plain(name) for name in names],
                y=values,
                marker_color=CURRENT,
                name=_("per million residents"),
                hovertemplate=_hover("x", "y", D3_DENSITY),
            )
        ],
        _layout(title, 420),
    )
    figure.update_yaxes(autorange=True, tickformat=axis_format(D3_DENSITY))
    return figure


def line_figure(title, years, series):
    """One line per (label, values by year): a year without a value (not reported, or not
    asked) is a gap, never a point at 0."""
    every_value = [value for _label, values in series for value in values]
    d3_format = number_format(every_value)
    figure = go.Figure(
        [
            go.Scatter(
                x=[str(y) for y in years],
                y=values,
                name=plain(label),
                mode="lines+markers",
                hovertemplate=_hover("x", "y", d3_format),
            )
            for label, values in series
        ],
        _layout(title, 380),
    )
    if d3_format == D3_COUNT:
        ticks = count_ticks(every_value)
    else:
        ticks = {"tickformat": axis_format(d3_format)}
    figure.update_yaxes(autorange=True, rangemode="tozero", **ticks)
    figure.update_xaxes(type="category")
    return figure


def as_json_data(figure):
    """The figure as plain data for `json_script` (plotly.js draws it in static/js/charts.js)."""
    return json.loads(figure.to_json())
