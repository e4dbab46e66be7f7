"""The equipment section of the survey, and the itemised units behind its counts."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import EQUIPMENT_MAX, count_field
from survey.text import validate_text


class EquipmentSection(models.Model):
    """Section 'equipment': the department's units, counted by type and by owning department.

    The counts are what the survey reports. Where a report lists its units one by one
    (`EquipmentUnit`), the counts of the itemised types (`ITEMISED_UNIT_TYPES`) and by owning
    department are derived from that list by `equipment.services`; the minor devices stay
    plain counts.
    """

    eq_pet_ct = count_field(_("PET or PET/CT units"), maximum=EQUIPMENT_MAX)
    eq_pet_mri = count_field(_("PET/MRI units"), maximum=EQUIPMENT_MAX)
    eq_spect_ct = count_field(_("SPECT/CT units"), maximum=EQUIPMENT_MAX)
    eq_spect = count_field(_("SPECT units"), maximum=EQUIPMENT_MAX)
    eq_coincidence_spect_ct = count_field(_("Coincidence SPECT/CT units"), maximum=EQUIPMENT_MAX)
    eq_cardiac_spect = count_field(_("Cardiac-dedicated SPECT units"), maximum=EQUIPMENT_MAX)
    eq_gamma_camera = count_field(_("Gamma cameras"), maximum=EQUIPMENT_MAX)
    eq_czt_spect = count_field(_("CZT SPECT units"), maximum=EQUIPMENT_MAX)
    eq_czt_spect_ct = count_field(_("CZT SPECT/CT units"), maximum=EQUIPMENT_MAX)
    eq_thyroid_analyzer = count_field(_("Thyroid function analyzers"), maximum=EQUIPMENT_MAX)
    eq_bone_densitometer = count_field(_("Bone densitometers"), maximum=EQUIPMENT_MAX)
    eq_breath_test = count_field(_("13C/14C breath test analyzers"), maximum=EQUIPMENT_MAX)
    eq_nephrogram = count_field(_("Nephrogram (renogram) units"), maximum=EQUIPMENT_MAX)
    eq_multifunction = count_field(_("Nuclear multifunctional analyzers"), maximum=EQUIPMENT_MAX)
    eq_organ_other = count_field(_("Other organ function equipment"), maximum=EQUIPMENT_MAX)
    eq_cyclotron = count_field(_("Medical cyclotrons"), maximum=EQUIPMENT_MAX)
    eq_sa_pet_ct = count_field(_("Small-animal PET/CT"), maximum=EQUIPMENT_MAX)
    eq_sa_spect_pet_ct = count_field(_("Small-animal SPECT/PET/CT"), maximum=EQUIPMENT_MAX)
    eq_sa_spect_ct = count_field(_("Small-animal SPECT/CT"), maximum=EQUIPMENT_MAX)
    eq_sa_optical = count_field(_("Small-animal optical imaging"), maximum=EQUIPMENT_MAX)
    eq_sa_pet_mri = count_field(_("Small-animal PET/MRI"), maximum=EQUIPMENT_MAX)
    eq_sa_other = count_field(_("Other small-animal imaging"), maximum=EQUIPMENT_MAX)
    eq_owner_nm = count_field(
        _("Positron and single-photon imaging units owned by the nuclear medicine department"),
        maximum=EQUIPMENT_MAX,
    )
    eq_owner_imaging = count_field(
        _("Positron and single-photon imaging units owned by the medical imaging department"),
        maximum=EQUIPMENT_MAX,
    )
    eq_owner_pet_center = count_field(
        _("Positron and single-photon imaging units owned by the independent PET or PET/CT centre"),
        maximum=EQUIPMENT_MAX,
    )
    eq_owner_radiology = count_field(
        _("Positron and single-photon imaging units owned by the radiology department"),
        maximum=EQUIPMENT_MAX,
    )
    eq_owner_other = count_field(
        _("Positron and single-photon imaging units owned by the other department"),
        maximum=EQUIPMENT_MAX,
    )

    GROUPS = {
        "eq_positron_total": (
            "eq_pet_ct",
            "eq_pet_mri",
        ),
        "eq_single_photon_total": (
            "eq_spect_ct",
            "eq_spect",
            "eq_coincidence_spect_ct",
            "eq_cardiac_spect",
            "eq_gamma_camera",
            "eq_czt_spect",
            "eq_czt_spect_ct",
        ),
        "eq_organ_function_total": (
            "eq_thyroid_analyzer",
            "eq_bone_densitometer",
            "eq_breath_test",
            "eq_nephrogram",
            "eq_multifunction",
            "eq_organ_other",
        ),
        "eq_small_animal_total": (
            "eq_sa_pet_ct",
            "eq_sa_spect_pet_ct",
            "eq_sa_spect_ct",
            "eq_sa_optical",
            "eq_sa_pet_mri",
            "eq_sa_other",
        ),
        "eq_owner_total": (
            "eq_owner_nm",
            "eq_owner_imaging",
            "eq_owner_pet_center",
            "eq_owner_radiology",
            "eq_owner_other",
        ),
    }

    class Meta:
        abstract = True


class OwnerDepartment(models.TextChoices):
    """The department owning an imaging unit; each value has its `eq_owner_*` count."""

    NUCLEAR_MEDICINE = "nm", _("Nuclear medicine department")
    MEDICAL_IMAGING = "imaging", _("Medical imaging department")
    PET_CENTER = "pet_center", _("Independent PET or PET/CT centre")
    RADIOLOGY = "radiology", _("Radiology department")
    OTHER = "other", _("Other department")


class UnitType(models.TextChoices):
    """A unit's type; each value is the equipment item that counts it."""

    PET_CT = "eq_pet_ct", _("PET or PET/CT")
    PET_MRI = "eq_pet_mri", _("PET/MRI")
    SPECT_CT = "eq_spect_ct", _("SPECT/CT")
    SPECT = "eq_spect", _("SPECT")
    COINCIDENCE_SPECT_CT = "eq_coincidence_spect_ct", _("Coincidence SPECT/CT")
    CARDIAC_SPECT = "eq_cardiac_spect", _("Cardiac-dedicated SPECT")
    GAMMA_CAMERA = "eq_gamma_camera", _("Gamma camera")
    CZT_SPECT = "eq_czt_spect", _("CZT SPECT")
    CZT_SPECT_CT = "eq_czt_spect_ct", _("CZT SPECT/CT")
    THYROID_ANALYZER = "eq_thyroid_analyzer", _("Thyroid function analyzer")
    BONE_DENSITOMETER = "eq_bone_densitometer", _("Bone densitometer")
    BREATH_TEST = "eq_breath_test", _("13C/14C breath test analyzer")
    NEPHROGRAM = "eq_nephrogram", _("Nephrogram (renogram) unit")
    MULTIFUNCTION = "eq_multifunction", _("Nuclear multifunctional analyzer")
    ORGAN_OTHER = "eq_organ_other", _("Other organ function equipment")
    CYCLOTRON = "eq_cyclotron", _("Medical cyclotron")
    SA_PET_CT = "eq_sa_pet_ct", _("Small-animal PET/CT")
    SA_SPECT_PET_CT = "eq_sa_spect_pet_ct", _("Small-animal SPECT/PET/CT")
    SA_SPECT_CT = "eq_sa_spect_ct", _("Small-animal SPECT/CT")
    SA_OPTICAL = "eq_sa_optical", _("Small-animal optical imaging")
    SA_PET_MRI = "eq_sa_pet_mri", _("Small-animal PET/MRI")
    SA_OTHER = "eq_sa_other", _("Other small-animal imaging")


