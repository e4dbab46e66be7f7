"""Error pages in the site's layout and the user's language, and no request ends in a 500.

400 for addresses with control characters, 403, 404 (also for another institution's report),
500 from a standalone template, 503 while the database is down or an import holds the rows a
save needs (the writer waits a bounded time, then is told so plainly).
"""

import threading

import pytest
from django.db import OperationalError, connection, connections
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from config import locks
from survey.instrument import items as instrument
from survey.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def section_url(report, key="therapy"):
    return reverse("survey:section", args=[report.cycle_id, report.institution.code, key])


def section_data(report, **values):
    report.refresh_from_db()
    data = {"version": report.version}
    data.update({i.code: "" for i in instrument.section_items("therapy") if i.on_report})
    data.update({code: str(value) for code, value in values.items()})
    return data


def assert_site_page(page, language="en"):
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html and 'href="/"' in html
    return html


@pytest.mark.parametrize(
    "url",
    ["/reports/province/%00/", "/reports/?province=%00", "/reports/?year=%00", "/survey/?q=a%1Bb"],
)
def test_a_control_character_in_the_address_is_a_400_page(english, url):
    page = english.get(url)
    assert page.status_code == 400
    html = assert_site_page(page)
    assert "This address cannot be used" in html


def test_the_400_page_is_in_chinese_by_default(client):
    page = client.get("/reports/?province=%00")
    assert page.status_code == 400
    assert "全国核医学现状调查" in assert_site_page(page, "zh-hans")


def test_a_path_number_no_column_can_hold_names_nothing(english, reporter):
    english.force_login(reporter)
    page = english.get("/survey/reports/99999999999999999999/T510001/")
    assert page.status_code == 404


def test_another_institutions_report_is_a_404_page_with_a_way_back(english, make_user, make_report):
    other = make_report()
    english.force_login(make_user("reporter", institution=make_report().institution))
    page = english.get(reverse("survey:report", args=[2023, other.institution.code]))
    assert page.status_code == 404
    html = assert_site_page(page)
    assert "Page not found" in html and "Back to the home page" in html
    assert other.institution.name_en not in html


def test_a_refused_change_is_a_403_page(english, reporter, report_2023):
    Report.objects.filter(pk=report_2023.pk).update(status="accepted")
    english.force_login(reporter)
    page = english.post(section_url(report_2023), section_data(report_2023, therapy_beds=3))
    assert page.status_code == 403
    assert "You may not do this" in assert_site_page(page)


def test_an_expired_form_is_a_403_page_that_says_the_input_was_not_saved(settings):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = browser.post(reverse("login"), {"username": "someone", "password": "x"})
    assert page.status_code == 403
    html = page.content.decode()
    assert "This form has expired" in html and "Your input was not saved." in html


def test_the_500_page_renders_without_request_or_database(django_db_blocker):
    with django_db_blocker.block(), translation.override("en"):
        html = render_to_string("500.html")
    assert '<html lang="en">' in html and 'href="/"' in html
    assert "Something went wrong on our side" in html


def test_a_crash_is_the_standalone_500_page(english, monkeypatch):
    from config import health

    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(health, "HttpResponse", crash)
    english.raise_request_exception = False
    page = english.get(reverse("healthz"))
    assert page.status_code == 500
    html = page.content.decode()
    assert '<html lang="en">' in html and "Something went wrong on our side" in html
    assert "a bug" not in html


def test_cookies_with_control_characters_are_ignored(client, reporter):
    client.force_login(reporter)
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    page = client.get(reverse("survey:reports"))
    assert page.status_code == 302  # signed out, sent to log in: not a 500


def test_a_login_with_nul_bytes_is_refused_as_a_wrong_login(client, settings):
    settings.AXES_ENABLED = True
    page = client.post(reverse("login"), {"username": "a\x00b", "password": "x\x00y"})
    assert page.status_code == 200
    assert not page.wsgi_request.user.is_authenticated


# --- The database down, or an import holding the rows a save needs ----------------------


def failing_save(message):
    def save(*args, **kwargs):
        raise OperationalError(message)

    return save


def test_a_save_that_waited_too_long_for_a_lock_is_told_an_import_is_running(
    english, reporter, report_2023, monkeypatch
):
    from survey import editing

    monkeypatch.setattr(editing, "save_section", failing_save("database is locked"))
    english.force_login(reporter)
    page = english.post(section_url(report_2023), section_data(report_2023, therapy_beds=3))
    assert page.status_code == 503 and page["Retry-After"] == "30"
    html = assert_site_page(page)
    assert "An import is running" in html and "Your input was not saved." in html


def test_while_the_database_is_down_the_page_says_so(english, monkeypatch):
    from config import health

    class Unreachable:
        cursor = staticmethod(failing_save("connection refused"))

    monkeypatch.setattr(health, "connection", Unreachable())
    page = english.get(reverse("healthz"))
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "cannot be reached" in page.content.decode()


def test_web_connections_wait_a_bounded_time_for_locks(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's lock_timeout: runs in the PostgreSQL pass")
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == f"{settings.SURVEY_LOCK_TIMEOUT}s"
        with locks.waiting_without_limit():
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "0"
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == f"{settings.SURVEY_LOCK_TIMEOUT}s"


@pytest.mark.django_db(transaction=True)
def test_a_save_during_a_long_import_waits_then_says_an_import_is_running(
    english, reporter, report_2023
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: runs in the PostgreSQL pass")
    holding, done = threading.Event(), threading.Event()

    def long_import():
        """Another connection writes the report and holds its row, as an import does."""
        from django.db import transaction

        try:
            with transaction.atomic():
                Report.objects.filter(pk=report_2023.pk).update(therapy_beds=99)
                holding.set()
                done.wait(30)
        finally:
            connections.close_all()

    importer = threading.Thread(target=long_import)
    importer.start()
    try:
        assert holding.wait(10)
        english.force_login(reporter)
        data = section_data(report_2023, therapy_beds=3)
        with connection.cursor() as cursor:  # shorter than the 5 s default, same mechanism
            cursor.execute("SET lock_timeout = '300ms'")
        page = english.post(section_url(report_2023), data)
    finally:
        done.set()
        importer.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    html = assert_site_page(page)
    assert "An import is running" in html and "Your input was not saved." in html
    report_2023.refresh_from_db()
    assert report_2023.therapy_beds == 99  # the import's value; the save wrote nothing
