"""The panels of a dashboard: one per section of the brief report, as lists of metrics."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from survey.instrument.items import GROUPS, OF_WHICH


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    metrics: tuple[str, ...]
    charted: tuple[str, ...]


def _flags(*codes):
    return tuple(f"inst_{code}" for code in codes)


def _panel(key, title, metrics, charted=None):
    """A panel of `metrics`, each followed by its "of which" items (shown under their whole,
    never charted as its parts)."""
    listed = []
    for code in metrics:
        listed.append(code)
        listed += [item for item, whole in OF_WHICH.items() if whole == code]
    return Panel(key, title, tuple(listed), tuple(charted or metrics))


# The big numbers at the top of a dashboard, from the headline rows: what a talk opens with.
HEADLINE_FIGURES = (
    "eq_positron_total",
    "exam_pet_total",
    "tx_total",
    "staff_total",
    "institutions",
)

HEADLINE = (
    "institutions",
    "eq_positron_total",
    "eq_single_photon_total",
    "eq_cyclotron",
    "exam_pet_total",
    "exam_petmri_total",
    "exam_sp_total",
    "exam_coin_total",
    "inst_therapy",
    "tx_total",
    "staff_total",
)
SERVICES = _flags(
    "svc_single_photon",
    "svc_therapy",
    "svc_therapy_outpatient",
    "svc_therapy_ward",
    "svc_pet",
    "svc_organ_function",
    "svc_in_vitro",
    "svc_coincidence",
    "svc_probe_lab",
)
EQUIPMENT_TYPES = (
    *GROUPS["eq_positron_total"],
    *GROUPS["eq_single_photon_total"],
    *GROUPS["eq_organ_function_total"],
    "eq_cyclotron",
    *GROUPS["eq_small_animal_total"],
)
EXAM_GROUPS = (
    "exam_pet_total",
    "exam_petmri_total",
    "exam_sp_total",
    "exam_coin_total",
    "exam_sa_total",
)
EXAM_ITEMS = tuple(code for group in EXAM_GROUPS for code in GROUPS[group])
STAFF_ITEMS = (*GROUPS["staff_total"], *GROUPS["title_total"], *GROUPS["degree_total"])

PANELS = (
    _panel(
        "institutions",
        _("Institutions and services"),
        (
            "institutions",
            "inst_public",
            "inst_nonpublic",
            "inst_tertiary",
            "inst_tertiary_top",
            "inst_secondary",
            "inst_tier_other",
            "inst_affiliation_independent",
            "inst_affiliation_medical_imaging",
            "inst_affiliation_pet_ct_center",
            "inst_affiliation_radiology",
            "inst_affiliation_other",
            *SERVICES,
            "campuses",
            "svc_outpatient_visits",
            "svc_inpatient_admissions",
        ),
        SERVICES,
    ),
    _panel(
        "equipment",
        _("Equipment"),
        (
            "eq_positron_total",
            "eq_single_photon_total",
            "eq_organ_function_total",
            "eq_small_animal_total",
            *EQUIPMENT_TYPES,
            "inst_with_positron_equipment",
            "inst_with_positron_equipment_tertiary",
            "inst_with_cyclotron",
            *GROUPS["eq_owner_total"],
        ),
        EQUIPMENT_TYPES,
    ),
    _panel("examinations", _("Examinations"), (*EXAM_GROUPS, *EXAM_ITEMS), EXAM_GROUPS),
    _panel(
        "radiopharmaceuticals",
        _("Radiopharmaceutical licences and use"),
        (
            "inst_license_none",
            "inst_license_I",
            "inst_license_II",
            "inst_license_III",
            "inst_license_IIIA",
            "inst_license_IIIB",
            "inst_license_IV",
            *_flags(
                "rp_single_photon",
                "rp_positron",
                "rp_f18",
                "rp_ga68",
                "rp_c11",
                "rp_n13",
                "rp_lu177",
                "rp_ac225",
            ),
        ),
    ),
    _panel(
        "therapy",
        _("Radionuclide therapy"),
        (
            "inst_svc_therapy",
            "inst_therapy",
            "inst_therapy_i131",
            "inst_therapy_bone",
            "inst_therapy_radioligand",
            "inst_therapy_plaster",
            "inst_therapy_yunke",
            "therapy_beds",
            "therapy_wards",
            "tx_total",
            *GROUPS["tx_total"],
        ),
        GROUPS["tx_total"],
    ),
    _panel(
        "in_vitro",
        _("In vitro analysis"),
        (
            "inst_svc_in_vitro",
            "inst_in_vitro",
            "iv_samples",
            "iv_tests",
            *_flags("iv_internal_qc", "iv_eqa_national", "iv_eqa_provincial", "iv_cnas_auditors"),
        ),
        _flags("iv_internal_qc", "iv_eqa_national", "iv_eqa_provincial", "iv_cnas_auditors"),
    ),
    _panel(
        "personnel",
        _("Personnel by role, title and education"),
        ("staff_total", *STAFF_ITEMS),
        STAFF_ITEMS,
    ),
    _panel(
        "education_research",
        _("Education and research"),
        (
            "edu_doctoral_supervisors",
            "edu_master_supervisors",
            "edu_doctoral_students",
            "edu_master_students",
            "inst_edu_resident_base",
            "res_papers_sci",
            "res_papers_core",
            "res_grants_national",
            "res_grants_provincial",
            "res_patents_applied",
            "res_patents_granted",
            "res_awards",
            "res_clinical_trials",
            "res_sa_projects_served",
            "res_sa_service_hours",
        ),
    ),
    _panel(
        "opinions",
        _("Opinions"),
        _flags(
            "op_lack_specialists",
            "op_regional_economy",
            "op_more_research_support",
            "op_radiopharmaceutical_supply",
        ),
    ),
)
PANELS_BY_KEY = {panel.key: panel for panel in PANELS}
