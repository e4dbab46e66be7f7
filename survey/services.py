"""Operations on reports that span the registry and the survey."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Institution
from survey import versions
from survey.instrument import items as instrument
from survey.models import Cycle, Report, ReportAction, ReportEvent, ReportStatus

IDENTITY = {field: code for code, field in instrument.IDENTITY_FIELDS.items()}


@transaction.atomic
def replace_cycle(*, year, rows, is_open=False, statuses=None):
    """Make `rows` (item code -> canonical value) the reports of `year`, replacing any before.

    For reference and demo data already known to be valid; files go through the importer.
    `statuses` (inst_code -> `ReportStatus`, draft where absent) puts each report where the
    review workflow would have, with the workflow's records (see `_review_history`).
    Returns the number of reports written.
    """
    cycle, _created = Cycle.objects.update_or_create(year=year, defaults={"is_open": is_open})
    Report.objects.filter(cycle=cycle).delete()
    existing = Institution.objects.in_bulk([row["inst_code"] for row in rows], field_name="code")
    institutions = []
    for row in rows:
        institution = existing.get(row["inst_code"]) or Institution(code=row["inst_code"])
        institution.name_en = row["inst_name"] or ""
        institution.name_zh = row["inst_name_zh"] or ""
        institution.province_id = row["province"]
        for code in instrument.PROFILE_ITEMS:
            setattr(institution, code, row[code] or "")
        institutions.append(institution)
    Institution.objects.bulk_create([i for i in institutions if i.pk is None], batch_size=500)
    Institution.objects.bulk_update(
        [i for i in institutions if i.pk is not None and i.code in existing],
        ["name_en", "name_zh", "province", *instrument.PROFILE_ITEMS],
        batch_size=500,
    )
    ids = dict(
        Institution.objects.filter(code__in=[i.code for i in institutions]).values_list(
            "code", "pk"
        )
    )
    for institution in institutions:
        institution.pk = ids[institution.code]
    report_items = [item for item in instrument.items() if item.on_report]
    reports = [
        Report(
            institution=institution,
            cycle=cycle,
            status=(statuses or {}).get(row["inst_code"], ReportStatus.DRAFT),
            **{item.code: instrument.stored(item, row.get(item.code)) for item in report_items},
        )
        for institution, row in zip(institutions, rows, strict=True)
    ]
    events = _review_history(reports, year)
    # Both backends return the new primary keys, which the events then refer to.
    Report.objects.bulk_create(reports, batch_size=500)
    ReportEvent.objects.bulk_create(events, batch_size=500)
    # The institutions' names and provinces, rewritten above, enter every year's figures.
    versions.changed(*Cycle.objects.values_list("year", flat=True))
    return len(rows)


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
    """The `ReportEvent`s that brought each (unsaved) report to its status; sets its dates.

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
