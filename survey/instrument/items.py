"""The survey instrument: its sections and items, named by the codes of the data dictionary.

Item codes are the field names of `Report` (and, for the institution's identity, of
`Institution`), so forms, importers, exports and metrics all speak the same names.
"""

from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Institution, InstitutionProfile
from equipment.models import EquipmentSection
from survey.instrument.sections.education import EducationSection
from survey.instrument.sections.examinations import ExaminationsSection
from survey.instrument.sections.in_vitro import InVitroSection
from survey.instrument.sections.opinions import OpinionsSection
from survey.instrument.sections.personnel import PersonnelSection
from survey.instrument.sections.radiopharmaceuticals import RadiopharmaceuticalsSection
from survey.instrument.sections.research import ResearchSection
from survey.instrument.sections.services import ServicesSection
from survey.instrument.sections.therapy import TherapySection

COUNT, FLAG, CHOICE, TEXT = "count", "flag", "choice", "text"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    model: type | None


# In the dictionary's order; `survey.models.Report` is made of these models (and the profile).
SECTIONS = (
    Section("institution", _("Institution"), None),
    Section("services", _("Services provided"), ServicesSection),
    Section("equipment", _("Equipment"), EquipmentSection),
    Section("examinations", _("Examinations"), ExaminationsSection),
    Section("radiopharmaceuticals", _("Radiopharmaceuticals"), RadiopharmaceuticalsSection),
    Section("therapy", _("Radionuclide therapy"), TherapySection),
    Section("in_vitro", _("In vitro analysis"), InVitroSection),
    Section("personnel", _("Personnel"), PersonnelSection),
    Section("education", _("Education"), EducationSection),
    Section("research", _("Research"), ResearchSection),
    Section("opinions", _("Opinions"), OpinionsSection),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}

# The institution's identity lives in the registry; the rest of its section is per report.
IDENTITY_FIELDS = {
    "inst_code": "code",
    "inst_name": "name_en",
    "inst_name_zh": "name_zh",
    "province": "province",
}
# The institution's attribute holding each identity value: the province's code for the province.
IDENTITY_ATTRIBUTES = {
    code: Institution._meta.get_field(name).attname for code, name in IDENTITY_FIELDS.items()
}
PROFILE_ITEMS = tuple(field.name for field in InstitutionProfile._meta.fields)


def _collected(attribute):
    return {
        key: value
        for section in SECTIONS
        if section.model is not None
        for key, value in getattr(section.model, attribute, {}).items()
    }


# Group totals: {total: its items}; a total is not itself an item (the dictionary's sums_into).
GROUPS = _collected("GROUPS")
# "Of which" items: {item: the item or group total it is at most}; they sum into nothing.
OF_WHICH = _collected("OF_WHICH")
# The therapy groups of the dictionary's rules: {group: its treatment items}.
THERAPY_GROUPS = _collected("THERAPY_GROUPS")


@dataclass(frozen=True)
class Item:
    code: str
    section: str
    kind: str
    field: models.Field

    @property
    def label(self):
        return self.field.verbose_name

    @property
    def on_report(self):
        return self.code not in IDENTITY_FIELDS

    @property
    def unit(self):
        """What a count counts ("examinations", "people", ...; see `fields.Unit`), or None."""
        return getattr(self.field, "unit", None)

    @property
    def asked_from(self):
        return getattr(self.field, "asked_from", None)

    @property
    def asked_until(self):
        return getattr(self.field, "asked_until", None)

    def asked_in(self, year):
        """Whether the cycle of survey `year` asks this item (None: any cycle)."""
        if year is None:
            return True
        return (self.asked_from is None or year >= self.asked_from) and (
            self.asked_until is None or year <= self.asked_until
        )

    @property
    def asked_years(self):
        """The years asking the item, as a phrase ("asked from 2028"), or "" for every cycle."""
        first, last = self.asked_from, self.asked_until
        if first and last:
            return _("asked %(first)s–%(last)s") % {"first": first, "last": last}
        if first:
            return _("asked from %(first)s") % {"first": first}
        if last:
            return _("asked until %(last)s") % {"last": last}
        return ""


