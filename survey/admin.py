from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin
from departments.models import Institution
from equipment.models import EquipmentUnit
from equipment.services import (
    ATTRIBUTE_ITEMS,
    apply_unit_counts,
    attributes_asked,
    count_changes,
    units_snapshot,
)
from interchange.exporting import download, reports_for_export
from jobs.forms import ExportYearForm, ImportForm
from jobs.services import start_export, start_import
from survey import workflow
from survey.assessment import assess, previous_report
from survey.audit import UNIT_ATTRIBUTES, item_label, record_changes, shown_value
from survey.instrument import items as instrument
from survey.models import ChangeSource, Cycle, Report, ReportStatus
from survey.text import validate_text


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "opens_on", "deadline", "is_open"]
    list_editable = ["is_open"]


class EquipmentUnitFormSet(BaseInlineFormSet):
    """The admin's units, refused when they would change a count the form does not show.

    The same promise as the report form: no saved count changes unless the editor changed it.
    Here the editor sets the counts themselves; the message says which ones to set. A unit
    says it is long-axial or made in China only in a cycle that asks the counts of those.
    """

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        units = [
            form.instance
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form)
        ]
        self._refuse_attributes_not_asked(units)
        changes = count_changes(self.instance.item_values(), units)
        if changes:
            raise forms.ValidationError(
                _(
                    "The units listed give other counts than the form: %(changes)s. Set these "
                    "counts to match the units (or change the units), then save again."
                )
                % {
                    "changes": "; ".join(
                        f"{item_label(item)} {shown_value(item, saved)} → {count}"
                        for item, (saved, count) in changes.items()
                    )
                }
            )

    def _refuse_attributes_not_asked(self, units):
        year = self.instance.cycle_id
        asked = attributes_asked(year)
        for item, (attribute, _types) in ATTRIBUTE_ITEMS.items():
            if item not in asked and any(getattr(unit, attribute) for unit in units):
                raise forms.ValidationError(
                    instrument.not_asked_message(instrument.items_by_code()[item], year)
                )


