from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/columns", views.columns, name="columns"),
    path("<int:job_id>/import", views.import_checked, name="import"),
    path("<int:job_id>/download", views.download, name="download"),
]
