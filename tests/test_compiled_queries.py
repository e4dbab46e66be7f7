"""The queries every filing page asks first, compiled once (`config.compiled`): the same
reports, scoping and editability as the ORM's querysets, for every kind of user."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from survey import editing
from survey.models import Cycle, Report, ReportStatus


@pytest.fixture
def report_2019(make_report, report_2023):
    return make_report(cycle=Cycle.objects.create(year=2019), institution=report_2023.institution)


def test_a_report_and_its_previous_come_in_one_query(reporter, report_2023, report_2019):
    report_2023.refresh_from_db()
    code = report_2023.institution.code
    with CaptureQueriesContext(connection) as queries:
        report, previous = Report.objects.with_previous(reporter, 2023, code)
        # Everything a page reads of them is loaded with them.
        _ = (report.institution.province.name, report.cycle.is_open, previous.cycle_id)
    assert len(queries) == 1
    assert (report.pk, previous.pk) == (report_2023.pk, report_2019.pk)
    assert report.item_values() == report_2023.item_values()
    assert (report.notes, report.updated_at, report.version) == (
        report_2023.notes,
        report_2023.updated_at,
        report_2023.version,
    )
    assert report.editable is True


def test_every_kind_of_user_finds_what_the_querysets_let_them(
    report_2023,
    reporter,
    coordinator_sichuan,
    coordinator_guangdong,
    analyst,
    site_admin,
    make_report,
):
    other = make_report()  # another Sichuan hospital: not the reporter's
    nobody = get_user_model().objects.create_user("nobody", password="x" * 12)
    for user in (reporter, coordinator_sichuan, coordinator_guangdong, analyst, site_admin, nobody):
        for report in (report_2023, other):
            code = report.institution.code
            visible = Report.objects.visible_to(user).filter(pk=report.pk).exists()
            editable = Report.objects.editable_by(user).filter(pk=report.pk).exists()
            try:
                found, _previous = Report.objects.with_previous(user, 2023, code)
            except Report.DoesNotExist:
                found = None
            assert (found is not None) == visible, (user, code)
            if found is not None:
                assert found.editable == editable, (user, code)
            assert Report.objects.is_editable_by(user, report.pk) == editable, (user, code)


def test_a_report_of_another_year_or_an_odd_year_is_not_found(reporter, report_2023):
    code = report_2023.institution.code
    for year in (2019, 2024, 0, -1, 10**30):
        with pytest.raises(Report.DoesNotExist):
            Report.objects.with_previous(reporter, year, code)


def test_a_submitted_report_is_no_longer_editable(reporter, report_2023):
    Report.objects.filter(pk=report_2023.pk).update(status=ReportStatus.SUBMITTED)
    report, _ = Report.objects.with_previous(reporter, 2023, report_2023.institution.code)
    assert report.editable is False
    assert not Report.objects.is_editable_by(reporter, report_2023.pk)


def test_a_changed_role_takes_effect_on_the_next_request(client, reporter, report_2023):
    url = f"/survey/reports/2023/{report_2023.institution.code}/research/"
    client.force_login(reporter)
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=reporter).update(role="analyst", institution=None)
    # An analyst reads the report but may not change it.
    assert client.get(url).status_code == 200
    assert client.post(url, {"version": report_2023.version}).status_code == 403
    get_user_model().objects.filter(pk=reporter.pk).update(is_active=False)
    assert client.get(url).status_code == 302  # signed out: to the login page


@pytest.mark.django_db(transaction=True)
def test_threads_run_a_compiled_query_each_with_its_own_connection(
    reporter, report_2023, make_report
):
    code = report_2023.institution.code
    found, errors = [], []

    def look():
        try:
            found.append(Report.objects.with_previous(reporter, 2023, code)[0].pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=look) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and found == [report_2023.pk] * 4


def test_a_save_writes_only_the_section_and_leaves_the_callers_report_as_loaded(
    reporter, report_2023
):
    loaded = Report.objects.select_related("institution__province", "cycle").get(pk=report_2023.pk)
    with CaptureQueriesContext(connection) as queries:
        saved = editing.save_section(
            loaded, values={"res_papers_sci": 3}, version=loaded.version, by=reporter
        )
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "survey_report" SET "res')]
    assert len(updates) == 1 and '"therapy_beds"' not in updates[0]
    assert saved.version == loaded.version + 1 and loaded.res_papers_sci is None
    assert Report.objects.get(pk=report_2023.pk).res_papers_sci == 3
