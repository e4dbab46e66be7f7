from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from interchange.models import ColumnMapping


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """The mappings saved at the import's mapping step: renamed or deleted here, made there."""

    list_display = ["name", "column_count", "saved_by", "updated_at"]
    search_fields = ["name"]
    readonly_fields = ["headers", "columns", "saved_by", "updated_at"]

    @admin.display(description=_("columns mapped"))
    def column_count(self, mapping):
        return len(mapping.columns)

    def has_add_permission(self, request):
        return False
