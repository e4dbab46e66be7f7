"""What every reports page reads from its query string, and the CSV response they share."""

from django.http import Http404, HttpResponse

from departments.models import Province
from interchange.files import bom_csv_writer
from reports import privacy


def survey_years(request, province_code=None):
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


def province_param(request):
    """The `province` of the query string (None for the nation); 404 when unknown."""
    province = request.GET.get("province") or None
    if province and not Province.objects.filter(code=province).exists():
        raise Http404
    return province


def csv_download(filename, header, body):
    """A table as CSV with a BOM, so that Excel reads its Chinese right."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = bom_csv_writer(response)
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in line] for line in body)
    return response
