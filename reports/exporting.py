"""Figures as data: the JSON and CSV that the command and the dashboards' downloads share."""

import csv
import io

from reports.metrics import compare
from reports.privacy import suppressed

CSV_COLUMNS = ["metric", "value", "baseline", "growth_pct", "n_reporting"]


def aggregates(*, year, baseline=None, province=None, hidden=frozenset()):
    """Every metric of a scope in the `survey_aggregates` JSON shape, `hidden` ones blanked."""
    comparison = suppressed(compare(year=year, baseline=baseline, province=province), hidden)
    return {
        "year": year,
        "baseline_year": baseline,
        "scope": province or "national",
        "metrics": {
            code: {
                "value": figure.value,
                "baseline": figure.baseline,
                "growth_pct": figure.growth_pct,
                "n_reporting": figure.n_reporting,
            }
            for code, figure in comparison.items()
        },
    }


def aggregates_csv(document):
    """The same figures as CSV text, one metric a row (UTF-8 BOM so Excel reads it right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for code, figure in document["metrics"].items():
        writer.writerow([code, *("" if figure[c] is None else figure[c] for c in CSV_COLUMNS[1:])])
    return out.getvalue()
