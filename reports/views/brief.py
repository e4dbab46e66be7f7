from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from departments.models import Province
from reports import brief, privacy
from reports.views.common import survey_years

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def brief_report(request):
    code = request.GET.get("province") or None
    province = get_object_or_404(Province, code=code) if code else None
    year, baseline, years = survey_years(request, code)
    if year is None:
        return render(request, "reports/no_data.html")
    disclosure = privacy.disclosure_for(request.user, code, year, baseline)
    sections = brief.write(year=year, baseline=baseline, province=province, disclosure=disclosure)
    heading = brief.title(year=year, province=province)
    filename = f"brief-{code or 'national'}-{year}"
    download = request.GET.get("download")
    if download == "txt":
        return _attachment(
            brief.as_text(sections, heading), "text/plain; charset=utf-8", f"{filename}.txt"
        )
    if download == "docx":
        # python-docx is imported only for a .docx: every process would pay it at start.
        from reports import brief_docx

        document = brief_docx.build(sections, heading=heading, year=year, baseline=baseline)
        return _attachment(document, DOCX, f"{filename}.docx")
    query = request.GET.copy()
    query.pop("download", None)
    return render(
        request,
        "reports/brief.html",
        {
            "brief": sections,
            "heading": heading,
            "query": query.urlencode(),
            "province": province,
            "year": year,
            "baseline": baseline,
            "years": years,
            "provinces": Province.objects.all(),
            "suppressed": bool(disclosure.hidden),
        },
    )


def _attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
