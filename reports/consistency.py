"""Recompute the figures printed in the brief report and list where they disagree.

Three checks: each printed figure against the data; each printed growth against the printed
counts it was computed from; and pairs of printed figures that name the same thing.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import metrics
from survey.models import Cycle

PUBLISHED_CSV = Path(settings.BASE_DIR) / "fixtures" / "survey" / "published-2023.csv"

# Printed figures that the report presents as the same group of departments.
SAME_GROUP = [
    (
        "inst_svc_therapy",
        "inst_therapy",
        gettext_lazy("departments providing radiopharmaceutical therapy"),
    ),
]


@dataclass(frozen=True)
class Finding:
    metric: str
    year: int
    printed: str
    computed: str
    explanation: str


def read_published(path=PUBLISHED_CSV):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _decimals(printed):
    return len(printed.split(".")[1]) if "." in printed else 0


def _same(printed, computed):
    return computed is not None and round(Decimal(str(computed)), _decimals(printed)) == Decimal(
        printed
    )


def check_published(rows=None):
    """Every disagreement between the printed figures, the data and one another."""
    rows = rows if rows is not None else read_published()
    years = sorted({int(row["year"]) for row in rows})
    known = set(Cycle.objects.values_list("year", flat=True))
    data = {}

    def figures_of(year, baseline):
        if year not in known:
            return {}
        key = (year, baseline if baseline in known else None)
        if key not in data:
            data[key] = metrics.compare(year=key[0], baseline=key[1])
        return data[key]

    printed_counts = {
        (row["metric"], int(row["year"])): int(row["value"])
        for row in rows
        if row["unit"] == "count"
    }
    findings = []
    for row in rows:
        year, code, printed = int(row["year"]), row["metric"], row["value"]
        baseline = _baseline_year(row["unit"])
        computed = _computed(row, figures_of(year, baseline))
        if not _same(printed, computed):
            findings.append(
                Finding(
                    code, year, printed, _shown(computed), _("The data give a different figure.")
                )
            )
        if baseline is not None:
            now, before = printed_counts.get((code, year)), printed_counts.get((code, baseline))
            from_print = metrics.growth_pct(now, before) if now is not None else None
            if from_print is not None and not _same(printed, from_print):
                findings.append(
                    Finding(
                        code,
                        year,
                        f"{printed}%",
                        f"{from_print:.1f}%",
                        _(
                            "The printed counts %(now)s and %(before)s give %(growth).1f%%, not the "
                            "printed %(printed)s%%."
                        )
                        % {
                            "now": f"{now:,}",
                            "before": f"{before:,}",
                            "growth": from_print,
                            "printed": printed,
                        },
                    )
                )
    for first, second, group in SAME_GROUP:
        for year in years:
            a, b = printed_counts.get((first, year)), printed_counts.get((second, year))
            if a is not None and b is not None and a != b:
                findings.append(
                    Finding(
                        f"{first} / {second}",
                        year,
                        f"{a:,} / {b:,}",
                        "",
                        _(
                            "The report gives two numbers of %(group)s: %(a)s departments ticked "
                            "the service, %(b)s reported treatments."
                        )
                        % {"group": group, "a": f"{a:,}", "b": f"{b:,}"},
                    )
                )
    return _merge(findings)


def _baseline_year(unit):
    """2019 for `growth_percent_vs_2019`; None for counts and shares."""
    prefix = "growth_percent_vs_"
    return int(unit[len(prefix) :]) if unit.startswith(prefix) else None


def _computed(row, figures):
    code = row["metric"]
    if code not in figures:
        return None
    if row["unit"] == "count":
        return figures[code].value
    if row["unit"] == "percent":
        base = figures.get(row["base"])
        if base is None or not base.value or figures[code].value is None:
            return None
        return 100 * figures[code].value / base.value
    return figures[code].growth_pct


def _shown(number):
    if number is None:
        return "—"
    return f"{number:,}" if isinstance(number, int) else f"{number:.2f}"


def _merge(findings):
    """One finding per printed figure, its explanations joined."""
    merged = {}
    for finding in findings:
        key = (finding.metric, finding.year, finding.printed.rstrip("%"))
        if key in merged:
            earlier = merged[key]
            merged[key] = Finding(
                earlier.metric,
                earlier.year,
                earlier.printed,
                earlier.computed or finding.computed,
                f"{earlier.explanation} {finding.explanation}",
            )
        else:
            merged[key] = finding
    return list(merged.values())
