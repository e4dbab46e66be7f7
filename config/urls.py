from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from config.views import home

urlpatterns = [
    path("", home, name="home"),
    path("survey/", include("survey.urls")),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("jobs/", include("jobs.urls")),
    path("api/", include("api.urls")),
    path("codebook/", include("interchange.urls")),
    path("notices/", include("notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# 403, 404 and 500 are Django's handlers with our templates; its 400 renders without the request.
handler400 = "config.errors.bad_request"
