from axes.helpers import get_client_ip_address
from django.contrib.auth.forms import PasswordResetForm

from accounts.throttling import password_reset_allowed


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form; beyond the hourly limits it sends nothing and says the same."""

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        client_address = get_client_ip_address(request) if request is not None else None
        if password_reset_allowed(email=email, client_address=client_address):
            super().save(*args, request=request, **kwargs)
