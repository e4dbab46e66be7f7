from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin

from accounts.roles import is_admin
from equipment.models import EquipmentUnit
from equipment.services import apply_unit_counts
from survey import instrument
from survey.audit import record_changes
from survey.exporting import download, reports_for_export
from survey.files import FileRejected
from survey.models import ChangeSource, Cycle, Report
from survey.resources import (
    InterchangeFile,
    SurveyConfirmImportForm,
    SurveyImportForm,
    SurveyResource,
)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "opens_on", "deadline", "is_open"]
    list_editable = ["is_open"]


class EquipmentUnitInline(admin.TabularInline):
    model = EquipmentUnit
    extra = 0


def section_fieldsets():
    profile = (
        _("Institution"),
        {
            "fields": [
                "institution",
                "cycle",
                "status",
                *instrument.PROFILE_ITEMS,
                "loaded_version",
            ]
        },
    )
    sections = [
        (
            section.title,
            {"fields": [item.code for item in instrument.section_items(section.key)]},
        )
        for section in instrument.SECTIONS[1:]
    ]
    return [profile, *sections]


class ReportAdminForm(forms.ModelForm):
    """The admin's report form, refusing to overwrite a save made since it was opened."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

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
        return cleaned


@admin.register(Report)
class ReportAdmin(ImportMixin, admin.ModelAdmin):
    form = ReportAdminForm
    resource_classes = [SurveyResource]
    import_form_class = SurveyImportForm
    confirm_form_class = SurveyConfirmImportForm
    # The audit trail records imported values; per-row admin log entries would duplicate it.
    skip_admin_log = True
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

    def save_model(self, request, obj, form, change):
        # Values as stored before this edit, kept on the report (the admin object is shared
        # between requests) for the audit trail written once units are counted.
        obj.values_before_edit = (
            Report.objects.select_related("institution").get(pk=obj.pk).item_values()
            if change
            else {}
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        apply_unit_counts(form.instance)
        record_changes(
            form.instance,
            form.instance.values_before_edit,
            form.instance.item_values(),
            user=request.user,
            source=ChangeSource.ADMIN,
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

    def get_import_formats(self):
        return [InterchangeFile]

    def get_import_data_kwargs(self, request, *args, form=None, **kwargs):
        if form is not None and form.is_valid():
            kwargs["year"] = form.cleaned_data.get("year")
        return super().get_import_data_kwargs(request=request, form=form, **kwargs)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["year"] = import_form.cleaned_data.get("year")
        return initial

    def add_success_message(self, result, request):
        messages.success(request, result.summary.describe())

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, FileRejected):
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)
