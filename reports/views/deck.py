"""The status report as a slide deck, for a province or the nation (issue 16)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from departments.models import Province
from reports.views.common import survey_years


def status_deck(request):
    code = request.GET.get("province") or None
    province = get_object_or_404(Province, code=code) if code else None
    year, baseline, _years = survey_years(request, code)
    if year is None:
        return render(request, "reports/no_data.html", status=404)
    # python-pptx costs a third of a second to import: every process would pay it at start.
    from reports import deck

    scope = deck.scope_for(request.user, year=year, baseline=baseline, province=province)
    response = HttpResponse(deck.write(scope), content_type=deck.CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="deck-{code or "national"}-{year}.pptx"'
    )
    return response
