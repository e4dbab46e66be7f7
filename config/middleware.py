import logging
import unicodedata

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

from notices.languages import remember as remember_mail_language
from survey import versions

logger = logging.getLogger(__name__)

# The largest integer a database column (SQLite INTEGER, PostgreSQL bigint) can hold.
LARGEST_STORED_INTEGER = 2**63 - 1
# PostgreSQL's lock_timeout (55P03) and a cancelled statement (57014); SQLite's busy timeout.
LOCK_WAIT_SQLSTATES = {"55P03", "57014"}
SQLITE_LOCKED = "database is locked"


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose English with the switch in the header.

    The browser's Accept-Language is ignored on purpose: hospital computers often run
    English-language browsers for staff who read Chinese first.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The language switch (set_language) sets the cookie: remember the choice for the
        # user's mail then, and only then (no query on any other request).
        chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        user = getattr(request, "user", None)
        if chosen is not None and getattr(user, "is_authenticated", False):
            remember_mail_language(user, chosen.value)
        return response


def _has_control_character(text, allowed=""):
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


class UnusableCookiesMiddleware:
    """Forget cookies holding control characters, before the session is looked up by them.

    The site never sets such a cookie; treated as absent, the visitor is simply signed out
    (a NUL byte in the session key would otherwise be a 500 on PostgreSQL).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.COOKIES = {
            name: value
            for name, value in request.COOKIES.items()
            if not (_has_control_character(name) or _has_control_character(value))
        }
        return self.get_response(request)


class UnusableInputMiddleware:
    """Refuse addresses no page can use before a view takes them to the database.

    A control character in the path or a query value is a 400 with the site's error page
    (PostgreSQL refuses NUL in any text, which would otherwise be a 500 in whichever view
    reads the value); a path number beyond what any column holds names nothing: a 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if _has_control_character(request.path) or any(
            _has_control_character(key) or _has_control_character(value, allowed="\t\n\r")
            for key, values in query.lists()
            for value in values
        ):
            raise BadRequest("control character in the address")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        numbers = [v for v in (*view_args, *view_kwargs.values()) if isinstance(v, int)]
        if any(abs(number) > LARGEST_STORED_INTEGER for number in numbers):
            raise Http404


class DataVersionMiddleware:
    """Read the survey years' data versions at most once per request (see survey.versions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with versions.read_once_per_request():
            return self.get_response(request)


def is_lock_wait_timeout(exception):
    """Whether a database error says a write waited too long for a lock (an import holds it)."""
    cause = exception.__cause__
    return getattr(cause, "sqlstate", None) in LOCK_WAIT_SQLSTATES or SQLITE_LOCKED in str(
        exception
    )


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, answer 503 with a plain page instead of a crash.

    Nothing is kept about the failed connection: Django's health check replaces it on the next
    request, so the app recovers by itself when the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if is_lock_wait_timeout(exception):
            # The database is up: a long import holds the rows this request wanted to write.
            logger.warning("lock wait timed out (an import is running?): %s", exception)
            response = render(request, "busy.html", status=503)
        else:
            logger.error("database unavailable: %s", exception)
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