def kind_of(field):
    if isinstance(field, models.ForeignKey) or field.choices:
        return CHOICE
    if isinstance(field, models.BooleanField):
        return FLAG
    if isinstance(field, models.PositiveIntegerField):
        return COUNT
    return TEXT


@cache
def items():
    """Every item of the instrument, in the order of the data dictionary."""
    result = [
        Item(code, "institution", kind_of(field), field)
        for code, field in (
            (code, Institution._meta.get_field(name)) for code, name in IDENTITY_FIELDS.items()
        )
    ]
    result += [
        Item(code, "institution", CHOICE, InstitutionProfile._meta.get_field(code))
        for code in PROFILE_ITEMS
    ]
    for section in SECTIONS[1:]:
        for field in section.model._meta.fields:
            result.append(Item(field.name, section.key, kind_of(field), field))
    return tuple(result)


@cache
def items_by_code():
    return {item.code: item for item in items()}


def item_codes():
    return [item.code for item in items()]


def section_items(section_key, year=None):
    """The items of a section, those the cycle of `year` asks when it is given."""
    return list(section_items_asked(section_key, year))


@cache
def section_items_asked(section_key, year):
    """`section_items` as a tuple, worked out once per section and year (every page asks)."""
    return tuple(item for item in items() if item.section == section_key and item.asked_in(year))


def items_asked(year):
    return [item for item in items() if item.asked_in(year)]


def is_asked(code, year):
    """Whether the cycle of `year` asks an item, or any item of a group total or therapy group."""
    if code in GROUPS:
        return bool(group_parts(code, year))
    if code in THERAPY_GROUPS:
        return any(is_asked(part, year) for part in THERAPY_GROUPS[code])
    item = items_by_code().get(code)
    return item is None or item.asked_in(year)


def not_asked_message(item, year):
    """Why a value of `item` has no place in the cycle of `year`."""
    return _("“%(item)s” is not asked in %(year)s (%(asked)s).") % {
        "item": item.label,
        "year": year,
        "asked": item.asked_years,
    }


def group_parts(group, year=None):
    """The items of a group total asked in `year` (all of them when None)."""
    return tuple(code for code in GROUPS[group] if items_by_code()[code].asked_in(year))


def shared_parts(codes, year, other_year):
    """Of `codes`, those asked in both years: what a comparison of the two cycles is over."""
    by_code = items_by_code()
    return tuple(
        code
        for code in codes
        if by_code[code].asked_in(year) and by_code[code].asked_in(other_year)
    )


def label(code):
    """The item's label in the active language (a group total's own name for groups)."""
    item = items_by_code().get(code)
    return item.label if item else GROUP_LABELS.get(code, code)


GROUP_LABELS = {
    "eq_positron_total": _("Positron imaging units"),
    "eq_single_photon_total": _("Single-photon imaging units"),
    "eq_organ_function_total": _("Organ function equipment"),
    "eq_small_animal_total": _("Small-animal imaging equipment"),
    "eq_owner_total": _("Imaging units by owning department"),
    "exam_pet_total": _("PET or PET/CT examinations"),
    "exam_petmri_total": _("PET/MRI examinations"),
    "exam_sp_total": _("Single-photon imaging examinations"),
    "exam_coin_total": _("Coincidence imaging examinations"),
    "exam_sa_total": _("Small-animal imaging cases"),
    "tx_total": _("Treatments"),
    "staff_total": _("Staff by role"),
    "title_total": _("Staff by professional title"),
    "degree_total": _("Staff by education"),
}


def stored(item, value):
    """`value` as the report's field keeps it: blank choices and text as "", blank counts and
    flags as NULL (both read back as None by `values_of`)."""
    if value is None and item.kind in (CHOICE, TEXT):
        return ""
    return value


def values_of(report):
    """Every item of `report` by code; None where not reported."""
    institution = report.institution
    values = {
        code: getattr(institution, attribute) for code, attribute in IDENTITY_ATTRIBUTES.items()
    }
    for item in items():
        if item.on_report:
            values[item.code] = getattr(report, item.code)
    # Blank text and choices are stored as "", but mean the same as a blank count.
    return {code: None if value == "" else value for code, value in values.items()}
