from axes.helpers import get_client_ip_address
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts.throttling import password_reset_allowed


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form; beyond the hourly limits it sends nothing and says the same."""

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        client_address = get_client_ip_address(request) if request is not None else None
        if password_reset_allowed(email=email, client_address=client_address):
            super().save(*args, request=request, **kwargs)


# A username is at most 150 characters (User.username); django-axes keeps a failed login's
# username in a varchar(255), which a longer one would overflow (a 500 on PostgreSQL).
USERNAME_MAX_LENGTH = 150
AXES_USERNAME_MAX_LENGTH = 255


class LoginForm(AuthenticationForm):
    """Django's login form, refusing an over-long username before anyone authenticates.

    Django sets the username field's max_length without its validator: the length is checked
    here, so that no failed login with such a name is ever recorded.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        limit = min(username.max_length or USERNAME_MAX_LENGTH, USERNAME_MAX_LENGTH)
        username.validators.append(
            MaxLengthValidator(
                limit,
                message=_("A username has at most %(limit_value)d characters."),
            )
        )


def axes_username(request, credentials=None):
    """The username django-axes records (AXES_USERNAME_CALLABLE): as given, cut to the length
    of its column, for the logins that do not use `LoginForm` (the admin's)."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return username[:AXES_USERNAME_MAX_LENGTH] if isinstance(username, str) else username
