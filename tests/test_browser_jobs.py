"""The admin's import in a real browser, as a job on the database queue: the upload, the
check's page waiting for the worker and reloading itself, its result, the import, its result."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from jobs.models import Job
from survey.models import Report
from tests.browser import PageWatch, log_in, screenshot
from tests.conftest import PASSWORD
from tests.importing import SAMPLES, csv_bytes
from tests.test_import_mapping import LEGACY, legacy_rows
from tests.test_jobs_rq import DB_TASKS

pytestmark = pytest.mark.browser


def run_the_worker(page):
    """The database queue's worker, run once, while the page cannot reach the server.

    The live server shares this thread's in-memory SQLite connection: a reload of the page
    during the worker's transaction would interleave on it. With a route set, each request of
    the page waits until Playwright is called again, after the worker.
    """
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    page.wait_for_timeout(0)


def run_the_queued_job(page, *, until):
    """The job the page shows queued, run by the worker until its page shows status `until`."""
    page.wait_for_selector(".job[data-status=queued]")
    run_the_worker(page)
    page.wait_for_selector(f".job[data-status={until}]", timeout=10_000)


@pytest.fixture
def admin_page(browser, live_server, settings, site_admin, tmp_path):
    """An administrator's page, in English, with jobs run by the database worker, and what
    watches it."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = DB_TASKS
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, site_admin.username, PASSWORD)
    page.route("**/jobs/**", lambda route: route.continue_())
    yield page, watch
    context.close()


def test_an_admin_checks_then_imports_a_file_and_follows_each_job(admin_page, live_server):
    page, watch = admin_page
    page.goto(f"{live_server.url}{reverse('admin:survey_report_changelist')}")
    page.click("a.import_link")
    page.set_input_files("#id_import_file", str(SAMPLES / "sample-2019.csv"))
    page.click("#job-form input[type=submit]")
    page.wait_for_selector(".job[data-status=queued]")
    assert page.locator("meta[http-equiv=refresh]").count() == 1
    assert page.locator(".job-progress progress").count() == 1
    screenshot(page, "job-check-waiting")

    run_the_worker(page)
    page.wait_for_selector(".job[data-status=done]", timeout=10_000)
    assert "would give 40 new reports" in page.inner_text(".job-outcome")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert not Report.objects.exists()
    screenshot(page, "job-check-done")

    page.click("form[action$='/import'] button[type=submit]")
    run_the_queued_job(page, until="done")
    assert "40 new reports" in page.inner_text(".job-outcome")
    screenshot(page, "job-import-done")
    assert Report.objects.filter(cycle_id=2019).count() == 40
    assert Job.objects.filter(status="done").count() == 2
    assert watch.errors == [] and watch.foreign == []


def test_an_admin_maps_the_columns_of_a_file_from_another_system(admin_page, live_server, tmp_path):
    page, watch = admin_page
    upload = tmp_path / "legacy-2019.csv"
    upload.write_bytes(csv_bytes([["2019年 全国核医学现状普查"], *legacy_rows()]))

    page.goto(f"{live_server.url}{reverse('admin:survey_report_import')}")
    page.set_input_files("#id_import_file", str(upload))
    page.click("#job-form input[type=submit]")
    run_the_queued_job(page, until="columns")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert "The header is line 2" in page.inner_text(".job-columns")
    for code, header in LEGACY.items():
        page.get_by_label(header, exact=True).select_option(code)
    page.fill("#id_save_as", "legacy system")
    screenshot(page, "job-columns")
    page.click(".job-columns button[type=submit]")

    run_the_queued_job(page, until="done")
    assert "医院编号 → inst_code" in page.inner_text(".job-columns-mapped")
    page.click("form[action$='/import'] button[type=submit]")
    run_the_queued_job(page, until="done")
    assert Report.objects.filter(cycle_id=2019).count() == 40
    assert watch.errors == [] and watch.foreign == []
