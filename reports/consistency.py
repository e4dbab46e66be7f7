"""Recompute the figures printed in the society's publications and list where they disagree.

The publications are the 2024 brief report (`published-2023.csv`, national, exact to its
printed decimals) and the 2019 survey summary (`published-2019.csv`, national or provincial,
each figure within a printed tolerance). Four checks: each printed figure against the data of
its scope; within a publication, each printed growth and each printed share against the
printed counts they were computed from, and pairs of printed figures that name the same thing;
and between publications, the figures both print.
"""

import csv
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import combinations
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Province
from reports import metrics
from survey.models import Cycle

SURVEY_FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "survey"
PUBLISHED_CSV = SURVEY_FIXTURES / "published-2023.csv"
PUBLISHED_2019_CSV = SURVEY_FIXTURES / "published-2019.csv"
NATIONAL = "national"

# Printed figures that a publication presents as the same group of departments.
SAME_GROUP = [
    (
        "inst_svc_therapy",
        "inst_therapy",
        gettext_lazy("departments providing radiopharmaceutical therapy"),
    ),
]


# Compared by identity: a title is a lazy translation, not a key.
@dataclass(frozen=True, eq=False)
class Publication:
    title: str
    path: Path

    def __str__(self):
        return str(self.title)


BRIEF_REPORT_2024 = Publication(gettext_lazy("2024 brief report"), PUBLISHED_CSV)
SUMMARY_2019 = Publication(gettext_lazy("2019 survey summary (2021)"), PUBLISHED_2019_CSV)
PUBLICATIONS = (BRIEF_REPORT_2024, SUMMARY_2019)


@dataclass(frozen=True)
class Finding:
    """A disagreement: `publication` names the publication(s) printing the figure, `scope` is
    `national` or a province code, `scope_name` how the page names it."""

    publication: str
    scope: str
    scope_name: str
    metric: str
    year: int
    printed: str
    computed: str
    explanation: str

    @property
    def metric_label(self):
        """How the page names the figure: its label, not its code ("a / b" for a pair)."""
        return " / ".join(_metric_label(code) for code in self.metric.split(" / "))


@dataclass(frozen=True)
class PrintedFigure:
    """One figure as a publication prints it. Without a `tolerance` it is exact to its printed
    decimals; with one, a figure agrees when within the tolerance (in the row's unit)."""

    publication: Publication
    metric: str
    year: int
    scope: str
    value: str
    unit: str
    base: str
    tolerance: Decimal | None

    @classmethod
    def from_row(cls, row):
        """A row of a publication's file; rows without a publication are the 2024 report's."""
        tolerance = row.get("tolerance") or None
        return cls(
            publication=row.get("publication", BRIEF_REPORT_2024),
            metric=row["metric"],
            year=int(row["year"]),
            scope=row.get("scope") or NATIONAL,
            value=row["value"],
            unit=row["unit"],
            base=row.get("base") or "",
            tolerance=Decimal(tolerance) if tolerance is not None else None,
        )

    @property
    def number(self):
        return Decimal(self.value)

    @property
    def baseline_year(self):
        """2019 for `growth_percent_vs_2019`; None for counts and shares."""
        prefix = "growth_percent_vs_"
        return int(self.unit.removeprefix(prefix)) if self.unit.startswith(prefix) else None

    @property
    def allowance(self):
        """How far the figure printed may be from the true one: its tolerance, or half a unit
        of its last printed decimal."""
        if self.tolerance is not None:
            return self.tolerance
        return Decimal(5).scaleb(-_decimals(self.value) - 1)

    def agrees_with(self, computed):
        if computed is None:
            return False
        computed = Decimal(str(computed))
        if self.tolerance is None:
            # The report's rounding, as demo.generate reproduces it.
            return round(computed, _decimals(self.value)) == self.number
        return abs(computed - self.number) <= self.tolerance

    def counts_key(self, metric=None, year=None):
        """Where the publication would print a count of `metric` in `year` (its own metric and
        year by default) of its scope."""
        return (self.publication, metric or self.metric, year or self.year, self.scope)


