from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from departments.models import Province
from reports import brief, privacy
from reports.views.common import survey_years


def brief_report(request):
    code = request.GET.get("province") or None
    province = get_object_or_404(Province, code=code) if code else None
    year, baseline, years = survey_years(request, code)
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
