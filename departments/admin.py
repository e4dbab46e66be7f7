from django.contrib import admin

from accounts.roles import is_admin
from departments.models import Institution, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "population_10k"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    # Identity first, then the profile (whose fields `InstitutionProfile` defines first).
    fields = ["code", "name_en", "name_zh", "province", "ownership", "tier", "dept_affiliation"]
    list_display = ["code", "name_zh", "name_en", "province", "tier", "ownership"]
    list_filter = ["province", "tier", "ownership", "dept_affiliation"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["province"]

    def get_queryset(self, request):
        # The changelist and the institution autocomplete of other forms (reports, roles)
        # offer only the institutions the user's role reaches, as every page does.
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # Moving an institution to another province moves its reports out of their
        # coordinator's scope: administrators only.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if is_admin(request.user) else [*readonly, "province"]

    def has_add_permission(self, request):
        # A new institution needs a province, which only administrators choose.
        return is_admin(request.user) and super().has_add_permission(request)
