"""Authentication with the model permissions, plus every permission for the admin role."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from accounts.roles import is_admin
from config.compiled import compile_model_query


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
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)  # the session keeps text
        except ValidationError:
            return None
        found = _user_with_membership().instances(user_id=user_id)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


@cache
def _user_with_membership():
    # Compiled once (`config.compiled`): every request of a signed-in user asks it.
    def build(user_id):
        return get_user_model()._default_manager.select_related("membership").filter(pk=user_id)

    return compile_model_query(build, user_id=(1, 2))
