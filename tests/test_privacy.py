"""Figures that could reveal a hospital are hidden from those not entitled to its reports;
analysts, admins, the province's coordinator and the survey_aggregates command see every
figure, with what the public does not see marked. (The rules: reports/privacy.py; the proof
that nothing hidden can be worked out: tests/test_disclosure_audit.py.)"""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from departments.models import Institution, Province
from tests.test_disclosure_audit import audit, downloaded, truth_of

OTHERS = ("11", "31", "32", "51")


@pytest.fixture
def make_report_in(make_report):
    """An accepted report of a new institution in `province`."""
    serial = iter(range(1, 1000))

    def make(province, status="accepted", **values):
        institution = Institution.objects.create(
            code=f"P{province}{next(serial):04d}", name_zh="医院", province_id=province
        )
        return make_report(institution=institution, status=status, **values)

    return make


def hospital(units):
    """A report that keeps the rules a reader relies on: units by owner, staff three ways."""
    return {
        "eq_pet_ct": units,
        "eq_owner_nm": units,
        "staff_physicians": 4,
        "title_senior": 4,
        "degree_college": 4,
    }


@pytest.fixture
def tibet_two(make_report_in):
    """Tibet has two PET/CT hospitals; Guangdong five, four other provinces three each."""
    for province in OTHERS:
        for _ in range(3):
            make_report_in(province, **hospital(2))
    for _ in range(5):
        make_report_in("44", **hospital(1))
    for units in (1, 3, 0):
        make_report_in("54", **hospital(units))


def figures_of(client, province=None):
    query = {"province": province} if province else {}
    return client.get(reverse("reports:aggregates", args=["json"]), query).json()["metrics"]


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
    client.force_login(make_user("coordinator", province=Province.objects.get(code="54")))
    assert tibet_pet(client) == 4


def test_figures_of_three_or_more_contributors_none_dominant_are_shown(client, tibet_two):
    assert figures_of(client, "44")["staff_physicians"]["value"] == 20
    assert figures_of(client, "54")["staff_total"]["value"] == 12
    assert figures_of(client)["staff_total"]["value"] == 80


def test_the_national_figure_minus_the_provinces_shown_does_not_give_tibet_away(client, tibet_two):
    column = [figures_of(client, p)["eq_pet_ct"]["value"] for p in (*OTHERS, "44")]
    national = figures_of(client)["eq_pet_ct"]["value"]
    hidden_elsewhere = column.count(None) + (national is None)
    # A coordinator knows its own province: one more hidden cell must remain unknown.
    assert hidden_elsewhere >= 2
    assert audit(downloaded(client, 2023), truth_of(2023)) == []


def test_a_group_total_does_not_give_away_its_hidden_part(client, make_report_in):
    for physicists in (7, 11, None, None, None):
        staff = 10 + (physicists or 0)
        make_report_in(
            "54",
            staff_physicians=10,
            staff_physicists=physicists,
            title_senior=staff,
            degree_postgraduate=staff,
        )
    for province in ("44", *OTHERS):
        for _ in range(4):
            make_report_in(
                province, staff_physicians=3, staff_physicists=1, title_senior=4, degree_college=4
            )
    assert figures_of(client, "54")["staff_physicists"]["value"] is None
    assert audit(downloaded(client, 2023), truth_of(2023)) == []


def test_shares_densities_ranks_and_reporting_counts_follow_the_hidden_figures(client, tibet_two):
    from reports import dashboard, privacy
    from reports.dashboard import ranks_among_provinces

    board = client.get(reverse("reports:province", args=["54"])).context["board"]
    row = next(row for data in board.panels for row in data.rows if row.code == "eq_pet_ct")
    assert (row.per_million, row.rank, row.share_pct, row.n_reporting) == (None,) * 4
    # Ranks are among the figures the viewer sees: Tibet's hidden 4 does not push anyone down.
    from django.contrib.auth.models import AnonymousUser

    seen = privacy.province_values(AnonymousUser(), year=2023)
    assert seen["54"]["eq_pet_ct"] is None
    shown = {"11": {"eq_pet_ct": 6}, "54": {"eq_pet_ct": None}, "44": {"eq_pet_ct": 5}}
    assert ranks_among_provinces(shown, "44") == {"eq_pet_ct": 2}
    assert dashboard.build(year=2023, province="54").province_count == 6


def test_downloads_comparison_and_brief_suppress_too(client, tibet_two):
    assert figures_of(client, "54")["eq_pet_ct"]["value"] is None
    assert (
        "eq_pet_ct"
        in client.get(reverse("reports:aggregates", args=["json"]), {"province": "54"}).json()[
            "suppressed"
        ]
    )
    table = client.get(reverse("reports:download_table", args=["equipment"]), {"province": "54"})
    assert ",4," not in table.content.decode()
    rows = client.get(reverse("reports:provinces")).context["table"]["rows"]
    tibet = next(row for row in rows if row["province"].code == "54")
    assert tibet["eq_positron_total"] is None and tibet["eq_positron_total_per_million"] is None
    brief = client.get(reverse("reports:brief"), {"province": "54", "download": "txt"})
    assert " 4 " not in brief.content.decode()


