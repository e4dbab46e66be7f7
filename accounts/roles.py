"""What each role may see and do: the one place access control is decided.

`Report.objects.visible_to(user)`, `.editable_by(user)`, `.reviewable_by(user)` and
`Institution.objects.visible_to(user)` are built from `scope_of`; views, exports, dashboards
and the admin use those querysets, so a report outside the user's scope is simply not found
(404), never refused with a 403 that would confirm it exists.

This module imports no model of the project (a membership is read through `user.membership`),
so that the models whose querysets it scopes (`departments`, `survey`) may import it.
"""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    """A user's role on the platform (`accounts.models.Membership.role`)."""

    REPORTER = "reporter", _("Reporter (hospital staff)")
    COORDINATOR = "coordinator", _("Provincial coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


# A user granted the model permission "Can view report" in the admin (and no role) reads
# every report, like an analyst: that is what the permission says, and the institution
# profile page was built on it before roles existed.
VIEW_ALL_PERMISSION = "survey.view_report"


@dataclass(frozen=True)
class Scope:
    """The reports a user reads: all of them, one province's, one institution's, or none."""

    role: str | None
    everything: bool = False
    province_id: str | None = None
    institution_id: int | None = None

    @property
    def nothing(self):
        return not (self.everything or self.province_id or self.institution_id)

    def q(self, institution_path):
        """A filter on institutions reached by `institution_path` ("" for Institution itself)."""
        if self.everything:
            return Q()
        if self.province_id:
            field = f"{institution_path}__province_id" if institution_path else "province_id"
            return Q(**{field: self.province_id})
        if self.institution_id:
            field = f"{institution_path}_id" if institution_path else "pk"
            return Q(**{field: self.institution_id})
        return Q(pk__in=[])


def role_of(user):
    """The user's `Role`, or None for anonymous and inactive users and users without one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    try:
        membership = user.membership  # cached on the user object after the first query
    except ObjectDoesNotExist:  # the user has no `Membership`
        return None
    return Role(membership.role)


def scope_of(user):
    """The `Scope` of reports and institutions `user` may read."""
    role = role_of(user)
    if role in (Role.ADMIN, Role.ANALYST):
        return Scope(role, everything=True)
    if role == Role.COORDINATOR:
        return Scope(role, province_id=user.membership.province_id)
    if role == Role.REPORTER:
        return Scope(role, institution_id=user.membership.institution_id)
    if role is None and getattr(user, "is_authenticated", False) and user.is_active:
        if user.has_perm(VIEW_ALL_PERMISSION):
            return Scope(None, everything=True)
    return Scope(None)


# The roles that enter report values: reporters, and admins who fix them.
FILING_ROLES = (Role.REPORTER, Role.ADMIN)


def files_reports(user):
    """Whether the user's role enters report values (`FILING_ROLES`)."""
    return role_of(user) in FILING_ROLES


def reviews_reports(user):
    """Whether the user's role accepts and returns submitted reports."""
    return role_of(user) in (Role.COORDINATOR, Role.ADMIN)


def is_admin(user):
    return role_of(user) == Role.ADMIN


def sees_audit_trail(user):
    """Coordinators and admins see who changed which value (within the reports they see)."""
    return role_of(user) in (Role.COORDINATOR, Role.ADMIN)


def follows_filings(user):
    """Coordinators (their province), analysts and admins follow who has filed and who has not."""
    return role_of(user) in (Role.COORDINATOR, Role.ANALYST, Role.ADMIN)


def sees_every_report(user):
    """Analysts and admins read every report (and every unpublished figure)."""
    return scope_of(user).everything


# Who may open which page of the site beyond the reports themselves, decided here once: the
# view refuses everyone else (404) and the templates link the page only for its audience
# (`may_open`, from `accounts.context_processors.pages`), so the two cannot disagree.
PAGE_AUDIENCES = {
    "review": reviews_reports,  # survey:review, the submitted reports waiting for review
    "filing": follows_filings,  # survey:filing, every institution's filing status
    "history": sees_audit_trail,  # survey:history, a report's audit trail
    # reports:published_check, the publication against every report, drafts included
    "published_check": sees_every_report,
}


def may_open(user, page):
    """Whether `user` may open `page` (a key of `PAGE_AUDIENCES`)."""
    return PAGE_AUDIENCES[page](user)
