"""Loading the demo: its committed filings (`fixtures/demo/`) through the importer, then
where each report stands in the review workflow, with the records the workflow would have kept.

The files are written by `manage.py build_demo` (`demo.generate`); see fixtures/demo/README.md.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interchange.importing import import_file
from survey import versions
from survey.models import Cycle, Report, ReportAction, ReportEvent, ReportStatus

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
WORKFLOW_FILE = "workflow.json"


def survey_file_name(year):
    return f"survey-{year}.csv"


class DemoFileRefused(Exception):
    """The importer refused a demo file (it is out of date with the instrument or its rules)."""


@dataclass
class LoadedDemo:
    counts: dict  # survey year -> reports written
    reporter_institution: str  # the demo reporter's institution code


def load_demo_files(directory=DEMO_DIR):
    """Make the demo files under `directory` the reports of their years, replacing any before.

    `workflow.json` says what the interchange format does not carry: which cycle is open, the
    reports of each cycle still in review (by status; the others are accepted) and the demo
    reporter's institution. Returns a `LoadedDemo`.
    """
    workflow = json.loads((directory / WORKFLOW_FILE).read_text(encoding="utf-8"))
    counts = {}
    for year_text, cycle in sorted(workflow["cycles"].items()):
        year = int(year_text)
        statuses = {
            code: ReportStatus(status)
            for status, codes in cycle["in_review"].items()
            for code in codes
        }
        counts[year] = load_cycle(
            year=year,
            path=directory / survey_file_name(year),
            is_open=cycle["is_open"],
            statuses=statuses,
        )
    return LoadedDemo(counts, workflow["reporter_institution"])


class DemoCycleRefused(Exception):
    """A cycle to open that would change the demo's own cycles."""


def demo_years(directory=DEMO_DIR):
    """The survey years of the demo files (`workflow.json`)."""
    workflow = json.loads((directory / WORKFLOW_FILE).read_text(encoding="utf-8"))
    return sorted(int(year) for year in workflow["cycles"])


@transaction.atomic
def open_cycle(year, directory=DEMO_DIR):
    """Open the survey of `year` for reporting beside the demo's cycles, which stay as they
    are; returns the `Cycle`. Its reports are started by the institutions (the demo reporter's
    from its report page); opening it again changes nothing and keeps them.

    `year` must be later than every cycle of the demo files, whose reports were filed under
    the instrument of their year, and a year of four digits (`DemoCycleRefused`).
    """
    latest = demo_years(directory)[-1]
    if not latest < year <= 9999:
        raise DemoCycleRefused(
            f"{year}: the demo's cycles run to {latest}; open a later survey year (four digits)."
        )
    cycle, _created = Cycle.objects.update_or_create(year=year, defaults={"is_open": True})
    # The years offered on the dashboards and the default year read the cycles.
    versions.changed(year)
    return cycle


@transaction.atomic
def load_cycle(*, year, path, is_open=False, statuses=None):
    """Make the interchange file at `path` the reports of `year`, replacing any before.

    The file goes through the importer, which takes it whole or refuses it (then
    `DemoFileRefused` says why, and nothing is written). Its reports are accepted but those of
    `statuses` (inst_code -> `ReportStatus`), and each gets the records of the review steps
    behind its status (see `_review_history`). Returns the number of reports written.
    """
    cycle, _created = Cycle.objects.update_or_create(year=year, defaults={"is_open": is_open})
    Report.objects.filter(cycle=cycle).delete()
    summary = import_file(path, year=year)
    if not summary.ok:
        raise DemoFileRefused(f"{path}: {summary.describe()}")
    # In the file's order (the importer creates them in it), which dates their steps.
    reports = list(Report.objects.filter(cycle=cycle).select_related("institution").order_by("pk"))
    for report in reports:
        report.status = (statuses or {}).get(report.institution.code, ReportStatus.ACCEPTED)
    events = _review_history(reports, year)
    _update_review_fields(reports)
    ReportEvent.objects.bulk_create(events, batch_size=500)
    # Statuses decide what is published, in this year's figures and the growth beside them.
    versions.changed(*Cycle.objects.values_list("year", flat=True))
    return len(reports)


REVIEW_FIELDS = ("status", "submitted_at", "reviewed_at")


def _update_review_fields(reports):
    """Save each report's status and review dates: one statement run for every report.

    `bulk_update` writes a CASE per field and row, which on the demo's 2,361 reports costs
    seconds of building SQL, doubling `load_demo`'s time.
    """
    fields = [Report._meta.get_field(name) for name in REVIEW_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Report._meta.db_table)} SET {assignments} WHERE {quote(Report._meta.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(getattr(report, field.attname), connection) for field in fields]
        + [report.pk]
        for report in reports
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# The steps behind each status, as `survey.workflow` records them.
HISTORY = {
    ReportStatus.DRAFT: (),
    ReportStatus.SUBMITTED: (ReportAction.SUBMIT,),
    ReportStatus.ACCEPTED: (ReportAction.SUBMIT, ReportAction.ACCEPT),
    ReportStatus.RETURNED: (ReportAction.SUBMIT, ReportAction.RETURN),
}
STEP = {
    ReportAction.SUBMIT: (ReportStatus.DRAFT, ReportStatus.SUBMITTED),
    ReportAction.ACCEPT: (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
    ReportAction.RETURN: (ReportStatus.SUBMITTED, ReportStatus.RETURNED),
}


def _review_history(reports, year):
    """The `ReportEvent`s that brought each report to its status; sets its dates (unsaved).

    What `survey.workflow` records, written in bulk: a start, a submission keeping the values
    submitted, then acceptance or a return with a comment. Nobody is named (these reports
    were filed before any of the platform's users). Dated in the spring after the survey year,
    a minute apart, so that every report's steps come in order.
    """
    started = timezone.make_aware(datetime(year + 1, 1, 10, 9))
    events = []
    for index, report in enumerate(reports):
        at = started + timedelta(minutes=index)
        events.append(
            ReportEvent(
                report=report, action=ReportAction.CREATE, to_status=ReportStatus.DRAFT, at=at
            )
        )
        for step, action in enumerate(HISTORY[report.status], start=1):
            at_step = at + timedelta(days=30 * step)
            from_status, to_status = STEP[action]
            event = ReportEvent(
                report=report,
                action=action,
                from_status=from_status,
                to_status=to_status,
                at=at_step,
            )
            if action == ReportAction.SUBMIT:
                event.values = report.item_values()
                report.submitted_at = at_step
            else:
                report.reviewed_at = at_step
            if action == ReportAction.RETURN:
                event.comment = _(
                    "Check the staff counts against last year's and explain the change."
                )
            events.append(event)
    return events
