from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("reminders/", views.send_reminders, name="send_reminders"),
]
