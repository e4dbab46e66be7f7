"""Section 'services' of the instrument: what kinds of work the department offers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import flag_field


class ServicesSection(models.Model):
    svc_single_photon = flag_field(
        _("Offers single-photon imaging (SPECT/CT, SPECT, gamma camera)")
    )
    svc_therapy = flag_field(_("Offers radiopharmaceutical therapy"))
    svc_therapy_outpatient = flag_field(
        _("Has a specialised radionuclide-therapy outpatient clinic")
    )
    svc_therapy_ward = flag_field(_("Has a radionuclide-therapy ward"))
    svc_pet = flag_field(_("Offers PET imaging (PET, PET/CT, PET/MRI)"))
    svc_organ_function = flag_field(_("Performs organ function measurement"))
    svc_in_vitro = flag_field(_("Performs in vitro analysis"))
    svc_coincidence = flag_field(_("Performs coincidence imaging"))
    svc_probe_lab = flag_field(_("Operates a radionuclide molecular probe laboratory"))

    class Meta:
        abstract = True
