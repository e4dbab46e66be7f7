"""Authentication with the model permissions, plus every permission for the admin role."""

from django.contrib.auth.backends import ModelBackend

from accounts.roles import is_admin


class RoleBackend(ModelBackend):
    """Django's ModelBackend; a user with the admin role also holds every permission.

    So an administrator named in `Membership` (or by import_contacts) can manage cycles,
    institutions, users and imports in the Django admin without being made a superuser.
    """

    def has_perm(self, user_obj, perm, obj=None):
        return is_admin(user_obj) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        return is_admin(user_obj) or super().has_module_perms(user_obj, app_label)
