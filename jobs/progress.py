"""A job's progress, written where its page can read it while the job's work is still open.

The importer holds one transaction for the whole file (all or nothing): progress written on
its connection would stay invisible to every other connection until the end. On PostgreSQL it
is written on a connection of its own, which commits each step at once. SQLite has a single
writer, held by the import: there the count is written in the import's transaction, and the
page sees it move only when the job ends.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from jobs.models import Job


class Progress:
    """Called with the number of rows just handled (the importer's `progress=` callback)."""

    def __init__(self, job, *, total=None, message=""):
        self.job = job
        self.done = 0
        self._connection = (
            connections.create_connection(DEFAULT_DB_ALIAS)
            if connection.vendor == "postgresql"
            else None
        )
        self._write(progress_total=total, progress_message=message)

    def __call__(self, rows):
        self.done += rows
        self._write()

    def close(self):
        if self._connection is not None:
            self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _write(self, **fields):
        fields = {"progress_done": self.done, "progress_at": timezone.now(), **fields}
        if self._connection is None:
            Job.objects.filter(pk=self.job.pk).update(**fields)
            return
        # The ORM runs on registered aliases only: this one statement is written out.
        quote = self._connection.ops.quote_name
        columns = ", ".join(f"{quote(Job._meta.get_field(name).column)} = %s" for name in fields)
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Job._meta.db_table)} SET {columns} WHERE {quote('id')} = %s",
                [*fields.values(), self.job.pk],
            )