def test_entitled_viewers_see_the_cells_hidden_from_the_public_marked(client, tibet_two, analyst):
    client.force_login(analyst)
    page = client.get(reverse("reports:province", args=["54"]))
    html = page.content.decode()
    assert 'id="disclosure-legend"' in html
    row = next(r for d in page.context["board"].panels for r in d.rows if r.code == "eq_pet_ct")
    assert row.value == 4 and row.hidden_from_public
    staff = next(r for d in page.context["board"].panels for r in d.rows if r.code == "staff_total")
    assert not staff.hidden_from_public
    # The tables come with their own page, fetched when opened: the mark is in it.
    equipment = client.get(reverse("reports:table", args=["equipment"]), {"province": "54"})
    assert equipment.content.decode().count("data-hidden-from-public") >= 1
    document = client.get(reverse("reports:aggregates", args=["json"]), {"province": "54"}).json()
    assert "eq_pet_ct" in document["hidden_from_public"]
    rows = client.get(reverse("reports:provinces")).context["table"]["rows"]
    tibet = next(row for row in rows if row["province"].code == "54")
    assert (1, 0.0) != tibet["cells"][1][:2] and tibet["cells"][1][2]  # positron units, marked


def test_the_command_sees_every_figure(tibet_two, capsys):
    call_command("survey_aggregates", "--year", "2023", "--province", "54")
    document = json.loads(capsys.readouterr().out)
    assert document["metrics"]["eq_pet_ct"]["value"] == 4
    assert "eq_pet_ct" in document["hidden_from_public"]


# --- Issue 14: the relations of each edition, and what a cycle did not ask ------------------


def test_each_years_equations_are_over_the_parts_that_year_asked():
    from reports import privacy
    from survey.instrument.items import GROUPS

    def treatments(year):
        return next(eq for eq in privacy.scope_equations(year) if eq[0] == "tx_total")

    new = {"tx_lu177_psma", "tx_lu177_sstr", "tx_ra223"}
    assert treatments(2028) == ("tx_total", *GROUPS["tx_total"])
    assert set(treatments(2028)) - set(treatments(2023)) == new
    asked_2023 = {code for eq in privacy.scope_equations(2023) for code in eq}
    asked_2023 |= {code for pair in privacy.scope_bounds(2023) for code in pair}
    assert not asked_2023 & {*new, "eq_pet_long_axial", "therapy_wards"}


def test_the_2028_bounds_are_the_of_which_rules_and_the_wards():
    from reports import privacy
    from survey.instrument import items as instrument

    bounds = privacy.scope_bounds(2028)
    assert set(instrument.OF_WHICH.items()) <= set(bounds)
    assert ("eq_positron_domestic", "eq_positron_total") in bounds  # a group total as whole
    assert ("therapy_wards", "therapy_beds") in bounds
    assert ("inst_therapy_radioligand", "inst_therapy") in bounds
    assert ("inst_therapy_radioligand", "inst_rp_lu177") in bounds  # needs rp_lu177


def test_the_therapy_groups_institutions_are_linked_to_their_treatments():
    from reports import privacy

    links = privacy.count_links(2028)
    assert links["inst_therapy_bone"] == ("tx_sr89_bone", "tx_ra223")
    assert links["inst_therapy_radioligand"] == ("tx_lu177_psma", "tx_lu177_sstr")
    assert {"tx_total", "tx_lu177_psma"} <= set(links["inst_therapy"])
    assert links["inst_with_positron_equipment"] == (
        "eq_pet_ct",
        "eq_pet_mri",
        "eq_positron_total",
        "eq_pet_long_axial",  # of which: at most the PET/CT units
        "eq_positron_domestic",  # of which: at most the positron units
    )
    assert links["inst_svc_therapy_ward"] == ("therapy_wards",)
    assert links["inst_rp_lu177"] == ("tx_lu177_psma", "tx_lu177_sstr")
    # 2023 asked neither 177Lu nor 223Ra.
    assert privacy.count_links(2023)["inst_therapy_bone"] == ("tx_sr89_bone",)
    assert "inst_therapy_radioligand" not in privacy.count_links(2023)
    assert privacy.counted_by(2028)["tx_ra223"] == [
        "inst_therapy",
        "inst_therapy_bone",
        "institutions",
    ]


def test_a_metric_not_asked_is_shown_as_not_asked_never_hidden(client, tibet_two, analyst):
    """2023 did not ask the 2028 edition's items: in Tibet's table of two PET/CT hospitals they
    are neither hidden nor marked, and the public sees them not asked."""
    from django.contrib.auth.models import AnonymousUser

    from reports import metrics, privacy

    not_asked = {code for code, m in metrics.metrics().items() if not m.asked_in(2023)}
    assert {"tx_lu177_psma", "inst_therapy_radioligand", "eq_pet_long_axial"} <= not_asked
    hidden = privacy.hidden_cells(2023)
    assert "eq_pet_ct" in hidden["54"]  # the table has work
    assert not any(codes & not_asked for codes in hidden.values())
    disclosure = privacy.disclosure_for(AnonymousUser(), "54", 2023)
    public = privacy.apply(
        privacy.compare(year=2023, province="54", disclosure=disclosure), disclosure
    )
    assert all(not public[code].asked and public[code].value is None for code in not_asked)
    assert public["eq_pet_ct"].asked and public["eq_pet_ct"].value is None  # hidden
    assert not privacy.disclosure_for(analyst, "54", 2023).marked & not_asked
    # A province without published reports: its figures are not asked either, not 0.
    nobody = privacy.disclosure_for(AnonymousUser(), "65", 2023)
    assert not nobody.figures["tx_lu177_psma"].asked and nobody.figures["tx_total"].asked
