"""Section 'education': postgraduate supervision and training."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import PEOPLE_MAX, Unit, count_field, flag_field


class EducationSection(models.Model):
    edu_doctoral_supervisors = count_field(
        _("Doctoral supervisors (imaging and nuclear medicine)"),
        maximum=PEOPLE_MAX,
        unit=Unit.PEOPLE,
    )
    edu_master_supervisors = count_field(
        _("Master's supervisors (imaging and nuclear medicine)"),
        maximum=PEOPLE_MAX,
        unit=Unit.PEOPLE,
    )
    edu_doctoral_students = count_field(
        _("Doctoral students in training"), maximum=PEOPLE_MAX, unit=Unit.PEOPLE
    )
    edu_master_students = count_field(
        _("Master's students in training"), maximum=PEOPLE_MAX, unit=Unit.PEOPLE
    )
    edu_resident_base = flag_field(_("National standardized resident training base"))

    class Meta:
        abstract = True
