"""Section 'personnel': staff counted three ways, by role, by professional title and by education."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import STAFF_MAX, Unit, count_field


class PersonnelSection(models.Model):
    staff_physicians = count_field(
        _("Staff by role: physicians"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    staff_technicians = count_field(
        _("Staff by role: technicians"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    staff_nurses = count_field(_("Staff by role: nurses"), maximum=STAFF_MAX, unit=Unit.PEOPLE)
    staff_chemists = count_field(_("Staff by role: chemists"), maximum=STAFF_MAX, unit=Unit.PEOPLE)
    staff_physicists = count_field(
        _("Staff by role: physicists"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    staff_researchers = count_field(
        _("Staff by role: researchers"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    staff_engineers = count_field(
        _("Staff by role: engineers"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    staff_other = count_field(_("Staff by role: other staff"), maximum=STAFF_MAX, unit=Unit.PEOPLE)
    title_senior = count_field(
        _("Staff by professional title: senior title"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    title_intermediate = count_field(
        _("Staff by professional title: intermediate title"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    title_junior = count_field(
        _("Staff by professional title: junior title"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    title_other = count_field(
        _("Staff by professional title: other or none"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    degree_postgraduate = count_field(
        _("Staff by education: postgraduate degree"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    degree_undergraduate = count_field(
        _("Staff by education: undergraduate degree"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )
    degree_college = count_field(
        _("Staff by education: junior college or below"), maximum=STAFF_MAX, unit=Unit.PEOPLE
    )

    GROUPS = {
        "staff_total": (
            "staff_physicians",
            "staff_technicians",
            "staff_nurses",
            "staff_chemists",
            "staff_physicists",
            "staff_researchers",
            "staff_engineers",
            "staff_other",
        ),
        "title_total": (
            "title_senior",
            "title_intermediate",
            "title_junior",
            "title_other",
        ),
        "degree_total": (
            "degree_postgraduate",
            "degree_undergraduate",
            "degree_college",
        ),
    }

    class Meta:
        abstract = True
