"""Starting jobs, handing a checked file to its import, and noticing jobs that will not end."""

import logging
import uuid
from datetime import timedelta
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from interchange.mapping import save_mapping
from jobs.models import Job, JobKind, JobStatus
from jobs.tasks import end, run_job

logger = logging.getLogger(__name__)

# A checked file nobody imported, and an exported file, are deleted after this long.
KEEP_CHECKED_UPLOADS = timedelta(days=1)
KEEP_EXPORTS = timedelta(days=7)
# A job still queued or running after this long was left by a worker that stopped (RQ ends a
# job after an hour): it is ended as failed, and its upload deleted.
ABANDONED_AFTER = timedelta(days=1)


def start_import(*, user, upload, year=None):
    """A job checking the uploaded file (a dry run), queued; its file kept in storage."""
    job = Job(kind=JobKind.IMPORT, dry_run=True, user=user, options={"year": year})
    job.upload_name = PurePath(upload.name).name[-255:]
    # Stored under a name of ours: the sender's is only shown.
    suffix = ".xlsx" if job.upload_name.lower().endswith(".xlsx") else ".csv"
    job.upload.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    return _queued(job)


def confirm_columns(check, mapping, *, user, save_as=""):
    """Queue `check` again, to check its file through `mapping` ({header: code or None}) its
    admin confirmed; saved under the name `save_as` too, if given. Returns the job as it is
    now: unchanged if it was no longer waiting for its columns (a second click)."""
    columns = check.file_columns()
    with transaction.atomic():
        waiting = Job.objects.filter(pk=check.pk, status=JobStatus.COLUMNS).exclude(upload="")
        confirmed = waiting.update(
            status=JobStatus.QUEUED,
            queued_at=timezone.now(),
            options={**check.options, "mapping": mapping},
            language=translation.get_language() or check.language,
            summary=None,
            finished_at=None,
        )
        if confirmed and save_as:
            headers = [column.header for column in columns.columns]
            save_mapping(save_as, headers=headers, columns=mapping, user=user)
    check.refresh_from_db()
    return _enqueued(check) if confirmed else check


def start_checked_import(check, *, user):
    """The import of the file `check` found nothing to correct in, queued; or the import
    already started from it (a second click, another tab)."""
    check = Job.objects.get(pk=check.pk)
    if not check.may_be_imported:
        return getattr(check, "import_job", None)
    with transaction.atomic():
        # Taking the file is the claim: of two clicks, one takes it and the other finds none.
        taken = Job.objects.filter(pk=check.pk, upload=check.upload.name).update(upload="")
        if not taken:
            return None
        job = Job.objects.create(
            kind=JobKind.IMPORT,
            user=user,
            options=check.options,
            language=translation.get_language() or check.language,
            # The file is the import's now: it is deleted when the import ends.
            upload=check.upload.name,
            upload_name=check.upload_name,
            checked_by=check,
        )
    return _enqueued(job)


def start_export(*, user, year, file_format):
    """A job writing the reports of `year` that `user` may read to a file, queued."""
    return _queued(
        Job(kind=JobKind.EXPORT, user=user, options={"year": year, "format": file_format})
    )


def _queued(job):
    job.language = translation.get_language() or job.language
    job.save()
    return _enqueued(job)


def _enqueued(job):
    prune()
    try:
        result = run_job.enqueue(job.pk)
    except Exception:
        # Whatever the queue's failure (Redis down, its table missing), the job cannot run.
        logger.exception("Job %s could not be queued", job.pk)
        end(job, JobStatus.FAILED, error=_("The job could not be queued. Try again later."))
        return job
    # Only this field: with the immediate backend the task has already run and saved the rest.
    Job.objects.filter(pk=job.pk).update(task_result_id=result.id)
    job.refresh_from_db()
    return job


def notice_lost_task(job):
    """Mark `job` failed when its task failed without running our code (a worker that could
    not import it, a job RQ gave up on); returns the job as it now is."""
    if job.finished or not job.task_result_id or not default_task_backend.supports_get_result:
        return job
    try:
        result = default_task_backend.get_result(job.task_result_id)
    except TaskResultDoesNotExist:
        return job
    except Exception:
        # A queue out of reach (Redis restarting) must not take the job's page down with it.
        logger.warning("The queue of job %s could not be asked", job.pk, exc_info=True)
        return job
    if result.status == TaskResultStatus.FAILED:
        job.refresh_from_db()
        if not job.finished:
            end(job, JobStatus.FAILED, error=_("The worker could not run this job."))
    return job


def prune():
    """End the jobs their worker abandoned, delete checked uploads never imported and exports
    kept long enough. Run whenever a job starts, and by `manage.py prune_jobs` (daily cron)."""
    now = timezone.now()
    for job in Job.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING], queued_at__lt=now - ABANDONED_AFTER
    ):
        end(
            job,
            JobStatus.FAILED,
            error=_("Its worker stopped: nothing was written. Start it again."),
        )
    old = Job.objects.filter(
        kind=JobKind.IMPORT, dry_run=True, finished_at__lt=now - KEEP_CHECKED_UPLOADS
    ).exclude(upload="") | Job.objects.filter(
        kind=JobKind.EXPORT, finished_at__lt=now - KEEP_EXPORTS
    ).exclude(output="")
    for job in old:
        job.upload.delete(save=False)
        job.output.delete(save=False)
        job.save(update_fields=["upload", "output"])
