"""Section 'services' of the instrument: what kinds of work the department offers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import (
    BEDS_MAX,
    CAMPUSES_MAX,
    EDITION_2028,
    TREATMENTS_MAX,
    VISITS_MAX,
    Unit,
    count_field,
    flag_field,
)


class ServicesSection(models.Model):
    svc_single_photon = flag_field(
        _("Offers single-photon imaging (SPECT/CT, SPECT, gamma camera)")
    )
    svc_therapy = flag_field(_("Offers radiopharmaceutical therapy"))
    svc_therapy_outpatient = flag_field(
        _("Has a specialised radionuclide-therapy outpatient clinic")
    )
    svc_therapy_ward = flag_field(_("Has a radionuclide-therapy ward"))
    therapy_wards = count_field(
        _("Radionuclide therapy wards"),
        maximum=BEDS_MAX,
        unit=Unit.WARDS,
        asked_from=EDITION_2028,
    )
    svc_pet = flag_field(_("Offers PET imaging (PET, PET/CT, PET/MRI)"))
    svc_organ_function = flag_field(_("Performs organ function measurement"))
    svc_in_vitro = flag_field(_("Performs in vitro analysis"))
    svc_coincidence = flag_field(_("Performs coincidence imaging"))
    svc_probe_lab = flag_field(_("Operates a radionuclide molecular probe laboratory"))
    # Asked of the department each cycle, not kept in the registry: sites open and close.
    campuses = count_field(
        _("Campuses (sites) where the department provides services"),
        maximum=CAMPUSES_MAX,
        unit=Unit.CAMPUSES,
        asked_from=EDITION_2028,
    )
    svc_outpatient_visits = count_field(
        _("Outpatient visits to the department in the year"),
        maximum=VISITS_MAX,
        unit=Unit.VISITS,
        asked_from=EDITION_2028,
    )
    svc_inpatient_admissions = count_field(
        _("Inpatient admissions to the department in the year"),
        maximum=TREATMENTS_MAX,
        unit=Unit.ADMISSIONS,
        asked_from=EDITION_2028,
    )

    class Meta:
        abstract = True
