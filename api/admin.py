from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken, MicrodataRead


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see tokens and revoke them (never un-revoke); the secret is nowhere to be seen."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    fields = readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are made by their owner, who alone sees the secret

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(MicrodataRead)
class MicrodataReadAdmin(admin.ModelAdmin):
    """The log of microdata read through the API: read-only, as a log is."""

    list_display = ["read_at", "username", "token", "path", "year", "scope", "rows"]
    list_filter = ["year"]
    search_fields = ["username", "path"]
    date_hierarchy = "read_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
