"""Reminders of a cycle's deadline to the institutions that have not filed yet.

An institution is reminded at most once per SURVEY_REMINDER_INTERVAL_DAYS (default 7),
whoever asks (a coordinator's button, an admin's, the scheduled `send_reminders`); every
reminder sent is recorded (`Reminder`).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Institution
from notices.mail import mail_after_commit, site_link
from notices.models import Reminder
from notices.recipients import reporters_of
from survey.models import Report, ReportStatus

# A report in either status is with the reviewers: nothing to remind its institution of.
FILED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class CycleClosed(Exception):
    """Reminders are for an open cycle only: no one can file for a closed one."""

    @property
    def message(self):
        return self.args[0]


@dataclass
class Reminders:
    """What `remind` did: institutions reminded (with the addresses written to), institutions
    skipped because reminded within the interval (with when), and those without a reporter
    who can be mailed."""

    reminded: list = field(default_factory=list)  # [(institution, [e-mail])]
    recent: list = field(default_factory=list)  # [(institution, sent_at)]
    unreachable: list = field(default_factory=list)  # [institution]


def interval():
    """How long an institution reminded is left alone (SURVEY_REMINDER_INTERVAL_DAYS)."""
    return timedelta(days=settings.SURVEY_REMINDER_INTERVAL_DAYS)


def not_filed(scope, cycle, *, province=None):
    """The institutions of `scope` (`accounts.roles.Scope`), within `province` if given, whose
    report for `cycle` is not submitted or accepted (no report yet included), with
    `report_id` (None without a report)."""
    institutions = Institution.objects.visible_in(scope)
    if province is not None:
        institutions = institutions.filter(province=province)
    reports = Report.objects.filter(institution=OuterRef("pk"), cycle=cycle)
    return (
        institutions.exclude(
            pk__in=Report.objects.filter(cycle=cycle, status__in=FILED_STATUSES).values(
                "institution"
            )
        )
        .annotate(report_id=Subquery(reports.values("pk")[:1]))
        .order_by("code")
    )


def last_reminded(institutions, cycle):
    """{institution id: when its reporters were last reminded of `cycle`} (one query)."""
    return dict(
        Reminder.objects.filter(cycle=cycle, institution__in=institutions)
        .values("institution")
        .annotate(last=Max("sent_at"))
        .values_list("institution", "last")
    )


def remind(scope, cycle, *, now, by=None, province=None, dry_run=False):
    """Mail a reminder of `cycle`'s deadline to the reporters of each institution `not_filed`
    that was not reminded within the interval before `now`; returns the `Reminders`.

    With `dry_run`, nothing is sent or recorded: the result says what would be.
    """
    if not cycle.is_open:
        raise CycleClosed(_("The %(year)s survey is closed.") % {"year": cycle.year})
    done = Reminders()
    with transaction.atomic():
        # Locked until the reminders are recorded: two coordinators pressing the button at
        # once remind each institution once. The earlier reminders are read after the lock
        # is held (a query of its own), so the second sees what the first recorded.
        institutions = list(
            not_filed(scope, cycle, province=province).select_for_update(of=("self",))
        )
        ids = [institution.pk for institution in institutions]
        reminded_at = last_reminded(ids, cycle)
        reporters = reporters_of(ids)
        since = now - interval()
        for institution in institutions:
            last = reminded_at.get(institution.pk)
            if last is not None and last > since:
                done.recent.append((institution, last))
            elif not reporters[institution.pk]:
                done.unreachable.append(institution)
            else:
                done.reminded.append((institution, [u.email for u in reporters[institution.pk]]))
        if dry_run:
            return done
        Reminder.objects.bulk_create(
            Reminder(institution=institution, cycle=cycle, sent_at=now, by=by, recipients=len(to))
            for institution, to in done.reminded
        )
        for institution, _to in done.reminded:
            mail_after_commit(
                reporters[institution.pk], "reminder", reminder_context(institution, cycle, now)
            )
    return done


def reminder_context(institution, cycle, now):
    """What a reminder says: the deadline, the days left (negative: overdue), the link."""
    days_left = (cycle.deadline - timezone.localdate(now)).days if cycle.deadline else None
    if institution.report_id:
        link = site_link("survey:report", cycle.year, institution.code)
    else:
        link = site_link("survey:reports")  # where a reporter starts the report
    return {
        "institution": institution,
        "cycle": cycle,
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else None,
        "link": link,
    }
