from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
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
    # The user's own page: role, scope, password and API tokens (Django's default login redirect).
    path("profile/", views.account, name="account"),
    path("profile/tokens/", views.create_token, name="account_token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.revoke_token, name="account_token_revoke"),
]
