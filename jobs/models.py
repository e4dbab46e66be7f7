"""Background jobs: imports and exports that outlive a request, with their progress and result.

A `Job` is what its user sees of a django-tasks task (`jobs.tasks.run_job`): what it is, how
far it has got, and how it ended. The task's own result (`task_result_id`) belongs to the queue
(database or Redis) and is only consulted to notice a task that never ran our code.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin
from interchange.importing import ImportSummary, RowError
from interchange.mapping import FileColumns

# A running import writes its progress every thousand rows, a second or two apart; an export
# every few thousand. A job silent for this long has lost its worker (killed, machine restarted).
STALLED_AFTER = timedelta(minutes=10)
# A queued job that no worker has taken after this long points to a worker not running.
WAITING_TOO_LONG = timedelta(minutes=2)
# Where uploads and exported files are kept, in the default storage (under MEDIA_ROOT).
FILES_DIR = "job-files"


class JobKind(models.TextChoices):
    IMPORT = "import", _("import")
    EXPORT = "export", _("export")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    # A check that read the file's header and waits for its admin to confirm the columns.
    COLUMNS = "columns", _("columns to confirm")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs `user` may follow: their own, or every job for an administrator."""
        return self if is_admin(user) else self.owned_by(user)

    def owned_by(self, user):
        """The jobs `user` started: only they download what a job produced."""
        return self.filter(user=user) if user.is_authenticated else self.none()

    def unfinished(self):
        return self.exclude(status__in=FINISHED)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    # An import that only checks the file (a dry run); its upload waits for the real import.
    dry_run = models.BooleanField(_("check only"), default=False)
    # Import: {"year": ..., "mapping": {header: item code or None}, once the columns are
    # confirmed}; export: {"year": ..., "format": "csv" | "xlsx"}.
    options = models.JSONField(default=dict, blank=True)
    # The language of its messages: the one its user had when starting it.
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("user"),
    )
    # The check whose file this import imports.
    checked_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_job"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    progress_message = models.CharField(max_length=200, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    # The importer's summary (counts, every error as line, column, message), or the export's.
    summary = models.JSONField(null=True, blank=True)
    # Why the job failed, for its user.
    error = models.TextField(blank=True)
    upload = models.FileField(upload_to=f"{FILES_DIR}/uploads/", blank=True, max_length=255)
    upload_name = models.CharField(_("file"), max_length=255, blank=True)
    output = models.FileField(upload_to=f"{FILES_DIR}/exports/", blank=True, max_length=255)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When it last entered the queue: on creation, and again once its columns are confirmed.
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self):
        return self.status in FINISHED

    @property
    def stalled(self):
        """Whether a running job has gone silent for longer than any step of it takes."""
        last_sign = self.progress_at or self.started_at
        return (
            self.status == JobStatus.RUNNING
            and last_sign is not None
            and timezone.now() - last_sign > STALLED_AFTER
        )

    @property
    def waiting_for_a_worker(self):
        return (
            self.status == JobStatus.QUEUED and timezone.now() - self.queued_at > WAITING_TOO_LONG
        )

    @property
    def percent(self):
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def awaits_columns(self):
        """Whether this is a check waiting for its columns to be confirmed, its file kept."""
        return self.status == JobStatus.COLUMNS and bool(self.upload)

    @property
    def keeps_upload(self):
        return self.may_be_imported or self.awaits_columns

    @property
    def may_be_imported(self):
        """Whether this is a check that found nothing to correct, its file still waiting."""
        return (
            self.kind == JobKind.IMPORT
            and self.dry_run
            and self.status == JobStatus.DONE
            and bool(self.upload)
        )

    def file_columns(self):
        """The columns of a check waiting for them to be confirmed (`FileColumns`), or None."""
        if self.status != JobStatus.COLUMNS or self.summary is None:
            return None
        return FileColumns.from_data(self.summary)

    def import_summary(self):
        """An import's summary as the importer's `ImportSummary` (its messages in the language
        of the page that shows it), or None."""
        if self.kind != JobKind.IMPORT or self.summary is None or self.status == JobStatus.COLUMNS:
            return None
        errors = [RowError(**error) for error in self.summary["errors"]]
        return ImportSummary(**{**self.summary, "errors": errors})


@receiver(post_delete, sender=Job)
def _delete_files(sender, instance, **kwargs):
    """A job deleted (with its user, say) takes its upload and exported file with it."""
    instance.upload.delete(save=False)
    instance.output.delete(save=False)
