"""A report's way from first draft to accepted, and what it must satisfy on the way.

- What a report still needs (`assess`): every section answered, no broken rule of
  `survey.rules`, every data-quality warning explained.
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
from survey import instrument, rules
from survey.audit import record_changes
from survey.instrument import COUNT, GROUPS, TEXT
from survey.models import (
    EDITABLE_STATUSES,
    ChangeSource,
    Report,
    ReportAction,
    ReportEvent,
    ReportStatus,
)
from survey.parsing import normalise_newlines


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


@dataclass(frozen=True)
class QualityWarning:
    """A value that may be right but needs a word of explanation (kept in `Report.notes`).

    `legacy_keys` are the keys the same explanation was kept under before warnings were
    grouped (one explanation per item changing against last year, now one per group).
    """

    key: str
    items: tuple[str, ...]
    message: str
    legacy_keys: tuple[str, ...] = ()

    @property
    def item(self):
        return self.items[0]

    def explanation(self, notes):
        """The explanation given in `notes` (a report's), under this key or the legacy ones."""
        notes = notes or {}
        text = (notes.get(self.key) or "").strip()
        if text:
            return text
        legacy = [(notes.get(key) or "").strip() for key in self.legacy_keys]
        return "\n".join(dict.fromkeys(text for text in legacy if text))


# Treatments or examinations reported by a department that says it does not offer the service
# (the 2024 report's 801 departments treating against 763 ticking therapy is such a case).
SERVICE_EVIDENCE = (
    ("svc_therapy", "tx_total"),
    ("svc_pet", "exam_pet_total"),
    ("svc_single_photon", "exam_sp_total"),
    ("svc_coincidence", "exam_coin_total"),
)


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


def quality_warnings(values, previous_values=None, previous_year=None):
    """The data-quality warnings of these values (a list of `QualityWarning`).

    A count more than doubling or falling below half of last year's; examinations without
    matching equipment (the non-blocking rules of `survey.rules`); treatments or examinations
    without the service ticked.
    """
    warnings = []
    for problem in rules.check(values):
        if not problem.blocking:
            warnings.append(QualityWarning(f"rule-{problem.item}", problem.items, problem.message))
    for service, group in SERVICE_EVIDENCE:
        total = rules.group_total(values, group)
        if values.get(service) is False and total:
            warnings.append(
                QualityWarning(
                    f"service-{service}",
                    (service, *GROUPS[group]),
                    _(
                        "%(total)s reported under “%(group)s”, but “%(service)s” is no: "
                        "correct one of them or explain."
                    )
                    % {
                        "total": f"{total:,}",
                        "group": instrument.label(group),
                        "service": instrument.label(service),
                    },
                )
            )
    warnings += _change_warnings(values, previous_values, previous_year)
    return warnings


def _change_warnings(values, previous_values, previous_year):
    """Counts more than doubling or falling below half of last year's: one warning per group
    of the dictionary (one explanation for a department that doubled all its staff), one per
    item outside a group."""
    if not previous_values:
        return []
    changed = {}
    for item in instrument.items():
        now, before = values.get(item.code), previous_values.get(item.code)
        if item.kind != COUNT or now is None or not before:
            continue
        if now > 2 * before or 2 * now < before:
            group = next((g for g, codes in GROUPS.items() if item.code in codes), None)
            changed.setdefault(group or item.code, []).append((item, now, before))
    warnings = []
    for key, entries in changed.items():
        if key in GROUPS:
            changes = "; ".join(
                f"“{item.label}” {now:,} ({before:,})" for item, now, before in entries
            )
            message = _(
                "“%(group)s”: more than double or less than half of %(year)s (in brackets): "
                "%(changes)s. Explain."
            ) % {"group": instrument.label(key), "year": previous_year, "changes": changes}
        else:
            item, now, before = entries[0]
            template = (
                _("%(now)s this year against %(before)s in %(year)s: more than double. Explain.")
                if now > before
                else _("%(now)s this year against %(before)s in %(year)s: less than half. Explain.")
            )
            message = f"“{item.label}”: " + template % {
                "now": f"{now:,}",
                "before": f"{before:,}",
                "year": previous_year,
            }
        warnings.append(
            QualityWarning(
                f"change-{key}",
                tuple(item.code for item, _now, _before in entries),
                message,
                legacy_keys=tuple(f"change-{item.code}" for item, _now, _before in entries),
            )
        )
    return warnings


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
    warnings = quality_warnings(values, previous_values, previous_year)
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
# interchange columns (`survey.exporting.row_of`) never see them.
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
# The review state machine


# Whole sentences per step (not a verb slotted into one sentence): languages inflect the verb.
NOT_YOUR_STEP = {
    ReportAction.SUBMIT: gettext_lazy("Your role does not allow you to submit this report."),
    ReportAction.ACCEPT: gettext_lazy("Your role does not allow you to accept this report."),
    ReportAction.RETURN: gettext_lazy("Your role does not allow you to return this report."),
    ReportAction.REOPEN: gettext_lazy("Your role does not allow you to reopen this report."),
}
NOT_NOW = {
    ReportAction.SUBMIT: gettext_lazy("A report that is “%(status)s” cannot be submitted."),
    ReportAction.ACCEPT: gettext_lazy("A report that is “%(status)s” cannot be accepted."),
    ReportAction.RETURN: gettext_lazy("A report that is “%(status)s” cannot be returned."),
    ReportAction.REOPEN: gettext_lazy("A report that is “%(status)s” cannot be reopened."),
}


def _lock(report, queryset, *, by, statuses, action):
    """The report, locked for the transaction, if `queryset` lets `by` take `action` now."""
    found = (
        queryset.select_for_update(of=("self",))
        .select_related("institution", "cycle")
        .filter(pk=report.pk)
        .first()
    )
    if found is not None and found.status in statuses:
        return found
    current = Report.objects.visible_to(by).select_related("cycle").filter(pk=report.pk).first()
    if current is None:
        raise NotAllowed(_("No such report."))
    if not current.cycle.is_open:
        raise NotAllowed(_("The %(year)s survey is closed.") % {"year": current.cycle_id})
    if found is None and current.status in statuses:
        raise NotAllowed(str(NOT_YOUR_STEP[action]))
    raise WorkflowError(str(NOT_NOW[action]) % {"status": current.get_status_display()})


def _move(report, *, action, to_status, by, comment="", snapshot=None, **fields):
    from_status = report.status
    report.status = to_status
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", "updated_at", *fields])
    return ReportEvent.objects.create(
        report=report,
        action=action,
        from_status=from_status,
        to_status=to_status,
        by=by,
        comment=(comment or "").strip(),
        values=snapshot,
    )


@transaction.atomic
def submit(report, *, by, comment=""):
    """Submit a complete, valid report for review; returns the `ReportEvent`."""
    report = _lock(
        report,
        Report.objects.editable_by(by),
        by=by,
        statuses=EDITABLE_STATUSES,
        action=ReportAction.SUBMIT,
    )
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
        action=ReportAction.SUBMIT,
        to_status=ReportStatus.SUBMITTED,
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
    report = _lock(
        report,
        Report.objects.reviewable_by(by),
        by=by,
        statuses=(ReportStatus.SUBMITTED,),
        action=ReportAction.ACCEPT,
    )
    return _move(
        report,
        action=ReportAction.ACCEPT,
        to_status=ReportStatus.ACCEPTED,
        by=by,
        comment=comment,
        reviewed_at=timezone.now(),
        reviewed_by=by,
    )


@transaction.atomic
def return_for_correction(report, *, by, comment):
    """Return a submitted report to its institution with a comment saying what to correct."""
    if not (comment or "").strip():
        raise WorkflowError(_("Say what needs correcting: the comment is required."))
    report = _lock(
        report,
        Report.objects.reviewable_by(by),
        by=by,
        statuses=(ReportStatus.SUBMITTED,),
        action=ReportAction.RETURN,
    )
    return _move(
        report,
        action=ReportAction.RETURN,
        to_status=ReportStatus.RETURNED,
        by=by,
        comment=comment,
        reviewed_at=timezone.now(),
        reviewed_by=by,
    )


@transaction.atomic
def reopen(report, *, by, comment=""):
    """Reopen an accepted report for correction (admins only, while the cycle is open)."""
    queryset = (
        Report.objects.visible_to(by).filter(cycle__is_open=True)
        if is_admin(by)
        else Report.objects.none()
    )
    report = _lock(
        report, queryset, by=by, statuses=(ReportStatus.ACCEPTED,), action=ReportAction.REOPEN
    )
    return _move(
        report, action=ReportAction.REOPEN, to_status=ReportStatus.RETURNED, by=by, comment=comment
    )


def allowed_actions(report, user):
    """The workflow steps `user` may take on `report` now, by name (for the report page)."""
    actions = []
    open_cycle = report.cycle.is_open
    if report.status in EDITABLE_STATUSES and open_cycle:
        if Report.objects.editable_by(user).filter(pk=report.pk).exists():
            actions.append("submit")
    elif report.status == ReportStatus.SUBMITTED and open_cycle:
        if Report.objects.reviewable_by(user).filter(pk=report.pk).exists():
            actions += ["accept", "return"]
    elif report.status == ReportStatus.ACCEPTED and open_cycle and is_admin(user):
        actions.append("reopen")
    return actions


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
