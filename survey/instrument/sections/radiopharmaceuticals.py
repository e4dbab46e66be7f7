"""Section 'radiopharmaceuticals': the use licence and the kinds of drugs in use."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import EDITION_2028, flag_field


class LicenseClass(models.TextChoices):
    NONE = "none", _("None")
    I = "I", _("Class I")  # noqa: E741
    II = "II", _("Class II")
    IIIA = "IIIA", _("Class III A")
    IIIB = "IIIB", _("Class III B")
    IV = "IV", _("Class IV")


# The report counts IIIA and IIIB together as class III.
LICENSE_CLASS_III = (LicenseClass.IIIA, LicenseClass.IIIB)


class RadiopharmaceuticalsSection(models.Model):
    license_class = models.CharField(
        _("Highest radiopharmaceutical use licence held: none | I | II | IIIA | IIIB | IV"),
        max_length=4,
        choices=LicenseClass.choices,
        blank=True,
    )
    rp_single_photon = flag_field(_("Uses single-photon radiopharmaceuticals"))
    rp_positron = flag_field(_("Uses positron radiopharmaceuticals"))
    rp_f18 = flag_field(_("Uses 18F-labelled drugs"))
    rp_ga68 = flag_field(_("Uses 68Ga-labelled drugs"))
    rp_c11 = flag_field(_("Uses 11C-labelled drugs"))
    rp_n13 = flag_field(_("Uses 13N-ammonia"))
    rp_lu177 = flag_field(_("Uses 177Lu-labelled radiopharmaceuticals"), asked_from=EDITION_2028)
    rp_ac225 = flag_field(_("Uses 225Ac-labelled radiopharmaceuticals"), asked_from=EDITION_2028)

    class Meta:
        abstract = True
