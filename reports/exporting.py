"""Figures as data: the JSON and CSV that the command and the dashboards' downloads share."""

import io

from interchange.files import bom_csv_writer
from reports import privacy

CSV_COLUMNS = ["metric", "value", "baseline", "growth_pct", "n_reporting"]


def aggregates(*, year, baseline=None, province=None, disclosure=privacy.FULL_ACCESS):
    """Every metric of a scope in the `survey_aggregates` JSON shape, as `disclosure` lets
    its viewer see them (by default every report, nothing blanked).

    Public figures list the codes blanked in `suppressed` (not reported is a blank too);
    entitled ones list in `hidden_from_public` what the public does not see.
    """
    comparison = privacy.apply(
        privacy.compare(year=year, baseline=baseline, province=province, disclosure=disclosure),
        disclosure,
    )
    marking = (
        {
            "hidden_from_public": sorted(disclosure.marked),
            **(
                {"baseline_hidden_from_public": sorted(disclosure.marked_baseline)}
                if baseline
                else {}
            ),
        }
        if disclosure.entitled
        else {"suppressed": sorted(disclosure.hidden)}
    )
    return {
        "year": year,
        "baseline_year": baseline,
        "scope": province or "national",
        "published_reports_only": disclosure.published_only,
        **marking,
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
    writer = bom_csv_writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for code, figure in document["metrics"].items():
        writer.writerow([code, *("" if figure[c] is None else figure[c] for c in CSV_COLUMNS[1:])])
    return out.getvalue()
