import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


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
        logger.error("database unavailable: %s", exception)
        response = HttpResponse(
            render_to_string("503.html", {"LANGUAGE_CODE": translation.get_language()}),
            status=503,
        )
        response["Retry-After"] = "30"
        return response
