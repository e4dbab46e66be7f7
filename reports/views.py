import csv
import hashlib
import uuid

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from departments.models import Institution, Province
from reports import brief, charts, comparison, consistency, dashboard, privacy, profile
from reports.exporting import aggregates, aggregates_csv
from reports.panels import HEADLINE
from survey import versions
from survey.models import Cycle, Report


def _years(request):
    """The year shown and the baseline compared with, from the query string or the cycles."""
    # EXISTS rather than a join: one index probe per cycle, however many reports there are.
    years = list(
        Cycle.objects.filter(Exists(Report.objects.filter(cycle=OuterRef("pk"))))
        .values_list("year", flat=True)
        .order_by("-year")
    )
    if not years:
        return None, None, years
    year = _year_param(request, "year", years) or years[0]
    earlier = [y for y in years if y < year]
    baseline = _year_param(request, "baseline", years)
    if "baseline" not in request.GET:
        baseline = earlier[-1] if earlier else None
    return year, baseline, years


def _year_param(request, name, years):
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value in years else None


def _dashboard_page(request, *, province=None):
    year, baseline, years = _years(request)
    if year is None:
        return render(request, "reports/no_data.html")
    code = province.code if province else None
    hidden = privacy.hidden_for(request.user, code, year, baseline)
    blanked = hashlib.sha256(",".join(sorted(hidden)).encode()).hexdigest()[:16]
    variant = (year, baseline, code, blanked, get_language())
    board, panels, growth, computation = versions.cached(
        "dashboard",
        *variant,
        years=(year, baseline),
        compute=lambda: _dashboard_data(year, baseline, code, hidden),
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
            "suppressed": bool(hidden),
            # The panels' HTML is cached too: rendering ten tables is most of a warm view.
            "panels_key": ":".join(map(str, (*variant, computation))),
            "query": request.GET.urlencode(),
        },
    )


def _dashboard_data(year, baseline, province_code, hidden):
    """The figures and chart data of a dashboard: all of its work, cached as one."""
    board = dashboard.build(year=year, baseline=baseline, province=province_code, hidden=hidden)
    panels = [
        (
            data,
            charts.as_json_data(charts.bar_figure(data.charted_rows, year=year, baseline=baseline)),
        )
        for data in board.panels
    ]
    growth = (
        charts.as_json_data(charts.growth_figure(board.headline, year=year, baseline=baseline))
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
        year=year, hidden=lambda code: privacy.hidden_for(request.user, code, year)
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
        body = [[item["code"], item["label"], *item["values"]] for item in data["items"]]
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
    year, baseline, _years_ = _years(request)
    if year is None:
        raise Http404
    province = request.GET.get("province") or None
    if province and not Province.objects.filter(code=province).exists():
        raise Http404
    board = dashboard.build(
        year=year,
        baseline=baseline,
        province=province,
        hidden=privacy.hidden_for(request.user, province, year, baseline),
    )
    header, body = dashboard.panel_table(board, key)
    return _csv_download(f"{key}-{province or 'national'}-{year}.csv", header, body)


def _csv_download(filename, header, body):
    """A table as CSV with a BOM, so that Excel reads its Chinese right."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in line] for line in body)
    return response


def download_aggregates(request, extension):
    if extension not in ("json", "csv"):
        raise Http404
    year, baseline, _years_ = _years(request)
    if year is None:
        raise Http404
    province = request.GET.get("province") or None
    if province and not Province.objects.filter(code=province).exists():
        raise Http404
    document = aggregates(
        year=year,
        baseline=baseline,
        province=province,
        hidden=privacy.hidden_for(request.user, province, year, baseline),
    )
    filename = f"aggregates-{province or 'national'}-{year}.{extension}"
    if extension == "csv":
        response = HttpResponse(aggregates_csv(document), content_type="text/csv; charset=utf-8")
    else:
        response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def brief_report(request):
    year, baseline, years = _years(request)
    if year is None:
        return render(request, "reports/no_data.html")
    code = request.GET.get("province") or None
    province = get_object_or_404(Province, code=code) if code else None
    text = brief.write(
        year=year,
        baseline=baseline,
        province=province,
        hidden=privacy.hidden_for(request.user, code, year, baseline),
    )
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
        },
    )


def published_check(request):
    findings = consistency.check_published()
    return render(request, "reports/consistency.html", {"findings": findings})
