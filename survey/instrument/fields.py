"""The three kinds of survey item as model fields.

Every item may be blank: blank means *not reported*, which the metrics must keep apart from 0.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.text import validate_text

# Upper bounds: a value above them is a typing error, not a big department.
EQUIPMENT_MAX = 1_000
STAFF_MAX = 10_000
PEOPLE_MAX = 10_000
RESEARCH_MAX = 10_000
BEDS_MAX = 10_000
EXAMINATIONS_MAX = 10_000_000
TREATMENTS_MAX = 10_000_000
IN_VITRO_MAX = 500_000_000
CAMPUSES_MAX = 100
VISITS_MAX = 10_000_000
HOURS_MAX = 100_000


class Unit:
    """What a count counts: the data dictionary's `unit` column, shown beside the count's input."""

    UNITS = _("units")
    EXAMINATIONS = _("examinations")
    CASES = _("cases")
    BEDS = _("beds")
    TREATMENTS = _("treatments")
    SAMPLES = _("samples")
    TESTS = _("tests")
    PEOPLE = _("people")
    PAPERS = _("papers")
    GRANTS = _("grants")
    PATENTS = _("patents")
    AWARDS = _("awards")
    WARDS = _("wards")
    CAMPUSES = _("campuses")
    VISITS = _("visits")
    ADMISSIONS = _("admissions")
    TRIALS = _("trials")
    PROJECTS = _("projects")
    HOURS = _("hours")


# The first cycle of the instrument's 2028 edition (`data-dictionary-2028.csv`).
EDITION_2028 = 2028


def asked(field, asked_from, asked_until):
    """`field` as an item asked from the survey year `asked_from` until `asked_until` (None: no
    limit). Outside those years the item is *not asked*: neither 0 nor not reported."""
    # Not field options: migrations never see them (they change no column), the instrument does.
    field.asked_from = asked_from
    field.asked_until = asked_until
    return field


def count_field(label, *, maximum, unit, asked_from=None, asked_until=None):
    """A whole number of 0 or more, up to `maximum`, of `unit` (a `Unit`); blank when not
    reported."""
    field = models.PositiveIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(maximum)]
    )
    field.unit = unit
    return asked(field, asked_from, asked_until)


def flag_field(label, *, asked_from=None, asked_until=None):
    """Yes or no; blank when not reported."""
    return asked(models.BooleanField(label, null=True, blank=True), asked_from, asked_until)


def free_text_field(label, *, max_length):
    """Free text as typed (acceptable text only, see `survey.text`); blank when not given."""
    return models.TextField(label, max_length=max_length, blank=True, validators=[validate_text])
