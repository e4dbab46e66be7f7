"""The three kinds of survey item as model fields.

Every item may be blank: blank means *not reported*, which the metrics must keep apart from 0.
"""

from django.core.validators import MaxValueValidator
from django.db import models

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


def count_field(label, *, maximum):
    """A whole number of 0 or more, up to `maximum`; blank when not reported."""
    return models.PositiveIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(maximum)]
    )


def flag_field(label):
    """Yes or no; blank when not reported."""
    return models.BooleanField(label, null=True, blank=True)


def free_text_field(label, *, max_length):
    """Free text as typed (acceptable text only, see `survey.text`); blank when not given."""
    return models.TextField(label, max_length=max_length, blank=True, validators=[validate_text])
