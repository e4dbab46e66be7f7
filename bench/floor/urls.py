"""Log in, then save: `POST /save/<report id>/` with a value and the version it was loaded at."""

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST


def log_in(request):
    if request.method == "POST":
        user = authenticate(
            request, username=request.POST["username"], password=request.POST["password"]
        )
        if user is None:
            return HttpResponseBadRequest("wrong password")
        login(request, user)
        return redirect("/save/0/")
    from django.middleware.csrf import get_token

    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


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


urlpatterns = [path("login/", log_in), path("save/<int:report>/", save)]
