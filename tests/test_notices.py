"""Mail: notices of review steps and reminders of the deadline, in each recipient's language."""

import datetime
import io
import smtplib
import threading

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from accounts.roles import Scope, scope_of
from departments.models import Institution, Province
from notices import reminders
from notices.languages import language_of, remember
from notices.models import MailLanguage, Reminder
from survey import workflow
from survey.models import Cycle, Report
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2023, 6, 1, 9, 0, tzinfo=datetime.UTC)


class FailingSMTPBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def complete(report_2023, complete_values):
    Report.objects.filter(pk=report_2023.pk).update(**complete_values)
    report_2023.refresh_from_db()
    return report_2023


@pytest.fixture
def english_pages(client, settings):
    """The client reads the site in English: its messages are matched by their text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def reporter_en(make_user, report_2023):
    """A second reporter of report_2023's institution, who reads the site in English."""
    user = make_user("reporter", institution=report_2023.institution, username="reporter_en")
    remember(user, "en")
    return user


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the notices, the mail jobs) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def unreachable(user):
    """`user` without an e-mail address."""
    user.email = ""
    user.save(update_fields=["email"])
    return user


def sent_to(outbox):
    return {message.to[0]: message for message in outbox}


# --- Notices of review steps ------------------------------------------------------------------


def test_a_return_mails_each_reporter_the_comment_in_their_language(
    complete, reporter, reporter_en, make_user, coordinator_sichuan, committed, mailoutbox
):
    unreachable(make_user("reporter", institution=complete.institution))
    make_user("reporter", institution=complete.institution, is_active=False)
    workflow.submit(complete, by=reporter)
    with committed():
        workflow.return_for_correction(
            complete, by=coordinator_sichuan, comment="Staff by title do not add up."
        )
    mails = sent_to(mailoutbox)
    assert set(mails) == {reporter.email, reporter_en.email}
    zh, en = mails[reporter.email], mails[reporter_en.email]
    assert en.subject == "2023 survey: the report of Test Hospital was returned for correction"
    assert "测试医院" in zh.subject and "Test Hospital" not in zh.subject
    for message in (zh, en):
        assert "Staff by title do not add up." in message.body
        assert "/survey/reports/2023/T510001/" in message.body
    assert "coordinator51 returned the 2023 survey report" in en.body


def test_a_subject_is_plain_text_not_html(
    complete, reporter, reporter_en, coordinator_sichuan, committed, mailoutbox
):
    complete.institution.name_en = "St. Mary's & <Kids> Hospital"
    complete.institution.save()
    workflow.submit(complete, by=reporter)
    with committed():
        workflow.accept(complete, by=coordinator_sichuan)
    subject = sent_to(mailoutbox)[reporter_en.email].subject
    assert "St. Mary's & <Kids> Hospital" in subject and "&amp;" not in subject


def test_an_acceptance_mails_the_reporters_only(
    complete,
    reporter,
    reporter_en,
    coordinator_sichuan,
    make_report,
    make_user,
    committed,
    mailoutbox,
):
    elsewhere = make_user("reporter", institution=make_report().institution)
    workflow.submit(complete, by=reporter)
    with committed():
        workflow.accept(complete, by=coordinator_sichuan, comment="Thank you.")
    mails = sent_to(mailoutbox)
    assert set(mails) == {reporter.email, reporter_en.email}
    assert elsewhere.email not in mails and coordinator_sichuan.email not in mails
    assert (
        mails[reporter_en.email].subject == "2023 survey: the report of Test Hospital was accepted"
    )
    assert "测试医院" in mails[reporter.email].subject
    assert "Thank you." in mails[reporter_en.email].body


def test_a_submission_mails_the_coordinators_of_its_province(
    complete,
    reporter,
    coordinator_sichuan,
    coordinator_guangdong,
    make_user,
    sichuan,
    analyst,
    site_admin,
    committed,
    mailoutbox,
):
    second = make_user("coordinator", province=sichuan, username="second51")
    remember(second, "en")
    with committed():
        workflow.submit(complete, by=reporter, comment="First filing.")
    mails = sent_to(mailoutbox)
    assert set(mails) == {coordinator_sichuan.email, second.email}
    assert (
        mails[second.email].subject == "2023 survey: Test Hospital submitted its report for review"
    )
    assert "测试医院" in mails[coordinator_sichuan.email].subject
    assert "First filing." in mails[second.email].body


