"""Personal API tokens, and the log of every read of microdata through the API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for scripts: it reads what its user reads on the pages, no more.

    Only the SHA-256 digest of the secret is kept (the secret is shown once, when made); the
    visible prefix lets its owner tell tokens apart. A revoked token is kept, refused, so that
    the log of reads still names it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class MicrodataRead(models.Model):
    """One read of report values through the API: who, with which token, what, how many rows.

    The user's name is copied, so that the record outlives the account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150)
    token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reads",
        verbose_name=_("API token"),
    )
    path = models.CharField(_("path"), max_length=500)
    year = models.PositiveSmallIntegerField(_("survey year"))
    scope = models.CharField(_("scope"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    read_at = models.DateTimeField(_("read at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-read_at"]
        verbose_name = _("microdata read")
        verbose_name_plural = _("microdata reads")

    def __str__(self):
        return f"{self.username} · {self.path} · {self.rows}"
