"""A report's way from first draft to accepted: what it files, and the review steps.

What a report still needs is `survey.assessment`, changing its values `survey.editing`,
following the filings of a cycle `survey.filing`.

- The filing as a whole (`Filing`, `filing_of`): values, units and explanations, as submitted.
- The review state machine (`submit`, `accept`, `return_for_correction`, `reopen`):

      draft ──submit──▶ submitted ──accept──▶ accepted ──reopen (admin)──▶ returned
                            │                                                  │
                            └──return_for_correction──▶ returned ──submit──────┘

  Each checks the user's role through the querysets of `accounts.roles` and that the cycle
  is open, records a `ReportEvent` (announced by `report_moved` once committed), and raises
  a `WorkflowError` when refused.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import is_admin
from equipment.services import described
from survey.assessment import asked_values, assess, previous_report
from survey.models import (
    EDITABLE_STATUSES,
    Report,
    ReportAction,
    ReportEvent,
    ReportStatus,
)

# Sent with `report` and `event` (its `ReportEvent`) once a step is committed: a rolled-back
# step is never announced, and a receiver that fails (mail, say) is logged without undoing it.
report_moved = Signal()


class WorkflowError(Exception):
    """A refused step; the message says why, in words for the user."""

    @property
    def message(self):
        return self.args[0] if self.args else ""


class NotAllowed(WorkflowError):
    """The user's role or scope does not allow this step on this report."""


class NotReady(WorkflowError):
    """The report cannot be submitted yet; `assessment` says what is missing."""

    def __init__(self, message, assessment):
        super().__init__(message)
        self.assessment = assessment


# ---------------------------------------------------------------------------------------------
# The filing as a whole: values, units, explanations

# Keys of a submission's snapshot (`ReportEvent.values`) beside the item codes; readers of the
# interchange columns (`interchange.exporting.row_of`) never see them.
SNAPSHOT_UNITS, SNAPSHOT_EXPLANATIONS = "_units", "_explanations"


@dataclass
class Filing:
    """Everything a report files: item values, equipment units (as `described`) and the
    explanations of its warnings ([{"key", "warning", "explanation"}])."""

    values: dict
    units: list | None  # None: a submission kept before units were kept with it
    explanations: list | None

    def snapshot(self):
        return {
            **self.values,
            SNAPSHOT_UNITS: self.units,
            SNAPSHOT_EXPLANATIONS: self.explanations,
        }

    @classmethod
    def from_snapshot(cls, snapshot):
        values = {
            k: v for k, v in snapshot.items() if k not in (SNAPSHOT_UNITS, SNAPSHOT_EXPLANATIONS)
        }
        return cls(values, snapshot.get(SNAPSHOT_UNITS), snapshot.get(SNAPSHOT_EXPLANATIONS))


def filing_of(report, assessment=None):
    """The report's `Filing` as it stands now (None for the items its cycle does not ask)."""
    assessment = assessment or assess(report, previous_report(report))
    explanations = [
        {"key": w.key, "warning": str(w.message), "explanation": w.explanation(report.notes)}
        for w in assessment.warnings
        if w.explanation(report.notes)
    ]
    units = [described(unit) for unit in report.equipment_units.all()]
    return Filing(asked_values(report), units, explanations)


# ---------------------------------------------------------------------------------------------
# The review state machine: the steps' table (`STEPS`, at the end of this part) says, for each
# step, the statuses it leaves from, the status it goes to and who may take it; the steps
# below, `allowed_steps`, the report page, the transition view and the admin's change of
# status all read it there.


@dataclass(frozen=True)
class Step:
    """One review step: `action` (its `ReportAction`, also its name in URLs and on the page)
    takes a report from one of `sources` to `target`; `takers(user)` are the reports the user
    may take it on now (within their scope, cycle open, status right); `take` is the step."""

    action: str
    sources: tuple
    target: str
    takers: Callable
    take: Callable
    comment_required: bool
    needs_ready: bool  # only a report whose assessment is ready
    # Whole sentences per step (not a verb slotted into one sentence): languages inflect it.
    label: str  # the button
    comment_label: str
    done: str
    not_yours: str
    not_now: str

    @property
    def name(self):
        return str(self.action)

    @property
    def forward(self):
        """Whether the step moves a report on towards acceptance (not back for correction)."""
        return self.target != ReportStatus.RETURNED


def _lock(report, step, *, by):
    """The report, locked for the transaction, if `by` may take `step` on it now."""
    found = (
        step.takers(by)
        .select_for_update(of=("self",))
        .select_related("institution", "cycle")
        .filter(pk=report.pk)
        .first()
    )
    if found is not None and found.status in step.sources:
        return found
    current = Report.objects.visible_to(by).select_related("cycle").filter(pk=report.pk).first()
    if current is None:
        raise NotAllowed(_("No such report."))
    if not current.cycle.is_open:
        raise NotAllowed(_("The %(year)s survey is closed.") % {"year": current.cycle_id})
    if found is None and current.status in step.sources:
        raise NotAllowed(str(step.not_yours))
    raise WorkflowError(str(step.not_now) % {"status": current.get_status_display()})


