"""Imports and exports as background jobs: progress, result, scoping, files, failures.

TASKS_BACKEND=immediate in the tests: a job has run when the call that started it returns.
"""

import csv
import io
from datetime import timedelta
from pathlib import PurePath

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from interchange import importing
from interchange.exporting import download, reports_for_export
from interchange.importing import import_file
from jobs import services
from jobs.models import Job, JobKind, JobStatus
from survey.models import Report
from tests.importing import SAMPLES, expected_bad_sample_errors

SAMPLE = SAMPLES / "sample-2019.csv"


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return sorted(path.name for path in root.rglob("*") if path.is_file())


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", "a@example.org", "x")


@pytest.fixture
def admin_client(client, admin, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin)
    return client


def sample_upload(name="sample-2019.csv", data=None):
    return SimpleUploadedFile(name, SAMPLE.read_bytes() if data is None else data)


def rows_in(path):
    with path.open(encoding="utf-8") as f:
        return sum(1 for _row in csv.reader(f)) - 1


@pytest.mark.django_db(transaction=True)
def test_a_file_is_checked_then_imported_with_its_progress(admin, monkeypatch, job_files):
    # Ten rows a chunk: the 40 rows of the sample are four steps of progress.
    monkeypatch.setattr(importing, "CHUNK_ROWS", 10)
    seen, handle = [], importing._Importer.handle

    def watched(importer, chunk):
        # What the job's page would read at this moment (its own query, not this object).
        seen.append(Job.objects.values_list("progress_done", "progress_total").latest("pk"))
        handle(importer, chunk)

    monkeypatch.setattr(importing._Importer, "handle", watched)
    check = services.start_import(user=admin, upload=sample_upload())
    assert seen == [(0, 40), (10, 40), (20, 40), (30, 40)]
    assert (check.status, check.progress_done, check.progress_total) == ("done", 40, 40)
    assert check.summary["reports_created"] == 40 and not Report.objects.exists()
    assert check.started_at <= check.finished_at and check.task_result_id

    seen.clear()
    job = services.start_checked_import(check, user=admin)
    assert len(seen) == 4
    assert job.status == "done" and job.checked_by == check and not job.dry_run
    assert job.summary["reports_created"] == rows_in(SAMPLE) == 40
    assert Report.objects.filter(cycle_id=2019).count() == 40
    assert stored_files(job_files) == []


@pytest.mark.django_db
def test_the_upload_is_kept_only_while_a_clean_check_waits_for_its_import(
    admin, job_files, english
):
    check = services.start_import(user=admin, upload=sample_upload())
    assert stored_files(job_files) == [check.upload.name.rsplit("/", 1)[-1]]
    services.start_checked_import(check, user=admin)
    assert stored_files(job_files) == []
    bad = services.start_import(
        user=admin, upload=sample_upload(data=(SAMPLES / "sample-2019-bad.csv").read_bytes())
    )
    assert bad.status == "failed" and not bad.upload
    unreadable = services.start_import(user=admin, upload=sample_upload(data=b"\x00\x01binary"))
    assert unreadable.status == "failed" and "binary data" in unreadable.error
    assert stored_files(job_files) == []


@pytest.mark.django_db
def test_a_checked_file_left_unimported_is_deleted_a_day_later(admin, job_files):
    check = services.start_import(user=admin, upload=sample_upload())
    Job.objects.filter(pk=check.pk).update(finished_at=timezone.now() - timedelta(days=2))
    services.start_import(user=admin, upload=sample_upload(data=b"\x00"))
    assert stored_files(job_files) == []
    check.refresh_from_db()
    assert not check.may_be_imported


def abandoned_import(user, days):
    """An import whose worker stopped `days` ago, its upload still stored."""
    job = Job.objects.create(kind=JobKind.IMPORT, user=user, status=JobStatus.RUNNING)
    job.upload.save("survey.csv", ContentFile(SAMPLE.read_bytes()))
    Job.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(days=days))
    return job


@pytest.mark.django_db
def test_a_job_its_worker_abandoned_ends_failed_and_its_upload_is_deleted(admin, job_files):
    recent, abandoned = abandoned_import(admin, 0), abandoned_import(admin, 2)
    with translation.override("en"):
        call_command("prune_jobs")
    abandoned.refresh_from_db()
    recent.refresh_from_db()
    assert abandoned.status == JobStatus.FAILED and "worker stopped" in abandoned.error
    assert not abandoned.upload and recent.status == JobStatus.RUNNING
    assert stored_files(job_files) == [PurePath(recent.upload.name).name]


