"""What a dashboard shows: the panels' rows of figures for one scope, year and baseline."""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports import metrics, privacy
from reports.exporting import not_asked_in
from reports.formatting import DENSITY_DIGITS, rounded
from reports.panels import HEADLINE, HEADLINE_FIGURES, PANELS, PANELS_BY_KEY, Panel
from survey import versions
from survey.instrument import items as instrument


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
    # Of how many provinces whose figure the viewer sees.
    ranked_among: int | None = None
    # For entitled viewers: the public does not see this figure, this growth (reports.privacy).
    hidden_from_public: bool = False
    growth_hidden_from_public: bool = False
    # False: the year's (the baseline's) cycle did not ask it, which is neither 0 nor "—".
    asked: bool = True
    baseline_asked: bool = True
    # Set when the two cycles asked different items behind it: the growth is over the items
    # both asked (`shared.items`); `left_out` labels the others.
    shared: metrics.Shared | None = None
    left_out: tuple[str, ...] = ()
    # The cycles asked different items behind it: only a growth over the items both asked
    # compares, and where none is shown (the public's counts of institutions), the page says so.
    asked_differently: bool = False
    # An "of which" item: the code of the whole it is at most, under which it is shown.
    of_which: str | None = None


@dataclass(frozen=True)
class PanelData:
    panel: Panel
    rows: list[Row]

    @property
    def charted_rows(self):
        return [row for row in self.rows if row.code in self.panel.charted]

    @property
    def rows_over_shared(self):
        return _over_shared(self.rows)


def _over_shared(rows):
    """The rows whose growth is over the items both years asked: they carry a footnote."""
    return [row for row in rows if row.shared]


@dataclass(frozen=True)
class Dashboard:
    year: int
    baseline: int | None
    province: str | None
    population_millions: float
    panels: list[PanelData]
    headline: list[Row]
    province_count: int
    entitled: bool = True

    @property
    def headline_over_shared(self):
        return _over_shared(self.headline)

    @property
    def headline_figures(self):
        """The headline rows shown as big numbers at the top, disclosure applied as in the
        tables (a blanked figure is None, shown as —)."""
        by_code = {row.code: row for row in self.headline}
        return [by_code[code] for code in HEADLINE_FIGURES if code in by_code]


def ranks_among_provinces(values_by_province, province):
    """Each metric's rank (1 = highest) of `province` among the provinces whose figure is
    given in `values_by_province` ({province: {code: value or None}})."""
    ranks = {}
    own_values = values_by_province.get(province, {})
    for code in metrics.metrics():
        own = own_values.get(code)
        if own is None:
            continue
        values = [v[code] for v in values_by_province.values() if v.get(code) is not None]
        ranks[code] = sorted(values, reverse=True).index(own) + 1
    return ranks


def for_viewer(user, *, year, baseline, province, disclosure):
    """The dashboard of a scope as `user` sees it, ranks among the provinces they see: the one
    source of the dashboard page, its downloads, the workbook and the slide deck (cached until
    the data change, so that a download costs no more than the page)."""
    # Ranks depend on which provinces the viewer sees whole: none, one, or all (None).
    seen_whole = privacy.viewer_province(user, None)
    return versions.cached(
        "board",
        year,
        baseline,
        province,
        disclosure.key,
        seen_whole,
        get_language(),
        years=(year, baseline),
        # The board of a viewer who sees no province whole is made of published figures only
        # (a coordinator's ranks use their own province's full figures).
        published=seen_whole == "",
        compute=lambda: build(
            year=year,
            baseline=baseline,
            province=province,
            disclosure=disclosure,
            ranked_among=privacy.province_values(user, year=year) if province else None,
        ),
    )