def _move(report, step, *, by, comment="", snapshot=None, **fields):
    from_status = report.status
    report.status = step.target
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", "updated_at", *fields])
    event = ReportEvent.objects.create(
        report=report,
        action=step.action,
        from_status=from_status,
        to_status=step.target,
        by=by,
        comment=(comment or "").strip(),
        values=snapshot,
    )
    transaction.on_commit(
        lambda: report_moved.send(sender=Report, report=report, event=event), robust=True
    )
    return event


@transaction.atomic
def submit(report, *, by, comment=""):
    """Submit a complete, valid report for review; returns the `ReportEvent`."""
    step = STEPS[ReportAction.SUBMIT]
    report = _lock(report, step, by=by)
    assessment = assess(report, previous_report(report))
    if not assessment.ready:
        raise NotReady(
            _(
                "The report cannot be submitted yet: every section must be complete, without "
                "errors, and every warning explained."
            ),
            assessment,
        )
    return _move(
        report,
        step,
        by=by,
        comment=comment,
        submitted_at=timezone.now(),
        submitted_by=by,
        # Exactly what was submitted, printable after any later correction.
        snapshot=filing_of(report, assessment).snapshot(),
    )


@transaction.atomic
def accept(report, *, by, comment=""):
    """Accept a submitted report (coordinator of its province, or admin); locks it."""
    step = STEPS[ReportAction.ACCEPT]
    report = _lock(report, step, by=by)
    return _move(report, step, by=by, comment=comment, reviewed_at=timezone.now(), reviewed_by=by)


@transaction.atomic
def return_for_correction(report, *, by, comment):
    """Return a submitted report to its institution with a comment saying what to correct."""
    if not (comment or "").strip():
        raise WorkflowError(_("Say what needs correcting: the comment is required."))
    step = STEPS[ReportAction.RETURN]
    report = _lock(report, step, by=by)
    return _move(report, step, by=by, comment=comment, reviewed_at=timezone.now(), reviewed_by=by)


@transaction.atomic
def reopen(report, *, by, comment=""):
    """Reopen an accepted report for correction (admins only, while the cycle is open)."""
    step = STEPS[ReportAction.REOPEN]
    return _move(_lock(report, step, by=by), step, by=by, comment=comment)


# Who may take a step: the reports `user` may take it on now (scope, open cycle, status).
def _editable_by(user):
    return Report.objects.editable_by(user)


def _reviewable_by(user):
    return Report.objects.reviewable_by(user)


def _reopenable_by(user):
    """Admins only."""
    if not is_admin(user):
        return Report.objects.none()
    return Report.objects.visible_to(user).filter(cycle__is_open=True, status=ReportStatus.ACCEPTED)


STEPS = {
    step.action: step
    for step in (
        Step(
            ReportAction.SUBMIT,
            sources=EDITABLE_STATUSES,
            target=ReportStatus.SUBMITTED,
            takers=_editable_by,
            take=submit,
            comment_required=False,
            needs_ready=True,
            label=gettext_lazy("Submit for review"),
            comment_label=gettext_lazy("Comment (optional)"),
            done=gettext_lazy("Report submitted for review."),
            not_yours=gettext_lazy("Your role does not allow you to submit this report."),
            not_now=gettext_lazy("A report that is “%(status)s” cannot be submitted."),
        ),
        Step(
            ReportAction.ACCEPT,
            sources=(ReportStatus.SUBMITTED,),
            target=ReportStatus.ACCEPTED,
            takers=_reviewable_by,
            take=accept,
            comment_required=False,
            needs_ready=False,
            label=gettext_lazy("Accept"),
            comment_label=gettext_lazy("Comment (optional)"),
            done=gettext_lazy("Report accepted."),
            not_yours=gettext_lazy("Your role does not allow you to accept this report."),
            not_now=gettext_lazy("A report that is “%(status)s” cannot be accepted."),
        ),
        Step(
            ReportAction.RETURN,
            sources=(ReportStatus.SUBMITTED,),
            target=ReportStatus.RETURNED,
            takers=_reviewable_by,
            take=return_for_correction,
            comment_required=True,
            needs_ready=False,
            label=gettext_lazy("Return for correction"),
            comment_label=gettext_lazy("What needs correcting (required)"),
            done=gettext_lazy("Report returned for correction."),
            not_yours=gettext_lazy("Your role does not allow you to return this report."),
            not_now=gettext_lazy("A report that is “%(status)s” cannot be returned."),
        ),
        Step(
            ReportAction.REOPEN,
            sources=(ReportStatus.ACCEPTED,),
            target=ReportStatus.RETURNED,
            takers=_reopenable_by,
            take=reopen,
            comment_required=False,
            needs_ready=False,
            label=gettext_lazy("Reopen for correction"),
            comment_label=gettext_lazy("Why reopen (shown to the institution)"),
            done=gettext_lazy("Report reopened."),
            not_yours=gettext_lazy("Your role does not allow you to reopen this report."),
            not_now=gettext_lazy("A report that is “%(status)s” cannot be reopened."),
        ),
    )
}


def allowed_steps(report, user):
    """The `Step`s `user` may take on `report` now (for the report page)."""
    if not report.cycle.is_open:
        return []
    may = {}  # takers -> whether the report is among them: one query per kind of taker
    steps = []
    for step in STEPS.values():
        if report.status in step.sources:
            if step.takers not in may:
                may[step.takers] = step.takers(user).filter(pk=report.pk).exists()
            if may[step.takers]:
                steps.append(step)
    return steps
