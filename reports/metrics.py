"""The figures of the national report, computed in the database.

A metric is a national or provincial figure for one survey year (fixtures/survey/README.md).
Every metric is defined once here as database aggregates, so one query gives every figure of
a scope whatever the number of institutions, and one grouped query gives every province.
Dashboards, exports, the `survey_aggregates` command and the generated report all read them
through `figures`, `figures_by_province` and `compare`.

Sums also carry what disclosure control needs (`reports.privacy`): how many institutions
contribute a non-zero value and the largest contribution, in the same query. With
`published=True` only submitted and accepted reports count: the figures shown to anyone not
entitled to the reports themselves.

Cycles ask different items (`survey.instrument`): a figure of items its year did not ask is
*not asked* (`Figure.asked`), neither 0 nor not reported, and a comparison of two cycles that
asked different items behind a metric grows over the items both asked (`Comparison.shared`).
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, reduce
from operator import or_

from django.db import connection
from django.db.models import Count, F, IntegerField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from config.compiled import compile_query
from departments.models import TERTIARY_TIERS, DeptAffiliation, Ownership, Province, Tier
from survey import versions
from survey.instrument import items as instrument
from survey.instrument.items import COUNT, FLAG, GROUPS
from survey.instrument.sections.radiopharmaceuticals import LICENSE_CLASS_III, LicenseClass
from survey.models import PUBLISHED_STATUSES, Report


@dataclass(frozen=True)
class Metric:
    """A figure: how to compute its value and how many institutions reported what it needs.

    `parts` marks a group total, the sum of its items' values (None when none was reported).
    `base` names the metric a share of this one is taken against. A sum (an item or a group
    total, as opposed to a count of institutions) has `contributors`, the institutions with a
    value above 0, and `largest`, the largest institution's value. `behind` names the items the
    metric is defined over: it is asked in a cycle that asks any of them (a metric over no item,
    such as `institutions` or a choice, is asked in every cycle). A count of institutions over
    items has `condition_over`, its condition over a subset of them (for comparing cycles).
    """

    code: str
    label: str
    section: str
    value: object = None
    reported: object = None
    parts: tuple[str, ...] = ()
    base: str | None = None
    contributors: object = None
    largest: object = None
    behind: tuple[str, ...] = ()
    condition_over: object = None

    @property
    def is_sum(self):
        return self.contributors is not None

    def asked_in(self, year):
        return not self.behind or any(instrument.is_asked(code, year) for code in self.behind)

    def items_asked_in(self, year):
        return tuple(code for code in self.behind if instrument.is_asked(code, year))

    def items_left_out(self, year, baseline):
        """The items behind it that only one of the two years asked: what a comparison of
        them over the items both asked leaves out."""
        now, then = self.items_asked_in(year), self.items_asked_in(baseline)
        return tuple(code for code in self.behind if (code in now) != (code in then))


@dataclass(frozen=True)
class Figure:
    """A metric's figure in one scope and year. `asked` is False when the year's cycle did not
    ask the items behind it: then `value` is None, as for *not reported*, but means neither."""

    value: int | None
    n_reporting: int
    contributors: int | None = None
    largest: int | None = None
    asked: bool = True


@dataclass(frozen=True)
class Shared:
    """A metric over the items asked in both years of a comparison (`items`), where the two
    cycles asked different items behind it: the like-for-like figures its growth is over."""

    value: int | None
    baseline: int | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """A metric of `year` beside the baseline year's. When the cycles asked different items
    behind it, `shared` holds both years over the items both asked and `growth_pct` is theirs:
    `value` and `baseline` stay each year's full figure."""

    value: int | None
    baseline: int | None
    growth_pct: float | None
    n_reporting: int
    baseline_n_reporting: int | None = None
    asked: bool = True
    baseline_asked: bool = True
    shared: Shared | None = None


def _any(codes, lookup):
    return reduce(or_, (Q(**{f"{code}{lookup}": value}) for code, value in codes))