# Positron and single-photon units are the ones whose owning department the survey counts.
IMAGING_UNIT_TYPES = frozenset(
    EquipmentSection.GROUPS["eq_positron_total"] + EquipmentSection.GROUPS["eq_single_photon_total"]
)
# Units listed one by one, where make and model matter: the imaging equipment and cyclotrons.
# Organ-function devices (thyroid analyzers, bone densitometers...) stay plain counts, so that
# listing the cameras never rewrites them.
ITEMISED_UNIT_TYPES = (
    EquipmentSection.GROUPS["eq_positron_total"]
    + EquipmentSection.GROUPS["eq_single_photon_total"]
    + ("eq_cyclotron",)
    + EquipmentSection.GROUPS["eq_small_animal_total"]
)


class EquipmentUnit(models.Model):
    """One unit of equipment of a report, e.g. a GE Discovery NM/CT 670 SPECT/CT."""

    report = models.ForeignKey(
        "survey.Report",
        on_delete=models.CASCADE,
        related_name="equipment_units",
        verbose_name=_("report"),
    )
    unit_type = models.CharField(_("type"), max_length=32, choices=UnitType.choices)
    manufacturer = models.CharField(
        _("manufacturer"), max_length=100, blank=True, validators=[validate_text]
    )
    model_name = models.CharField(
        _("model"), max_length=100, blank=True, validators=[validate_text]
    )
    year_installed = models.PositiveSmallIntegerField(
        _("year installed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    owner_department = models.CharField(
        _("owning department"),
        max_length=16,
        choices=OwnerDepartment.choices,
        blank=True,
        help_text=_("Required for positron and single-photon imaging units."),
    )

    class Meta:
        ordering = ["report", "unit_type", "id"]
        verbose_name = _("equipment unit")
        verbose_name_plural = _("equipment units")

    def __str__(self):
        parts = [self.manufacturer, self.model_name, self.get_unit_type_display()]
        return " ".join(str(p) for p in parts if p)

    def clean(self):
        if self.unit_type in IMAGING_UNIT_TYPES and not self.owner_department:
            raise ValidationError(
                {"owner_department": _("Say which department owns this imaging unit.")}
            )