def test_a_reopened_report_is_announced_to_its_reporters_as_returned(
    complete, reporter, coordinator_sichuan, site_admin, committed, mailoutbox, english
):
    remember(reporter, "en")
    workflow.submit(complete, by=reporter)
    workflow.accept(complete, by=coordinator_sichuan)
    with committed():
        workflow.reopen(complete, by=site_admin, comment="The hospital found an error.")
    (message,) = mailoutbox
    assert message.to == [reporter.email]
    assert message.subject.endswith("was returned for correction")
    assert "The hospital found an error." in message.body


def test_a_step_rolled_back_mails_nobody(
    complete, reporter, committed, mailoutbox, coordinator_sichuan
):
    with committed(), pytest.raises(RuntimeError):
        with transaction.atomic():
            workflow.submit(complete, by=reporter)
            raise RuntimeError("the request failed after the step")
    assert mailoutbox == []
    assert Report.objects.get(pk=complete.pk).status == "draft"


def test_nothing_is_mailed_before_the_step_is_committed(
    complete, reporter, coordinator_sichuan, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        workflow.submit(complete, by=reporter)
    assert mailoutbox == []


def test_a_failing_smtp_server_does_not_fail_the_step(
    complete, reporter, coordinator_sichuan, committed, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "tests.test_notices.FailingSMTPBackend"
    finished = []

    def record(sender, task_result, **kwargs):
        finished.append(task_result.status)

    task_finished.connect(record)
    try:
        with committed():
            event = workflow.submit(complete, by=reporter)
    finally:
        task_finished.disconnect(record)
    assert event.to_status == "submitted"
    assert Report.objects.get(pk=complete.pk).status == "submitted"
    assert finished == [TaskResultStatus.FAILED]  # the mail job failed, and only it
    assert mailoutbox == []


def test_a_queue_that_is_down_does_not_fail_the_step(
    complete, reporter, coordinator_sichuan, committed, monkeypatch, client
):
    class QueueDown:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr("notices.mail.send_message", QueueDown())
    client.force_login(reporter)
    url = reverse("survey:transition", args=[2023, complete.institution.code, "submit"])
    with committed():
        response = client.post(url, {"comment": ""})
    assert response.status_code == 302
    assert Report.objects.get(pk=complete.pk).status == "submitted"


def test_a_comment_is_mailed_as_written_not_html_escaped(
    complete, reporter, coordinator_sichuan, committed, mailoutbox
):
    workflow.submit(complete, by=reporter)
    with committed():
        workflow.return_for_correction(complete, by=coordinator_sichuan, comment="A & B <C>")
    assert "A & B <C>" in mailoutbox[0].body


# --- Each user's language ---------------------------------------------------------------------


def test_the_language_is_remembered_at_login(client, make_user, settings):
    user = make_user("analyst")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert language_of(user.__class__.objects.get(pk=user.pk)) == "en"


def test_without_a_choice_mail_is_in_chinese(make_user):
    assert language_of(make_user("analyst")) == "zh-hans"


def test_switching_language_is_remembered(client, make_user):
    user = make_user("analyst")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert MailLanguage.objects.get(user=user).language == "en"
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert MailLanguage.objects.get(user=user).language == "zh-hans"


def test_an_unknown_language_changes_nothing(client, make_user):
    user = make_user("analyst")
    remember(user, "en")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "xx-evil", "next": "/"})
    assert response.status_code == 302
    assert MailLanguage.objects.get(user=user).language == "en"


