import uuid
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from departments.models import Province
from reports import charts, dashboard, privacy
from reports.exporting import aggregates, aggregates_csv
from reports.views.common import csv_download, province_param, survey_years
from survey import versions


def _viewer_dashboard(request, code):
    """The dashboard of a scope for the query's years as the viewer sees it, with its charts'
    data: (years, disclosure, variant, (board, panels, growth, computation)), or None for
    the data when the viewer may see no cycle. The page and its tables share this cache."""
    year, baseline, years = survey_years(request, code)
    if year is None:
        return years, None, None, None
    disclosure = privacy.disclosure_for(request.user, code, year, baseline)
    # Ranks depend on which provinces the viewer sees whole: none, one, or all (None).
    seen_whole = privacy.viewer_province(request.user, None)
    variant = (year, baseline, code, disclosure.key, seen_whole, get_language())
    data = versions.cached(
        "dashboard",
        *variant,
        years=(year, baseline),
        published=seen_whole == "",  # as `dashboard.for_viewer`'s board
        compute=lambda: _dashboard_data(request.user, year, baseline, code, disclosure),
    )
    return years, disclosure, variant, data


def _dashboard_page(request, *, province=None):
    years, disclosure, variant, data = _viewer_dashboard(request, province and province.code)
    if data is None:
        return render(request, "reports/no_data.html")
    board, panels, growth, computation = data
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
            # The charts' data in the page are cached as HTML too, as long as the figures.
            "panels_key": ":".join(map(str, (*variant, computation))),
            "query": request.GET.urlencode(),
            "scope_query": _scope_query(board),
        },
    )


def _scope_query(board):
    """The query string of the board's year, baseline and province, for its tables' links."""
    return urlencode(
        {
            "year": board.year,
            **({"baseline": board.baseline} if board.baseline else {}),
            **({"province": board.province} if board.province else {}),
        }
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


def table(request, key):
    """One panel's table, as the dashboard folds it: its own page without JavaScript, and
    what the dashboard fetches the first time the table is opened (from the same cache, so
    the viewer sees exactly the figures the page would show)."""
    if key not in dashboard.panel_keys():
        raise Http404
    code = request.GET.get("province") or None
    province = get_object_or_404(Province, code=code) if code else None
    _years, _disclosure, _variant, data = _viewer_dashboard(request, code)
    if data is None:
        raise Http404
    board = data[0]
    if key == "growth":
        if not board.baseline:
            raise Http404
        title = _("Growth %(year)s over %(baseline)s") % {
            "year": board.year,
            "baseline": board.baseline,
        }
        rows, rows_over_shared = board.headline, board.headline_over_shared
    else:
        shown = next((panel for panel in board.panels if panel.panel.key == key), None)
        if shown is None:
            raise Http404
        title, rows, rows_over_shared = shown.panel.title, shown.rows, shown.rows_over_shared
    return render(
        request,
        "reports/table.html",
        {
            "board": board,
            "province": province,
            "key": key,
            "title": title,
            "rows": rows,
            "rows_over_shared": rows_over_shared,
            "scope_query": _scope_query(board),
        },
    )


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