def read_published(path=PUBLISHED_CSV):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_publications(publications=PUBLICATIONS):
    """Every row of the publications' files, each with its `publication`."""
    return [
        {**row, "publication": publication}
        for publication in publications
        for row in read_published(publication.path)
    ]


def check_published(rows=None):
    """Every disagreement of the printed figures with the data and with one another."""
    rows = rows if rows is not None else read_publications()
    printed = [PrintedFigure.from_row(row) for row in rows]
    names = _scope_names(printed)
    return _merge(_against_data(printed, names) + _inconsistencies(printed, names))


def inconsistencies(rows):
    """Where the publications' rows disagree with themselves and with one another: no data."""
    printed = [PrintedFigure.from_row(row) for row in rows]
    return _merge(_inconsistencies(printed, _scope_names(printed)))


def _inconsistencies(printed, scope_names):
    return _within_publications(printed, scope_names) + _between_publications(printed, scope_names)


def _against_data(printed, scope_names):
    known = set(Cycle.objects.values_list("year", flat=True))
    data = {}

    def figures_of(year, baseline, scope):
        if year not in known:
            return {}
        key = (year, baseline if baseline in known else None, scope)
        if key not in data:
            province = None if scope == NATIONAL else scope
            data[key] = metrics.compare(year=key[0], baseline=key[1], province=province)
        return data[key]

    findings = []
    for figure in printed:
        computed = _computed(figure, figures_of(figure.year, figure.baseline_year, figure.scope))
        if not figure.agrees_with(computed):
            if figure.tolerance:
                why = _(
                    "The data give a different figure, beyond the ±%(tolerance)s its rounding "
                    "allows."
                ) % {"tolerance": _number(figure.tolerance)}
            else:
                why = _("The data give a different figure.")
            findings.append(
                _finding(
                    figure,
                    scope_names,
                    _as_printed(figure.value),
                    _shown(computed, _decimals(figure.value) + 1),
                    why,
                )
            )
    return findings


def _within_publications(printed, scope_names):
    """A publication against itself: growth and shares against the printed counts, and two
    printed numbers of the same group."""
    counts = {figure.counts_key(): figure for figure in printed if figure.unit == "count"}
    findings = []
    for figure in printed:
        if figure.baseline_year is not None:
            now = counts.get(figure.counts_key())
            before = counts.get(figure.counts_key(year=figure.baseline_year))
            # Growth from a printed 0 is no number: nothing to hold the printed one against.
            if now and before and before.number:
                from_print = metrics.growth_pct(now.number, before.number)
                findings += _from_printed_counts(figure, now, before, from_print, scope_names)
        elif figure.unit == "percent" and figure.base:
            part = counts.get(figure.counts_key())
            whole = counts.get(figure.counts_key(figure.base))
            if part and whole and whole.number:
                share = 100 * part.number / whole.number
                findings += _from_printed_counts(figure, part, whole, share, scope_names)
    for first, second, group in SAME_GROUP:
        for figure in printed:
            if figure.metric != first or figure.unit != "count":
                continue
            other = counts.get(figure.counts_key(second))
            if other is not None and other.number != figure.number:
                a, b = _number(figure.number), _number(other.number)
                why = _(
                    "The report gives two numbers of %(group)s: %(a)s departments ticked "
                    "the service, %(b)s reported treatments."
                ) % {"group": group, "a": a, "b": b}
                findings.append(
                    _finding(figure, scope_names, f"{a} / {b}", "", why, f"{first} / {second}")
                )
    return findings


def _from_printed_counts(figure, first, second, computed, scope_names):
    """A finding if `computed`, from two printed counts, is not the printed `figure`."""
    if figure.agrees_with(computed):
        return []
    why = _(
        "The printed counts %(first)s and %(second)s give %(computed).1f%%, not the printed "
        "%(printed)s%%."
    ) % {
        "first": _number(first.number),
        "second": _number(second.number),
        "computed": computed,
        "printed": figure.value,
    }
    return [_finding(figure, scope_names, f"{figure.value}%", f"{computed:.1f}%", why)]


