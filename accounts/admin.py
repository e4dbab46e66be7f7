from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership

User = get_user_model()


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = True
    extra = 0
    max_num = 1
    autocomplete_fields = ["institution"]
    verbose_name = _("role on the survey platform")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = [
        "username",
        "email",
        "get_full_name",
        "role",
        "scope",
        "is_active",
        "last_login",
    ]
    list_filter = ["membership__role", "membership__province", "is_active", "is_staff"]
    list_select_related = ["membership__institution", "membership__province"]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "membership__institution__code",
    ]

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, user):
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else "—"

    @admin.display(description=_("institution or province"))
    def scope(self, user):
        membership = getattr(user, "membership", None)
        if membership is None:
            return "—"
        return membership.institution or membership.province or _("national")
