"""Personal API tokens: made (the secret shown once), recognised by their digest, revoked."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import scope_of
from api.models import ApiToken, MicrodataRead

# "nms_" names the token's origin in a leaked script or log (as GitHub's "ghp_" does).
TOKEN_START = "nms_"
# token_urlsafe(32): 256 random bits, 43 characters of [A-Za-z0-9_-].
TOKEN_FORM = re.compile(rf"{TOKEN_START}[A-Za-z0-9_-]{{43}}")
PREFIX_LENGTH = len(TOKEN_START) + 8
# A user rarely needs more than a handful; the limit keeps a looping script from filling the table.
MAX_ACTIVE_TOKENS = 20
# How stale `last_used_at` may be: a script's burst of requests writes it once, not each time.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest_of(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name):
    """A new token of `user`: (ApiToken, its secret). The secret is not stored: show it now."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name, to tell it from your others."))
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You have %(limit)s tokens already: revoke one you no longer use first.")
            % {"limit": MAX_ACTIVE_TOKENS}
        )
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[:PREFIX_LENGTH], digest=digest_of(secret)
    )
    return token, secret


def authenticate(secret):
    """The active token whose secret is `secret`, of an active user, or None.

    Looked up by the secret's digest: the comparison the database makes is of digests, so its
    timing tells nothing about the secret. The user's role comes with it (one query).
    """
    if not isinstance(secret, str) or not TOKEN_FORM.fullmatch(secret):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user__membership")
        .filter(digest=digest_of(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(user, pk):
    """Revoke `user`'s token `pk`; ApiToken.DoesNotExist if `user` has no such active token."""
    updated = ApiToken.objects.active().filter(user=user, pk=pk).update(revoked_at=timezone.now())
    if not updated:
        raise ApiToken.DoesNotExist


def scope_label(user):
    """The scope of `user`'s reads as the log keeps it: "all", "province 51", "institution 7"."""
    scope = scope_of(user)
    if scope.everything:
        return "all"
    if scope.province_id:
        return f"province {scope.province_id}"
    if scope.institution_id:
        return f"institution {scope.institution_id}"
    return "none"


def record_read(token, *, path, year, rows):
    """Log one read of microdata through `token` (every such read is logged)."""
    return MicrodataRead.objects.create(
        user=token.user,
        username=token.user.get_username(),
        token=token,
        path=path[:500],
        year=year,
        scope=scope_label(token.user),
        rows=rows,
    )
