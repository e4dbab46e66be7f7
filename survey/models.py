"""Survey cycles and the reports institutions file for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import DeptAffiliation, Institution, Ownership, Tier
from equipment.models import EquipmentSection
from survey.sections.education import EducationSection
from survey.sections.examinations import ExaminationsSection
from survey.sections.in_vitro import InVitroSection
from survey.sections.opinions import OpinionsSection
from survey.sections.personnel import PersonnelSection
from survey.sections.radiopharmaceuticals import RadiopharmaceuticalsSection
from survey.sections.research import ResearchSection
from survey.sections.services import ServicesSection
from survey.sections.therapy import TherapySection


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


class ReportQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(cycle_id=year)

    def in_province(self, province_code):
        return self.filter(institution__province_id=province_code)


class Report(
    ServicesSection,
    EquipmentSection,
    ExaminationsSection,
    RadiopharmaceuticalsSection,
    TherapySection,
    InVitroSection,
    PersonnelSection,
    EducationSection,
    ResearchSection,
    OpinionsSection,
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
    ownership = models.CharField(
        _("Ownership: public | nonpublic"),
        max_length=16,
        choices=Ownership.choices,
        blank=True,
    )
    tier = models.CharField(
        _(
            "Hospital level: tertiary_top (top-tier tertiary, 三级甲等) | tertiary | secondary | other"
        ),
        max_length=16,
        choices=Tier.choices,
        blank=True,
    )
    dept_affiliation = models.CharField(
        _(
            "Administrative affiliation of the nuclear medicine unit: "
            "independent | medical_imaging | pet_ct_center | radiology | other"
        ),
        max_length=16,
        choices=DeptAffiliation.choices,
        blank=True,
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

    objects = ReportQuerySet.as_manager()

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

    def item_values(self):
        """Every item of the instrument for this report, by item code (None = not reported)."""
        from survey import instrument

        return instrument.values_of(self)

    def clean(self):
        from survey import rules

        rules.raise_for_problems(self.item_values())
