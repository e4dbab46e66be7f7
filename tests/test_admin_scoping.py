"""The Django admin keeps a report where the workflow and its filing put it.

A non-admin staff user granted "change report" (and "view institution") edits only its own
draft's values there: status, institution and cycle are an administrator's, status changes
are the workflow's steps with their events, and every choice is scoped like the site.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from departments.models import Institution
from survey.models import Cycle, Report, ReportEvent


@pytest.fixture
def staff_reporter(reporter):
    """The reporter of report_2023, let into the admin with the model permissions to change."""
    reporter.is_staff = True
    reporter.save()
    reporter.user_permissions.add(
        Permission.objects.get(codename="change_report"),
        Permission.objects.get(codename="view_institution"),
    )
    return reporter


@pytest.fixture
def guangdong_hospital(db):
    return Institution.objects.create(code="G440001", name_zh="广东医院", province_id="44")


@pytest.fixture
def closed_cycle(db):
    return Cycle.objects.create(year=2019, is_open=False)


def change_url(report):
    return reverse("admin:survey_report_change", args=[report.pk])


def posted_form(page, **changes):
    """The admin change form as the page offers it, with `changes` on top."""
    form = page.context["adminform"].form
    data = {
        name: "" if value is None else value
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "loaded_version": form.fields["loaded_version"].initial,
            "equipment_units-TOTAL_FORMS": 0,
            "equipment_units-INITIAL_FORMS": 0,
            **changes,
        }
    )
    # "false" reads as no for both a checkbox and a yes/no/unknown select.
    return {k: "false" if v is False else v for k, v in data.items() if not isinstance(v, list)}


def test_a_staff_reporter_cannot_accept_its_own_report_in_the_admin(
    client, staff_reporter, report_2023
):
    client.force_login(staff_reporter)
    page = client.get(change_url(report_2023))
    assert page.status_code == 200
    assert "status" not in page.context["adminform"].form.fields
    response = client.post(
        change_url(report_2023), posted_form(page, status="accepted", res_papers_sci=3)
    )
    assert response.status_code == 302
    report_2023.refresh_from_db()
    assert (report_2023.status, report_2023.res_papers_sci) == ("draft", 3)
    assert not ReportEvent.objects.filter(report=report_2023).exists()


def test_a_staff_reporter_cannot_move_its_report_to_another_province_or_a_closed_cycle(
    client, staff_reporter, report_2023, guangdong_hospital, closed_cycle
):
    client.force_login(staff_reporter)
    page = client.get(change_url(report_2023))
    form = page.context["adminform"].form
    assert "institution" not in form.fields and "cycle" not in form.fields
    own_institution = report_2023.institution_id
    response = client.post(
        change_url(report_2023),
        posted_form(page, institution=guangdong_hospital.pk, cycle=closed_cycle.pk),
    )
    assert response.status_code == 302
    report_2023.refresh_from_db()
    assert (report_2023.institution_id, report_2023.cycle_id) == (own_institution, 2023)


def test_the_institution_autocomplete_offers_a_staff_reporter_only_its_own_institution(
    client, staff_reporter, report_2023, guangdong_hospital
):
    Institution.objects.create(code="T519999", name_zh="四川另一医院", province_id="51")
    client.force_login(staff_reporter)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "survey", "model_name": "report", "field_name": "institution", "term": ""},
    )
    assert response.status_code == 200
    offered = {result["id"] for result in response.json()["results"]}
    assert offered == {str(report_2023.institution_id)}


def test_the_institution_changelist_shows_a_coordinator_only_its_province(
    client, coordinator_sichuan, report_2023, guangdong_hospital
):
    coordinator_sichuan.is_staff = True
    coordinator_sichuan.save()
    coordinator_sichuan.user_permissions.add(Permission.objects.get(codename="change_institution"))
    client.force_login(coordinator_sichuan)
    page = client.get(reverse("admin:departments_institution_changelist"))
    assert page.status_code == 200
    shown = {institution.code for institution in page.context["cl"].result_list}
    assert shown == {report_2023.institution.code}
    assert client.get(
        reverse("admin:departments_institution_change", args=[guangdong_hospital.pk])
    ).status_code in (302, 404)
    own = client.get(
        reverse("admin:departments_institution_change", args=[report_2023.institution_id])
    )
    assert "province" not in own.context["adminform"].form.fields


def test_a_staff_reporter_cannot_change_its_submitted_report_in_the_admin(
    client, staff_reporter, report_2023
):
    Report.objects.filter(pk=report_2023.pk).update(status="submitted", res_papers_sci=2)
    client.force_login(staff_reporter)
    page = client.get(change_url(report_2023))
    assert page.status_code == 200  # read only
    response = client.post(change_url(report_2023), {"res_papers_sci": 9})
    assert response.status_code == 403
    report_2023.refresh_from_db()
    assert report_2023.res_papers_sci == 2


def test_a_staff_reporter_cannot_add_or_delete_reports_in_the_admin(
    client, staff_reporter, report_2023
):
    staff_reporter.user_permissions.add(
        Permission.objects.get(codename="add_report"),
        Permission.objects.get(codename="delete_report"),
    )
    client.force_login(staff_reporter)
    assert client.get(reverse("admin:survey_report_add")).status_code == 403
    delete = reverse("admin:survey_report_delete", args=[report_2023.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Report.objects.filter(pk=report_2023.pk).exists()


# --- Administrators change status, but only by the workflow's steps -------------------------


@pytest.fixture
def submitted_report(report_2023, complete_values):
    Report.objects.filter(pk=report_2023.pk).update(status="submitted", **complete_values)
    report_2023.refresh_from_db()
    return report_2023


def test_an_admin_accepting_in_the_admin_records_the_review_event(
    client, site_admin, submitted_report
):
    client.force_login(site_admin)
    page = client.get(change_url(submitted_report))
    response = client.post(
        change_url(submitted_report), posted_form(page, status="accepted", review_comment="ok")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    submitted_report.refresh_from_db()
    assert submitted_report.status == "accepted"
    assert submitted_report.reviewed_by == site_admin
    event = ReportEvent.objects.get(report=submitted_report)
    assert (event.action, event.from_status, event.to_status, event.by, event.comment) == (
        "accept",
        "submitted",
        "accepted",
        site_admin,
        "ok",
    )


def test_an_admin_cannot_jump_a_draft_to_accepted(client, site_admin, report_2023):
    client.force_login(site_admin)
    page = client.get(change_url(report_2023))
    response = client.post(change_url(report_2023), posted_form(page, status="accepted"))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    report_2023.refresh_from_db()
    assert report_2023.status == "draft"
    assert not ReportEvent.objects.exists()


def test_an_admin_returning_a_report_must_say_why(client, site_admin, submitted_report):
    client.force_login(site_admin)
    page = client.get(change_url(submitted_report))
    refused = client.post(change_url(submitted_report), posted_form(page, status="returned"))
    assert "review_comment" in refused.context["adminform"].form.errors
    submitted_report.refresh_from_db()
    assert submitted_report.status == "submitted"
    returned = client.post(
        change_url(submitted_report),
        posted_form(page, status="returned", review_comment="Staff counts are missing."),
    )
    assert returned.status_code == 302
    event = ReportEvent.objects.get(report=submitted_report)
    assert (event.action, event.comment) == ("return", "Staff counts are missing.")


def test_an_admin_cannot_submit_an_incomplete_report_in_the_admin(client, site_admin, report_2023):
    client.force_login(site_admin)
    page = client.get(change_url(report_2023))
    response = client.post(change_url(report_2023), posted_form(page, status="submitted"))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    report_2023.refresh_from_db()
    assert report_2023.status == "draft"


def test_an_admin_submitting_a_complete_report_keeps_the_values_submitted(
    client, site_admin, report_2023, complete_values
):
    Report.objects.filter(pk=report_2023.pk).update(**complete_values)
    client.force_login(site_admin)
    page = client.get(change_url(report_2023))
    response = client.post(
        change_url(report_2023), posted_form(page, status="submitted", res_papers_sci=4)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    report_2023.refresh_from_db()
    assert report_2023.status == "submitted"
    event = ReportEvent.objects.get(report=report_2023, action="submit")
    assert event.values["res_papers_sci"] == 4


def test_an_admin_can_move_a_report_to_another_institution(
    client, site_admin, report_2023, guangdong_hospital
):
    client.force_login(site_admin)
    page = client.get(change_url(report_2023))
    response = client.post(
        change_url(report_2023), posted_form(page, institution=guangdong_hospital.pk)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    report_2023.refresh_from_db()
    assert report_2023.institution == guangdong_hospital
