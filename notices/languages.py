"""Each user's language for mail: the one they last saw the site in (default Simplified Chinese).

Stored when they sign in (`remember_on_login`) and when they switch language (the language
cookie set by `set_language`, caught in `config.middleware.ChosenLanguageMiddleware`), so that
no request pays a query for it.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ObjectDoesNotExist
from django.dispatch import receiver
from django.utils import translation

from notices.models import MailLanguage


def supported(language):
    """`language` as one of settings.LANGUAGES, or the site's default."""
    try:
        return translation.get_supported_language_variant(language or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def remember(user, language):
    """Store `language` as the language of `user`'s mail."""
    MailLanguage.objects.update_or_create(user=user, defaults={"language": supported(language)})


def language_of(user):
    """The language to write `user`'s mail in (select_related("mail_language") saves a query)."""
    try:
        return user.mail_language.language
    except ObjectDoesNotExist:
        return settings.LANGUAGE_CODE


@receiver(user_logged_in, dispatch_uid="notices.remember_on_login")
def remember_on_login(sender, request, user, **kwargs):
    # The language the login page was shown in (set by ChosenLanguageMiddleware); a login
    # outside a request of the site (a test's force_login, a script) keeps what was stored.
    language = getattr(request, "LANGUAGE_CODE", None)
    if language:
        remember(user, language)
