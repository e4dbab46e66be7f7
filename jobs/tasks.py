"""The task every job runs in the worker: an import (check or real) or an export of a year.

A check first reads the file's columns: unless every column is headed by its item code, it
stops there, waiting for its admin to confirm the columns (`JobStatus.COLUMNS`), and is queued
again with the mapping they confirmed (`services.confirm_columns`).

A job runs once: a second delivery of its task (a retry, a worker restarted) finds it no longer
queued and does nothing. However it ends, its upload is deleted, except a check's that found
nothing to correct, which waits for the import (`services.start_checked_import`), and a
check's waiting for its columns.
"""

import logging
import tempfile
from contextlib import contextmanager
from dataclasses import asdict

from django.core.files import File
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from config.locks import waiting_without_limit
from interchange import exporting
from interchange.files import FileRejected, open_table
from interchange.headers import HEADER_SEARCH_ROWS
from interchange.importing import ImportInterrupted, import_table
from interchange.mapping import read_columns
from jobs.models import Job, JobKind, JobStatus
from jobs.progress import Progress
from survey.models import Report

logger = logging.getLogger(__name__)

EXPORT_PROGRESS_ROWS = 2000


class JobRefused(Exception):
    """The job cannot do its work for a reason its user can act on; the message says which."""


@task()
def run_job(job_id):
    """Run the job `job_id`; returns its final status."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    try:
        # A job is not a web request: it waits for a reporter's save as long as it takes.
        with translation.override(job.language), waiting_without_limit():
            RUNNERS[job.kind](job)
    except JobRefused as refused:
        end(job, JobStatus.FAILED, error=str(refused))
    except Exception:
        end(job, JobStatus.FAILED, error=_("The job stopped on an unexpected error."))
        # Raised again, so that the queue records the traceback for the developers.
        raise
    return job.status


def end(job, status, *, summary=None, error="", progress=None):
    """Record how `job` ended and delete what it no longer needs."""
    job.refresh_from_db(fields=["progress_done", "progress_total", "progress_message"])
    if progress is not None:
        # Written inside the import's transaction on SQLite, rolled back with a dry run.
        job.progress_done = progress.done
    job.status = status
    job.summary = summary
    job.error = error
    job.finished_at = timezone.now()
    if not job.keeps_upload:
        job.upload.delete(save=False)
    job.save()


def _import(job):
    try:
        if job.dry_run and "mapping" not in job.options:
            columns = _read_columns(job)
            if not columns.all_exact:
                end(job, JobStatus.COLUMNS, summary=columns.as_data())
                return
        with _opened_table(job) as table:
            with Progress(job, total=table.row_count_estimate) as progress:
                summary = import_table(
                    table.header,
                    table.rows,
                    year=job.options.get("year"),
                    dry_run=job.dry_run,
                    progress=progress,
                    user=job.user,
                    expected_rows=table.row_count_estimate,
                    mapping=job.options.get("mapping"),
                )
    except (FileRejected, ImportInterrupted) as refused:
        raise JobRefused(str(refused)) from None
    except FileNotFoundError:
        raise JobRefused(_("The uploaded file is no longer there: upload it again.")) from None
    # The status tells at a glance whether the file went in (or, checked, would go in).
    end(
        job,
        JobStatus.DONE if summary.ok else JobStatus.FAILED,
        summary=summary_data(summary),
        progress=progress,
    )


def _read_columns(job):
    """The file's columns, for its admin to confirm unless every one is headed by its code."""
    with _opened_table(job) as table:
        return read_columns(table.header, table.rows)


@contextmanager
def _opened_table(job):
    with job.upload.open("rb") as stream:
        yield open_table(stream, name=job.upload_name, header_search_rows=HEADER_SEARCH_ROWS)


def summary_data(summary):
    """The importer's summary as JSON: every count and error, not the per-row outcomes."""
    data = asdict(summary)
    del data["outcomes"]
    data["errors"] = [asdict(error) for error in summary.errors]
    return data


def _export(job):
    year, file_format = job.options["year"], job.options["format"]
    reports = exporting.reports_for_export(Report.objects.visible_to(job.user), year=year)
    table_columns = exporting.columns_of(reports)
    with Progress(job, total=reports.count()) as progress:
        rows = _counted(exporting.rows(reports, table_columns), progress)
        with tempfile.TemporaryFile() as stream:
            replaced = exporting.write_rows(rows, stream, file_format, table_columns)
            stream.seek(0)
            job.output.save(f"survey-{year}.{file_format}", File(stream), save=False)
    end(
        job,
        JobStatus.DONE,
        summary={"year": year, "format": file_format, "rows": progress.done, "replaced": replaced},
        progress=progress,
    )


def _counted(rows, progress):
    """The rows, telling `progress` every few thousand of them."""
    pending = 0
    for row in rows:
        yield row
        pending += 1
        if pending == EXPORT_PROGRESS_ROWS:
            progress(pending)
            pending = 0
    progress(pending)


RUNNERS = {JobKind.IMPORT: _import, JobKind.EXPORT: _export}
