import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from demo.generate import generate_demo_rows
from departments.models import Institution, Province
from departments.services import load_provinces
from survey.models import Cycle, Report

# The browser fixture (Debian chromium through Playwright) for the browser tests.
pytest_plugins = ["tests.browser"]

CONTRACT = Path(__file__).resolve().parent.parent / "fixtures" / "survey"


def read_dictionary():
    with (CONTRACT / "data-dictionary-2028.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(autouse=True)
def provinces(request, django_db_blocker):
    """The 31 provinces of the data migration, reloaded after a browser test's flush.

    Only for tests that use the database (fault tests run their own servers and databases).
    """
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if not uses_database:
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        if not Province.objects.exists():
            load_provinces(Province)


@pytest.fixture(autouse=True)
def empty_cache():
    """Figures are cached under data versions that a rolled-back test never renews."""
    cache.clear()


@pytest.fixture
def english():
    """Messages in English, for tests that match their text (the site's default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def cycle_2023(db):
    return Cycle.objects.create(year=2023, is_open=True)


@pytest.fixture
def sichuan(db):
    return Province.objects.get(code="51")


@pytest.fixture
def make_report(cycle_2023, sichuan):
    """A report of a new institution in Sichuan for 2023 with the given item values."""
    serial = iter(range(1, 10_000))

    def make(cycle=None, institution=None, **values):
        institution = institution or Institution.objects.create(
            code=f"T51{next(serial):04d}",
            name_zh="测试医院",
            name_en="Test Hospital",
            province=sichuan,
        )
        return Report.objects.create(institution=institution, cycle=cycle or cycle_2023, **values)

    return make


# --- Accounts and hospital reporting: personas and a report that is ready to submit ---------

PASSWORD = "a-long-test-password"


@pytest.fixture
def make_user(db, django_user_model):
    """A user with a role (reporter, coordinator, analyst, admin) and its scope."""
    from accounts.models import Membership

    serial = iter(range(1, 10_000))

    def make(role, *, institution=None, province=None, username=None, **fields):
        username = username or f"{role}{next(serial)}"
        user = django_user_model.objects.create_user(
            username, f"{username}@example.org", PASSWORD, **fields
        )
        Membership.objects.create(user=user, role=role, institution=institution, province=province)
        return user

    return make


@pytest.fixture
def report_2023(make_report):
    """A draft 2023 report of a Sichuan hospital (T510001), nothing reported yet."""
    return make_report()


@pytest.fixture
def reporter(make_user, report_2023):
    """Hospital staff of report_2023's institution."""
    return make_user("reporter", institution=report_2023.institution, username="reporter")


@pytest.fixture
def coordinator_sichuan(make_user, sichuan):
    return make_user("coordinator", province=sichuan, username="coordinator51")


@pytest.fixture
def coordinator_guangdong(make_user):
    from departments.models import Province

    return make_user("coordinator", province=Province.objects.get(code="44"), username="coord44")


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", username="analyst")


@pytest.fixture
def site_admin(make_user):
    """An administrator by role (not a superuser)."""
    return make_user("admin", username="siteadmin", is_staff=True)


@pytest.fixture
def complete_values():
    """An answer to every item the 2023 cycle asks that breaks no rule (all zero/no)."""
    return complete_values_of(2023)


def complete_values_of(year):
    """An answer to every item the cycle of `year` asks that breaks no rule (all zero/no; one
    campus where the cycle asks how many)."""
    from survey.instrument import items as instrument

    values = {}
    for item in instrument.items_asked(year):
        if not item.on_report or item.kind == instrument.TEXT:
            continue
        if item.kind == instrument.COUNT:
            values[item.code] = 0
        elif item.kind == instrument.FLAG:
            values[item.code] = False
    if "campuses" in values:
        values["campuses"] = 1
    values.update(
        ownership="public", tier="tertiary", dept_affiliation="independent", license_class="none"
    )
    return values


@pytest.fixture
def people(
    report_2023,
    reporter,
    make_user,
    make_report,
    coordinator_sichuan,
    coordinator_guangdong,
    analyst,
    site_admin,
):
    """A user of every role of the authorization matrix, by name (None: signed out)."""
    elsewhere = make_report(status="accepted").institution  # published: the public's figures
    return {
        "anonymous": None,
        "reporter": reporter,
        "reporter_elsewhere": make_user("reporter", institution=elsewhere),
        "coordinator": coordinator_sichuan,
        "coordinator_elsewhere": coordinator_guangdong,
        "analyst": analyst,
        "admin": site_admin,
    }


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module by its command, and removed afterwards."""
    demo = generate_demo_rows()
    with django_db_blocker.unblock():
        if not Province.objects.exists():
            load_provinces(Province)
        call_command("load_demo", stdout=io.StringIO())
        yield
        get_user_model().objects.filter(username__startswith="demo-").delete()
        Report.objects.filter(cycle__in=demo).delete()
        Cycle.objects.filter(year__in=demo).delete()
        codes = {row["inst_code"] for rows in demo.values() for row in rows}
        Institution.objects.filter(code__in=codes).delete()
