"""Provincial figures of fewer than three institutions are hidden from those who could not
see the institutions themselves; analysts, admins, the province's coordinator and the
survey_aggregates command see every figure."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from departments.models import Institution


@pytest.fixture
def make_report_in(make_report):
    serial = iter(range(1, 1000))

    def make(province, **values):
        institution = Institution.objects.create(
            code=f"P{province}{next(serial):04d}", name_zh="医院", province_id=province
        )
        return make_report(institution=institution, **values)

    return make


@pytest.fixture
def tibet_two(make_report_in):
    """Tibet has two PET/CT hospitals, Sichuan three, Guangdong five."""
    for _ in range(3):
        make_report_in("51", eq_pet_ct=2)
    for _ in range(5):
        make_report_in("44", eq_pet_ct=1)
    make_report_in("54", eq_pet_ct=1)
    make_report_in("54", eq_pet_ct=3)


def province_figure(client, province, code):
    """The figure as the viewer can download it (the page shows the same, tested below)."""
    document = client.get(reverse("reports:aggregates", args=["json"]), {"province": province})
    return json.loads(document.content)["metrics"][code]["value"]


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
    assert province_figure(client, "44", "eq_pet_ct") == 5


def test_a_province_hidden_alone_gets_a_partner_so_the_nation_does_not_give_it_away(
    client, tibet_two
):
    # National 15 minus Guangdong's 5 would otherwise be Tibet's 4: Sichuan, the province with
    # the fewest reporting, is hidden with it.
    assert province_figure(client, "51", "eq_pet_ct") is None
    assert province_figure(client, "44", "eq_pet_ct") == 5


def test_a_group_total_does_not_give_away_its_hidden_part(client, make_report_in):
    for physicists in (7, 11, None, None, None):
        make_report_in(
            "54",
            staff_physicians=10,
            staff_physicists=physicists,
            title_senior=10 + (physicists or 0),
            degree_postgraduate=10 + (physicists or 0),
        )
    for _ in range(4):
        make_report_in("44", staff_physicians=3, staff_physicists=1, title_senior=4)
    for code in ("staff_physicists", "staff_total", "title_total", "degree_total"):
        assert province_figure(client, "54", code) is None, code


def test_every_hidden_figure_is_hidden_in_at_least_two_provinces_and_with_its_block(
    make_report_in,
):
    from reports import privacy
    from reports.metrics import metrics

    for province, count in (("54", 2), ("63", 1), ("51", 3), ("44", 6), ("11", 4)):
        for number in range(count):
            make_report_in(province, eq_pet_ct=number, staff_physicians=number, tx_other=None)
    hidden = privacy.hidden_by_province(year=2023, seen_whole="")
    for code in metrics():
        holders = [p for p, codes in hidden.items() if code in codes]
        assert len(holders) != 1, code
    for codes in hidden.values():
        for code in codes:
            assert privacy.blocks()[code] <= codes


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
