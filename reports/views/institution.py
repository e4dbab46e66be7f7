from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from departments.models import Institution
from reports import charts, profile
from reports.exporting import not_asked_in
from reports.views.common import csv_download


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
        return csv_download(f"institution-{institution.code}.csv", header, body)
    figures = [
        (key, charts.as_json_data(charts.line_figure(str(title), data["years"], series)))
        for key, title, series in profile.chart_series(data)
    ]
    return render(
        request,
        "reports/institution.html",
        {
            "institution": institution,
            "profile": data,
            "figures": figures,
        },
    )
