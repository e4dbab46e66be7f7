"""Each cross-item rule of the dictionary rejects a report that breaks it and accepts one that
keeps it, through the model's validation (which forms, admin and importer share)."""

import pytest
from django.core.exceptions import ValidationError

from survey.instrument import rules

CONSISTENT = dict(
    svc_therapy=True,
    svc_therapy_outpatient=True,
    svc_therapy_ward=True,
    therapy_beds=10,
    eq_pet_ct=1,
    eq_pet_mri=0,
    eq_spect_ct=1,
    eq_owner_nm=1,
    eq_owner_imaging=1,
    exam_pet_tumor=100,
    exam_petmri_tumor=0,
    exam_sp_skeletal=50,
    rp_positron=True,
    rp_f18=True,
    rp_ga68=False,
    svc_in_vitro=True,
    iv_samples=100,
    iv_tests=200,
    iv_internal_qc=True,
    staff_physicians=3,
    staff_nurses=2,
    title_senior=1,
    title_junior=4,
    degree_postgraduate=2,
    degree_college=3,
    op_suggestions="加强人才培养",
)

VIOLATIONS = {
    "therapy clinic without therapy": (
        dict(svc_therapy=False, svc_therapy_ward=False),
        "svc_therapy_outpatient",
    ),
    "therapy ward without therapy": (
        dict(svc_therapy=False, svc_therapy_outpatient=False),
        "svc_therapy_ward",
    ),
    "therapy ward without beds": (dict(therapy_beds=0), "therapy_beds"),
    "owners do not add up": (dict(eq_owner_imaging=0), "eq_owner_nm"),
    "68Ga without positron drugs": (dict(rp_positron=False, rp_f18=False, rp_ga68=True), "rp_ga68"),
    "in vitro samples without the service": (
        dict(svc_in_vitro=False, iv_internal_qc=None),
        "iv_samples",
    ),
    "quality control without the service": (
        dict(svc_in_vitro=False, iv_samples=None),
        "iv_internal_qc",
    ),
    "fewer tests than samples": (dict(iv_tests=99), "iv_tests"),
    "staff by role disagree": (dict(staff_physicians=4), "staff_physicians"),
    "staff by title disagree": (dict(title_senior=2), "title_senior"),
    "staff by education disagree": (dict(degree_college=4), "degree_postgraduate"),
    "suggestions too long": (dict(op_suggestions="意" * 2001), "op_suggestions"),
}


def test_a_consistent_report_passes(make_report):
    report = make_report(**CONSISTENT)
    report.full_clean()
    assert rules.check(report.item_values()) == []


@pytest.mark.parametrize("case", VIOLATIONS, ids=str)
def test_a_report_breaking_a_rule_is_refused_on_the_right_item(make_report, case):
    change, item = VIOLATIONS[case]
    report = make_report(**{**CONSISTENT, **change})
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert item in refused.value.message_dict


def test_staff_disagreement_is_one_problem_even_when_two_breakdowns_differ():
    values = {**CONSISTENT, "staff_physicians": 10}
    staff_problems = [p for p in rules.check(values) if p.item.startswith("staff_")]
    assert len(staff_problems) == 1
    assert "12" in staff_problems[0].message and "5" in staff_problems[0].message


@pytest.mark.parametrize(
    ("change", "group"),
    [
        (dict(eq_pet_ct=0, eq_owner_nm=0), "exam_pet_total"),
        (dict(exam_petmri_tumor=12), "exam_petmri_total"),
        (dict(eq_spect_ct=0, eq_owner_imaging=0), "exam_sp_total"),
        # The 2028 contract's rules: "needs eq_coincidence_spect_ct > 0 or a note" ...
        (dict(exam_coin_bone=7, eq_coincidence_spect_ct=0), "exam_coin_total"),
        (dict(exam_coin_tumor=3), "exam_coin_total"),
        # ... and "needs small-animal equipment or a note".
        (dict(exam_sa_pet_ct=40, eq_sa_optical=0), "exam_sa_total"),
    ],
)
def test_examinations_without_equipment_are_a_warning_not_a_refusal(make_report, change, group):
    report = make_report(**{**CONSISTENT, **change})
    report.full_clean()
    warnings = [p for p in rules.check(report.item_values()) if not p.blocking]
    assert [w.items for w in warnings] == [rules.GROUPS[group]]


@pytest.mark.parametrize(
    "equipment",
    [dict(eq_coincidence_spect_ct=1), dict(eq_sa_pet_mri=1)],
)
def test_coincidence_and_small_animal_examinations_with_their_equipment_raise_no_warning(
    make_report, equipment
):
    report = make_report(**{**CONSISTENT, **equipment})
    exams = (
        dict(exam_coin_bone=7) if "eq_coincidence_spect_ct" in equipment else dict(exam_sa_pet=9)
    )
    values = report.item_values() | exams
    assert [p for p in rules.check(values) if not p.blocking] == []