def build(*, year, baseline=None, province=None, disclosure=privacy.FULL_ACCESS, ranked_among=None):
    """The figures of every panel for a scope (province code or None for the nation).

    `disclosure` (reports.privacy) says which reports count and which figures are blanked or
    marked; ranks are among the provinces' figures in `ranked_among` ({province: {code:
    value}}, as the viewer sees them), by default every province's full figures.
    """
    comparison = privacy.apply(
        privacy.compare(year=year, baseline=baseline, province=province, disclosure=disclosure),
        disclosure,
    )
    # The public sees no matched-panel growth (reports.privacy.compare).
    panel_growth = (
        privacy.compare(
            year=year, baseline=baseline, province=province, disclosure=disclosure, panel=True
        )
        if baseline and disclosure.entitled
        else {}
    )
    population = metrics.population_millions(province)
    if province and ranked_among is None:
        ranked_among = {
            code: {metric: figure.value for metric, figure in figures.items()}
            for code, figures in metrics.figures_by_province(year=year).items()
        }
    ranked_among = ranked_among if province else {}
    ranks = ranks_among_provinces(ranked_among, province) if province else {}
    ranked = {
        code: sum(1 for v in ranked_among.values() if v.get(code) is not None) for code in ranks
    }
    values = {code: figure.value for code, figure in comparison.items()}
    definitions = metrics.metrics()

    def row(code):
        figure = comparison[code]
        base = definitions[code].base
        matched = panel_growth.get(code)
        # The like-for-like figures go with the growth they give: not where it is not shown.
        shared = figure.shared if figure.growth_pct is not None else None
        left_out = definitions[code].items_left_out(year, baseline) if shared else ()
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
            ranked_among=ranked.get(code),
            hidden_from_public=code in disclosure.marked,
            # A year that did not ask it has no growth to hide.
            growth_hidden_from_public=bool(baseline)
            and figure.asked
            and figure.baseline_asked
            and (
                # A growth over the items both years asked has its own rule (reports.privacy).
                code in disclosure.marked_growth
                if figure.shared
                else code in disclosure.marked or code in disclosure.marked_baseline
            ),
            asked=figure.asked,
            baseline_asked=figure.baseline_asked,
            shared=shared,
            asked_differently=figure.shared is not None,
            left_out=tuple(str(instrument.label(item)) for item in left_out),
            of_which=instrument.OF_WHICH.get(code),
        )

    def shown(code):
        # A panel lists what either year asked: a 2023 dashboard has no rows of 2028 items.
        metric = definitions[code]
        return metric.asked_in(year) or (baseline is not None and metric.asked_in(baseline))

    return Dashboard(
        year=year,
        baseline=baseline,
        province=province,
        population_millions=population,
        panels=[
            PanelData(panel, [row(code) for code in panel.metrics if shown(code)])
            for panel in PANELS
        ],
        headline=[row(code) for code in HEADLINE],
        province_count=len(ranked_among),
        entitled=disclosure.entitled,
    )


# A download's columns: fixed names that scripts can rely on whatever the language; the
# active language's words are in `label` and `share_of`.
TABLE_COLUMNS = [
    "metric",
    "label",
    "value",
    "share_pct",
    "share_of",
    "baseline",
    "growth_pct",
    "panel_growth_pct",
    "n_reporting",
    "per_million",
    "rank",
    "ranked_among",
    "shared_value",
    "shared_baseline",
    "items_left_out",
]


def panel_rows(dashboard, key):
    """The rows of panel `key`; the headline rows for 'growth'."""
    if key == "growth":
        return dashboard.headline
    return next(data.rows for data in dashboard.panels if data.panel.key == key)


def panel_table(dashboard, key):
    """A panel's rows as a table (header, rows) for download; the headline for 'growth'.

    A figure the cycle did not ask reads "not asked in <year>", apart from the blank of not
    reported; a growth over the items both years asked gives those figures and what it
    leaves out. Shares and growths have one decimal, densities two (reports.formatting).
    """
    not_asked = not_asked_in(dashboard.year)
    not_asked_before = not_asked_in(dashboard.baseline) if dashboard.baseline else None
    body = [
        [
            row.code,
            row.label,
            row.value if row.asked else not_asked,
            rounded(row.share_pct),
            row.base_label or "",
            row.baseline if row.baseline_asked or not dashboard.baseline else not_asked_before,
            rounded(row.growth_pct),
            rounded(row.panel_growth_pct),
            row.n_reporting if row.asked else None,
            rounded(row.per_million, DENSITY_DIGITS),
            row.rank,
            row.ranked_among,
            row.shared.value if row.shared else None,
            row.shared.baseline if row.shared else None,
            _("; ").join(row.left_out),
        ]
        for row in panel_rows(dashboard, key)
    ]
    return list(TABLE_COLUMNS), body


def panel_keys():
    return ["growth", *PANELS_BY_KEY]
