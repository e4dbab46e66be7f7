"""Plotly figures for the dashboards, built in Python and drawn by our own copy of plotly.js."""

import json

import plotly.graph_objects as go
from django.utils.translation import gettext as _

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
CURRENT, BEFORE, PANEL = "#0b5cad", "#9fb3c8", "#e08a00"


def plain(text):
    """A label plotly.js will not read as HTML: it interprets tags even when entity-escaped."""
    return str(text).replace("<", "‹").replace(">", "›")


def _layout(title, height):
    return go.Layout(
        title={"text": plain(title), "x": 0, "font": {"size": 15}} if title else None,
        template="none",
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 20, "t": 40, "b": 30},
        barmode="group",
        legend={"orientation": "h", "y": -0.08},
        yaxis={"automargin": True, "autorange": "reversed"},
        xaxis={"automargin": True, "separatethousands": True, "gridcolor": "#e4e7eb"},
    )


def bar_figure(rows, *, year, baseline=None):
    """Horizontal bars of each row's value, beside its baseline value when there is one.

    A year that did not ask a row has no bar for it (never a bar of 0). Untitled: the panel's
    heading names it.
    """
    labels = [plain(row.label) for row in rows]
    traces = [
        go.Bar(
            y=labels,
            x=[row.value if row.asked else None for row in rows],
            orientation="h",
            name=str(year),
            marker_color=CURRENT,
        )
    ]
    before = [row.baseline if row.baseline_asked else None for row in rows]
    if baseline and any(value is not None for value in before):
        traces.append(
            go.Bar(
                y=labels,
                x=before,
                orientation="h",
                name=str(baseline),
                marker_color=BEFORE,
            )
        )
    return go.Figure(traces, _layout(None, 60 + 26 * len(rows) * len(traces)))


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
            )
        )
    figure = go.Figure(
        traces,
        _layout(
            _("Growth %(year)s over %(baseline)s, %%") % {"year": year, "baseline": baseline},
            120 + 52 * len(rows),
        ),
    )
    figure.update_xaxes(ticksuffix="%", zeroline=True, zerolinecolor="#52606d")
    return figure


def province_figure(title, names, values):
    figure = go.Figure(
        [go.Bar(x=[plain(name) for name in names], y=values, marker_color=CURRENT)],
        _layout(title, 420),
    )
    figure.update_yaxes(autorange=True)
    return figure


def line_figure(title, years, series):
    """One line per (label, values by year): a year without a value (not reported, or not
    asked) is a gap, never a point at 0."""
    figure = go.Figure(
        [
            go.Scatter(x=[str(y) for y in years], y=values, name=plain(label), mode="lines+markers")
            for label, values in series
        ],
        _layout(title, 380),
    )
    figure.update_yaxes(autorange=True)
    figure.update_xaxes(type="category")
    return figure


def as_json_data(figure):
    """The figure as plain data for `json_script` (plotly.js draws it in static/js/charts.js)."""
    return json.loads(figure.to_json())
