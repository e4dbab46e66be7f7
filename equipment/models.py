"""The equipment section of the survey, and the itemised units behind its counts."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import EDITION_2028, EQUIPMENT_MAX, Unit, count_field
from survey.text import validate_text


def unit_type_count(label, *, type_label=None):
    """A count of the units of one type, which a report may list one by one: the type is a
    `UnitType`, labelled `type_label` (one unit of it; `label` when that reads as well)."""
    field = count_field(label, maximum=EQUIPMENT_MAX, unit=Unit.UNITS)
    # Not a field option: migrations never see it.
    field.type_label = label if type_label is None else type_label
    return field


class EquipmentSection(models.Model):
    """Section 'equipment': the department's units, counted by type and by owning department.

    The counts are what the survey reports. Where a report lists its units one by one
    (`EquipmentUnit`), the counts of the itemised types (`ITEMISED_UNIT_TYPES`) and by owning
    department are derived from that list by `equipment.services`; the minor devices stay
    plain counts.
    """

    eq_pet_ct = unit_type_count(_("PET or PET/CT units"), type_label=_("PET or PET/CT"))
    eq_pet_mri = unit_type_count(_("PET/MRI units"), type_label=_("PET/MRI"))
    eq_spect_ct = unit_type_count(_("SPECT/CT units"), type_label=_("SPECT/CT"))
    eq_spect = unit_type_count(_("SPECT units"), type_label=_("SPECT"))
    eq_coincidence_spect_ct = unit_type_count(
        _("Coincidence SPECT/CT units"), type_label=_("Coincidence SPECT/CT")
    )
    eq_cardiac_spect = unit_type_count(
        _("Cardiac-dedicated SPECT units"), type_label=_("Cardiac-dedicated SPECT")
    )
    eq_gamma_camera = unit_type_count(_("Gamma cameras"), type_label=_("Gamma camera"))
    eq_czt_spect = unit_type_count(_("CZT SPECT units"), type_label=_("CZT SPECT"))
    eq_czt_spect_ct = unit_type_count(_("CZT SPECT/CT units"), type_label=_("CZT SPECT/CT"))
    eq_thyroid_analyzer = unit_type_count(
        _("Thyroid function analyzers"), type_label=_("Thyroid function analyzer")
    )
    eq_bone_densitometer = unit_type_count(
        _("Bone densitometers"), type_label=_("Bone densitometer")
    )
    eq_breath_test = unit_type_count(
        _("13C/14C breath test analyzers"), type_label=_("13C/14C breath test analyzer")
    )
    eq_nephrogram = unit_type_count(
        _("Nephrogram (renogram) units"), type_label=_("Nephrogram (renogram) unit")
    )
    eq_multifunction = unit_type_count(
        _("Nuclear multifunctional analyzers"), type_label=_("Nuclear multifunctional analyzer")
    )
    eq_organ_other = unit_type_count(_("Other organ function equipment"))
    eq_cyclotron = unit_type_count(_("Medical cyclotrons"), type_label=_("Medical cyclotron"))
    eq_pet_long_axial = count_field(
        _("Of the PET or PET/CT units: long axial field of view (total-body) scanners"),
        maximum=EQUIPMENT_MAX,
        unit=Unit.UNITS,
        asked_from=EDITION_2028,
    )
    eq_positron_domestic = count_field(
        _("Of the positron imaging units: made in China"),
        maximum=EQUIPMENT_MAX,
        unit=Unit.UNITS,
        asked_from=EDITION_2028,
    )
    eq_sa_pet_ct = unit_type_count(_("Small-animal PET/CT"))
    eq_sa_spect_pet_ct = unit_type_count(_("Small-animal SPECT/PET/CT"))
    eq_sa_spect_ct = unit_type_count(_("Small-animal SPECT/CT"))
    eq_sa_optical = unit_type_count(_("Small-animal optical imaging"))
    eq_sa_pet_mri = unit_type_count(_("Small-animal PET/MRI"))
    eq_sa_other = unit_type_count(_("Other small-animal imaging"))
    eq_owner_nm = count_field(
        _("Positron and single-photon imaging units owned by the nuclear medicine department"),
        maximum=EQUIPMENT_MAX,
        unit=Unit.UNITS,
    )
    eq_owner_imaging = count_field(
        _("Positron and single-photon imaging units owned by the medical imaging department"),
        maximum=EQUIPMENT_MAX,
        unit=Unit.UNITS,
    )
    eq_owner_pet_center = count_field(
        _("Positron and single-photon imaging units owned by the independent PET or PET/CT centre"),
        maximum=EQUIPMENT_MAX,
        unit=Unit.UNITS,
    )
    eq_owner_radiology = count_field(
        _("Positron and single-photon imaging units owned by the radiology department"),
        maximum=EQUIPMENT_MAX,
        unit=Unit.UNITS,
    )
    eq_owner_other = count_field(
        _("Positron and single-photon imaging units owned by the other department"),
        maximum=EQUIPMENT_MAX,
        unit=Unit.UNITS,
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
    # "Of which" items: each is at most its whole (an item or a group total), and sums into
    # nothing.
    OF_WHICH = {
        "eq_pet_long_axial": "eq_pet_ct",
        "eq_positron_domestic": "eq_positron_total",
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


# A unit's type; each value is the equipment item that counts it, labelled by its `type_label`.
UnitType = models.TextChoices(
    "UnitType",
    [
        (field.name.removeprefix("eq_").upper(), (field.name, field.type_label))
        for field in EquipmentSection._meta.fields
        if hasattr(field, "type_label")
    ],
    module=__name__,
)


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
# The units each "of which" count of a unit's attribute is of: a long axial field of view is a
# PET or PET/CT scanner's; made in China counts the positron units (PET/CT and PET/MRI).
LONG_AXIAL_UNIT_TYPES = frozenset({EquipmentSection.OF_WHICH["eq_pet_long_axial"]})
POSITRON_UNIT_TYPES = frozenset(
    EquipmentSection.GROUPS[EquipmentSection.OF_WHICH["eq_positron_domestic"]]
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
    # Blank (None) until stated in a cycle that asks it: a unit listed in 2023, which did not
    # ask, has said neither yes nor no.
    long_axial = models.BooleanField(
        _("long axial field of view"),
        null=True,
        blank=True,
        default=None,
        help_text=_("A total-body PET or PET/CT scanner."),
    )
    made_in_china = models.BooleanField(_("made in China"), null=True, blank=True, default=None)

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
        if self.long_axial and self.unit_type not in LONG_AXIAL_UNIT_TYPES:
            raise ValidationError(
                {
                    "long_axial": _(
                        "Only a PET or PET/CT unit can have a long axial field of view: untick "
                        "it, or change the type."
                    )
                }
            )