def _any_positive(*codes):
    return _any([(code, 0) for code in codes], "__gt")


def _any_reported(*codes):
    return _any([(code, False) for code in codes], "__isnull")


def _institutions(condition):
    return Count("pk", filter=condition)


def _choice_metrics(code, prefix, choices, section):
    reported = _institutions(~Q(**{code: ""}))  # choices are asked in every cycle
    return [
        Metric(
            f"{prefix}{value}",
            label,
            section,
            _institutions(Q(**{code: value})),
            reported,
            base="institutions",
        )
        for value, label in choices
    ]


# Reports that count in what is published; drafts and returned reports are still changing.


def _institution_total(parts):
    return reduce(
        lambda a, b: a + b,
        (Coalesce(F(part), 0, output_field=IntegerField()) for part in parts),
    )


# Some yes/no items are asked of a subset: their share is of that subset, as in the report.
FLAG_BASES = {
    "svc_therapy_outpatient": "inst_svc_therapy",
    "svc_therapy_ward": "inst_svc_therapy",
    "in_vitro": "inst_in_vitro",
}


def _base_of(code):
    # An "of which" item is a share of the whole bounding it, and part of no group.
    if code in instrument.OF_WHICH:
        return instrument.OF_WHICH[code]
    for group, parts in GROUPS.items():
        if code in parts:
            return group
    return None


