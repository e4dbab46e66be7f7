"""Password-reset throttling: a few mails per e-mail address and per client address an hour.

Counts are fixed one-hour windows in the database (`PasswordResetCount`), taken with one
conditional UPDATE each, so that concurrent requests on any number of servers cannot exceed a
limit. A window boundary lets a burst reach at most twice a limit within an hour.
"""

import logging
import unicodedata

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import PasswordResetCount

WINDOW_SECONDS = 3600

logger = logging.getLogger(__name__)


def _key(kind, value):
    # Keyed with SECRET_KEY: the table cannot be turned back into a list of addresses.
    return salted_hmac("accounts.throttling", f"{kind}:{value}", algorithm="sha256").hexdigest()


def same_address(email):
    """One key for every spelling Django's reset form matches to the same account: it
    compares NFKC-normalised, case-folded addresses (and PostgreSQL's UPPER folds "ſ" to
    "S"), so "ſ" counts as "s" here too."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def _take(key, window, limit):
    """Count one more request against `key`; whether it was still under `limit`."""
    counter, _created = PasswordResetCount.objects.get_or_create(key=key, window=window)
    taken = PasswordResetCount.objects.filter(pk=counter.pk, count__lt=limit).update(
        count=F("count") + 1
    )
    return taken == 1


def password_reset_allowed(*, email, client_address, now=None):
    """Whether a reset mail may go to `email` at the request of `client_address` (counted).

    Every request counts the same whether or not an account has that address, so what the
    user sees never tells which addresses exist.
    """
    now = now or timezone.now()
    window = int(now.timestamp()) // WINDOW_SECONDS
    PasswordResetCount.objects.filter(window__lt=window).delete()
    limits = (
        ("client", client_address or "unknown", settings.PASSWORD_RESET_LIMIT_PER_CLIENT),
        ("email", same_address(email), settings.PASSWORD_RESET_LIMIT_PER_EMAIL),
    )
    for kind, value, limit in limits:
        if not _take(_key(kind, value), window, limit):
            logger.warning("Password reset refused: more than %s an hour per %s.", limit, kind)
            return False
    return True
