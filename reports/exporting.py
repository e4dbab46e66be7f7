"""Figures as data: the JSON and CSV that the command and the dashboards' downloads share."""

import io

from django.utils.translation import gettext as _

from interchange.files import bom_csv_writer
from reports import metrics, privacy

CSV_COLUMNS = [
    "metric",
    "value",
    "baseline",
    "growth_pct",
    "n_reporting",
    "shared_value",
    "shared_baseline",
    "shared_items",
]


def not_asked_in(year):
    """The marker of a figure the cycle of `year` did not ask: neither 0 nor not reported."""
    return _("not asked in %(year)s") % {"year": year}


def aggregates(*, year, baseline=None, province=None, disclosure=privacy.FULL_ACCESS):
    """Every metric of a scope in the `survey_aggregates` JSON shape, as `disclosure` lets
    its viewer see them (by default every report, nothing blanked).

    Public figures list the codes blanked in `suppressed` (not reported is a blank too);
    entitled ones list in `hidden_from_public` what the public does not see. Each metric
    says whether the year's cycle asked it (`asked`; not asked, its value is null and means
    neither 0 nor not reported) and, with a baseline, whether that cycle did
    (`baseline_asked`). Where the two cycles asked different items behind it, `shared` gives
    both years over the items both asked, which its `growth_pct` is over, and the items left
    out; `value` and `baseline` stay each year's figure over every item it asked.
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
    definitions = metrics.metrics()

    def entry(code, figure):
        result = {
            "value": figure.value,
            "baseline": figure.baseline,
            "growth_pct": figure.growth_pct,
            "n_reporting": figure.n_reporting,
            "asked": figure.asked,
        }
        if baseline:
            result["baseline_asked"] = figure.baseline_asked
        # The like-for-like figures go with the growth they give: not where it is blanked.
        if figure.shared is not None and figure.growth_pct is not None:
            result["shared"] = {
                "value": figure.shared.value,
                "baseline": figure.shared.baseline,
                "items": list(figure.shared.items),
                "left_out": list(definitions[code].items_left_out(year, baseline)),
            }
        return result

    return {
        "year": year,
        "baseline_year": baseline,
        "scope": province or "national",
        "published_reports_only": disclosure.published_only,
        **marking,
        "metrics": {code: entry(code, figure) for code, figure in comparison.items()},
    }


def aggregates_csv(document):
    """The same figures as CSV text, one metric a row (UTF-8 BOM so Excel reads it right):
    a figure its cycle did not ask reads "not asked in <year>", not reported is blank."""
    out = io.StringIO()
    writer = bom_csv_writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    not_asked = not_asked_in(document["year"])
    not_asked_before = not_asked_in(document["baseline_year"])
    for code, figure in document["metrics"].items():
        shared = figure.get("shared", {})
        cells = {
            **figure,
            "shared_value": shared.get("value"),
            "shared_baseline": shared.get("baseline"),
            "shared_items": " ".join(shared.get("items", ())) or None,
        }
        if not figure["asked"]:
            cells.update(value=not_asked, n_reporting=None)
        if not figure.get("baseline_asked", True):
            cells.update(baseline=not_asked_before)
        writer.writerow([code, *("" if cells[c] is None else cells[c] for c in CSV_COLUMNS[1:])])
    return out.getvalue()
