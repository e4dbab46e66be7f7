from django.contrib import admin
from django.urls import include, path

from survey import views as survey_views
from survey.health import healthz

urlpatterns = [
    path("", survey_views.home, name="home"),
    path("survey/", include("survey.urls")),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
