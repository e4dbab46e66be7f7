"""Changing a report's values (`start_report`, `save_section`): optimistic locking on
`Report.version`, every change written to the audit trail.
"""

import copy

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.roles import files_reports
from departments.models import Institution
from equipment.models import EquipmentUnit
from equipment.services import (
    apply_unit_counts,
    count_changes,
    counts_from_units,
    fingerprint,
    units_snapshot,
)
from survey.assessment import previous_report
from survey.audit import record_changes
from survey.instrument import items as instrument
from survey.instrument.items import TEXT
from survey.models import ChangeSource, Report, ReportAction, ReportEvent
from survey.text import normalise_newlines
from survey.workflow import NotAllowed, WorkflowError


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
                long_axial=unit.long_axial,
                made_in_china=unit.made_in_china,
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


def _reloaded(report):
    return Report.objects.select_related("institution__province", "cycle").get(pk=report.pk)


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
    if not Report.objects.is_editable_by(by, report.pk):
        raise NotAllowed(_("This report cannot be changed any more."))
    if not locked:
        raise StaleVersion(
            _(
                "Someone else saved this report after you opened it. Your input was not saved: "
                "it is kept below, next to the values saved meanwhile. Check them, then save "
                "again."
            ),
            _reloaded(report),
        )
    # Every write of a report raises its version (`Report.save`, the importer): loaded at the
    # version just locked, `report` is the row as it stands, and need not be read again (a
    # copy: the caller's object stays as it was loaded).
    current = copy.copy(report) if report.version == version else _reloaded(report)
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
    current.save(update_fields=[*values, *(["notes"] if notes else []), "updated_at"])
    after = current.item_values()
    if units_formset is not None:
        units_formset.instance = current
        units_formset.save()
        apply_unit_counts(current)
        after = current.item_values() | units_snapshot(current)
    record_changes(current, before, after, by, ChangeSource.FORM)
    return current
