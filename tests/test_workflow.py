"""The review workflow (submit, accept, return, resubmit, reopen) and the audit trail."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from survey import assessment, audit, editing, workflow
from survey.models import Cycle, Report, ReportEvent, ValueChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def complete(report_2023, complete_values):
    """report_2023 with every section answered, ready to submit."""
    Report.objects.filter(pk=report_2023.pk).update(**complete_values)
    report_2023.refresh_from_db()
    assert assessment.assess(report_2023).ready
    return report_2023


def transition_url(report, action):
    return reverse("survey:transition", args=[report.cycle_id, report.institution.code, action])


def test_the_whole_review_cycle_is_recorded(complete, reporter, coordinator_sichuan, site_admin):
    workflow.submit(complete, by=reporter, comment="First filing.")
    workflow.return_for_correction(
        complete, by=coordinator_sichuan, comment="Staff by title do not look right."
    )
    editing.save_section(
        complete, values={"staff_physicians": 0}, version=Report.objects.get().version, by=reporter
    )
    workflow.submit(complete, by=reporter)
    workflow.accept(complete, by=coordinator_sichuan, comment="Thank you.")
    workflow.reopen(complete, by=site_admin, comment="The hospital found an error.")
    steps = [
        (e.action, e.from_status, e.to_status, e.by, e.comment)
        for e in ReportEvent.objects.filter(report=complete)
    ]
    assert steps == [
        ("submit", "draft", "submitted", reporter, "First filing."),
        (
            "return",
            "submitted",
            "returned",
            coordinator_sichuan,
            "Staff by title do not look right.",
        ),
        ("submit", "returned", "submitted", reporter, ""),
        ("accept", "submitted", "accepted", coordinator_sichuan, "Thank you."),
        ("reopen", "accepted", "returned", site_admin, "The hospital found an error."),
    ]
    assert all(event.at is not None for event in ReportEvent.objects.all())
    complete.refresh_from_db()
    assert complete.status == "returned"
    assert complete.submitted_by == reporter and complete.reviewed_by == coordinator_sichuan
    assert complete.submitted_at <= complete.reviewed_at


def test_an_accepted_report_is_locked(complete, reporter, coordinator_sichuan, client):
    workflow.submit(complete, by=reporter)
    workflow.accept(complete, by=coordinator_sichuan)
    complete.refresh_from_db()
    assert complete.is_locked
    assert not Report.objects.editable_by(reporter).exists()
    with pytest.raises(workflow.NotAllowed):
        editing.save_section(
            complete, values={"therapy_beds": 5}, version=complete.version, by=reporter
        )
    with pytest.raises(workflow.WorkflowError):
        workflow.submit(complete, by=reporter)
    client.force_login(reporter)
    section = reverse("survey:section", args=[2023, complete.institution.code, "therapy"])
    assert client.post(section, {"version": complete.version}).status_code == 403


def test_only_an_admin_reopens_an_accepted_report(
    complete, reporter, coordinator_sichuan, analyst, site_admin
):
    workflow.submit(complete, by=reporter)
    workflow.accept(complete, by=coordinator_sichuan)
    for user in (reporter, coordinator_sichuan, analyst):
        with pytest.raises(workflow.NotAllowed):
            workflow.reopen(complete, by=user)
    workflow.reopen(complete, by=site_admin)
    complete.refresh_from_db()
    assert complete.status == "returned"
    assert Report.objects.editable_by(reporter).get() == complete


def test_returning_needs_a_comment(complete, reporter, coordinator_sichuan):
    workflow.submit(complete, by=reporter)
    with pytest.raises(workflow.WorkflowError):
        workflow.return_for_correction(complete, by=coordinator_sichuan, comment="  ")
    complete.refresh_from_db()
    assert complete.status == "submitted"


def test_who_may_take_each_step(
    complete, reporter, coordinator_sichuan, coordinator_guangdong, analyst, site_admin
):
    with pytest.raises(workflow.NotAllowed):
        workflow.submit(complete, by=coordinator_sichuan)
    with pytest.raises(workflow.NotAllowed):
        workflow.submit(complete, by=analyst)
    workflow.submit(complete, by=reporter)
    for user in (reporter, analyst, coordinator_guangdong):
        with pytest.raises(workflow.NotAllowed):
            workflow.accept(complete, by=user)
        with pytest.raises(workflow.NotAllowed):
            workflow.return_for_correction(complete, by=user, comment="no")
    # An admin reviews anywhere.
    workflow.accept(complete, by=site_admin)
    assert Report.objects.get().status == "accepted"


def test_a_draft_cannot_be_accepted(complete, coordinator_sichuan):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.accept(complete, by=coordinator_sichuan)
    assert not isinstance(refused.value, workflow.NotAllowed)


def test_a_closed_cycle_takes_no_step(complete, reporter, coordinator_sichuan, site_admin):
    workflow.submit(complete, by=reporter)
    Cycle.objects.filter(year=2023).update(is_open=False)
    for step in (workflow.accept, workflow.reopen):
        with pytest.raises(workflow.NotAllowed):
            step(complete, by=site_admin)
    with pytest.raises(workflow.NotAllowed):
        workflow.return_for_correction(complete, by=coordinator_sichuan, comment="late")
    assert Report.objects.get().status == "submitted"


def test_an_incomplete_report_is_not_submitted(report_2023, reporter):
    with pytest.raises(workflow.NotReady) as refused:
        workflow.submit(report_2023, by=reporter)
    assert not refused.value.assessment.ready
    assert Report.objects.get().status == "draft"
    assert not ReportEvent.objects.exists()


def test_a_broken_rule_blocks_submission(complete, reporter):
    Report.objects.filter(pk=complete.pk).update(iv_samples=10, iv_tests=5)
    with pytest.raises(workflow.NotReady):
        workflow.submit(complete, by=reporter)


def test_the_steps_through_the_pages(client, complete, reporter, coordinator_sichuan):
    client.force_login(reporter)
    page = client.post(transition_url(complete, "submit"), {"comment": "Done"}, follow=True)
    assert page.context["report"].status == "submitted"
    assert [step.name for step in page.context["steps"]] == []
    client.force_login(coordinator_sichuan)
    page = client.get(reverse("survey:report", args=[2023, complete.institution.code]))
    assert [step.name for step in page.context["steps"]] == ["accept", "return"]
    client.post(transition_url(complete, "return"), {"comment": "Check the beds."})
    client.force_login(reporter)
    page = client.get(reverse("survey:report", args=[2023, complete.institution.code]))
    assert "Check the beds." in page.content.decode()
    assert [step.name for step in page.context["steps"]] == ["submit"]
    assert client.post(transition_url(complete, "nonsense")).status_code == 404


@pytest.mark.parametrize("comment", ["Checked\x1b[31m", "x" * 2001], ids=["escape", "too long"])
def test_a_refused_comment_takes_no_step(client, complete, coordinator_sichuan, reporter, comment):
    workflow.submit(complete, by=reporter)
    client.force_login(coordinator_sichuan)
    page = client.post(transition_url(complete, "return"), {"comment": comment}, follow=True)
    complete.refresh_from_db()
    assert complete.status == "submitted"
    assert not ReportEvent.objects.filter(action="return").exists()
    assert "Nothing was done" in page.content.decode() or "未执行任何操作" in page.content.decode()


def test_the_filing_status_lists_every_institution_with_its_reporters(
    client, coordinator_sichuan, reporter, report_2023, make_report
):
    from departments.models import Institution

    silent = Institution.objects.create(code="T51SILENT", name_zh="未填报医院", province_id="51")
    submitted = make_report(status="submitted")
    client.force_login(coordinator_sichuan)
    page = client.get(reverse("survey:filing"))
    rows = {i.code: i for i in page.context["institutions"]}
    assert rows["T51SILENT"].report_status is None
    assert rows[submitted.institution.code].report_status == "submitted"
    assert [m.user.email for m in rows[report_2023.institution.code].reporters] == [reporter.email]
    assert page.context["counts"]["none"] == 1
    assert "reporter@example.org" in page.content.decode()
    only_missing = client.get(reverse("survey:filing"), {"status": "none"})
    assert [i.code for i in only_missing.context["institutions"]] == [silent.code]


def test_admins_see_a_summary_of_every_province(client, site_admin, report_2023):
    client.force_login(site_admin)
    page = client.get(reverse("survey:filing"))
    sichuan = next(row for row in page.context["summary"] if row["province"].code == "51")
    assert (sichuan["institutions"], sichuan["draft"], sichuan["missing"]) == (1, 1, 0)


def test_past_the_deadline_unsubmitted_reports_are_overdue(
    client, coordinator_sichuan, site_admin, report_2023, make_report
):
    import datetime

    from departments.models import Institution

    Institution.objects.create(code="T51SILENT", name_zh="未填报医院", province_id="51")
    make_report(status="submitted")
    report_2023.cycle.deadline = datetime.date(2024, 3, 31)
    report_2023.cycle.save()
    client.force_login(coordinator_sichuan)
    page = client.get(reverse("survey:filing"))
    overdue = {i.code for i in page.context["institutions"] if i.overdue}
    assert overdue == {"T51SILENT", report_2023.institution.code}
    assert page.context["counts"]["overdue"] == 2
    client.force_login(site_admin)
    national = client.get(reverse("survey:filing")).context
    sichuan = next(row for row in national["summary"] if row["province"].code == "51")
    assert sichuan["overdue"] == 2 and national["total"]["overdue"] == 2


# --- the audit trail -----------------------------------------------------------------------


def test_a_form_save_records_who_changed_what_from_what_to_what(client, reporter, report_2023):
    report_2023.therapy_beds = 4
    report_2023.save()
    client.force_login(reporter)
    client.post(
        reverse("survey:section", args=[2023, report_2023.institution.code, "therapy"]),
        {"version": report_2023.version, "therapy_beds": "6", "tx_other": "3"},
    )
    changes = {c.item: c for c in ValueChange.objects.filter(report=report_2023)}
    assert set(changes) == {"therapy_beds", "tx_other"}
    assert (changes["therapy_beds"].old_value, changes["therapy_beds"].new_value) == (4, 6)
    assert (changes["tx_other"].old_value, changes["tx_other"].new_value) == (None, 3)
    assert changes["tx_other"].by == reporter and changes["tx_other"].source == "form"
    assert changes["tx_other"].at is not None


def test_record_changes_writes_only_what_changed(report_2023, reporter):
    before = report_2023.item_values()
    after = {**before, "svc_pet": True, "eq_pet_ct": 1, "op_suggestions": None, "tier": "other"}
    written = audit.record_changes(report_2023, before, after, reporter, "import")
    assert {(c.item, c.old_value, c.new_value) for c in written} == {
        ("svc_pet", None, True),
        ("eq_pet_ct", None, 1),
        ("tier", None, "other"),
    }
    assert audit.record_changes(report_2023, after, after, reporter, "admin") == []
    # A flag and a count of the same truth value are still different values.
    assert len(audit.record_changes(report_2023, {"x": True}, {"x": 1}, None, "import")) == 1
    with pytest.raises(ValueError):
        audit.record_changes(report_2023, before, after, reporter, "telepathy")


def test_the_audit_trail_is_shown_to_coordinators_on_the_report(
    client, reporter, coordinator_sichuan, report_2023
):
    editing.save_section(
        report_2023, values={"therapy_beds": 9}, version=report_2023.version, by=reporter
    )
    client.force_login(coordinator_sichuan)
    page = client.get(reverse("survey:report", args=[2023, report_2023.institution.code]))
    [change] = page.context["changes"]
    assert (change.item, change.new_value, change.by) == ("therapy_beds", 9, reporter)
    history = client.get(reverse("survey:history", args=[2023, report_2023.institution.code]))
    assert "therapy_beds" in history.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_take_one_step_between_them(
    report_2023, complete_values, reporter, coordinator_sichuan, site_admin
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: runs in the PostgreSQL pass")
    Report.objects.filter(pk=report_2023.pk).update(**complete_values)
    workflow.submit(report_2023, by=reporter)
    start, outcomes = threading.Barrier(2), []

    def review(step, user):
        try:
            start.wait()
            step(report_2023, by=user, comment="at once")
            outcomes.append("done")
        except workflow.WorkflowError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=review, args=(workflow.accept, coordinator_sichuan)),
        threading.Thread(target=review, args=(workflow.return_for_correction, site_admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert ReportEvent.objects.filter(report=report_2023).exclude(action="submit").count() == 1


def test_what_was_submitted_stays_printable_after_a_correction(
    client, complete, reporter, coordinator_sichuan
):
    import csv
    import io

    workflow.submit(complete, by=reporter)
    workflow.return_for_correction(complete, by=coordinator_sichuan, comment="Check papers.")
    complete.refresh_from_db()
    complete.res_papers_sci = 9
    complete.save()
    client.force_login(reporter)
    code = complete.institution.code
    url = reverse("survey:print", args=[2023, code])
    now = dict(
        (item.code, value)
        for _s, items in client.get(url).context["sections"]
        for item, value in items
    )
    then_page = client.get(url, {"as": "submitted"})
    then = dict(
        (item.code, value) for _s, items in then_page.context["sections"] for item, value in items
    )
    assert (now["res_papers_sci"], then["res_papers_sci"]) == ("9", "0")
    assert then_page.context["as_submitted"]
    download = client.get(reverse("survey:download", args=[2023, code]), {"as": "submitted"})
    header, row = csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
    assert row[header.index("res_papers_sci")] == "0"
