"""Who calls the API: a personal token (`Authorization: Bearer ...`), or, where the pages are
open to everyone, the public; and how often they may."""

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from api import services
from api.models import ApiToken

# Generous for a script that pages through a year, tight enough for a runaway loop; per token,
# and per client address for the public.
RATE = "120/min"


class TokenAuth(HttpBearer):
    """The caller's active token (`request.auth`); unknown, revoked or missing: 401."""

    def authenticate(self, request, token):
        return services.authenticate(token)


class TokenOrPublic(TokenAuth):
    """A token when one is sent (and it must be valid: a wrong one is a 401, not the public's
    view); without an Authorization header, the public, as on the pages."""

    def __call__(self, request):
        if self.header not in request.headers:
            return AnonymousUser()
        return super().__call__(request)


def viewer_of(request):
    """The user whose view of the data the request gets: the token's, or the public's."""
    auth = request.auth
    return auth.user if isinstance(auth, ApiToken) else AnonymousUser()


class TokenRateThrottle(AuthRateThrottle):
    """ninja's throttle keyed by the token's row (its secret is never a cache key), else by
    the client's address."""

    scope = "api-token"

    def __init__(self, rate=RATE):
        super().__init__(rate)

    def get_cache_key(self, request):
        auth = getattr(request, "auth", None)
        ident = f"token-{auth.pk}" if isinstance(auth, ApiToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
