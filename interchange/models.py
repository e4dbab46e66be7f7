"""Column mappings the admins saved: which item each column of a file not written by this
platform holds, kept under a name for the next file with the same headers."""

import hashlib
import json

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.text import validate_text

one_line = RegexValidator(r"[\n\t]", inverse_match=True, message=_("A name is one line of text."))


def headers_signature(headers):
    """What files with "the same headers" share: their column names, in any order."""
    names = sorted({header.strip() for header in headers if header.strip()})
    return hashlib.sha256(json.dumps(names, ensure_ascii=False).encode()).hexdigest()


class ColumnMappingQuerySet(models.QuerySet):
    def for_any_headers(self, rows):
        """The mapping saved for files headed by one of `rows` (the latest saved), or None."""
        signatures = [headers_signature(cells) for cells in rows]
        return self.filter(signature__in=signatures).order_by("-updated_at").first()

    def of_other_headers(self, name, headers):
        """Whether `name` is taken by a mapping saved for files of headers other than these."""
        taken = self.filter(name=name.strip()).exclude(signature=headers_signature(headers))
        return taken.exists()


class ColumnMapping(models.Model):
    name = models.CharField(
        _("name"), max_length=100, unique=True, validators=[validate_text, one_line]
    )
    # The header row it was saved from, as the file wrote it.
    headers = models.JSONField(_("headers"), default=list)
    signature = models.CharField(max_length=64, db_index=True, editable=False)
    # {header as the file writes it: item code, or None for a column the import ignores}
    columns = models.JSONField(_("columns"), default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    objects = ColumnMappingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.signature = headers_signature(self.headers)
        super().save(*args, **kwargs)