@cache
def metrics():
    """Every metric, by code, in the order of the report."""
    tx_items = GROUPS["tx_total"]
    positron = ("eq_pet_ct", "eq_pet_mri")
    result = [
        Metric(
            "institutions", _("Reporting institutions"), "institution", Count("pk"), Count("pk")
        ),
        *_choice_metrics("ownership", "inst_", Ownership.choices, "institution"),
        *_choice_metrics(
            "tier", "inst_", [(Tier.TERTIARY_TOP, Tier.TERTIARY_TOP.label)], "institution"
        ),
        Metric(
            "inst_tertiary",
            _("Tertiary hospitals"),
            "institution",
            _institutions(Q(tier__in=TERTIARY_TIERS)),
            _institutions(~Q(tier="")),
            base="institutions",
        ),
        Metric(
            "inst_secondary",
            Tier.SECONDARY.label,
            "institution",
            _institutions(Q(tier=Tier.SECONDARY)),
            _institutions(~Q(tier="")),
            base="institutions",
        ),
        Metric(
            "inst_tier_other",
            _("Other hospital levels"),
            "institution",
            _institutions(Q(tier=Tier.OTHER)),
            _institutions(~Q(tier="")),
            base="institutions",
        ),
        *_choice_metrics(
            "dept_affiliation", "inst_affiliation_", DeptAffiliation.choices, "institution"
        ),
        *_choice_metrics(
            "license_class", "inst_license_", LicenseClass.choices, "radiopharmaceuticals"
        ),
        Metric(
            "inst_license_III",
            _("Class III (A and B)"),
            "radiopharmaceuticals",
            _institutions(Q(license_class__in=LICENSE_CLASS_III)),
            _institutions(~Q(license_class="")),
            base="institutions",
        ),
    ]
    for item in instrument.items():
        if item.kind == FLAG:
            result.append(
                Metric(
                    f"inst_{item.code}",
                    item.label,
                    item.section,
                    _institutions(Q(**{item.code: True})),
                    Count(item.code),
                    base=FLAG_BASES.get(item.code, FLAG_BASES.get(item.section, "institutions")),
                    behind=(item.code,),
                )
            )
        elif item.kind == COUNT:
            result.append(
                Metric(
                    item.code,
                    item.label,
                    item.section,
                    Sum(item.code),
                    Count(item.code),
                    base=_base_of(item.code),
                    contributors=_institutions(_any_positive(item.code)),
                    largest=Max(item.code),
                    behind=(item.code,),
                )
            )
    for group, parts in GROUPS.items():
        result.append(
            Metric(
                group,
                instrument.label(group),
                instrument.items_by_code()[parts[0]].section,
                reported=_institutions(_any_reported(*parts)),
                parts=parts,
                contributors=_institutions(_any_positive(*parts)),
                largest=Max(_institution_total(parts)),
                behind=parts,
            )
        )
    therapy = instrument.THERAPY_GROUPS
    # (code, label, section, items behind it, base): institutions with any of the items above 0.
    derived = [
        (
            "inst_with_positron_equipment",
            _("Institutions with positron imaging equipment"),
            "equipment",
            positron,
            "institutions",
        ),
        (
            "inst_with_cyclotron",
            _("Institutions with a cyclotron"),
            "equipment",
            ("eq_cyclotron",),
            "institutions",
        ),
        (
            "inst_therapy",
            _("Institutions performing radionuclide therapy"),
            "therapy",
            tx_items,
            "institutions",
        ),
        (
            "inst_therapy_i131",
            _("Institutions giving 131I therapy"),
            "therapy",
            therapy["i131"],
            "inst_therapy",
        ),
        (
            "inst_therapy_bone",
            _("Institutions treating bone metastases"),
            "therapy",
            therapy["bone"],
            "inst_therapy",
        ),
        (
            "inst_therapy_radioligand",
            _("Institutions giving radioligand therapy (177Lu)"),
            "therapy",
            therapy["radioligand"],
            "inst_therapy",
        ),
        (
            "inst_therapy_plaster",
            _("Institutions giving applicator (plaster) therapy"),
            "therapy",
            therapy["plaster"],
            "inst_therapy",
        ),
        (
            "inst_therapy_yunke",
            _("Institutions giving 99Tc-MDP (Yunke) therapy"),
            "therapy",
            therapy["yunke"],
            "inst_therapy",
        ),
        (
            "inst_in_vitro",
            _("Institutions reporting in vitro samples"),
            "in_vitro",
            ("iv_samples",),
            "institutions",
        ),
    ]
    for code, label, section, behind, base in derived:
        result.append(
            Metric(
                code,
                label,
                section,
                _institutions(_any_positive(*behind)),
                _institutions(_any_reported(*behind)),
                base=base,
                behind=behind,
                condition_over=_any_positive,
            )
        )
    tertiary = Q(tier__in=TERTIARY_TIERS)
    result.insert(
        [m.code for m in result].index("inst_with_positron_equipment") + 1,
        Metric(
            "inst_with_positron_equipment_tertiary",
            _("Of those, tertiary hospitals"),
            "equipment",
            _institutions(_any_positive(*positron) & tertiary),
            _institutions(_any_reported(*positron)),
            base="inst_with_positron_equipment",
            behind=positron,
            condition_over=lambda *codes: _any_positive(*codes) & tertiary,
        ),
    )
    return {metric.code: metric for metric in result}


# Aliases must not be field names, or later aggregates would read them instead of the field.
def _aggregates():
    expressions = {}
    for code, metric in metrics().items():
        if metric.value is not None:
            expressions[f"value_{code}"] = metric.value
        expressions[f"reported_{code}"] = metric.reported
        if metric.is_sum:
            expressions[f"contributors_{code}"] = metric.contributors
            expressions[f"largest_{code}"] = metric.largest
    return expressions


def _figures_from_row(row, year):
    values = {}
    for code, metric in metrics().items():
        if not metric.asked_in(year):
            # A count of institutions would read 0 and a sum None: both mean "not asked".
            values[code] = Figure(None, 0, 0 if metric.is_sum else None, None, asked=False)
            continue
        if metric.parts:
            value = _sum_of_reported(values[part].value for part in metric.parts)
        else:
            value = row[f"value_{code}"]
        values[code] = Figure(
            value,
            row[f"reported_{code}"],
            row.get(f"contributors_{code}"),
            row.get(f"largest_{code}"),
        )
    return values


