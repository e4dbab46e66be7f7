"""Keeping a report's equipment counts in step with its itemised units."""

from collections import Counter

from equipment.models import IMAGING_UNIT_TYPES, EquipmentSection, OwnerDepartment

OWNER_ITEMS = {
    OwnerDepartment.NUCLEAR_MEDICINE: "eq_owner_nm",
    OwnerDepartment.MEDICAL_IMAGING: "eq_owner_imaging",
    OwnerDepartment.PET_CENTER: "eq_owner_pet_center",
    OwnerDepartment.RADIOLOGY: "eq_owner_radiology",
    OwnerDepartment.OTHER: "eq_owner_other",
}
COUNTED_ITEMS = [field.name for field in EquipmentSection._meta.fields]


def counts_from_units(units):
    """Every equipment count item implied by a list of units."""
    counts = dict.fromkeys(COUNTED_ITEMS, 0)
    by_type = Counter(unit.unit_type for unit in units)
    by_owner = Counter(
        unit.owner_department for unit in units if unit.unit_type in IMAGING_UNIT_TYPES
    )
    counts.update(by_type)
    for owner, item in OWNER_ITEMS.items():
        counts[item] = by_owner[owner]
    return counts


def apply_unit_counts(report):
    """Derive the report's equipment counts from its units, if it lists any.

    A report without units (every report of the count-only 2019 cycle) keeps its counts.
    Returns True when the counts were derived.
    """
    units = list(report.equipment_units.all())
    if not units:
        return False
    counts = counts_from_units(units)
    for item, count in counts.items():
        setattr(report, item, count)
    report.save(update_fields=[*counts, "updated_at"])
    return True
