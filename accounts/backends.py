"""Authentication with the model permissions, plus every permission for the admin role."""

from django.contrib.auth import get_user_model
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

    def get_user(self, user_id):
        # The role decides almost every request: read it with the user, in one query.
        user = (
            get_user_model()
            ._default_manager.select_related("membership")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
