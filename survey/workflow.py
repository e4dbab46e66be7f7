"""A report's way from first draft to accepted, and what it must satisfy on the way.

- What a report still needs (`assess`): every section answered, no broken rule of
  `survey.instrument.rules`, every data-quality warning explained.
- Changing values (`start_report`, `save_section`): optimistic locking on `Report.version`,
  every change written to the audit trail.
- The review state machine (`submit`, `accept`, `return_for_correction`, `reopen`):

      draft ──submit──▶ submitted ──accept──▶ accepted ──reopen (admin)──▶ returned
                            │                                                  │
                            └──return_for_correction──▶ returned ──submit──────┘

  Each checks the user's role through the querysets of `accounts.roles` and that the cycle
  is open, records a `ReportEvent`, and raises a `WorkflowError` when refused.
- Following the filings (`filing_status`, `province_summary`): who has not filed yet.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Role
from accounts.roles import files_reports, is_admin
from departments.models import Institution
from equipment.models import EquipmentUnit
from equipment.services import (
    apply_unit_counts,
    count_changes,
    counts_from_units,
    described,
    fingerprint,
    units_snapshot,
)
from survey.audit import record_changes
from survey.instrument import items as instrument
from survey.instrument import rules
from survey.instrument.items import TEXT
from survey.models import (
    EDITABLE_STATUSES,
    ChangeSource,
    Report,
    ReportAction,
    ReportEvent,
    ReportStatus,
)
from survey.text import normalise_newlines


class WorkflowError(Exception):
    """A refused step; the message says why, in words for the user."""

    @property
    def message(self):
        return self.args[0] if self.args else ""


class NotAllowed(WorkflowError):
    """The user's role or scope does not allow this step on this report."""


class StaleVersion(WorkflowError):
    """Someone saved the report after the form was loaded; `report` is the current one."""

    def __init__(self, message, report):
        super().__init__(message)
        self.report = report


class UnconfirmedCounts(WorkflowError):
    """The listed units would change counts the page did not show changing; nothing saved.

    `changes` is {item: (saved, derived)}, `counts` every count the units decide.
    """

    def __init__(self, changes, counts):
        super().__init__(_("Listing the units changes counts: check them, then save again."))
        self.changes, self.counts = changes, counts


class NotReady(WorkflowError):
    """The report cannot be submitted yet; `assessment` says what is missing."""

    def __init__(self, message, assessment):
        super().__init__(message)
        self.assessment = assessment


# ---------------------------------------------------------------------------------------------
# What a report needs before it can be submitted


def required_items(section_key):
    """The items a complete section answers: every count, flag and choice (text is optional)."""
    return [
        item
        for item in instrument.section_items(section_key)
        if item.on_report and item.kind != TEXT
    ]


def previous_report(report):
    """The institution's report of the latest earlier cycle, or None."""
    return (
        Report.objects.filter(institution_id=report.institution_id, cycle_id__lt=report.cycle_id)
        .order_by("-cycle_id")
        .first()
    )


@dataclass
class SectionState:
    section: instrument.Section
    answered: int
    required: int
    errors: list = field(default_factory=list)
    unexplained: list = field(default_factory=list)

    COMPLETE, INCOMPLETE, PROBLEMS = "complete", "incomplete", "problems"

    @property
    def status(self):
        if self.errors or self.unexplained:
            return self.PROBLEMS
        return self.COMPLETE if self.answered == self.required else self.INCOMPLETE

    @property
    def missing(self):
        return self.required - self.answered


@dataclass
class Assessment:
    """Where a report stands: its problems, warnings and the state of each section."""

    values: dict
    previous_values: dict | None
    previous_year: int | None
    errors: list  # blocking `rules.Problem`s
    warnings: list  # `QualityWarning`s, explained or not
    unexplained: list
    sections: list

    @property
    def ready(self):
        """Whether the report may be submitted: complete, valid and every warning explained."""
        return all(state.status == SectionState.COMPLETE for state in self.sections)

    def section(self, key):
        return next(state for state in self.sections if state.section.key == key)