def test_not_reported_items_are_not_judged():
    assert rules.check({"inst_name": "A", "svc_in_vitro": True, "iv_samples": 5}) == []
    assert rules.check({"inst_name": "A", "title_senior": 3}) == []


def test_an_institution_needs_a_name_in_one_language():
    problems = rules.check({"inst_name": None, "inst_name_zh": ""})
    assert [p.item for p in problems] == ["inst_name"]
    assert rules.check({"inst_name": None, "inst_name_zh": "华西医院"}) == []


# --- The rules of the 2028 edition's items, on a 2028 report --------------------------------

CONSISTENT_2028 = dict(
    CONSISTENT,
    therapy_wards=1,
    campuses=2,
    svc_outpatient_visits=12_000,
    svc_inpatient_admissions=300,
    eq_pet_long_axial=1,
    eq_positron_domestic=1,
    exam_pet_psma=40,
    exam_pet_fapi=20,
    rp_lu177=True,
    rp_ac225=False,
    tx_lu177_psma=8,
    tx_lu177_sstr=2,
    tx_ra223=5,
    res_clinical_trials=1,
    res_sa_projects_served=0,
    res_sa_service_hours=0,
    op_radiopharmaceutical_supply=True,
)

VIOLATIONS_2028 = {
    "therapy wards without a ward": (
        dict(svc_therapy_ward=False, therapy_beds=10),
        "therapy_wards",
    ),
    "more therapy wards than beds": (dict(therapy_wards=11), "therapy_wards"),
    "no campus": (dict(campuses=0), "campuses"),
    "more long-axial scanners than PET/CT": (dict(eq_pet_long_axial=2), "eq_pet_long_axial"),
    "more domestic positron units than positron units": (
        dict(eq_positron_domestic=2),
        "eq_positron_domestic",
    ),
    "more PSMA imaging than PET examinations": (dict(exam_pet_psma=101), "exam_pet_psma"),
    "more FAPI imaging than PET examinations": (dict(exam_pet_fapi=101), "exam_pet_fapi"),
    "177Lu-PSMA without 177Lu": (dict(rp_lu177=False, tx_lu177_sstr=0), "tx_lu177_psma"),
    "177Lu-SSTR without 177Lu": (dict(rp_lu177=None, tx_lu177_psma=0), "tx_lu177_sstr"),
}


@pytest.fixture
def make_report_2028(make_report):
    from survey.models import Cycle

    cycle = Cycle.objects.create(year=2028, is_open=True)
    return lambda **values: make_report(cycle=cycle, **values)


def test_a_consistent_2028_report_passes(make_report_2028):
    report = make_report_2028(**CONSISTENT_2028)
    report.full_clean()
    assert rules.check(report.item_values()) == []


@pytest.mark.parametrize("case", VIOLATIONS_2028, ids=str)
def test_a_2028_report_breaking_a_rule_of_its_items_is_refused_on_the_right_item(
    make_report_2028, case
):
    change, item = VIOLATIONS_2028[case]
    report = make_report_2028(**{**CONSISTENT_2028, **change})
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert list(refused.value.message_dict) == [item]


@pytest.mark.usefixtures("english")
def test_an_of_which_item_above_its_whole_names_both_with_labels_and_values():
    [problem] = rules.check(
        {
            "inst_name": "A",
            "eq_pet_ct": 1,
            "exam_pet_tumor": 900,
            "exam_pet_neuro": 300,
            "exam_pet_psma": 1_500,
        }
    )
    assert problem.blocking and problem.items[0] == "exam_pet_psma"
    assert "exam_pet_tumor" in problem.items  # the whole's items are flagged too
    assert problem.message == (
        "“Of the PET or PET/CT examinations: PSMA imaging (any label)” (1,500) cannot be more "
        "than “PET or PET/CT examinations” (1,200)."
    )
    [problem] = rules.check({"inst_name": "A", "eq_pet_ct": 1, "eq_pet_long_axial": 3})
    assert "(3)" in problem.message and "(1)" in problem.message
    # Equal is allowed, and a whole not reported judges nothing.
    assert rules.check({"inst_name": "A", "eq_pet_ct": 3, "eq_pet_long_axial": 3}) == []
    assert rules.check({"inst_name": "A", "eq_pet_long_axial": 3}) == []


