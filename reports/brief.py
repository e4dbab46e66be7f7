"""The brief report written from the data, in the active language, for the nation or a province.

Its sentences follow the 2024 brief report: "There are 772 units nationwide, an increase of
80.8% (up from 427 units in 2019)". They are written in `templates/reports/brief.txt`; this
module looks up and formats the figures they print.
"""

import re
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from reports import metrics, privacy
from reports.exporting import not_asked_in
from survey.instrument import items as instrument


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str]


def _n(value):
    return "—" if value is None else f"{value:,}"


def _pct(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}%"


class _Lookup:
    """`{{ value.eq_pet_ct }}` in the report's template: `figure(code)` by metric code."""

    def __init__(self, figure):
        self.figure = figure

    def __getitem__(self, code):
        return self.figure(code)


class _Writer:
    def __init__(self, comparison, year, baseline):
        self.c = comparison
        self.year = year
        self.baseline = baseline
        self.values = {code: figure.value for code, figure in comparison.items()}

    def value(self, code):
        if not self.c[code].asked:
            return not_asked_in(self.year)
        return _n(self.c[code].value)

    def share(self, code, digits=1):
        return _pct(metrics.share_pct(self.values, code), digits)

    def change(self, code):
        """ ", an increase of 80.8% (up from 427 in 2019)" or nothing without a baseline."""
        figure = self.c[code]
        if figure.growth_pct is None:
            return ""
        if figure.shared is not None:
            return self._change_over_shared(figure)
        words = {
            "growth": f"{abs(figure.growth_pct):.1f}",
            "before": _n(figure.baseline),
            "year": self.baseline,
        }
        if figure.growth_pct >= 0:
            return _(", an increase of %(growth)s%% (up from %(before)s in %(year)s)") % words
        return _(", a decrease of %(growth)s%% (down from %(before)s in %(year)s)") % words

    def _change_over_shared(self, figure):
        """The growth over the items both years asked, which it must say: the two years' full
        totals are over different items."""
        words = {
            "growth": f"{abs(figure.growth_pct):.1f}",
            "now": _n(figure.shared.value),
            "before": _n(figure.shared.baseline),
            "year": self.year,
            "baseline": self.baseline,
        }
        if figure.growth_pct >= 0:
            return (
                _(
                    ", an increase of %(growth)s%% over the items asked in both %(baseline)s and "
                    "%(year)s (%(now)s against %(before)s over those items)"
                )
                % words
            )
        return (
            _(
                ", a decrease of %(growth)s%% over the items asked in both %(baseline)s and "
                "%(year)s (%(now)s against %(before)s over those items)"
            )
            % words
        )

    def shares(self, codes, digits=1):
        return _("; ").join(
            f"{metrics.metrics()[code].label} {self.share(code, digits)}" for code in codes
        )


def write(*, year, baseline=None, province=None, disclosure=privacy.FULL_ACCESS):
    """The brief report as sections of paragraphs, with what `disclosure` lets its reader see:
    the analyst's carries every figure, the public's prints "—" for a suppressed one."""
    comparison = privacy.compare(
        year=year,
        baseline=baseline,
        province=province.code if province else None,
        disclosure=disclosure,
    )
    comparison = privacy.apply(comparison, disclosure)
    w = _Writer(comparison, year, baseline)
    text = render_to_string(
        "reports/brief.txt",
        {
            "year": year,
            "where": province.name if province else _("nationwide"),
            "value": _Lookup(w.value),
            "share": _Lookup(w.share),
            "share_whole": _Lookup(lambda code: w.share(code, 0)),
            "change": _Lookup(w.change),
            # A group's parts that the year asked: 2023's treatments have no 177Lu share.
            "shares": _Lookup(lambda group: w.shares(instrument.group_parts(group, year))),
            "shares_2": _Lookup(lambda group: w.shares(instrument.group_parts(group, year), 2)),
        },
    )
    return [
        Section(lines[0], lines[1:])
        for block in re.split(r"\n\s*\n", text.strip())
        if (lines := [line.strip() for line in block.splitlines() if line.strip()])
    ]


def as_text(sections):
    """The report as plain text for download."""
    return (
        "\n\n".join(f"{section.title}\n" + "\n".join(section.paragraphs) for section in sections)
        + "\n"
    )
