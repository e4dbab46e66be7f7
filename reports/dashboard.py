"""What a dashboard shows: the panels' rows of figures for one scope, year and baseline."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports import metrics, privacy
from reports.panels import HEADLINE, PANELS, PANELS_BY_KEY, Panel


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    value: int | None
    share_pct: float | None
    base_label: str | None
    baseline: int | None
    growth_pct: float | None
    panel_growth_pct: float | None
    n_reporting: int
    per_million: float | None
    rank: int | None


@dataclass(frozen=True)
class PanelData:
    panel: Panel
    rows: list[Row]

    @property
    def charted_rows(self):
        return [row for row in self.rows if row.code in self.panel.charted]


@dataclass(frozen=True)
class Dashboard:
    year: int
    baseline: int | None
    province: str | None
    population_millions: float
    panels: list[PanelData]
    headline: list[Row]
    province_count: int


def ranks_among_provinces(by_province, province, hidden=frozenset()):
    """Each metric's rank (1 = highest) of `province` among the provinces that report it."""
    ranks = {}
    for code in metrics.metrics():
        values = sorted(
            (
                figures[code].value
                for figures in by_province.values()
                if figures[code].value is not None
            ),
            reverse=True,
        )
        own = by_province.get(province, {}).get(code)
        if own is not None and own.value is not None and code not in hidden:
            ranks[code] = values.index(own.value) + 1
    return ranks


def build(*, year, baseline=None, province=None, hidden=frozenset()):
    """The figures of every panel for a scope (province code or None for the nation).

    The `hidden` metrics are blanked (small numbers, `reports.privacy`).
    """
    comparison = metrics.compare(year=year, baseline=baseline, province=province)
    panel_growth = (
        metrics.compare(year=year, baseline=baseline, province=province, panel=True)
        if baseline
        else {}
    )
    if hidden:
        comparison = privacy.suppressed(comparison, hidden)
        panel_growth = privacy.suppressed(panel_growth, hidden)
    population = metrics.population_millions(province)
    by_province = metrics.figures_by_province(year=year) if province else {}
    ranks = ranks_among_provinces(by_province, province, hidden) if province else {}
    values = {code: figure.value for code, figure in comparison.items()}
    definitions = metrics.metrics()

    def row(code):
        figure = comparison[code]
        base = definitions[code].base
        matched = panel_growth.get(code)
        return Row(
            code=code,
            label=str(definitions[code].label),
            value=figure.value,
            share_pct=metrics.share_pct(values, code),
            base_label=str(definitions[base].label) if base else None,
            baseline=figure.baseline,
            growth_pct=figure.growth_pct,
            panel_growth_pct=matched.growth_pct if matched else None,
            n_reporting=figure.n_reporting,
            per_million=metrics.per_million(figure.value, population),
            rank=ranks.get(code),
        )

    return Dashboard(
        year=year,
        baseline=baseline,
        province=province,
        population_millions=population,
        panels=[PanelData(panel, [row(code) for code in panel.metrics]) for panel in PANELS],
        headline=[row(code) for code in HEADLINE],
        province_count=len(by_province),
    )


def panel_table(dashboard, key):
    """A panel's rows as a table (header, rows) for download; the headline for 'growth'."""
    rows = (
        dashboard.headline
        if key == "growth"
        else next(data.rows for data in dashboard.panels if data.panel.key == key)
    )
    header = [
        _("metric"),
        _("label"),
        _("value"),
        _("share %"),
        _("share of"),
        _("baseline"),
        _("growth %"),
        _("growth % (matched panel)"),
        _("reporting"),
        _("per million people"),
    ]
    body = [
        [
            row.code,
            row.label,
            row.value,
            _rounded(row.share_pct),
            row.base_label or "",
            row.baseline,
            _rounded(row.growth_pct),
            _rounded(row.panel_growth_pct),
            row.n_reporting,
            _rounded(row.per_million, 4),
        ]
        for row in rows
    ]
    return header, body


def _rounded(number, digits=2):
    return None if number is None else round(number, digits)


def panel_keys():
    return ["growth", *PANELS_BY_KEY]
