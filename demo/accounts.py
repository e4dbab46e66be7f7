"""Demo accounts, one per role, for trying the platform after the demo data are loaded."""

from django.contrib.auth import get_user_model

from accounts.models import Membership
from accounts.roles import Role
from departments.models import Institution, Province

DEMO_PASSWORD = "nmsurvey-demo"
DEMO_PROVINCE = "51"


def create_demo_users(*, reporter_institution_code=None):
    """Create or reset one demo user per role; returns {username: description}. Idempotent.

    Every account's password is ``nmsurvey-demo`` (demo only, never in production):

    - ``demo-reporter``: reporter of the institution `reporter_institution_code`, by default
      the first Sichuan (51) institution by code, or the first institution at all if Sichuan
      has none; skipped when there are no institutions;
    - ``demo-coordinator``: coordinator of Sichuan (51);
    - ``demo-analyst``: analyst, reads every report and dashboard;
    - ``demo-admin``: administrator (superuser), everything including the Django admin.
    """
    if reporter_institution_code is not None:
        institution = Institution.objects.get(code=reporter_institution_code)
    else:
        institution = (
            Institution.objects.filter(province_id=DEMO_PROVINCE).order_by("code").first()
            or Institution.objects.order_by("code").first()
        )
    sichuan = Province.objects.get(code=DEMO_PROVINCE)
    accounts = [
        ("demo-coordinator", Role.COORDINATOR, None, sichuan),
        ("demo-analyst", Role.ANALYST, None, None),
        ("demo-admin", Role.ADMIN, None, None),
    ]
    if institution is not None:
        accounts.insert(0, ("demo-reporter", Role.REPORTER, institution, None))
    created = {}
    for username, role, inst, province in accounts:
        user, _new = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.org",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, defaults={"role": role, "institution": inst, "province": province}
        )
        scope = inst or province
        created[username] = f"{Role(role).label}{f' · {scope}' if scope else ''}"
    return created