def test_an_ordinary_page_does_not_touch_the_stored_language(client, make_user):
    client.force_login(make_user("analyst"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("survey:reports")).status_code == 200
    assert not any("notices_maillanguage" in q["sql"] for q in queries.captured_queries)


# --- Reminders ----------------------------------------------------------------------------------


@pytest.fixture
def filings(cycle_2023, sichuan, make_user):
    """Sichuan institutions in every filing state, and one in Guangdong; reporters with mail."""
    cycle_2023.deadline = datetime.date(2023, 6, 11)
    cycle_2023.save()

    def institution(code, status=None, reporter=True, province=sichuan):
        found = Institution.objects.create(
            code=code, name_zh=f"医院{code}", name_en=f"Hospital {code}", province=province
        )
        if status:
            Report.objects.create(institution=found, cycle=cycle_2023, status=status)
        if reporter:
            make_user("reporter", institution=found, username=f"r{code.lower()}")
        else:  # reporters, but none who can be mailed
            unreachable(make_user("reporter", institution=found))
            make_user("reporter", institution=found, is_active=False)
        return found

    return {
        "draft": institution("S1", "draft"),
        "none": institution("S2"),
        "returned": institution("S3", "returned"),
        "submitted": institution("S4", "submitted"),
        "accepted": institution("S5", "accepted"),
        "no_reporter": institution("S6", "draft", reporter=False),
        "guangdong": institution("G1", province=Province.objects.get(code="44")),
    }


def codes(pairs):
    return [pair[0].code if isinstance(pair, tuple) else pair.code for pair in pairs]


def test_only_institutions_of_the_scope_that_have_not_filed_are_reminded(
    filings, cycle_2023, coordinator_sichuan, committed, mailoutbox
):
    with committed():
        done = reminders.remind(
            scope_of(coordinator_sichuan), cycle_2023, now=NOW, by=coordinator_sichuan
        )
    assert codes(done.reminded) == ["S1", "S2", "S3"]
    assert codes(done.unreachable) == ["S6"] and done.recent == []
    assert sorted(m.to[0] for m in mailoutbox) == [
        "rs1@example.org",
        "rs2@example.org",
        "rs3@example.org",
    ]
    recorded = Reminder.objects.order_by("institution__code")
    assert [(r.institution.code, r.by, r.recipients, r.sent_at) for r in recorded] == [
        (code, coordinator_sichuan, 1, NOW) for code in ("S1", "S2", "S3")
    ]


def test_an_institution_is_not_reminded_again_within_the_interval(
    filings, cycle_2023, committed, mailoutbox
):
    everywhere = Scope(None, everything=True)
    with committed():
        first = reminders.remind(everywhere, cycle_2023, now=NOW)
        again = reminders.remind(everywhere, cycle_2023, now=NOW + datetime.timedelta(days=6))
    assert codes(first.reminded) == ["G1", "S1", "S2", "S3"]
    assert again.reminded == [] and codes(again.recent) == ["G1", "S1", "S2", "S3"]
    assert all(at == NOW for _institution, at in again.recent)
    assert len(mailoutbox) == 4 and Reminder.objects.count() == 4


def test_an_institution_is_reminded_again_after_the_interval(
    filings, cycle_2023, committed, mailoutbox, settings
):
    settings.SURVEY_REMINDER_INTERVAL_DAYS = 3
    province = Province.objects.get(code="51")
    with committed():
        reminders.remind(Scope(None, everything=True), cycle_2023, now=NOW, province=province)
        later = reminders.remind(
            Scope(None, everything=True),
            cycle_2023,
            now=NOW + datetime.timedelta(days=3),
            province=province,
        )
    assert codes(later.reminded) == ["S1", "S2", "S3"]
    assert len(mailoutbox) == 6 and Reminder.objects.count() == 6


def test_a_reminder_says_the_days_left_and_links_the_report(
    filings, cycle_2023, committed, mailoutbox
):
    remember(filings["draft"].members.get().user, "en")
    remember(filings["none"].members.get().user, "en")
    with committed():
        reminders.remind(Scope(None, everything=True), cycle_2023, now=NOW)
    mails = sent_to(mailoutbox)
    draft, none = mails["rs1@example.org"], mails["rs2@example.org"]
    assert draft.subject == "Reminder: the 2023 survey report of Hospital S1 is not submitted yet"
    assert "The deadline is 2023-06-11: 10 days left." in draft.body
    assert "/survey/reports/2023/S1/" in draft.body
    assert "/survey/reports/2023/" not in none.body and none.body.count("/survey/") == 1
    assert "医院S3" in mails["rs3@example.org"].subject  # in Chinese, the default


def test_an_overdue_reminder_says_how_late(filings, cycle_2023, committed, mailoutbox):
    remember(filings["draft"].members.get().user, "en")
    with committed():
        reminders.remind(
            Scope(None, everything=True), cycle_2023, now=NOW + datetime.timedelta(days=11)
        )
    body = sent_to(mailoutbox)["rs1@example.org"].body
    assert "The deadline was 2023-06-11: it passed 1 day ago." in body


def test_a_dry_run_sends_and_records_nothing(filings, cycle_2023, committed, mailoutbox):
    with committed():
        done = reminders.remind(Scope(None, everything=True), cycle_2023, now=NOW, dry_run=True)
    assert codes(done.reminded) == ["G1", "S1", "S2", "S3"]
    assert mailoutbox == [] and not Reminder.objects.exists()


def test_a_closed_cycle_is_not_reminded(filings, cycle_2023, mailoutbox):
    Cycle.objects.filter(pk=2023).update(is_open=False)
    with pytest.raises(reminders.CycleClosed):
        reminders.remind(Scope(None, everything=True), Cycle.objects.get(), now=NOW)


def test_a_user_without_a_scope_reminds_nobody(filings, cycle_2023, django_user_model, mailoutbox):
    nobody = django_user_model.objects.create_user("nobody", "n@example.org", PASSWORD)
    done = reminders.remind(scope_of(nobody), cycle_2023, now=NOW)
    assert done.reminded == done.recent == done.unreachable == []


def test_reminding_a_province_takes_a_few_queries_whatever_its_size(
    cycle_2023, sichuan, make_user, django_assert_max_num_queries
):
    for n in range(40):
        institution = Institution.objects.create(code=f"Q{n:03d}", name_zh="医院", province=sichuan)
        make_user("reporter", institution=institution)
    with django_assert_max_num_queries(6):
        done = reminders.remind(Scope(None, everything=True), cycle_2023, now=NOW, dry_run=True)
    assert len(done.reminded) == 40


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_at_once_remind_each_institution_once(
    filings, cycle_2023, coordinator_sichuan, site_admin
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: runs in the PostgreSQL pass")
    start, sent = threading.Barrier(2), []

    def press(user):
        try:
            start.wait()
            sent.append(len(reminders.remind(scope_of(user), cycle_2023, now=NOW).reminded))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(u,)) for u in (coordinator_sichuan, site_admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Reminder.objects.filter(institution__province="51").count() == 3
    assert sorted(sent) in ([0, 4], [1, 3])  # the admin's scope has G1 too


# --- The command --------------------------------------------------------------------------------


def test_the_command_prints_who_was_reminded(filings, cycle_2023, committed, mailoutbox):
    out = io.StringIO()
    with committed():
        call_command("send_reminders", "--province", "51", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "reminded S1 医院S1: rs1@example.org"
    assert "skipped S6: no reporter with an e-mail address" in lines
    assert lines[-1] == "2023: 3 reminded, 0 reminded recently, 1 without a reporter."
    assert len(mailoutbox) == 3
    out = io.StringIO()
    call_command("send_reminders", "--year", "2023", "--dry-run", stdout=out)
    assert "skipped S1: reminded on 20" in out.getvalue()
    assert "would remind G1" in out.getvalue()
    assert Reminder.objects.count() == 3


@pytest.mark.parametrize(
    "arguments",
    [["--province", "99"], ["--year", "1999"], ["--province", "5\x001"]],
)
def test_the_command_refuses_what_names_nothing(filings, arguments):
    with pytest.raises(CommandError):
        call_command("send_reminders", *arguments, stdout=io.StringIO())


def test_the_command_refuses_a_closed_cycle(filings, cycle_2023):
    Cycle.objects.filter(pk=2023).update(is_open=False)
    with pytest.raises(CommandError, match="No survey is open"):
        call_command("send_reminders", stdout=io.StringIO())
    with pytest.raises(CommandError, match="2023"):
        call_command("send_reminders", "--year", "2023", stdout=io.StringIO())


# --- The filing page's button -------------------------------------------------------------------

REMIND = "/notices/reminders/"


def test_a_coordinator_reminds_their_province_from_the_filing_page(
    client, filings, cycle_2023, coordinator_sichuan, committed, mailoutbox, english_pages
):
    client.force_login(coordinator_sichuan)
    page = client.get(reverse("survey:filing"))
    assert f'action="{REMIND}"' in page.content.decode()
    with committed():
        response = client.post(REMIND, {"year": "2023", "province": "51"}, follow=True)
    assert response.redirect_chain[-1][0] == "/survey/filing/?year=2023&province=51"
    said = [str(m) for m in response.context["messages"]]
    assert said[0].startswith("Reminder sent to")
    assert "rs1@example.org" in said[0] and "G1" not in said[0]
    assert any("S6" in m and "no reporter" in m for m in said)
    assert len(mailoutbox) == 3
    with committed():
        again = client.post(REMIND, {"year": "2023", "province": "51"}, follow=True)
    said = [str(m) for m in again.context["messages"]]
    assert "No reminder was sent." in said
    assert any(m.startswith("Not reminded again") and "S1" in m for m in said)
    assert len(mailoutbox) == 3


def test_a_coordinator_without_a_province_field_reminds_their_own(
    client, filings, cycle_2023, coordinator_sichuan, committed, mailoutbox
):
    client.force_login(coordinator_sichuan)
    with committed():
        client.post(REMIND, {"year": "2023"})
    assert sorted(m.to[0] for m in mailoutbox) == [
        "rs1@example.org",
        "rs2@example.org",
        "rs3@example.org",
    ]


def test_a_sichuan_coordinator_cannot_remind_another_province(
    client, filings, cycle_2023, coordinator_sichuan, committed, mailoutbox
):
    client.force_login(coordinator_sichuan)
    with committed():
        response = client.post(REMIND, {"year": "2023", "province": "44"})
    assert response.status_code == 404
    assert mailoutbox == [] and not Reminder.objects.exists()


@pytest.mark.parametrize("who", ["reporter", "analyst", "reporter_elsewhere"])
def test_reporters_and_analysts_cannot_send_reminders(
    client, people, who, cycle_2023, committed, mailoutbox
):
    client.force_login(people[who])
    with committed():
        response = client.post(REMIND, {"year": "2023", "province": "51"})
    assert response.status_code == 404
    assert mailoutbox == [] and not Reminder.objects.exists()


def test_the_button_is_shown_only_to_reviewers(client, people, cycle_2023):
    client.force_login(people["analyst"])
    page = client.get(reverse("survey:filing"), {"province": "51"})
    assert page.status_code == 200 and REMIND not in page.content.decode()
    client.force_login(people["admin"])
    assert REMIND in client.get(reverse("survey:filing"), {"province": "51"}).content.decode()


def test_the_button_is_post_only_and_needs_a_login(client, coordinator_sichuan, cycle_2023):
    assert client.post(REMIND, {"year": "2023"}).status_code == 302  # to the login page
    client.force_login(coordinator_sichuan)
    assert client.get(REMIND, {"year": "2023"}).status_code == 405


def test_the_button_needs_the_csrf_token(coordinator_sichuan, cycle_2023, filings, mailoutbox):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator_sichuan)
    assert client.post(REMIND, {"year": "2023", "province": "51"}).status_code == 403
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"year": "abc"},
        {"year": "9" * 40},
        {"year": "-1"},
        {"year": "1999"},
        {"year": "2023", "province": "5\x001"},
        {"year": "2023", "province": "x" * 5000},
        {"year": "2023", "province": "99"},
    ],
)
def test_malformed_button_input_is_refused_with_a_message(
    client, coordinator_sichuan, cycle_2023, filings, data, english_pages
):
    client.force_login(coordinator_sichuan)
    response = client.post(REMIND, data, follow=True)
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]]
    assert len(said) == 1 and said[0].startswith("No reminder was sent:")
    assert not Reminder.objects.exists()


def test_a_closed_cycle_has_no_button_and_refuses_the_post(
    client, coordinator_sichuan, cycle_2023, filings, english_pages
):
    Cycle.objects.filter(pk=2023).update(is_open=False)
    client.force_login(coordinator_sichuan)
    assert REMIND not in client.get(reverse("survey:filing")).content.decode()
    response = client.post(REMIND, {"year": "2023"}, follow=True)
    assert "open survey only" in str(list(response.context["messages"])[0])
    assert not Reminder.objects.exists()


def test_a_reminder_job_in_each_recipients_language(filings, cycle_2023, committed, mailoutbox):
    remember(filings["draft"].members.get().user, "en")
    with committed():
        reminders.remind(Scope(None, everything=True), cycle_2023, now=NOW)
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert "Hospital S1" in subjects["rs1@example.org"]
    assert "医院S2" in subjects["rs2@example.org"]
