"""Section 'examinations': examinations performed in the survey year, by modality and body system."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import EDITION_2028, EXAMINATIONS_MAX, Unit, count_field


class ExaminationsSection(models.Model):
    exam_pet_tumor = count_field(
        _("PET or PET/CT examinations in the year: tumour"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_neuro = count_field(
        _("PET or PET/CT examinations in the year: nervous system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_ga68 = count_field(
        _("PET or PET/CT examinations in the year: 68Ga imaging"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_biopsy = count_field(
        _("PET or PET/CT examinations in the year: PET-guided biopsy puncture"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_cardio = count_field(
        _("PET or PET/CT examinations in the year: cardiovascular system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_c11 = count_field(
        _("PET or PET/CT examinations in the year: 11C imaging"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_bone = count_field(
        _("PET or PET/CT examinations in the year: bone"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_other = count_field(
        _("PET or PET/CT examinations in the year: other systems"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_pet_psma = count_field(
        _("Of the PET or PET/CT examinations: PSMA imaging (any label)"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
        asked_from=EDITION_2028,
    )
    exam_pet_fapi = count_field(
        _("Of the PET or PET/CT examinations: FAPI imaging (any label)"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
        asked_from=EDITION_2028,
    )
    exam_petmri_tumor = count_field(
        _("PET/MRI examinations in the year: tumour"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_petmri_neuro = count_field(
        _("PET/MRI examinations in the year: nervous system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_petmri_ga68 = count_field(
        _("PET/MRI examinations in the year: 68Ga imaging"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_petmri_c11 = count_field(
        _("PET/MRI examinations in the year: 11C imaging"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_petmri_cardio = count_field(
        _("PET/MRI examinations in the year: cardiovascular system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_petmri_other = count_field(
        _("PET/MRI examinations in the year: other"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_sp_skeletal = count_field(
        _("Single-photon imaging examinations in the year: skeletal system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_sp_endocrine = count_field(
        _("Single-photon imaging examinations in the year: endocrine system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_sp_urinary = count_field(
        _("Single-photon imaging examinations in the year: urinary system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_sp_cardio = count_field(
        _("Single-photon imaging examinations in the year: cardiovascular system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_sp_digestive = count_field(
        _("Single-photon imaging examinations in the year: digestive system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_sp_other = count_field(
        _("Single-photon imaging examinations in the year: other systems"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_coin_tumor = count_field(
        _("Coincidence imaging examinations in the year: tumour"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_coin_bone = count_field(
        _("Coincidence imaging examinations in the year: bone"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_coin_cardio = count_field(
        _("Coincidence imaging examinations in the year: cardiovascular system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_coin_other = count_field(
        _("Coincidence imaging examinations in the year: other"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.EXAMINATIONS,
    )
    exam_sa_pet_ct = count_field(
        _("Small-animal imaging cases in the year: PET/CT"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.CASES,
    )
    exam_sa_spect_pet_ct = count_field(
        _("Small-animal imaging cases in the year: SPECT/PET/CT"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.CASES,
    )
    exam_sa_optical = count_field(
        _("Small-animal imaging cases in the year: optical system"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.CASES,
    )
    exam_sa_pet_mri = count_field(
        _("Small-animal imaging cases in the year: PET/MRI"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.CASES,
    )
    exam_sa_spect_ct = count_field(
        _("Small-animal imaging cases in the year: SPECT/CT"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.CASES,
    )
    exam_sa_pet = count_field(
        _("Small-animal imaging cases in the year: PET"), maximum=EXAMINATIONS_MAX, unit=Unit.CASES
    )
    exam_sa_ct = count_field(
        _("Small-animal imaging cases in the year: CT"), maximum=EXAMINATIONS_MAX, unit=Unit.CASES
    )
    exam_sa_other = count_field(
        _("Small-animal imaging cases in the year: other"),
        maximum=EXAMINATIONS_MAX,
        unit=Unit.CASES,
    )

    GROUPS = {
        "exam_pet_total": (
            "exam_pet_tumor",
            "exam_pet_neuro",
            "exam_pet_ga68",
            "exam_pet_biopsy",
            "exam_pet_cardio",
            "exam_pet_c11",
            "exam_pet_bone",
            "exam_pet_other",
        ),
        "exam_petmri_total": (
            "exam_petmri_tumor",
            "exam_petmri_neuro",
            "exam_petmri_ga68",
            "exam_petmri_c11",
            "exam_petmri_cardio",
            "exam_petmri_other",
        ),
        "exam_sp_total": (
            "exam_sp_skeletal",
            "exam_sp_endocrine",
            "exam_sp_urinary",
            "exam_sp_cardio",
            "exam_sp_digestive",
            "exam_sp_other",
        ),
        "exam_coin_total": (
            "exam_coin_tumor",
            "exam_coin_bone",
            "exam_coin_cardio",
            "exam_coin_other",
        ),
        "exam_sa_total": (
            "exam_sa_pet_ct",
            "exam_sa_spect_pet_ct",
            "exam_sa_optical",
            "exam_sa_pet_mri",
            "exam_sa_spect_ct",
            "exam_sa_pet",
            "exam_sa_ct",
            "exam_sa_other",
        ),
    }

    # "Of which" items: each is at most its whole, and sums into nothing.
    OF_WHICH = {
        "exam_pet_psma": "exam_pet_total",
        "exam_pet_fapi": "exam_pet_total",
    }

    class Meta:
        abstract = True
