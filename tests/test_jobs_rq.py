"""Jobs on the production queues: RQ on Redis, and the database queue of the embedded setup.

Each test enqueues a real job on the backend, runs that backend's worker command once (burst /
batch), and checks how the job ended. The RQ worker is rq's SimpleWorker, in this process: the
forking default (production) would run the job in a child whose SQLite test database is a copy.
"""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from jobs import services
from jobs.models import JobStatus
from survey.models import Report
from tests.importing import SAMPLES

REDIS_URL = "redis://127.0.0.1:6379/11"
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", "a@example.org", "x")


def sample(name="sample-2019.csv"):
    return SimpleUploadedFile(name, (SAMPLES / name).read_bytes())


@pytest.fixture
def rq_queue(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"NOTICE: RQ test skipped: Redis is not reachable at {REDIS_URL}")
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = RQ_TASKS
    import django_rq

    queue = django_rq.get_queue("default")
    # Database 11 is this test's own: its jobs, results and workers' records go with it.
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


def rq_worker():
    call_command(
        "rqworker",
        "--burst",
        "--job-class",
        "django_tasks_rq.Job",
        "--worker-class",
        "rq.SimpleWorker",
        verbosity=0,
    )


def test_an_import_job_runs_on_rq_with_its_summary(rq_queue, admin, job_files):
    check = services.start_import(user=admin, upload=sample())
    assert check.status == JobStatus.QUEUED and len(rq_queue) == 1
    rq_worker()
    check.refresh_from_db()
    assert check.status == JobStatus.DONE and check.summary["reports_created"] == 40
    job = services.start_checked_import(check, user=admin)
    rq_worker()
    job.refresh_from_db()
    assert (job.status, job.summary["reports_created"], job.progress_done) == ("done", 40, 40)
    assert Report.objects.filter(cycle_id=2019).count() == 40
    assert not list(job_files.rglob("*.csv"))
    from django_tasks import TaskResultStatus, default_task_backend

    result = default_task_backend.get_result(job.task_result_id)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == "done"


def test_a_task_crashing_on_rq_ends_failed(rq_queue, admin, monkeypatch, job_files):
    import jobs.tasks

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs.tasks, "import_table", crash)
    job = services.start_import(user=admin, upload=sample())
    rq_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error and not job.upload
    assert not list(job_files.rglob("*.csv"))


def test_an_import_job_runs_on_the_database_queue(settings, admin, client, job_files):
    settings.TASKS = DB_TASKS
    check = services.start_import(user=admin, upload=sample("sample-2019-bad.csv"))
    assert check.status == JobStatus.QUEUED
    client.force_login(admin)
    waiting = client.get(reverse("jobs:detail", args=[check.pk])).content.decode()
    assert 'http-equiv="refresh"' in waiting
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    check.refresh_from_db()
    assert check.status == JobStatus.FAILED
    assert len(check.summary["errors"]) == 7 and not check.upload
    assert not Report.objects.exists()


def test_a_task_the_database_queue_failed_outside_our_code_is_shown_failed(settings, admin, client):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    job = services.start_export(user=admin, year=2019, file_format="csv")
    # As when the worker cannot import the task, or is stopped for good between two attempts.
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="FAILED")
    client.force_login(admin)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error in page.content.decode()
