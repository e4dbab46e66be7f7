"""Who a user is on the platform: a role, and the institution or province it applies to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from departments.models import Institution, Province


class Membership(models.Model):
    """A user's role: reporters belong to one institution, coordinators to one province.

    Analysts and administrators are national. A superuser counts as an administrator with or
    without a membership. The scoping of reports by role is in `accounts.roles`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("institution"),
        help_text=_("Reporters only: the institution whose reports they file."),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
        verbose_name=_("province"),
        help_text=_("Coordinators only: the province whose reports they review."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # The database keeps the pairing true even for writes that skip clean().
            models.CheckConstraint(
                condition=(
                    Q(role=Role.REPORTER, institution__isnull=False, province__isnull=True)
                    | Q(role=Role.COORDINATOR, institution__isnull=True, province__isnull=False)
                    | Q(
                        role__in=[Role.ANALYST, Role.ADMIN],
                        institution__isnull=True,
                        province__isnull=True,
                    )
                ),
                name="membership_scope_matches_role",
            )
        ]

    def __str__(self):
        scope = self.institution or self.province
        role = self.get_role_display()
        return f"{role} · {scope}" if scope else str(role)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The admin role manages cycles, institutions and users in the Django admin.
        if self.role == Role.ADMIN and not self.user.is_staff:
            self.user.is_staff = True
            self.user.save(update_fields=["is_staff"])

    def clean(self):
        errors = {}
        if self.role == Role.REPORTER:
            if self.institution_id is None:
                errors["institution"] = _("A reporter belongs to one institution: choose it.")
            if self.province_id is not None:
                errors["province"] = _(
                    "A reporter's province is their institution's; leave this empty."
                )
        elif self.role == Role.COORDINATOR:
            if self.province_id is None:
                errors["province"] = _("A coordinator reviews one province: choose it.")
            if self.institution_id is not None:
                errors["institution"] = _("Coordinators belong to a province, not an institution.")
        else:
            if self.institution_id is not None:
                errors["institution"] = _("Analysts and administrators are national: leave empty.")
            if self.province_id is not None:
                errors["province"] = _("Analysts and administrators are national: leave empty.")
        if errors:
            raise ValidationError(errors)


class PasswordResetCount(models.Model):
    """Password-reset mails asked for by one e-mail address or one client address in one hour.

    Kept in the database rather than the cache: the local-memory cache is per process, and the
    count must hold across every app server and worker (`accounts.throttling`).
    """

    # A keyed hash of "email:<address>" or "client:<IP>": the table keeps no address itself.
    key = models.CharField(max_length=64)
    window = models.PositiveIntegerField(help_text=_("Hours since 1970 (UTC)."))
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("password-reset count")
        verbose_name_plural = _("password-reset counts")
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="one_reset_count_per_hour")
        ]
        indexes = [models.Index(fields=["window"])]

    def __str__(self):
        return f"{self.key[:8]} · {self.window}: {self.count}"