class EquipmentUnitInline(admin.TabularInline):
    model = EquipmentUnit
    formset = EquipmentUnitFormSet
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in UNIT_ATTRIBUTES:
            # Shown only where the cycle asks it, and then stated: ticked or not.
            return forms.BooleanField(
                label=capfirst(db_field.verbose_name), help_text=db_field.help_text, required=False
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_exclude(self, request, obj=None):
        # A report's page shows what its units say of themselves only where its cycle asks it
        # (a new report's cycle is not known yet: the formset refuses what it does not ask).
        if obj is None:
            return super().get_exclude(request, obj)
        asked = attributes_asked(obj.cycle_id)
        return [
            attribute for item, (attribute, _types) in ATTRIBUTE_ITEMS.items() if item not in asked
        ]


def section_fieldsets(year=None):
    """The report's fields by section: those the cycle of `year` asks, when it is given (a new
    report's cycle is not known yet: its model refuses a value its cycle does not ask)."""
    profile = (
        _("Institution"),
        {
            "fields": [
                "institution",
                "cycle",
                "status",
                "review_comment",
                *instrument.PROFILE_ITEMS,
                "loaded_version",
            ]
        },
    )
    sections = [
        (
            section.title,
            {"fields": [item.code for item in instrument.section_items(section.key, year)]},
        )
        for section in instrument.SECTIONS[1:]
        if instrument.section_items(section.key, year)
    ]
    return [profile, *sections]


# Fields that only administrators change in the admin: anyone else's report stays where the
# workflow put it (status) and where it was filed (institution, cycle).
ADMIN_ONLY_FIELDS = ("institution", "cycle", "status")

# A change of status in the admin is one step of the site's workflow, with its checks and its
# event: (stored status, chosen status) -> `workflow.Step`, from the workflow's table.
REVIEW_STEPS = {
    (source, step.target): step for step in workflow.STEPS.values() for source in step.sources
}


class ReportAdminForm(forms.ModelForm):
    """The admin's report form, refusing to overwrite a save made since it was opened.

    A change of status is not written by the form: `review_step` is the workflow step that
    `ReportAdmin` takes once the values are saved.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    review_comment = forms.CharField(
        label=_("review comment"),
        required=False,
        max_length=2000,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Recorded with a change of status; required when returning a report for correction."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
        self.stored_status = self.instance.status
        self.review_step = None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = Report.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if cleaned.get("loaded_version") != current.first():
                raise forms.ValidationError(
                    _(
                        "Someone saved this report after you opened it. Reload the page to see "
                        "their values, then make your change again."
                    )
                )
        if "status" in self.fields:
            self._clean_review_step(cleaned)
        return cleaned

    def _clean_review_step(self, cleaned):
        chosen = cleaned.get("status")
        if self.instance.pk is None:
            if chosen != ReportStatus.DRAFT:
                self.add_error("status", _("A new report starts as a draft."))
            return
        if chosen in (None, self.stored_status):
            return
        self.review_step = REVIEW_STEPS.get((self.stored_status, chosen))
        if self.review_step is None:
            self.add_error(
                "status",
                _(
                    "A report goes from “%(stored)s” to “%(chosen)s” only through the review "
                    "steps: submit, accept, return for correction, reopen."
                )
                % {
                    "stored": ReportStatus(self.stored_status).label,
                    "chosen": ReportStatus(chosen).label,
                },
            )
        elif self.review_step.comment_required:
            if not cleaned.get("review_comment", "").strip():
                self.add_error(
                    "review_comment", _("Say what needs correcting: the comment is required.")
                )

    def _post_clean(self):
        super()._post_clean()
        # The values as posted must be ready before a submission (the step checks it again
        # after the equipment units are counted).
        if self.review_step is not None and self.review_step.needs_ready and not self.errors:
            if not assess(self.instance, previous_report(self.instance)).ready:
                self.add_error(
                    "status",
                    _(
                        "The report cannot be submitted yet: every section must be complete, "
                        "without errors, and every warning explained."
                    ),
                )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    form = ReportAdminForm
    list_display = ["institution", "cycle", "status", "province", "tier", "updated_at"]
    list_filter = ["cycle", "status", "institution__province", "tier", "ownership"]
    search_fields = ["institution__code", "institution__name_zh", "institution__name_en"]
    list_select_related = ["institution__province"]
    autocomplete_fields = ["institution"]
    readonly_fields = ["submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]
    fieldsets = section_fieldsets()
    inlines = [EquipmentUnitInline]
    actions = ["export_csv", "export_xlsx"]

    @admin.display(description=_("province"), ordering="institution__province")
    def province(self, report):
        return report.institution.province

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_admin(request.user):
            readonly += ADMIN_ONLY_FIELDS
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = (
            super().get_fieldsets(request, obj) if obj is None else section_fieldsets(obj.cycle_id)
        )
        if is_admin(request.user):
            return fieldsets
        # The review comment goes with a change of status, which is not theirs.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "review_comment"]})
            for name, options in fieldsets
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices (and what the form accepts) come from the same scoping as every page.
        if db_field.name == "institution":
            kwargs["queryset"] = Institution.objects.visible_to(request.user)
        elif db_field.name == "cycle" and not is_admin(request.user):
            kwargs["queryset"] = Cycle.objects.filter(is_open=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        # A new report names its institution and cycle: reporters start theirs on the site.
        return is_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or is_admin(request.user):
            return True
        # Anyone else changes in the admin only what the site lets them change: their drafts
        # and returned reports of an open cycle (a submitted or accepted report stays locked).
        return Report.objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # The status changes only through the review step taken in save_related.
        obj.status = form.stored_status
        # Values as stored before this edit, kept on the report (the admin object is shared
        # between requests) for the audit trail written once units are counted.
        if change:
            stored = Report.objects.select_related("institution").get(pk=obj.pk)
            obj.values_before_edit = stored.item_values() | units_snapshot(stored)
        else:
            obj.values_before_edit = {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        apply_unit_counts(form.instance)
        record_changes(
            form.instance,
            form.instance.values_before_edit,
            form.instance.item_values() | units_snapshot(form.instance),
            user=request.user,
            source=ChangeSource.ADMIN,
        )
        if form.review_step is not None:
            self._take_review_step(request, form)

    def _take_review_step(self, request, form):
        comment = form.cleaned_data.get("review_comment", "")
        try:
            form.review_step.take(form.instance, by=request.user, comment=comment)
        except workflow.WorkflowError as refused:
            messages.error(
                request,
                _("The values were saved, but the status was not changed: %(reason)s")
                % {"reason": refused.message},
            )

    @admin.action(description=_("Export selected reports as CSV (interchange format)"))
    def export_csv(self, request, queryset):
        return download(reports_for_export(queryset), "csv", "survey-reports")

    @admin.action(description=_("Export selected reports as XLSX (interchange format)"))
    def export_xlsx(self, request, queryset):
        return download(reports_for_export(queryset), "xlsx", "survey-reports")

    def has_import_permission(self, request):
        # An import writes any institution's report: administrators only.
        return is_admin(request.user)

    def get_urls(self):
        # Imports and year exports run as background jobs (`jobs`): these pages only start one
        # and hand over to its page, which shows the progress and then the result.
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_view), name="survey_report_import"
            ),
            path(
                "export-year/",
                self.admin_site.admin_view(self.export_year_view),
                name="survey_report_export_year",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm()
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                job = start_import(
                    user=request.user,
                    upload=form.cleaned_data["import_file"],
                    year=form.cleaned_data["year"],
                )
                return redirect("jobs:detail", job_id=job.pk)
        return self._job_form_page(request, form, _("Import survey reports"), "import.html")

    def export_year_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ExportYearForm(user=request.user)
        if request.method == "POST":
            form = ExportYearForm(request.POST, user=request.user)
            if form.is_valid():
                job = start_export(
                    user=request.user,
                    year=form.cleaned_data["year"],
                    file_format=form.cleaned_data["file_format"],
                )
                return redirect("jobs:detail", job_id=job.pk)
        return self._job_form_page(request, form, _("Export a survey year"), "export_year.html")

    def _job_form_page(self, request, form, title, template):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, f"admin/survey/report/{template}", context)