def test_every_of_which_rule_of_the_dictionary_is_checked():
    for part, whole in rules.instrument.OF_WHICH.items():
        parts = rules.GROUPS.get(whole, (whole,))
        values = {"inst_name": "A", parts[0]: 1, part: 2}
        blocking = [p.items[0] for p in rules.check(values) if p.blocking]
        assert blocking == [part], part
        assert [p for p in rules.check({**values, part: 1}) if p.blocking] == [], part


@pytest.mark.parametrize(
    ("values", "item"),
    [
        (dict(svc_inpatient_admissions=300, therapy_beds=0), "svc_inpatient_admissions"),
        (dict(svc_inpatient_admissions=300), "svc_inpatient_admissions"),
        (dict(res_sa_service_hours=120), "res_sa_projects_served"),
        (dict(res_sa_projects_served=4, eq_sa_pet_ct=0), "res_sa_projects_served"),
    ],
)
def test_admissions_without_beds_and_small_animal_service_without_equipment_are_warnings(
    values, item
):
    [problem] = rules.check({"inst_name": "A", **values})
    assert not problem.blocking and problem.item == item


def test_admissions_with_beds_and_small_animal_service_with_equipment_raise_nothing():
    assert rules.check({"inst_name": "A", "svc_inpatient_admissions": 300, "therapy_beds": 4}) == []
    assert rules.check({"inst_name": "A", "res_sa_service_hours": 120, "eq_sa_pet_ct": 1}) == []


# --- Every rule of the dictionary has its implementation --------------------------------------

# Each rule clause of data-dictionary-2028.csv (its `rule` column, split at "; "): the function
# of `rules.RULES` that checks it, or where else it is held.
CROSS_ITEM_RULES = {
    "required unless inst_name_zh is given": "institution_has_a_name",
    "required unless inst_name is given": "institution_has_a_name",
    "only with svc_therapy": "therapy_clinic_and_ward_need_therapy",
    "a ward needs therapy_beds > 0": "therapy_ward_needs_beds",
    "only with svc_therapy_ward": "therapy_wards_need_the_ward_and_beds",
    "therapy_wards <= therapy_beds": "therapy_wards_need_the_ward_and_beds",
    "at least 1 when given": "campuses_at_least_one",
    "needs therapy_beds > 0 or a note": "inpatient_admissions_need_beds",
    "eq_owner_total must equal eq_positron_total + eq_single_photon_total": (
        "owners_account_for_every_imaging_unit"
    ),
    "needs eq_pet_ct > 0 or a note": "rule",  # _examinations_need_equipment, per group
    "needs eq_pet_mri > 0 or a note": "rule",
    "needs single-photon equipment or a note": "rule",
    "needs eq_coincidence_spect_ct > 0 or a note": "rule",
    "needs rp_positron": "positron_drugs_need_positron_use",
    "needs rp_lu177": "radioligand_therapy_needs_lutetium",
    "needs svc_in_vitro": "in_vitro_items_need_the_service",
    "iv_tests >= iv_samples": "tests_at_least_samples",
    "title_total must equal staff_total": "staff_breakdowns_agree",
    "degree_total must equal staff_total": "staff_breakdowns_agree",
    "at most 2000 characters": "suggestions_not_too_long",
}
# "needs small-animal equipment or a note": examinations (per group) and the platform's service.
SMALL_ANIMAL = "needs small-animal equipment or a note"
HELD_ELSEWHERE = {
    "required": "the institution code, required by the registry and the importer",
    "1-32 chars of A-Z a-z 0-9 - _": "the institution code's validator",
    "one of provinces.csv": "the province, a foreign key to the registry",
    "tertiary_top counts as tertiary too": "reports.metrics",
    "IIIA and IIIB both count as class III": "LICENSE_CLASS_III, read by reports.metrics",
    "res_patents_granted counts grants, independent of applications": "a definition",
}


def test_every_rule_of_the_dictionary_is_implemented(make_report_2028):
    from tests.conftest import read_dictionary

    names = {rule.__name__ for rule in rules.RULES}
    for row in read_dictionary():
        for clause in filter(None, row["rule"].split("; ")):
            if clause.startswith("of which: "):
                assert rules.instrument.OF_WHICH[row["code"]], clause
                assert "of_which_items_within_their_whole" in names
            elif clause.startswith("therapy group: "):
                group = clause.removeprefix("therapy group: ")
                assert row["code"] in rules.instrument.THERAPY_GROUPS[group]
            elif clause == SMALL_ANIMAL:
                assert {"rule", "small_animal_service_needs_equipment"} <= names
            elif clause in HELD_ELSEWHERE:
                continue
            else:
                assert CROSS_ITEM_RULES[clause] in names, clause
