"""Survey cycles and the reports institutions file for them."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import FILING_ROLES, Scope, reviews_reports, scope_of
from config.compiled import compile_model_query, compile_query
from departments.models import Institution, InstitutionProfile
from survey.instrument import items as instrument


class Cycle(models.Model):
    """One national survey, named by the year its data describe (2019, 2023, ...)."""

    year = models.PositiveSmallIntegerField(_("survey year"), primary_key=True)
    opens_on = models.DateField(_("reporting opens on"), null=True, blank=True)
    deadline = models.DateField(_("reporting deadline"), null=True, blank=True)
    is_open = models.BooleanField(
        _("open for reporting"),
        default=False,
        help_text=_("Institutions can edit their reports only while the cycle is open."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("survey cycle")
        verbose_name_plural = _("survey cycles")

    def __str__(self):
        return str(self.year)

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.deadline is not None and today > self.deadline


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


# A reporter edits a report only in these states; submitted and accepted reports are locked.
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
# The reports whose figures are published (the public's tables).
PUBLISHED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class ReportQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(cycle_id=year)

    def in_province(self, province_code):
        return self.filter(institution__province_id=province_code)

    # Access control: every view, export and dashboard starts from one of these three.

    def visible_to(self, user):
        """The reports `user` may read: its institution's, its province's, or all by role."""
        return self.visible_in(scope_of(user))

    def editable_by(self, user):
        """The reports whose values `user` may change now: a reporter's (or an admin's) draft
        or returned reports of an open cycle."""
        return self.editable_in(scope_of(user))

    def visible_in(self, scope):
        """`visible_to` a user of `scope` (`accounts.roles.Scope`)."""
        return self.none() if scope.nothing else self.filter(scope.q("institution"))

    def editable_in(self, scope):
        """`editable_by` a user of `scope`."""
        if scope.role not in FILING_ROLES:
            return self.none()
        return self.visible_in(scope).filter(cycle__is_open=True, status__in=EDITABLE_STATUSES)

    def with_editable_by(self, user):
        """Each report annotated `editable`: whether `user` may change its values now."""
        return self.with_editable_in(scope_of(user))

    def with_editable_in(self, scope):
        if scope.role not in FILING_ROLES:
            return self.annotate(editable=models.Value(False))
        editable = Report.objects.editable_in(scope).filter(pk=models.OuterRef("pk"))
        return self.annotate(editable=models.Exists(editable))

    def reviewable_by(self, user):
        """The submitted reports of an open cycle that `user` (coordinator, admin) may review."""
        if not reviews_reports(user):
            return self.none()
        return self.visible_to(user).filter(cycle__is_open=True, status=ReportStatus.SUBMITTED)


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):
    def with_previous(self, user, year, code):
        """The report of institution `code` for `year` that `user` sees, annotated as by
        `with_editable_by`, and the institution's report of the latest earlier cycle (or None).

        One query, compiled once per kind of scope: every page of the filing asks it first.
        `Report.DoesNotExist` if the user sees no such report.
        """
        scope = scope_of(user)
        if scope.nothing or not 0 < year < 10_000:
            raise Report.DoesNotExist
        kind, scope_value = _kind_of(scope)
        found = _compiled_with_previous(scope.role, kind).instances(
            code=code, year=year, **({} if scope_value is None else {"scope_value": scope_value})
        )
        if not found or found[0].cycle_id != year:
            raise Report.DoesNotExist
        return found[0], (found[1] if len(found) > 1 else None)

    def is_editable_by(self, user, pk):
        """Whether `user` may change the values of report `pk` now (`editable_by`), in a query
        compiled once per kind of scope: every save asks it."""
        scope = scope_of(user)
        if scope.role not in FILING_ROLES or scope.nothing:
            return False
        kind, scope_value = _kind_of(scope)
        return bool(
            _compiled_editable(scope.role, kind).rows(
                pk=pk, **({} if scope_value is None else {"scope_value": scope_value})
            )
        )


def _kind_of(scope):
    """(kind of `scope`, the value that places it) for the queries compiled per kind."""
    if scope.everything:
        return "everything", None
    if scope.province_id:
        return "province", scope.province_id
    return "inst", scope.institution_id


def _scope_of_kind(role, kind, scope_value):
    return Scope(
        role,
        everything=kind == "everything",
        province_id=scope_value if kind == "province" else None,
        institution_id=scope_value if kind == "inst" else None,
    )


def _scope_examples(kind):
    if kind == "everything":
        return {}
    return {"scope_value": ("11", "12") if kind == "province" else (1, 2)}


@cache
def _compiled_editable(role, kind):
    def build(pk, scope_value=None):
        scope = _scope_of_kind(role, kind, scope_value)
        return Report.objects.editable_in(scope).filter(pk=pk).values("pk")

    return compile_query(build, pk=(1, 2), **_scope_examples(kind))


@cache
def _compiled_with_previous(role, kind):
    def build(code, year, scope_value=None):
        scope = _scope_of_kind(role, kind, scope_value)
        return (
            Report.objects.visible_in(scope)
            .with_editable_in(scope)
            .select_related("institution__province", "cycle")
            .filter(institution__code=code, cycle_id__lte=year)
            .order_by("-cycle_id")[:2]
        )

    return compile_model_query(build, code=("A", "B"), year=(2001, 2002), **_scope_examples(kind))


class Report(
    # One abstract model per section, in the instrument's order (`instrument.SECTIONS`).
    *(section.model for section in instrument.SECTIONS if section.model is not None),
    InstitutionProfile,
    models.Model,
):
    """One institution's filing for one survey cycle.

    Ownership, tier and affiliation are kept as they were in that year, so that the figures
    of an earlier cycle do not change when a hospital is later upgraded.
    """

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("institution"),
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="reports", verbose_name=_("survey cycle")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        editable=False,
        help_text=_("Raised by every save; a form loaded at an older version cannot save."),
    )
    notes = models.JSONField(
        _("explanations of data-quality warnings"),
        default=dict,
        blank=True,
        help_text=_("The filer's explanation of each warning, by warning key."),
    )

    objects = ReportManager()

    class Meta:
        ordering = ["-cycle", "institution__code"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "cycle"], name="one_report_per_institution_and_cycle"
            )
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self):
        return f"{self.institution} · {self.cycle_id}"

    def save(self, *args, **kwargs):
        # Optimistic locking: every save raises the version, so that a form loaded before
        # this write is refused instead of silently overwriting it (survey.editing.save_section).
        self.version = (self.version or 0) + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "version" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "version"]
        super().save(*args, **kwargs)

    @property
    def is_locked(self):
        """Whether the report's values are closed to edits, whoever asks."""
        return not self.cycle.is_open or self.status not in EDITABLE_STATUSES

    def item_values(self):
        """Every item of the instrument for this report, by item code (None = not reported)."""
        return instrument.values_of(self)

    def clean(self):
        from survey.instrument import rules

        values = self.item_values()
        unasked = {
            item.code: instrument.not_asked_message(item, self.cycle_id)
            for item in instrument.items()
            if item.on_report and not item.asked_in(self.cycle_id) and values[item.code] is not None
        }
        if unasked:
            raise ValidationError(unasked)
        rules.raise_for_problems(values)


