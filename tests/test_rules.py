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
