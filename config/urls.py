from django.contrib import admin
from django.urls import include, path

from survey import views as survey_views

urlpatterns = [
    path("", survey_views.home, name="home"),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
