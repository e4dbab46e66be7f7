from django.urls import include, path

# Login, logout, password change and reset: Django's views with templates/registration/.
urlpatterns = [path("", include("django.contrib.auth.urls"))]
