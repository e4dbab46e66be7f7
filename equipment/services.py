"""Keeping a report's equipment counts in step with its itemised units.

Only what a list of units can know is derived from it: the counts of the itemised types
(`ITEMISED_UNIT_TYPES`), of imaging units by owning department, and, where the report's cycle
asks them, the "of which" counts of what a unit says of itself (long axial field of view, made
in China). Every other count is the filer's own, and no list of units changes it.
"""

from collections import Counter

from equipment.models import (
    IMAGING_UNIT_TYPES,
    ITEMISED_UNIT_TYPES,
    LONG_AXIAL_UNIT_TYPES,
    POSITRON_UNIT_TYPES,
    OwnerDepartment,
)
from survey.instrument import items as instrument

OWNER_ITEMS = {
    OwnerDepartment.NUCLEAR_MEDICINE: "eq_owner_nm",
    OwnerDepartment.MEDICAL_IMAGING: "eq_owner_imaging",
    OwnerDepartment.PET_CENTER: "eq_owner_pet_center",
    OwnerDepartment.RADIOLOGY: "eq_owner_radiology",
    OwnerDepartment.OTHER: "eq_owner_other",
}
# The items a list of units decides, whenever a report lists any unit.
DERIVED_ITEMS = (*ITEMISED_UNIT_TYPES, *OWNER_ITEMS.values())
# The "of which" counts of a unit's own attribute: {item: (`EquipmentUnit` attribute, the
# unit types counted)}. A list of units decides them only in the cycles that ask them.
ATTRIBUTE_ITEMS = {
    "eq_pet_long_axial": ("long_axial", LONG_AXIAL_UNIT_TYPES),
    "eq_positron_domestic": ("made_in_china", POSITRON_UNIT_TYPES),
}


def attributes_asked(year):
    """The `ATTRIBUTE_ITEMS` that the cycle of survey `year` asks, by item code."""
    by_code = instrument.items_by_code()
    return {item: rule for item, rule in ATTRIBUTE_ITEMS.items() if by_code[item].asked_in(year)}


def _year_of(units):
    """The survey year of the report that `units` (at least one) are of."""
    return units[0].report.cycle_id


def derived_items(units):
    """The equipment items that `units` decide: none without units; else the itemised types,
    the owner counts, the attribute counts their report's cycle asks, and the type of any
    other unit listed (lists made before minor devices became plain counts)."""
    if not units:
        return ()
    extra = sorted({unit.unit_type for unit in units} - set(DERIVED_ITEMS))
    return (*DERIVED_ITEMS, *attributes_asked(_year_of(units)), *extra)


def counts_from_units(units):
    """The count of each item that `units` decide (see `derived_items`), by item code."""
    by_type = Counter(unit.unit_type for unit in units)
    by_owner = Counter(
        unit.owner_department for unit in units if unit.unit_type in IMAGING_UNIT_TYPES
    )
    counts = {item: by_type[item] for item in derived_items(units)}
    if units:
        counts.update({item: by_owner[owner] for owner, item in OWNER_ITEMS.items()})
        counts.update(
            {
                item: _count_stated(units, attribute, types)
                for item, (attribute, types) in attributes_asked(_year_of(units)).items()
            }
        )
    return counts


def _count_stated(units, attribute, types):
    """How many of the `types` units say yes to `attribute`; None (not reported) while one of
    them has not said (carried forward from a cycle that did not ask)."""
    said = [getattr(unit, attribute) for unit in units if unit.unit_type in types]
    if None in said:
        return None
    return said.count(True)


def count_changes(values, units):
    """{item: (saved value, count from `units`)} for every saved count that `units` change.

    A count not reported that becomes 0 is left out: it loses nothing the filer gave.
    """
    changes = {}
    for item, count in counts_from_units(units).items():
        saved = values.get(item)
        if saved != count and not (saved is None and count == 0):
            changes[item] = (saved, count)
    return changes


def fingerprint(counts):
    """Derived counts as one string, "item=n,item=n" by item code: what the page showed
    (report_form.js writes the same string) against what a save would write."""
    return ",".join(f"{item}={count}" for item, count in sorted(counts.items()))


def apply_unit_counts(report):
    """Derive the report's equipment counts from its units, if it lists any.

    A report without units (every report of the count-only 2019 cycle) keeps its counts, and
    the counts no unit decides are never touched. Returns True when counts were derived.
    """
    units = list(report.equipment_units.all())
    if not units:
        return False
    counts = counts_from_units(units)
    for item, count in counts.items():
        setattr(report, item, count)
    report.save(update_fields=[*counts, "updated_at"])
    return True


def described(unit):
    """A unit as the audit trail keeps it: what it is, as plain JSON values."""
    return {
        "type": unit.unit_type,
        "manufacturer": unit.manufacturer,
        "model": unit.model_name,
        "year": unit.year_installed,
        "owner": unit.owner_department,
        "long_axial": unit.long_axial,
        "made_in_china": unit.made_in_china,
    }


UNIT_PREFIX = "unit:"


def units_snapshot(report):
    """The report's units for `survey.audit.record_changes`: {"unit:<id>": described unit}."""
    return {f"{UNIT_PREFIX}{unit.pk}": described(unit) for unit in report.equipment_units.all()}
