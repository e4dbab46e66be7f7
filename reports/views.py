import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import may_open
from departments.models import Institution, Province
from interchange.files import bom_csv_writer
from reports import brief, charts, comparison, consistency, dashboard, privacy, profile
from reports.exporting import aggregates, aggregates_csv, not_asked_in
from reports.panels import HEADLINE
from survey import versions


def _years(request, province_code=None):
    """The year shown and the baseline compared with, from the query string or the cycles
    the viewer may see for the scope (for the public, those with published reports)."""
    years, default = privacy.years_and_default(request.user, province_code)
    if not years:
        return None, None, years
    year = _year_param(request, "year", years) or default
    earlier = [y for y in years if y < year]
    baseline = _year_param(request, "baseline", years)
    if "baseline" not in request.GET or (baseline is not None and baseline >= year):
        # A baseline is an earlier cycle: the form keeps the old one when the year changes.
        baseline = earlier[-1] if earlier else None
    return year, baseline, years


def _year_param(request, name, years):
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value in years else None


def _dashboard_page(request, *, province=None):
    code = province.code if province else None
    year, baseline, years = _years(request, code)
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


def _board(user, year, baseline, province_code, disclosure):
    ranked_among = privacy.province_values(user, year=year) if province_code else None
    return dashboard.build(
        year=year,
        baseline=baseline,
        province=province_code,
        disclosure=disclosure,
        ranked_among=ranked_among,
    )


def _dashboard_data(user, year, baseline, province_code, disclosure):
    """The figures and chart data of a dashboard: all of its work, cached as one."""
    board = _board(user, year, baseline, province_code, disclosure)
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


def provinces(request):
    year, baseline, years = _years(request)
    if year is None:
        return render(request, "reports/no_data.html")
    table = comparison.province_table(
        year=year,
        values=privacy.province_values(request.user, year=year),
        marked=lambda code: (
            privacy.hidden_in(year, code) if privacy.is_entitled(request.user, code) else ()
        ),
    )
    if request.GET.get("download") == "csv":
        header, body = comparison.as_table(table)
        return _csv_download(f"provinces-{year}.csv", header, body)
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
            "figure": charts.as_json_data(chart),
        },
    )


@login_required
def institution(request, code):
    # Scoped by role (accounts.roles): an institution outside the user's scope is a 404.
    institution = get_object_or_404(
        Institution.objects.visible_to(request.user).select_related("province"), code=code
    )
    data = profile.institution_profile(institution)
    if request.GET.get("download") == "csv":
        header = [_("item"), _("label"), *data["years"]]
        body = [
            [
                item["code"],
                item["label"],
                *(value if asked else not_asked_in(year) for year, asked, value in item["cells"]),
            ]
            for item in data["items"]
        ]
        return _csv_download(f"institution-{institution.code}.csv", header, body)
    chart = charts.line_figure(
        _("Headline figures by survey year"),
        data["years"],
        [(row["label"], row["values"]) for row in data["rows"] if row["code"] in HEADLINE],
    )
    return render(
        request,
        "reports/institution.html",
        {
            "institution": institution,
            "profile": data,
            "figure": charts.as_json_data(chart),
        },
    )


def download_table(request, key):
    if key not in dashboard.panel_keys():
        raise Http404
    province = _province_param(request)
    year, baseline, _years_ = _years(request, province)
    if year is None:
        raise Http404
    disclosure = privacy.disclosure_for(request.user, province, year, baseline)
    board = _board(request.user, year, baseline, province, disclosure)
    header, body = dashboard.panel_table(board, key)
    return _csv_download(f"{key}-{province or 'national'}-{year}.csv", header, body)


def _province_param(request):
    """The `province` of the query string (None for the nation); 404 when unknown."""
    province = request.GET.get("province") or None
    if province and not Province.objects.filter(code=province).exists():
        raise Http404
    return province


def _csv_download(filename, header, body):
    """A table as CSV with a BOM, so that Excel reads its Chinese right."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = bom_csv_writer(response)
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in line] for line in body)
    return response


def download_aggregates(request, extension):
    if extension not in ("json", "csv"):
        raise Http404
    province = _province_param(request)
    year, baseline, _years_ = _years(request, province)
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


def brief_report(request):
    code = request.GET.get("province") or None
    province = get_object_or_404(Province, code=code) if code else None
    year, baseline, years = _years(request, code)
    if year is None:
        return render(request, "reports/no_data.html")
    disclosure = privacy.disclosure_for(request.user, code, year, baseline)
    text = brief.write(year=year, baseline=baseline, province=province, disclosure=disclosure)
    if request.GET.get("download") == "txt":
        response = HttpResponse(brief.as_text(text), content_type="text/plain; charset=utf-8")
        scope = code or "national"
        response["Content-Disposition"] = f'attachment; filename="brief-{scope}-{year}.txt"'
        return response
    return render(
        request,
        "reports/brief.html",
        {
            "brief": text,
            "province": province,
            "year": year,
            "baseline": baseline,
            "years": years,
            "provinces": Province.objects.all(),
            "suppressed": bool(disclosure.hidden),
        },
    )


@login_required
def published_check(request):
    if not may_open(request.user, "published_check"):
        raise Http404
    findings = consistency.check_published()
    return render(
        request,
        "reports/consistency.html",
        {"findings": findings, "publications": consistency.PUBLICATIONS},
    )
