"""Provincial figures of fewer than three institutions are hidden from those who could not
see the institutions themselves; analysts, admins, the province's coordinator and the
survey_aggregates command see every figure."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from departments.models import Institution


@pytest.fixture
def tibet_two(make_report, make_report_in_tibet):
    """Sichuan has three PET/CT hospitals; Tibet two."""
    for _ in range(3):
        make_report(eq_pet_ct=2)
    make_report_in_tibet(eq_pet_ct=1)
    make_report_in_tibet(eq_pet_ct=3)


@pytest.fixture
def make_report_in_tibet(make_report):
    serial = iter(range(1, 100))

    def make(**values):
        institution = Institution.objects.create(
            code=f"T54{next(serial):04d}", name_zh="西藏医院", province_id="54"
        )
        return make_report(institution=institution, **values)

    return make


def tibet_pet(client):
    board = client.get(reverse("reports:province", args=["54"])).context["board"]
    return next(row for data in board.panels for row in data.rows if row.code == "eq_pet_ct").value


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (None, False),
        ("reporter", False),
        ("coordinator_sichuan", False),
        ("analyst", True),
        ("site_admin", True),
    ],
)
def test_small_provincial_figures_are_suppressed_for_those_not_entitled(
    client, tibet_two, request, viewer, sees
):
    if viewer:
        client.force_login(request.getfixturevalue(viewer))
    assert tibet_pet(client) == (4 if sees else None)


def test_the_provinces_own_coordinator_sees_them(client, tibet_two, make_user):
    from departments.models import Province

    client.force_login(make_user("coordinator", province=Province.objects.get(code="54")))
    assert tibet_pet(client) == 4


def test_figures_of_three_or_more_institutions_are_shown_to_everyone(client, tibet_two):
    board = client.get(reverse("reports:province", args=["51"])).context["board"]
    row = next(row for data in board.panels for row in data.rows if row.code == "eq_pet_ct")
    assert row.value == 6


def test_downloads_comparison_and_brief_suppress_too(client, tibet_two):
    document = client.get(reverse("reports:aggregates", args=["json"]), {"province": "54"})
    assert json.loads(document.content)["metrics"]["eq_pet_ct"]["value"] is None
    table = client.get(reverse("reports:download_table", args=["equipment"]), {"province": "54"})
    assert ",4," not in table.content.decode()
    rows = client.get(reverse("reports:provinces")).context["table"]["rows"]
    tibet = next(row for row in rows if row["province"].code == "54")
    assert tibet["eq_positron_total"] is None
    brief = client.get(reverse("reports:brief"), {"province": "54", "download": "txt"})
    assert " 4 " not in brief.content.decode()


def test_the_command_sees_every_figure(tibet_two, capsys):
    call_command("survey_aggregates", "--year", "2023", "--province", "54")
    assert json.loads(capsys.readouterr().out)["metrics"]["eq_pet_ct"]["value"] == 4
