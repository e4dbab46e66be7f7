"""Mail to the people who file and review: reminders before the deadline, notices of each step."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Institution
from survey.models import Cycle


class MailLanguage(models.Model):
    """The language a user last chose for the site, in which their mail is written.

    Kept apart from the session and cookie that choose the pages' language: mail is written
    when the recipient is not there (a step taken by someone else, a reminder job).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="mail_language",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("mail language")
        verbose_name_plural = _("mail languages")

    def __str__(self):
        return f"{self.user} · {self.language}"


class Reminder(models.Model):
    """One reminder of a cycle's deadline sent to an institution's reporters."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("institution"),
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("survey cycle")
    )
    sent_at = models.DateTimeField(_("sent at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
        help_text=_("Empty for reminders sent by the scheduled command."),
    )
    recipients = models.PositiveSmallIntegerField(_("recipients"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["cycle", "institution", "-sent_at"])]

    def __str__(self):
        return f"{self.institution} · {self.cycle} · {self.sent_at:%Y-%m-%d}"