def _sections_of(codes):
    by_code = instrument.items_by_code()
    return {by_code[code].section for code in codes if code in by_code}


def assess(report, previous=None):
    """The `Assessment` of the report's saved values (against `previous`, last cycle's report)."""
    values = report.item_values()
    previous_values = previous.item_values() if previous else None
    previous_year = previous.cycle_id if previous else None
    errors = [p for p in rules.check(values) if p.blocking]
    warnings = rules.quality_warnings(values, previous_values, previous_year)
    unexplained = [w for w in warnings if not w.explanation(report.notes)]
    sections = []
    for section in instrument.SECTIONS:
        required = required_items(section.key)
        sections.append(
            SectionState(
                section=section,
                answered=sum(values.get(item.code) is not None for item in required),
                required=len(required),
                errors=[p for p in errors if section.key in _sections_of(p.items)],
                unexplained=[w for w in unexplained if section.key in _sections_of(w.items)],
            )
        )
    return Assessment(
        values, previous_values, previous_year, errors, warnings, unexplained, sections
    )


# ---------------------------------------------------------------------------------------------
# Changing values


def _stored_value(code, value):
    item = instrument.items_by_code()[code]
    if item.kind == TEXT and value:
        # Browsers send "\r\n": stored as the importer reads text, so exports round-trip.
        value = normalise_newlines(value)
    return instrument.stored(item, value)


@transaction.atomic
def start_report(*, institution, cycle, by):
    """The institution's report for `cycle`, created if needed; returns it.

    A new report takes the institution's classification and carries forward the equipment
    units of its latest earlier report, from which its equipment counts follow.
    """
    if (
        not files_reports(by)
        or not Institution.objects.visible_to(by).filter(pk=institution.pk).exists()
    ):
        raise NotAllowed(_("You cannot file reports for this institution."))
    if not cycle.is_open:
        raise NotAllowed(_("The %(year)s survey is closed.") % {"year": cycle.year})
    report, created = Report.objects.get_or_create(institution=institution, cycle=cycle)
    if not created:
        return report
    before = report.item_values()
    for code in instrument.PROFILE_ITEMS:
        setattr(report, code, getattr(institution, code))
    report.save()
    previous = previous_report(report)
    if previous is not None:
        EquipmentUnit.objects.bulk_create(
            EquipmentUnit(
                report=report,
                unit_type=unit.unit_type,
                manufacturer=unit.manufacturer,
                model_name=unit.model_name,
                year_installed=unit.year_installed,
                owner_department=unit.owner_department,
            )
            for unit in previous.equipment_units.all()
        )
        apply_unit_counts(report)
    after = report.item_values() | units_snapshot(report)
    record_changes(report, before, after, by, ChangeSource.SYSTEM)
    ReportEvent.objects.create(
        report=report, action=ReportAction.CREATE, to_status=report.status, by=by
    )
    return report


