"""Who sees and edits which reports: the scoping querysets, and the pages that use them."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.urls import reverse

from departments.models import Institution
from survey.models import Cycle, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(make_report, report_2023):
    """report_2023 (Sichuan), another Sichuan hospital, a Guangdong one, and a 2019 report."""
    cycle_2019 = Cycle.objects.create(year=2019)
    guangdong = Institution.objects.create(code="G44", name_zh="广东医院", province_id="44")
    return {
        "own": report_2023,
        "own_2019": make_report(cycle=cycle_2019, institution=report_2023.institution),
        "neighbour": make_report(),
        "guangdong": make_report(institution=guangdong),
    }


def visible(user):
    return set(Report.objects.visible_to(user))


def test_a_reporter_sees_every_year_of_their_own_institution_and_nothing_else(reporter, reports):
    assert visible(reporter) == {reports["own"], reports["own_2019"]}
    assert set(Institution.objects.visible_to(reporter)) == {reports["own"].institution}


def test_a_reporter_edits_only_the_open_draft_or_returned_report(reporter, reports):
    assert set(Report.objects.editable_by(reporter)) == {reports["own"]}
    for status, editable in [
        ("returned", True),
        ("submitted", False),
        ("accepted", False),
        ("draft", True),
    ]:
        Report.objects.filter(pk=reports["own"].pk).update(status=status)
        assert Report.objects.editable_by(reporter).exists() is editable, status
    Cycle.objects.filter(year=2023).update(is_open=False)
    assert not Report.objects.editable_by(reporter).exists()


def test_a_coordinator_sees_their_province_reviews_it_and_edits_nothing(
    coordinator_sichuan, reports
):
    assert visible(coordinator_sichuan) == {
        reports["own"],
        reports["own_2019"],
        reports["neighbour"],
    }
    assert not Report.objects.editable_by(coordinator_sichuan).exists()
    Report.objects.filter(pk__in=[reports["neighbour"].pk, reports["guangdong"].pk]).update(
        status="submitted"
    )
    assert set(Report.objects.reviewable_by(coordinator_sichuan)) == {reports["neighbour"]}
    institutions = Institution.objects.visible_to(coordinator_sichuan)
    assert reports["guangdong"].institution not in institutions
    assert reports["own"].institution in institutions


def test_an_analyst_reads_everything_and_changes_nothing(analyst, reports):
    assert visible(analyst) == set(reports.values())
    assert not Report.objects.editable_by(analyst).exists()
    Report.objects.update(status="submitted")
    assert not Report.objects.reviewable_by(analyst).exists()


def test_an_admin_by_role_or_superuser_sees_edits_and_reviews_everything(
    site_admin, django_user_model, reports
):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    for admin in (site_admin, superuser):
        assert visible(admin) == set(reports.values())
        # The 2019 cycle is closed: only the open cycle's reports are editable.
        assert reports["own_2019"] not in Report.objects.editable_by(admin)
        assert reports["guangdong"] in Report.objects.editable_by(admin)
    assert site_admin.has_perm("survey.change_cycle")  # the admin role holds every permission


def test_anonymous_users_and_users_without_a_role_see_nothing(django_user_model, reports):
    nobody = django_user_model.objects.create_user("nobody")
    for user in (AnonymousUser(), nobody):
        assert not Report.objects.visible_to(user).exists()
        assert not Institution.objects.visible_to(user).exists()
        assert not Report.objects.editable_by(user).exists()


def test_the_view_report_permission_reads_like_an_analyst(django_user_model, reports):
    reader = django_user_model.objects.create_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_report"))
    reader = django_user_model.objects.get(pk=reader.pk)
    assert visible(reader) == set(reports.values())
    assert not Report.objects.editable_by(reader).exists()


def test_an_inactive_reporter_sees_nothing(reporter, reports):
    reporter.is_active = False
    assert not Report.objects.visible_to(reporter).exists()


# --- the pages ---------------------------------------------------------------------------


def report_urls(report):
    args = [report.cycle_id, report.institution.code]
    return [
        reverse("survey:report", args=args),
        reverse("survey:section", args=[*args, "therapy"]),
        reverse("survey:section", args=[*args, "equipment"]),
    ]


def test_a_reporter_gets_404_for_another_institutions_report(client, reporter, reports):
    client.force_login(reporter)
    for report in (reports["neighbour"], reports["guangdong"]):
        for url in report_urls(report):
            assert client.get(url).status_code == 404, url
        section = reverse(
            "survey:section", args=[report.cycle_id, report.institution.code, "therapy"]
        )
        assert client.post(section, {"version": 1, "therapy_beds": "5"}).status_code == 404
        submit = reverse(
            "survey:transition", args=[report.cycle_id, report.institution.code, "submit"]
        )
        assert client.post(submit).status_code == 404
    for url in report_urls(reports["own"]):
        assert client.get(url).status_code == 200, url


def test_a_coordinator_gets_404_outside_the_province_and_403_when_editing_inside(
    client, coordinator_sichuan, reports
):
    client.force_login(coordinator_sichuan)
    for url in report_urls(reports["guangdong"]):
        assert client.get(url).status_code == 404
    neighbour = reports["neighbour"]
    section = reverse(
        "survey:section", args=[neighbour.cycle_id, neighbour.institution.code, "therapy"]
    )
    assert client.get(section).status_code == 200
    assert client.post(section, {"version": neighbour.version}).status_code == 403


def test_the_report_list_shows_only_what_the_user_sees(
    client, reporter, coordinator_sichuan, reports
):
    client.force_login(reporter)
    listed = set(client.get(reverse("survey:reports")).context["page"].object_list)
    assert listed == {reports["own"], reports["own_2019"]}
    client.force_login(coordinator_sichuan)
    listed = set(client.get(reverse("survey:reports")).context["page"].object_list)
    assert reports["guangdong"] not in listed and reports["neighbour"] in listed


def test_pages_of_the_survey_need_a_login(client, reports):
    page = client.get(reverse("survey:reports"))
    assert page.status_code == 302 and page.url.startswith(reverse("login"))
    for url in report_urls(reports["own"]):
        assert client.get(url).status_code == 302


def test_the_institution_profile_follows_the_scoping(
    client, reporter, coordinator_sichuan, analyst, reports
):
    own = reverse("reports:institution", args=[reports["own"].institution.code])
    other = reverse("reports:institution", args=[reports["guangdong"].institution.code])
    client.force_login(reporter)
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    client.force_login(coordinator_sichuan)
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    client.force_login(analyst)
    assert client.get(other).status_code == 200


def test_only_coordinators_and_admins_see_the_audit_trail(
    client, reporter, coordinator_sichuan, analyst, site_admin, reports
):
    own = reports["own"]
    url = reverse("survey:history", args=[own.cycle_id, own.institution.code])
    page = reverse("survey:report", args=[own.cycle_id, own.institution.code])
    for user, status in [
        (reporter, 404),
        (analyst, 404),
        (coordinator_sichuan, 200),
        (site_admin, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert (client.get(page).context["changes"] is not None) is (status == 200)


def test_the_review_queue_and_filing_status_are_for_coordinators_analysts_and_admins(
    client, reporter, coordinator_sichuan, reports
):
    client.force_login(reporter)
    assert client.get(reverse("survey:review")).status_code == 404
    assert client.get(reverse("survey:filing")).status_code == 404
    client.force_login(coordinator_sichuan)
    Report.objects.update(status="submitted")
    queue = client.get(reverse("survey:review")).context["page"].object_list
    assert set(queue) == {reports["own"], reports["neighbour"]}
    # A coordinator's province is theirs: asking for another one changes nothing.
    page = client.get(reverse("survey:filing"), {"province": "44"})
    assert page.context["province"].code == "51"
    assert reports["guangdong"].institution not in page.context["institutions"]


def test_list_pages_query_the_same_for_3_or_30_institutions(
    client, coordinator_sichuan, analyst, sichuan, cycle_2023, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = [
        (coordinator_sichuan, reverse("survey:filing")),
        (coordinator_sichuan, reverse("survey:review")),
        (analyst, reverse("survey:reports")),
        (analyst, reverse("survey:filing")),
    ]
    counts = []
    for total in (3, 30):
        while Institution.objects.filter(code__startswith="LQ").count() < total:
            n = Institution.objects.count()
            institution = Institution.objects.create(
                code=f"LQ{n}", name_zh="医院", province=sichuan
            )
            Report.objects.create(institution=institution, cycle_id=2023, status="submitted")
        measured = []
        for user, url in pages:
            client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            measured.append(len(queries))
        counts.append(measured)
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        client.get(reverse("survey:filing"))
