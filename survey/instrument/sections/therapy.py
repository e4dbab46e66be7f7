"""Section 'therapy': dedicated beds and treatments performed in the survey year."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import BEDS_MAX, EDITION_2028, TREATMENTS_MAX, Unit, count_field


class TherapySection(models.Model):
    therapy_beds = count_field(
        _("Dedicated radionuclide-therapy beds"), maximum=BEDS_MAX, unit=Unit.BEDS
    )
    tx_sr90_y90_applicator = count_field(
        _(
            "Treatments in the year: 90Sr/90Y applicator treatment (keloid, infant strawberry haemangioma)"
        ),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )
    tx_i131_graves = count_field(
        _("Treatments in the year: 131I treatment of Graves hyperthyroidism"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )
    tx_i131_thyroid = count_field(
        _(
            "Treatments in the year: 131I treatment of other thyroid disease (e.g. differentiated thyroid cancer)"
        ),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )
    tx_p32_patch = count_field(
        _("Treatments in the year: 32P patch treatment (keloid, infant strawberry haemangioma)"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )
    tx_tc99_mdp = count_field(
        _("Treatments in the year: [99Tc]Tc-methylene diphosphonate (Yunke) treatment"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )
    tx_seed_implant = count_field(
        _("Treatments in the year: Radioactive seed (particle) implantation for tumours"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )
    tx_sr89_bone = count_field(
        _("Treatments in the year: 89Sr treatment of bone tumours / metastases"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )
    tx_lu177_psma = count_field(
        _("Treatments in the year: 177Lu-PSMA radioligand therapy (prostate cancer)"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
        asked_from=EDITION_2028,
    )
    tx_lu177_sstr = count_field(
        _(
            "Treatments in the year: 177Lu somatostatin-receptor radioligand therapy (neuroendocrine tumours)"
        ),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
        asked_from=EDITION_2028,
    )
    tx_ra223 = count_field(
        _("Treatments in the year: 223Ra dichloride (bone metastases of prostate cancer)"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
        asked_from=EDITION_2028,
    )
    tx_other = count_field(
        _("Treatments in the year: Other radionuclide treatments"),
        maximum=TREATMENTS_MAX,
        unit=Unit.TREATMENTS,
    )

    GROUPS = {
        "tx_total": (
            "tx_sr90_y90_applicator",
            "tx_i131_graves",
            "tx_i131_thyroid",
            "tx_p32_patch",
            "tx_tc99_mdp",
            "tx_seed_implant",
            "tx_sr89_bone",
            "tx_lu177_psma",
            "tx_lu177_sstr",
            "tx_ra223",
            "tx_other",
        ),
    }
    # The dictionary's therapy groups ("therapy group: bone"): the institutions giving a
    # therapy are those with any of its treatments.
    THERAPY_GROUPS = {
        "plaster": ("tx_sr90_y90_applicator", "tx_p32_patch"),
        "i131": ("tx_i131_graves", "tx_i131_thyroid"),
        "yunke": ("tx_tc99_mdp",),
        "seed": ("tx_seed_implant",),
        "bone": ("tx_sr89_bone", "tx_ra223"),
        "radioligand": ("tx_lu177_psma", "tx_lu177_sstr"),
        "other": ("tx_other",),
    }

    class Meta:
        abstract = True
