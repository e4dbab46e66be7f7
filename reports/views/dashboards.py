import uuid

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from departments.models import Province
from reports import charts, dashboard, privacy
from reports.exporting import aggregates, aggregates_csv
from reports.views.common import csv_download, province_param, survey_years
from survey import versions


def _dashboard_page(request, *, province=None):
    code = province.code if province else None
    year, baseline, years = survey_years(request, code)
    if year is None:
        return render(request, "reports/no_data.html")
    disclosure = privacy.disclosure_for(request.user, code, year, baseline)
    # Ranks depend on which provinces the viewer sees whole: none, one, or all (None).
    seen_whole = privacy.viewer_province(request.user, None)
    variant = (year, baseline, code, disclosure.key, seen_whole, get_language())
    board, panels, growth, computation = versions.cached(
        "dashboard",
        *variant,
        years=(year, baseline),
        compute=lambda: _dashboard_data(request.user, year, baseline, code, disclosure),
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "province": province,
            "years": years,
            "panels": panels,
            "growth_figure": growth,
            "suppressed": bool(disclosure.hidden),
            "marked": bool(disclosure.marked),
            # The panels' HTML is cached too: rendering ten tables is most of a warm view.
            "panels_key": ":".join(map(str, (*variant, computation))),
            "query": request.GET.urlencode(),
        },
    )


def _dashboard_data(user, year, baseline, province_code, disclosure):
    """The figures and chart data of a dashboard: all of its work, cached as one."""
    board = dashboard.for_viewer(
        user, year=year, baseline=baseline, province=province_code, disclosure=disclosure
    )
    panels = [
        (
            data,
            charts.as_json_data(charts.bar_figure(data.charted_rows, year=year, baseline=baseline)),
        )
        for data in board.panels
    ]
    growth = (
        charts.as_json_data(
            charts.growth_figure(board.headline, year=year, baseline=baseline, panel=board.entitled)
        )
        if baseline
        else None
    )
    # Names this computation, so that the HTML cached from it is reused exactly as long.
    return board, panels, growth, uuid.uuid4().hex


def national(request):
    return _dashboard_page(request)


def province(request, code):
    return _dashboard_page(request, province=get_object_or_404(Province, code=code))


def download_table(request, key):
    if key not in dashboard.panel_keys():
        raise Http404
    province = province_param(request)
    year, baseline, _years_ = survey_years(request, province)
    if year is None:
        raise Http404
    disclosure = privacy.disclosure_for(request.user, province, year, baseline)
    board = dashboard.for_viewer(
        request.user, year=year, baseline=baseline, province=province, disclosure=disclosure
    )
    header, body = dashboard.panel_table(board, key)
    return csv_download(f"{key}-{province or 'national'}-{year}.csv", header, body)


def download_aggregates(request, extension):
    if extension not in ("json", "csv"):
        raise Http404
    province = province_param(request)
    year, baseline, _years_ = survey_years(request, province)
    if year is None:
        raise Http404
    document = aggregates(
        year=year,
        baseline=baseline,
        province=province,
        disclosure=privacy.disclosure_for(request.user, province, year, baseline),
    )
    filename = f"aggregates-{province or 'national'}-{year}.{extension}"
    if extension == "csv":
        response = HttpResponse(aggregates_csv(document), content_type="text/csv; charset=utf-8")
    else:
        response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