@pytest.mark.django_db
def test_a_deleted_users_job_files_go_with_them(admin, job_files, django_user_model):
    owner = django_user_model.objects.create_user("leaving", "l@example.org", "x")
    abandoned_import(owner, 0)
    owner.delete()
    assert stored_files(job_files) == []


@pytest.mark.django_db
def test_an_invalid_file_gives_every_error_on_the_result_page(admin_client, admin):
    bad = (SAMPLES / "sample-2019-bad.csv").read_bytes()
    job = services.start_import(user=admin, upload=sample_upload("bad.csv", bad))
    page = admin_client.get(reverse("jobs:detail", args=[job.pk]))
    text = page.content.decode()
    expected = expected_bad_sample_errors()
    assert [(e["line"], e["column"]) for e in job.summary["errors"]] == expected
    for line, column in expected:
        assert f'<td class="num">{line}</td><td><code>{column}</code></td>' in text
    assert "7 errors: nothing was imported." in text
    assert 'http-equiv="refresh"' not in text
    assert reverse("jobs:import", args=[job.pk]) not in text


@pytest.mark.django_db
def test_another_user_cannot_see_someones_job(client, admin, coordinator_sichuan, site_admin):
    job = services.start_export(user=admin, year=2019, file_format="csv")
    client.force_login(coordinator_sichuan)
    for name in ("jobs:detail", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:import", args=[job.pk])).status_code == 404
    assert job.pk not in [j.pk for j in client.get(reverse("jobs:list")).context["jobs"]]
    # Administrators follow every job, but the file is its owner's to download.
    client.force_login(site_admin)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 302
    assert client.get("/jobs/999999/").status_code == 302


@pytest.mark.django_db
def test_only_the_owner_administrator_imports_a_check(client, admin, site_admin):
    check = services.start_import(user=admin, upload=sample_upload())
    client.force_login(site_admin)
    assert client.post(reverse("jobs:import", args=[check.pk])).status_code == 403
    assert client.get(reverse("jobs:import", args=[check.pk])).status_code == 405
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_second_click_on_import_imports_once(admin_client, admin):
    check = services.start_import(user=admin, upload=sample_upload())
    first = admin_client.post(reverse("jobs:import", args=[check.pk]))
    second = admin_client.post(reverse("jobs:import", args=[check.pk]))
    imports = Job.objects.filter(kind=JobKind.IMPORT, dry_run=False)
    assert imports.count() == 1
    assert first["Location"] == second["Location"] == reverse("jobs:detail", args=[imports[0].pk])
    assert Report.objects.count() == 40


@pytest.mark.django_db
def test_a_crashed_task_ends_failed_with_nothing_written(admin, monkeypatch, job_files, caplog):
    written = []

    def crash(*years):
        # After the first chunk's reports are written, inside the import's transaction.
        written.append(Report.objects.count())
        raise RuntimeError("segfault in a library")

    check = services.start_import(user=admin, upload=sample_upload())
    monkeypatch.setattr(importing.versions, "changed", crash)
    with caplog.at_level("ERROR"):
        job = services.start_checked_import(check, user=admin)
    assert job.status == JobStatus.FAILED and job.finished_at
    assert job.error == "The job stopped on an unexpected error."
    assert "segfault" in caplog.text
    assert stored_files(job_files) == []
    assert written == [40] and not Report.objects.exists()


@pytest.mark.django_db
def test_a_queue_that_cannot_be_reached_fails_the_job_not_the_request(
    admin_client, monkeypatch, job_files
):
    class Unreachable:
        def enqueue(self, *args):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(services, "run_job", Unreachable())
    page = admin_client.post(
        reverse("admin:survey_report_import"), {"import_file": sample_upload()}, follow=True
    )
    assert page.status_code == 200
    assert "could not be queued" in page.content.decode()
    assert stored_files(job_files) == []


@pytest.mark.django_db
def test_a_running_job_reloads_its_page_and_a_silent_one_is_shown_stopped(admin_client, admin):
    running = Job.objects.create(
        kind=JobKind.IMPORT,
        user=admin,
        upload_name="big.csv",
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        progress_at=timezone.now(),
        progress_done=3000,
        progress_total=150_000,
    )
    text = admin_client.get(reverse("jobs:detail", args=[running.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in text
    assert '<progress max="150000" value="3000">' in text
    assert "3,000 of 150,000 rows" in text
    Job.objects.filter(pk=running.pk).update(progress_at=timezone.now() - timedelta(minutes=11))
    text = admin_client.get(reverse("jobs:detail", args=[running.pk])).content.decode()
    assert "its worker has stopped" in text
    assert 'http-equiv="refresh"' not in text
    assert "stopped" in admin_client.get(reverse("jobs:list")).content.decode()


@pytest.mark.django_db
def test_a_job_no_worker_takes_says_so(admin_client, admin):
    queued = Job.objects.create(
        kind=JobKind.EXPORT, user=admin, options={"year": 2019, "format": "csv"}
    )
    Job.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    text = admin_client.get(reverse("jobs:detail", args=[queued.pk])).content.decode()
    assert "Is the job worker running?" in text
    assert 'http-equiv="refresh"' in text


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_job_file_equals_the_synchronous_export(admin_client, file_format):
    import_file(SAMPLE)
    page = admin_client.post(
        reverse("admin:survey_report_export_year"),
        {"year": "2019", "file_format": file_format},
        follow=True,
    )
    job = page.context["job"]
    assert job.status == "done" and job.summary["rows"] == 40
    assert reverse("jobs:download", args=[job.pk]) in page.content.decode()
    response = admin_client.get(reverse("jobs:download", args=[job.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="survey-2019.{file_format}"'
    data = b"".join(response.streaming_content)
    expected = b"".join(download(reports_for_export(year=2019), file_format).streaming_content)
    if file_format == "csv":
        assert data == expected
    else:
        assert cells(data) == cells(expected)
    assert import_file(io.BytesIO(data), name=f"x.{file_format}").reports_unchanged == 40


def cells(xlsx):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_an_export_holds_only_the_reports_its_user_may_read(client, make_user, sichuan):
    import_file(SAMPLE)
    coordinator = make_user("coordinator", province=sichuan, is_staff=True)
    job = services.start_export(user=coordinator, year=2019, file_format="csv")
    client.force_login(coordinator)
    data = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    visible = Report.objects.visible_to(coordinator).filter(cycle_id=2019).count()
    assert 0 < visible < 40
    assert job.summary["rows"] == visible == len(data.decode("utf-8-sig").splitlines()) - 1


@pytest.mark.django_db
def test_the_export_form_refuses_a_year_with_no_reports_and_a_bad_format(admin_client):
    import_file(SAMPLE)
    url = reverse("admin:survey_report_export_year")
    for data in (
        {"year": "2018", "file_format": "csv"},
        {"year": "2019", "file_format": "exe"},
        {"year": "x" * 5000},
    ):
        page = admin_client.post(url, data)
        assert page.status_code == 200 and page.context["form"].errors
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_an_upload_form_without_a_file_or_with_a_bad_year_starts_nothing(admin_client):
    url = reverse("admin:survey_report_import")
    assert admin_client.post(url, {}).context["form"].errors["import_file"]
    page = admin_client.post(url, {"import_file": sample_upload(), "year": "20190"})
    assert page.context["form"].errors["year"]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_hostile_file_name_is_only_shown(admin, job_files):
    job = services.start_import(
        user=admin, upload=SimpleUploadedFile("../../" + "x" * 400 + ".csv", b"year,inst_code\n")
    )
    assert job.upload_name.endswith(".csv") and "/" not in job.upload_name
    assert len(job.upload_name) <= 255
    assert list(job_files.rglob("*")) == [] or all(
        job_files in path.parents for path in job_files.rglob("*")
    )


@pytest.mark.django_db
def test_an_export_whose_file_is_gone_is_a_404_not_a_500(admin_client, admin, job_files):
    job = services.start_export(user=admin, year=2019, file_format="xlsx")
    for path in job_files.rglob("*.xlsx"):
        path.unlink()
    assert admin_client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_a_queue_out_of_reach_does_not_take_the_jobs_page_down(admin_client, admin, monkeypatch):
    job = Job.objects.create(
        kind=JobKind.EXPORT, user=admin, options={"year": 2019, "format": "csv"}, task_result_id="x"
    )

    class Unreachable:
        supports_get_result = True

        def get_result(self, result_id):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(services, "default_task_backend", Unreachable())
    assert admin_client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
