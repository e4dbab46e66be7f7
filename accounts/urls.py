from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import LoginForm, ThrottledPasswordResetForm

# Login, logout, password change and reset: Django's views with templates/registration/; the
# reset form sends a limited number of mails (accounts.throttling).
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]