def _between_publications(printed, scope_names):
    """The figures two publications both print (same metric, year, scope and unit), where they
    differ by more than their roundings allow together (each may be off by its own)."""
    by_figure = {}
    for figure in printed:
        by_figure.setdefault((figure.metric, figure.year, figure.scope, figure.unit), []).append(
            figure
        )
    findings = []
    for same in by_figure.values():
        for a, b in combinations(same, 2):
            allowed = a.allowance + b.allowance
            if a.publication is b.publication or abs(a.number - b.number) <= allowed:
                continue
            why = _(
                "The %(first)s prints %(a)s, the %(second)s %(b)s: more apart than the "
                "±%(tolerance)s their rounding allows."
            ) % {
                "first": a.publication.title,
                "second": b.publication.title,
                "a": _number(a.number),
                "b": _number(b.number),
                "tolerance": _number(allowed),
            }
            findings.append(
                _finding(
                    a,
                    scope_names,
                    f"{_number(a.number)} / {_number(b.number)}",
                    "",
                    why,
                    publication=f"{a.publication.title} / {b.publication.title}",
                )
            )
    return findings


def _scope_names(printed):
    """{scope: its name}: "national" and each province's name, in the active language."""
    names = {NATIONAL: _("National")}
    codes = {figure.scope for figure in printed} - {NATIONAL}
    if codes:
        names.update(
            {province.code: province.name for province in Province.objects.filter(code__in=codes)}
        )
    # A code no province has is shown as it is printed.
    return {scope: names.get(scope, scope) for scope in codes | {NATIONAL}}


def _finding(figure, scope_names, printed, computed, why, metric=None, publication=None):
    return Finding(
        publication or str(figure.publication),
        figure.scope,
        scope_names[figure.scope],
        metric or figure.metric,
        figure.year,
        printed,
        computed,
        why,
    )


def _decimals(printed):
    return len(printed.split(".")[1]) if "." in printed else 0


def _computed(figure, figures):
    code = figure.metric
    if code not in figures:
        return None
    if figure.unit == "count":
        return figures[code].value
    if figure.unit == "percent":
        base = figures.get(figure.base)
        if base is None or not base.value or figures[code].value is None:
            return None
        return 100 * figures[code].value / base.value
    return figures[code].growth_pct


def _number(number):
    """A printed number with thousands separators, without trailing zeros: 2,510,000, 0.5."""
    return f"{number.normalize():,f}" if isinstance(number, Decimal) else f"{number:,}"


def _metric_label(code):
    definition = metrics.metrics().get(code)
    return str(definition.label) if definition else code


def _shown(number, digits=2):
    """A computed figure as its printed counterpart is shown: separators, `digits` decimals
    (one more than printed, so that a figure that rounds differently shows why)."""
    if number is None:
        return "—"
    return f"{number:,}" if isinstance(number, int) else f"{number:,.{digits}f}"


def _as_printed(value):
    """A printed figure in the page's one number format ("1,044" beside the computed
    "1,045"): a bare count from the CSV gets its thousands separators."""
    whole, point, decimals = value.partition(".")
    try:
        return f"{int(whole.replace(',', '')):,}{point}{decimals}"
    except ValueError:
        return value


def _merge(findings):
    """One finding per printed figure, its explanations joined."""
    merged = {}
    for finding in findings:
        key = (
            finding.publication,
            finding.scope,
            finding.metric,
            finding.year,
            finding.printed.rstrip("%"),
        )
        if key in merged:
            earlier = merged[key]
            merged[key] = replace(
                earlier,
                computed=earlier.computed or finding.computed,
                explanation=f"{earlier.explanation} {finding.explanation}",
            )
        else:
            merged[key] = finding
    return list(merged.values())
