"""Who receives mail: active users with an e-mail address, by their role (`accounts.roles`)."""

from collections import defaultdict

from django.contrib.auth import get_user_model

from accounts.roles import Role


def _reachable():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .select_related("membership", "mail_language")
        .order_by("email")
    )


def reporters_of(institutions):
    """{institution id: [its reporters who can be mailed]} for `institutions` (ids); one query."""
    found = defaultdict(list)
    for user in _reachable().filter(
        membership__role=Role.REPORTER, membership__institution__in=institutions
    ):
        found[user.membership.institution_id].append(user)
    return found


def coordinators_of(province):
    """The coordinators of `province` who can be mailed."""
    return list(
        _reachable().filter(membership__role=Role.COORDINATOR, membership__province=province)
    )