def _sum_of_reported(values):
    reported = [value for value in values if value is not None]
    return sum(reported) if reported else None


def published(reports):
    return reports.filter(status__in=PUBLISHED_STATUSES)


def reports_of(*, year, province=None, panel_with=None, published_only=False):
    """The reports behind a scope's figures.

    `panel_with` restricts them to the matched panel: institutions that also reported in
    that other year (with a published report there too, when `published_only`).
    """
    reports = Report.objects.for_year(year)
    if published_only:
        reports = published(reports)
    if province is not None:
        reports = reports.in_province(province)
    if panel_with is not None:
        other = Report.objects.for_year(panel_with)
        if published_only:
            other = published(other)
        reports = reports.filter(institution__in=other.values("institution"))
    return reports


def figures(*, year, province=None, panel_with=None, published=False):
    """Every metric of one year, nationally or for one province code: {code: Figure}.

    With `published`, of the submitted and accepted reports only.
    """

    def compute():
        shape = (province is not None, panel_with is not None, published, _vendor())
        [row] = _run(
            _compiled_scope_query(*shape), year=year, province=province, panel_with=panel_with
        )
        return _figures_from_row(row, year)

    return versions.cached(
        "figures",
        year,
        province,
        panel_with,
        published,
        years=(year, panel_with),
        compute=compute,
        published=published,
    )


def figures_by_province(*, year, published=False):
    """Every metric of one year for each province with reports: {province code: {code: Figure}}."""

    def compute():
        rows = _run(_compiled_by_province_query(published, _vendor()), year=year)
        return {row["institution__province"]: _figures_from_row(row, year) for row in rows}

    return versions.cached(
        "figures-by-province", year, published, years=(year,), compute=compute, published=published
    )


# The aggregate queries are compiled once per shape (which filters a scope uses) and run with
# each scope's own parameters (`config.compiled`): building them costs more than running them.
_YEARS = (2001, 2002)  # two values of a year parameter, for `compile_query` to find its places


def _vendor():
    return connection.vendor


@cache
def _compiled_scope_query(by_province, with_panel, published_only, vendor):
    def build(year, province=None, panel_with=None):
        reports = reports_of(
            year=year, province=province, panel_with=panel_with, published_only=published_only
        )
        # A constant in values() groups nothing: one row of aggregates, as aggregate() gives.
        return reports.order_by().values(scope=Value(1)).annotate(**_aggregates())

    examples = {"year": _YEARS}
    if by_province:
        examples["province"] = ("11", "12")
    if with_panel:
        examples["panel_with"] = _YEARS
    return compile_query(build, **examples)


@cache
def _compiled_by_province_query(published_only, vendor):
    def build(year):
        return (
            reports_of(year=year, published_only=published_only)
            .values("institution__province")
            .order_by("institution__province")
            .annotate(**_aggregates())
        )

    return compile_query(build, year=_YEARS)


def _run(compiled, **values):
    """Rows of a compiled query as dicts, run with `values` (parameter name -> value)."""
    rows = compiled.rows(**{name: values[name] for name in compiled.slots})
    return [{column: _plain(value) for column, value in row.items()} for row in rows]


def _plain(value):
    # PostgreSQL sums integers as numeric in some versions: figures are whole numbers.
    return int(value) if isinstance(value, Decimal) else value


def growth_pct(value, baseline):
    if value is None or not baseline:
        return None
    return 100 * (value - baseline) / baseline