@transaction.atomic
def save_section(report, *, values, version, by, notes=None, units_formset=None, counts_shown=None):
    """Save a section's values (item code -> value) as `by`; returns the saved report.

    `version` is the report version the form was loaded at: if anyone saved since, nothing is
    written and `StaleVersion` is raised. `notes` (warning key -> explanation) are merged into
    the report's; an empty explanation removes one. `units_formset` (equipment) is saved too,
    and the equipment counts derived from its units; if that changes a saved count and
    `counts_shown` (`equipment.services.fingerprint` of the counts the page showed) differs,
    nothing is written and `UnconfirmedCounts` is raised. Every changed value and unit is
    audited.
    """
    # One conditional UPDATE checks the version and locks the row until the transaction ends,
    # on PostgreSQL and SQLite alike: a concurrent save waits here, then finds a new version.
    # It filters on the report's own columns only: with a join, Django would move the version
    # test into a subquery, which PostgreSQL does not re-check after waiting for the lock.
    locked = Report.objects.filter(pk=report.pk, version=version).update(version=F("version"))
    if not Report.objects.editable_by(by).filter(pk=report.pk).exists():
        raise NotAllowed(_("This report cannot be changed any more."))
    current = Report.objects.select_related("institution", "cycle").get(pk=report.pk)
    if not locked:
        raise StaleVersion(
            _(
                "Someone else saved this report after you opened it. Your input was not saved: "
                "it is kept below, next to the values saved meanwhile. Check them, then save "
                "again."
            ),
            current,
        )
    before = current.item_values()
    if units_formset is not None:
        pending = units_formset.pending_units()
        # Against what the page holds: a count typed in this very save is a count the units
        # change too (with JavaScript off, the page could not show them deciding it).
        posted = before | {code: _stored_value(code, value) for code, value in values.items()}
        changes, counts = count_changes(posted, pending), counts_from_units(pending)
        # No saved count changes unless the filer saw it change on the page (or confirms).
        if changes and counts_shown != fingerprint(counts):
            raise UnconfirmedCounts(changes, counts)
        before |= units_snapshot(current)
    for code, value in values.items():
        setattr(current, code, _stored_value(code, value))
    if notes:
        merged = dict(current.notes or {})
        for key, text in notes.items():
            text = (text or "").strip()
            if text:
                merged[key] = text
            else:
                merged.pop(key, None)
        current.notes = merged
    current.save()
    after = current.item_values()
    if units_formset is not None:
        units_formset.instance = current
        units_formset.save()
        apply_unit_counts(current)
        after = current.item_values() | units_snapshot(current)
    record_changes(current, before, after, by, ChangeSource.FORM)
    return current


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
    """The report's `Filing` as it stands now."""
    assessment = assessment or assess(report, previous_report(report))
    explanations = [
        {"key": w.key, "warning": str(w.message), "explanation": w.explanation(report.notes)}
        for w in assessment.warnings
        if w.explanation(report.notes)
    ]
    units = [described(unit) for unit in report.equipment_units.all()]
    return Filing(report.item_values(), units, explanations)


# ---------------------------------------------------------------------------------------------
# The review state machine: the steps' table (`STEPS`, at the end of this part) says, for each
# step, the statuses it leaves from, the status it goes to and who may take it; the steps
# below, `allowed_actions`, the report page, the transition view and the admin's change of
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
    return ReportEvent.objects.create(
        report=report,
        action=step.action,
        from_status=from_status,
        to_status=step.target,
        by=by,
        comment=(comment or "").strip(),
        values=snapshot,
    )


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


def step_between(from_status, to_status):
    """The `Step` taking a report from `from_status` to `to_status`, or None."""
    return next(
        (s for s in STEPS.values() if from_status in s.sources and s.target == to_status), None
    )


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


def allowed_actions(report, user):
    """The workflow steps `user` may take on `report` now, by name."""
    return [step.name for step in allowed_steps(report, user)]


# ---------------------------------------------------------------------------------------------
# Following the filings


def filing_status(*, user, cycle, province):
    """Each institution of `province` that `user` sees, with its report for `cycle` (if any).

    Institutions carry `report_id`, `report_status`, `report_updated` (None without a report)
    and `reporters` (their reporters' memberships, with users). Three queries in all.
    """
    reports = Report.objects.filter(institution=OuterRef("pk"), cycle=cycle)
    return list(
        Institution.objects.visible_to(user)
        .filter(province=province)
        .annotate(
            report_id=Subquery(reports.values("pk")[:1]),
            report_status=Subquery(reports.values("status")[:1]),
            report_updated=Subquery(reports.values("updated_at")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Membership.objects.filter(role=Role.REPORTER)
                .select_related("user")
                .order_by("user__email"),
                to_attr="reporters",
            )
        )
        .order_by("code")
    )


def province_summary(*, user, cycle):
    """Per province that `user` sees: institutions, and how many reports of `cycle` per status.

    One grouped query: [{"province": code, "institutions": n, "draft": n, ...}].
    """
    in_cycle = Q(reports__cycle=cycle)
    counts = {
        status: Count("reports", filter=in_cycle & Q(reports__status=status))
        for status in ReportStatus.values
    }
    return list(
        Institution.objects.visible_to(user)
        .values("province")
        .annotate(institutions=Count("pk", distinct=True), **counts)
        .order_by("province")
    )
