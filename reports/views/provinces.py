from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from reports import charts, comparison, privacy, tilemap
from reports.views.common import csv_download, survey_years

MAPPED_BY_DEFAULT = "eq_positron_total"


def provinces(request):
    year, baseline, years = survey_years(request)
    if year is None:
        return render(request, "reports/no_data.html")
    mapped = request.GET.get("metric") or MAPPED_BY_DEFAULT
    if mapped not in comparison.COMPARED:
        raise Http404
    table = comparison.province_table(
        year=year,
        values=privacy.province_values(request.user, year=year),
        marked=lambda code: (
            privacy.hidden_in(year, code) if privacy.is_entitled(request.user, code) else ()
        ),
    )
    if request.GET.get("download") == "csv":
        header, body = comparison.as_table(table)
        return csv_download(f"provinces-{year}.csv", header, body)
    label = dict(table["columns"])[mapped]
    # The map and the table share the rows: the map shows nothing the table does not.
    tiles = tilemap.tile_map(
        table["rows"],
        mapped,
        title=_("%(metric)s per million residents, %(year)s") % {"metric": label, "year": year},
    )
    chart = charts.province_figure(
        _("Positron imaging units per million people, %(year)s") % {"year": year},
        [row["province"].name for row in table["rows_by_density"]],
        [row["eq_positron_total_per_million"] for row in table["rows_by_density"]],
    )
    return render(
        request,
        "reports/provinces.html",
        {
            "year": year,
            "years": years,
            "table": table,
            "mapped": mapped,
            "tile_map": charts.as_json_data(tiles),
            "figure": charts.as_json_data(chart),
        },
    )
