"""The admin's import (django-import-export) on top of the importer, not beside it.

django-import-export supplies the upload, preview and confirm pages; reading the file, parsing,
validating and writing are `interchange.files` and `interchange.importing`, as for the command line.
"""

import io
from collections import defaultdict

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.formats.base_formats import Format
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Error, Result, RowResult

from interchange.files import FileRejected, open_table
from interchange.importing import ImportInterrupted, import_table
from survey.models import Report


class RowsRead(tablib.Dataset):
    """The file's header and its rows as read (`numbered_rows`), once, unpadded: tablib wants
    rectangular rows, and a second, padded copy of every row would double the memory.

    Always true, even without rows: the importer says a file has no data rows, in the user's
    language, where django-import-export would say "No valid data" in English.
    """

    def __init__(self, headers, numbered_rows):
        super().__init__(headers=headers)
        self.numbered_rows = numbered_rows

    def __bool__(self):
        return True


class Message(Error):
    """An error of the whole import, shown as its message: it has no traceback to show."""

    traceback = ""

    def __init__(self, message):
        super().__init__(message)


class InterchangeFile(Format):
    """A CSV (UTF-8 or GB18030) or XLSX file, read by the importer's own reader."""

    def __init__(self, encoding=None):
        # The admin offers its configured encoding; the reader detects the file's own instead.
        self.encoding = None

    def get_title(self):
        return "csv / xlsx"

    def create_dataset(self, in_stream):
        # Until imports run in the background, the admin takes what a request can do well
        # within the server's timeout (preview and confirm each read the whole file).
        if len(in_stream) > settings.SURVEY_ADMIN_IMPORT_MAX_BYTES:
            raise _too_large_for_the_admin()
        table = open_table(io.BytesIO(in_stream))
        numbered_rows = []
        for line, cells in table.rows:
            if len(numbered_rows) == settings.SURVEY_ADMIN_IMPORT_MAX_ROWS:
                raise _too_large_for_the_admin()
            numbered_rows.append((line, cells))
        return RowsRead(table.header, numbered_rows)

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "csv"

    def can_import(self):
        return True

    def can_export(self):
        return False


def _too_large_for_the_admin():
    return FileRejected(
        _(
            "The admin imports files of up to %(rows)s rows and %(size)s MB. Import a larger "
            "file on the server with: python manage.py import_survey FILE"
        )
        % {
            "rows": f"{settings.SURVEY_ADMIN_IMPORT_MAX_ROWS:,}",
            "size": f"{settings.SURVEY_ADMIN_IMPORT_MAX_BYTES / 2**20:,.0f}",
        }
    )


YEAR_HELP = gettext_lazy("Leave blank when the file has a “year” column.")


class SurveyImportForm(ImportForm):
    year = forms.IntegerField(
        label=gettext_lazy("survey year"),
        required=False,
        min_value=1980,
        max_value=2100,
        help_text=YEAR_HELP,
    )


class SurveyConfirmImportForm(ConfirmImportForm):
    year = forms.IntegerField(required=False, widget=forms.HiddenInput())


class SurveyResource(resources.ModelResource):
    class Meta:
        model = Report
        fields = ()

    @classmethod
    def get_display_name(cls):
        return _("Survey reports (interchange format)")

    def import_data(self, dataset, dry_run=False, year=None, user=None, **kwargs):
        try:
            summary = import_table(
                dataset.headers,
                dataset.numbered_rows,
                year=year,
                dry_run=dry_run,
                keep_outcomes=True,
                user=user,
                expected_rows=len(dataset.numbered_rows),
                # A request must not wait for another import (it would end at the timeout).
                wait=False,
            )
        except ImportInterrupted as interrupted:
            result = Result()
            result.append_base_error(Message(str(interrupted)))
            result.summary = None
            return result
        return as_result(summary)


def outcome_message(result):
    """The message level and text saying what a confirmed import did, or why it did nothing."""
    if result.summary is None:
        return messages.ERROR, " ".join(str(error.error) for error in result.base_errors)
    return (messages.SUCCESS if result.summary.ok else messages.ERROR), result.summary.describe()


def as_result(summary):
    """The importer's summary as django-import-export's result, for its preview page."""
    result = Result()
    result.diff_headers = [_("line"), _("year"), "inst_code", _("changes")]
    by_line = defaultdict(lambda: defaultdict(list))
    for error in summary.errors:
        by_line[error.line][error.column].append(error.message)
    for line, errors in sorted(by_line.items()):
        result.append_invalid_row(line, {_("line"): line}, ValidationError(dict(errors)))
    if not summary.ok and (summary.errors_not_shown or summary.stopped):
        result.append_base_error(Message(summary.describe()))
    for outcome in summary.outcomes:
        row = RowResult()
        row.import_type = outcome.action
        row.diff = [
            outcome.line,
            outcome.year,
            outcome.inst_code,
            "; ".join(filter(None, [*outcome.notes, _describe(outcome.changes)])),
        ]
        result.append_row_result(row)
        result.increment_row_result_total(row)
    result.total_rows = summary.rows
    result.summary = summary
    return result


def _describe(changes):
    return "; ".join(
        f"{code}: {_shown(old)} → {_shown(new)}" for code, (old, new) in changes.items()
    )


def _shown(value):
    return "—" if value in (None, "") else str(value)
