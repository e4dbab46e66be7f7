"""A dashboard as one workbook: the About sheet and a sheet per panel."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from departments.models import Province
from reports import dashboard, privacy
from reports.exporting import dashboard_workbook as workbook_bytes
from reports.views.common import province_param, survey_years

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disclosure_note(disclosure):
    # The same words as the dashboard's notes (templates/reports/dashboard.html).
    if disclosure.hidden:
        return _(
            "Figures of submitted and accepted reports. A figure to which fewer than 3 "
            "institutions contribute, or mostly one, is not shown (—), nor are the figures "
            "that would give it away, so that no hospital's own values can be read from them."
        )
    if disclosure.entitled:
        return _("Every report's figures, including those hidden from the public.")
    return _("Figures of submitted and accepted reports.")


def dashboard_workbook(request):
    code = province_param(request)
    year, baseline, _years = survey_years(request, code)
    if year is None:
        raise Http404
    province = get_object_or_404(Province, code=code) if code else None
    disclosure = privacy.disclosure_for(request.user, code, year, baseline)
    board = dashboard.for_viewer(
        request.user, year=year, baseline=baseline, province=code, disclosure=disclosure
    )
    content = workbook_bytes(
        board,
        scope_name=province.name if province else _("National overview"),
        disclosure_note=_disclosure_note(disclosure),
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"dashboard-{code or 'national'}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
