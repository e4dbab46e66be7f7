"""The report form against every cross-item rule, against random input, and without a CSRF
token: always a clear message on the right field or a correct save, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.instrument import items as instrument
from survey.instrument import rules
from survey.models import Cycle, Report
from tests.test_report_form import row, section_data, section_url

pytestmark = pytest.mark.django_db

# rule, section, values already on the report, values posted, the field the rule must name,
# and the survey year whose report it is (the rules of the 2028 items need a 2028 report)
RULE_CASES = {
    "staff by role, title and education": (
        "staff_breakdowns_agree",
        "personnel",
        {},
        {"staff_physicians": 5, "title_senior": 4, "degree_postgraduate": 5},
        "title_senior",
    ),
    "tests fewer than samples": (
        "tests_at_least_samples",
        "in_vitro",
        {"svc_in_vitro": True},
        {"iv_samples": 100, "iv_tests": 99},
        "iv_tests",
    ),
    "ward without therapy": (
        "therapy_clinic_and_ward_need_therapy",
        "services",
        {},
        {"svc_therapy": "False", "svc_therapy_ward": "True"},
        "svc_therapy_ward",
    ),
    "ward without beds": (
        "therapy_ward_needs_beds",
        "therapy",
        {"svc_therapy": True, "svc_therapy_ward": True},
        {"therapy_beds": 0},
        "therapy_beds",
    ),
    "owners do not account for every unit": (
        "owners_account_for_every_imaging_unit",
        "equipment",
        {},
        {"eq_pet_ct": 2, "eq_owner_nm": 1, "units-TOTAL_FORMS": 0, "units-INITIAL_FORMS": 0},
        "eq_owner_nm",
    ),
    "positron drug without positron use": (
        "positron_drugs_need_positron_use",
        "radiopharmaceuticals",
        {},
        {"rp_positron": "False", "rp_f18": "True"},
        "rp_f18",
    ),
    "in vitro without the service": (
        "in_vitro_items_need_the_service",
        "in_vitro",
        {"svc_in_vitro": False},
        {"iv_samples": 10, "iv_tests": 10},
        "iv_samples",
    ),
    "more therapy wards than beds": (
        "therapy_wards_need_the_ward_and_beds",
        "services",
        {"svc_therapy": True, "therapy_beds": 2},
        {"svc_therapy": "True", "svc_therapy_ward": "True", "therapy_wards": 3},
        "therapy_wards",
        2028,
    ),
    "no campus": (
        "campuses_at_least_one",
        "services",
        {},
        {"campuses": 0},
        "campuses",
        2028,
    ),
    "more long-axial PET/CT than PET/CT": (
        "of_which_items_within_their_whole",
        "equipment",
        {},
        {
            "eq_pet_ct": 1,
            "eq_pet_long_axial": 2,
            "eq_owner_nm": 1,
            "units-TOTAL_FORMS": 0,
            "units-INITIAL_FORMS": 0,
        },
        "eq_pet_long_axial",
        2028,
    ),
    "radioligand therapy without 177Lu": (
        "radioligand_therapy_needs_lutetium",
        "therapy",
        {"rp_lu177": False},
        {"tx_lu177_psma": 12},
        "tx_lu177_psma",
        2028,
    ),
}


@pytest.fixture
def logged_in(client, reporter, settings):
    client.force_login(reporter)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_every_blocking_rule_of_the_dictionary_is_exercised_here():
    blocking = {rule.__name__ for rule in rules.RULES if rule.__name__ != "rule"}
    # Rules the form cannot break: the institution's name is not on the form, and the
    # suggestions' length is bounded by the field itself (the rule serves the importer).
    not_on_the_form = {"institution_has_a_name", "suggestions_not_too_long"}
    # Rules that only warn (tests/test_rules.py): a draft keeps them, explained or not.
    warnings = {"inpatient_admissions_need_beds", "small_animal_service_needs_equipment"}
    assert {case[0] for case in RULE_CASES.values()} == blocking - not_on_the_form - warnings


@pytest.mark.parametrize("case", sorted(RULE_CASES))
def test_each_cross_item_rule_is_shown_on_the_field_it_names(logged_in, report_2023, case):
    _rule, section, stored, posted, field, *year = RULE_CASES[case]
    report = report_2023
    if year:
        cycle = Cycle.objects.create(year=year[0], is_open=True)
        report = Report.objects.create(institution=report_2023.institution, cycle=cycle)
    Report.objects.filter(pk=report.pk).update(**stored)
    page = logged_in.post(
        section_url(report, section),
        section_data(report, section, **posted),
        follow=True,
    )
    assert page.status_code == 200
    assert row(page, field).errors
    assert not Report.objects.get(pk=report.pk).status == "submitted"


cell = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["True", "False", "", "0", "-1", "1e9", "１２", "<script>", "=1+1", "\x00"]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from([s.key for s in instrument.SECTIONS[1:]]),
    data=st.data(),
)
def test_random_input_is_a_clear_error_or_a_correct_save(logged_in, report_2023, key, data):
    items = [i for i in instrument.section_items(key, report_2023.cycle_id) if i.on_report]
    posted = {item.code: data.draw(cell) for item in items}
    response = logged_in.post(
        section_url(report_2023, key), section_data(report_2023, key, **posted)
    )
    assert response.status_code in (200, 302)
    saved = Report.objects.get(pk=report_2023.pk)
    for item in items:
        value = getattr(saved, item.code)
        if value not in (None, ""):
            item.field.clean(value, saved)  # whatever was saved passes the field's own checks


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("login", []),
        ("set_language", []),
        ("survey:section", [2023, "{code}", "services"]),
        ("survey:transition", [2023, "{code}", "submit"]),
        ("survey:start", [2023]),
        ("password_reset", []),
    ],
)
def test_every_post_needs_its_csrf_token(reporter, report_2023, url_name, args):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    code = report_2023.institution.code
    url = reverse(url_name, args=[str(a).format(code=code) for a in args])
    assert client.post(url, {}).status_code == 403
