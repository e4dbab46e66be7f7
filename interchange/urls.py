from django.urls import path

from interchange import views

app_name = "interchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>.<str:file_format>", views.download, name="download"),
    path("<int:year>/form/", views.blank_form, name="form"),
    path("<int:year>/template-<str:language>.xlsx", views.excel_template, name="template"),
]