def compare(*, year, baseline=None, province=None, panel=False, published=False):
    """Every metric of `year` beside the `baseline` year's: {code: Comparison}.

    With `panel`, both years count only institutions that reported in both, so that growth
    is not confused with a rise in respondents. With `published`, of the submitted and
    accepted reports only. Where the two cycles asked different items behind a metric, its
    growth is over the items both asked (`Comparison.shared`).
    """
    scope = {"province": province, "published": published}
    current = figures(year=year, panel_with=baseline if panel and baseline else None, **scope)
    before = figures(year=baseline, panel_with=year if panel else None, **scope) if baseline else {}
    shared = (
        _shared_figures(year, baseline, current, before, panel=panel, **scope) if baseline else {}
    )
    result = {}
    for code, figure in current.items():
        then = before.get(code)
        like_for_like = shared.get(code)
        if like_for_like is not None:
            growth = growth_pct(like_for_like.value, like_for_like.baseline)
        else:
            growth = growth_pct(figure.value, then.value) if then else None
        result[code] = Comparison(
            value=figure.value,
            baseline=then.value if then else None,
            growth_pct=growth,
            n_reporting=figure.n_reporting,
            baseline_n_reporting=then.n_reporting if then else None,
            asked=figure.asked,
            baseline_asked=then.asked if then else True,
            shared=like_for_like,
        )
    return result


@cache
def differing_metrics(year, baseline):
    """{code: the items both years asked} of the metrics whose items the two cycles asked
    differently, but both asked some of (none without two years: None is no cycle)."""
    if year is None or baseline is None:
        return {}
    result = {}
    for code, metric in metrics().items():
        now, then = metric.items_asked_in(year), metric.items_asked_in(baseline)
        common = tuple(item for item in now if item in then)
        if now != then and common:
            result[code] = common
    return result


def _shared_figures(year, baseline, current, before, *, province, published, panel):
    """{code: Shared} for the metrics whose items differ between the two cycles: group totals
    summed over the common items from each year's figures (`current`, `before`), counts of
    institutions counted over them (one query a year, cached)."""
    differing = differing_metrics(year, baseline)
    if not differing:
        return {}
    scope = {"province": province, "published": published, "panel": panel}
    counts_now = _counts_over_common(year, baseline, **scope)
    counts_then = _counts_over_common(baseline, year, **scope)
    result = {}
    for code, common in differing.items():
        if metrics()[code].parts:
            result[code] = Shared(
                _sum_of_reported(current[part].value for part in common),
                _sum_of_reported(before[part].value for part in common),
                common,
            )
        elif code in counts_now:
            result[code] = Shared(counts_now[code], counts_then[code], common)
    return result


def _counts_over_common(of_year, other_year, *, province, published, panel):
    """{code: institutions of `of_year`} of the counts of institutions over a group whose
    items differ between the two cycles, counted over the items both asked."""
    differing = differing_metrics(of_year, other_year)
    counts = {
        f"value_{code}": _institutions(metrics()[code].condition_over(*common))
        for code, common in differing.items()
        if metrics()[code].condition_over is not None
    }

    def compute():
        if not counts:
            return {}
        reports = reports_of(
            year=of_year,
            province=province,
            panel_with=other_year if panel else None,
            published_only=published,
        )
        row = reports.aggregate(**counts)
        return {key.removeprefix("value_"): _plain(value) for key, value in row.items()}

    return versions.cached(
        "counts-over-common",
        of_year,
        other_year,
        province,
        published,
        panel,
        # The items both asked depend on both years; the reports counted on `of_year` only
        # (and, for the matched panel, on which institutions reported in `other_year`).
        years=(of_year, other_year if panel else None),
        compute=compute,
        published=published,
    )


def share_pct(values, code):
    """`code` as a percentage of its base metric in `values` ({code: value}), or None."""
    base = metrics()[code].base
    if base is None or values.get(code) is None or not values.get(base):
        return None
    return 100 * values[code] / values[base]


def population_millions(province=None):
    """Resident population (end of 2023) in millions, of a province or of the nation."""
    provinces = Province.objects.all()
    if province is not None:
        provinces = provinces.filter(code=province)
    return sum(p.population_millions for p in provinces)


def per_million(value, population):
    if value is None or not population:
        return None
    return value / population
