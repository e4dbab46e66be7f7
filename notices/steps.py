"""Notices of review steps: the institution hears of a return or an acceptance, the province's
coordinators of a submission (`survey.workflow.report_moved`, sent once a step is committed)."""

from django.dispatch import receiver

from notices.mail import mail_after_commit, site_link
from notices.recipients import coordinators_of, reporters_of
from survey.models import ReportStatus
from survey.workflow import report_moved

# The notice for each status a step arrives at; a reopened report is returned too, with the
# admin's reason.
TEMPLATES = {
    ReportStatus.RETURNED: "returned",
    ReportStatus.ACCEPTED: "accepted",
    ReportStatus.SUBMITTED: "submitted",
}


def recipients_of(report, status):
    if status == ReportStatus.SUBMITTED:
        return coordinators_of(report.institution.province_id)
    return reporters_of([report.institution_id])[report.institution_id]


@receiver(report_moved, dispatch_uid="notices.mail_step")
def mail_step(sender, report, event, **kwargs):
    """Mail the notice of `event` (a `ReportEvent`) to the people it concerns."""
    template = TEMPLATES.get(event.to_status)
    if template is None:
        return
    context = {
        "report": report,
        "institution": report.institution,
        "event": event,
        "link": site_link("survey:report", report.cycle_id, report.institution.code),
    }
    mail_after_commit(recipients_of(report, event.to_status), template, context)
