from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.national, name="national"),
    path("province/<str:code>/", views.province, name="province"),
    path("provinces/", views.provinces, name="provinces"),
    path("institution/<str:code>/", views.institution, name="institution"),
    path("brief/", views.brief_report, name="brief"),
    path("deck.pptx", views.status_deck, name="deck"),
    path("workbook.xlsx", views.dashboard_workbook, name="workbook"),
    path("published-check/", views.published_check, name="published_check"),
    path("table/<str:key>/", views.table, name="table"),
    path("download/<str:key>.csv", views.download_table, name="download_table"),
    path("aggregates.<str:extension>", views.download_aggregates, name="aggregates"),
]
