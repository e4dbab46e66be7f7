"""Log in, open a report, save it, read a dashboard: the platform's requests at their floor.

`GET /report/<institution code>/` gives the form's fields (CSRF token, report id, version);
`POST /save/<report id>/` saves a value at the version it was loaded at; `GET /dashboard/`
reads the year's national figures with one aggregate query.
"""

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_POST


def log_in(request):
    if request.method == "POST":
        user = authenticate(
            request, username=request.POST["username"], password=request.POST["password"]
        )
        if user is None:
            return HttpResponseBadRequest("wrong password")
        login(request, user)
        return redirect("/save/0/")
    return HttpResponse(
        format_html('<input name="csrfmiddlewaretoken" value="{}">', get_token(request))
    )


@login_required
@require_GET
def report(request, code):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.version FROM survey_report r JOIN departments_institution i"
            " ON i.id = r.institution_id WHERE r.cycle_id = 2023 AND i.code = %s",
            [code],
        )
        pk, version = cursor.fetchone()
    return HttpResponse(
        format_html(
            '<input name="csrfmiddlewaretoken" value="{}"><input name="report" value="{}">'
            '<input name="version" value="{}">',
            get_token(request),
            pk,
            version,
        )
    )


@login_required
@require_POST
def save(request, report):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE survey_report SET res_papers_sci = %s, version = version + 1"
            " WHERE id = %s AND version = %s",
            [int(request.POST["value"]), report, int(request.POST["version"])],
        )
        if cursor.rowcount != 1:
            return HttpResponse("stale", status=409)
    return redirect(f"/save/{report}/")


@login_required
@require_GET
def dashboard(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.province_id, count(*), sum(r.res_papers_sci) FROM survey_report r"
            " JOIN departments_institution i ON i.id = r.institution_id"
            " WHERE r.cycle_id = 2023 GROUP BY i.province_id ORDER BY i.province_id"
        )
        rows = cursor.fetchall()
    return HttpResponse(format_html_join("\n", "<p>{} {} {}</p>", rows))


urlpatterns = [
    path("login/", log_in),
    path("report/<str:code>/", report),
    path("save/<int:report>/", save),
    path("dashboard/", dashboard),
]
