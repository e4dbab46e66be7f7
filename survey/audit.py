"""The audit trail of report values: who changed which item, when, from what, to what.

Every writer of report values calls `record_changes` with the report's `item_values()` before
and after its write: the report form (source "form"), the importer ("import"), the admin
("admin"), and carrying equipment forward ("system"). Equipment units are audited the same way,
as entries "unit:<id>" whose values describe the unit (`equipment.services.units_snapshot`).
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from equipment.models import EquipmentUnit, OwnerDepartment, UnitType
from equipment.services import UNIT_PREFIX
from survey.instrument import items as instrument
from survey.models import ChangeSource, ValueChange


def _stored(value):
    """The value as JSON keeps it: numbers, booleans, text and None as they are."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value == "":
        return None  # blank text means "not reported", like None
    return value


def record_changes(report, before: Mapping, after: Mapping, user=None, source=ChangeSource.FORM):
    """Write one `ValueChange` per item whose value differs between `before` and `after`.

    `before` and `after` map item codes to values (as `Report.item_values()` gives them); an
    item missing from one side counts as None. `user` may be None (a command-line import).
    Returns the list of changes written (empty when nothing changed): one query at most.
    """
    return record_many([(report, before, after)], user=user, source=source)


def record_many(entries, user=None, source=ChangeSource.FORM):
    """`record_changes` for many `(report, before, after)` at once (an import): one query."""
    if source not in ChangeSource.values:
        raise ValueError(f"unknown source of change: {source!r}")
    now = timezone.now()
    by = user if getattr(user, "pk", None) else None
    changes = []
    for report, before, after in entries:
        for code in sorted(set(before) | set(after)):
            old, new = _stored(before.get(code)), _stored(after.get(code))
            # True == 1 in Python; a flag turning into a count is still a change.
            if old == new and type(old) is type(new):
                continue
            changes.append(
                ValueChange(
                    report=report,
                    item=code,
                    old_value=old,
                    new_value=new,
                    by=by,
                    at=now,
                    source=source,
                )
            )
    return ValueChange.objects.bulk_create(changes, batch_size=2000) if changes else []


def history(report):
    """The report's value changes, newest first, with who made them: every one, also of items
    its cycle does not ask (only a report moved from another cycle has them)."""
    return report.value_changes.select_related("by").order_by("-at", "-id")


def item_label(code):
    """What an audit row changed, in words: the item's label, or "Equipment unit"."""
    if code.startswith(UNIT_PREFIX):
        return _("Equipment unit")
    return instrument.label(code)


def unit_columns(unit):
    """An equipment unit as the audit trail keeps it (`equipment.services.described`), in words:
    [type, manufacturer, model, year installed, owning department], blank as ""."""
    parts = [
        _label_of(UnitType, unit.get("type")),
        unit.get("manufacturer"),
        unit.get("model"),
        unit.get("year"),
        _label_of(OwnerDepartment, unit.get("owner")),
    ]
    return ["" if part is None else str(part) for part in parts]


# Yes/no attributes a unit states of itself (`equipment.services.described`).
UNIT_ATTRIBUTES = ("long_axial", "made_in_china")


def unit_features(unit):
    """What an equipment unit says of itself, in words ("long axial field of view · made in
    China"), or ""."""
    return " · ".join(
        str(EquipmentUnit._meta.get_field(name).verbose_name)
        for name in UNIT_ATTRIBUTES
        if unit.get(name)
    )


def unit_shown(unit):
    """An equipment unit in one line: type · manufacturer · model · year · owner · features."""
    return " · ".join(part for part in [*unit_columns(unit), unit_features(unit)] if part)


def _label_of(choices, value):
    return choices(value).label if value in choices.values else value


def shown_value(code, value):
    """An item's value as pages show it: yes/no, a choice's label, a grouped number, or —."""
    if value is None or value == "":
        return "—"
    if code.startswith(UNIT_PREFIX) and isinstance(value, dict):
        return unit_shown(value)
    item = instrument.items_by_code().get(code)
    if item is None:
        return value
    if item.kind == instrument.FLAG:
        return _("yes") if value else _("no")
    if item.kind == instrument.CHOICE and item.field.choices:
        return dict(item.field.flatchoices).get(value, value)
    if item.kind == instrument.COUNT and isinstance(value, int):
        return f"{value:,}"  # grouped in both languages, as the page's script does
    return value
