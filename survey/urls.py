from django.urls import path

from survey import views

app_name = "survey"
urlpatterns = [
    path("", views.reports, name="reports"),
    path("review/", views.review, name="review"),
    path("filing/", views.filing, name="filing"),
    path("start/<int:year>/", views.start, name="start"),
    path("reports/<int:year>/<str:code>/", views.report, name="report"),
    path("reports/<int:year>/<str:code>/history/", views.history, name="history"),
    path("reports/<int:year>/<str:code>/print/", views.printable, name="print"),
    path("reports/<int:year>/<str:code>/report.csv", views.download, name="download"),
    path("reports/<int:year>/<str:code>/report.xlsx", views.download_workbook, name="workbook"),
    path("reports/<int:year>/<str:code>/do/<str:action>/", views.transition, name="transition"),
    path("reports/<int:year>/<str:code>/<str:key>/", views.section, name="section"),
]