class ReportAction(models.TextChoices):
    CREATE = "create", _("Started")
    SUBMIT = "submit", _("Submitted")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned for correction")
    REOPEN = "reopen", _("Reopened")


class ReportEvent(models.Model):
    """One step of a report through the review workflow: who, when, from, to, and why."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=16, choices=ReportAction.choices)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=ReportStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=ReportStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    values = models.JSONField(
        _("values submitted"),
        null=True,
        blank=True,
        help_text=_("Every item as it was submitted (kept for submissions only)."),
    )

    class Meta:
        ordering = ["report", "at", "id"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self):
        return f"{self.report} · {self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class ChangeSource(models.TextChoices):
    FORM = "form", _("Report form")
    IMPORT = "import", _("File import")
    ADMIN = "admin", _("Administration")
    SYSTEM = "system", _("Carried forward or derived")


class ValueChange(models.Model):
    """One item of a report changed: the audit trail (written by `survey.audit.record_changes`)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="value_changes", verbose_name=_("report")
    )
    item = models.CharField(_("item code"), max_length=64)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=16, choices=ChangeSource.choices)

    class Meta:
        ordering = ["report", "-at", "-id"]
        verbose_name = _("value change")
        verbose_name_plural = _("value changes")
        indexes = [models.Index(fields=["report", "at"])]

    def __str__(self):
        return f"{self.report} · {self.item}: {self.old_value!r} → {self.new_value!r}"


class DataVersion(models.Model):
    """The version stamp of one survey year's data (see `survey.versions`).

    Kept in the database so that every worker of every deployment sees a change, whatever its
    cache: a per-process cache holds the figures, never the stamps that say whether they are
    still current.
    """

    year = models.PositiveSmallIntegerField(_("survey year"), primary_key=True)
    stamp = models.CharField(_("stamp"), max_length=32)
    published_stamp = models.CharField(
        _("stamp of the published reports"),
        max_length=32,
        default="",
        help_text=_("Renewed only when what the public may see of the year can change."),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.year}: {self.stamp}"
