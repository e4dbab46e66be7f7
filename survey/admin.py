from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from equipment.models import EquipmentUnit
from equipment.services import apply_unit_counts
from survey import instrument
from survey.models import Cycle, Report


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
        {"fields": ["institution", "cycle", "status", *instrument.PROFILE_ITEMS]},
    )
    sections = [
        (
            section.title,
            {"fields": [item.code for item in instrument.section_items(section.key)]},
        )
        for section in instrument.SECTIONS[1:]
    ]
    return [profile, *sections]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["institution", "cycle", "status", "province", "tier", "updated_at"]
    list_filter = ["cycle", "status", "institution__province", "tier", "ownership"]
    search_fields = ["institution__code", "institution__name_zh", "institution__name_en"]
    list_select_related = ["institution__province"]
    autocomplete_fields = ["institution"]
    readonly_fields = ["submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]
    fieldsets = section_fieldsets()
    inlines = [EquipmentUnitInline]

    @admin.display(description=_("province"), ordering="institution__province")
    def province(self, report):
        return report.institution.province

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        apply_unit_counts(form.instance)
