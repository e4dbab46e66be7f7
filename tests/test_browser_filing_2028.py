"""A 2028 report filed in a real browser, in Chinese: the reporter starts it, fills every
section, the 2028 edition's items included, hits an `of which:` rule, fixes it and submits.
The 2028 items are on the 2028 form and not on the 2023 one. Screenshots in test-artifacts/."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from departments.models import Institution
from survey.assessment import sections_asked
from survey.instrument import items as instrument
from survey.models import Cycle, Report
from tests.browser import PageWatch, screenshot
from tests.conftest import PASSWORD
from tests.test_browser_filing import ANSWER_THE_REST, save, signed_in

pytestmark = pytest.mark.browser

ONLY_2028 = [item.code for item in instrument.items() if not item.asked_in(2023)]

# What the filer types or ticks in each section, before the rest is answered 0 / no / first
# choice: every 2028 item, and what they need to break no rule and raise no warning.
ANSWERS = {
    "services": {
        "svc_pet": True,
        "svc_therapy": True,
        "svc_therapy_ward": True,
        "therapy_wards": 1,
        "campuses": 2,
        "svc_outpatient_visits": 12_000,
        "svc_inpatient_admissions": 300,
    },
    "equipment": {
        "eq_pet_ct": 2,
        "eq_owner_nm": 2,
        "eq_pet_long_axial": 1,
        "eq_positron_domestic": 1,
    },
    "examinations": {"exam_pet_tumor": 500, "exam_pet_psma": 120, "exam_pet_fapi": 30},
    "radiopharmaceuticals": {"rp_lu177": True, "rp_ac225": False},
    "therapy": {
        "therapy_beds": 10,
        "tx_i131_graves": 30,  # 40 in 2023: no change to explain
        "tx_lu177_psma": 20,
        "tx_lu177_sstr": 5,
        "tx_ra223": 8,
    },
    "research": {"res_clinical_trials": 2, "res_sa_projects_served": 0, "res_sa_service_hours": 0},
    "opinions": {"op_radiopharmaceutical_supply": True},
}


@pytest.fixture
def hospital(transactional_db, django_user_model):
    """A Sichuan hospital with its accepted 2023 report (a closed cycle) and a reporter; the
    2028 survey open."""
    hospital = Institution.objects.create(
        code="510102", name_zh="成都市第一人民医院", name_en="Chengdu First", province_id="51"
    )
    Report.objects.create(
        institution=hospital,
        cycle=Cycle.objects.create(year=2023),
        status="accepted",
        tx_i131_graves=40,
    )
    Cycle.objects.create(year=2028, is_open=True)
    reporter = django_user_model.objects.create_user("li", "li@example.org", PASSWORD)
    Membership.objects.create(user=reporter, role="reporter", institution=hospital)
    return hospital


def fill(page, answers):
    for code, value in answers.items():
        if isinstance(value, bool):
            page.check(f'input[name="{code}"][value="{value}"]')
        else:
            page.fill(f"#id_{code}", str(value))


def test_a_2028_report_is_filed_through_every_section_with_its_new_items(
    browser, live_server, hospital
):
    context, page = signed_in(browser, live_server, "li")
    watch = PageWatch(page, live_server.url)
    page.click("form[action$='/start/2028/'] button[type=submit]")
    page.wait_for_load_state()
    report = Report.objects.get(cycle_id=2028)

    def section_url(key):
        return f"{live_server.url}{reverse('survey:section', args=[2028, '510102', key])}"

    sections = sections_asked(2028)
    assert set(ANSWERS) < {s.key for s in sections}
    for section in sections:
        page.goto(section_url(section.key))
        asked_here = [i.code for i in instrument.section_items(section.key) if i.code in ONLY_2028]
        for code in asked_here:
            assert page.locator(f"#item-{code} .asked-years").inner_text() == "自 2028 年起调查"
            assert page.locator(f"#item-{code} .previous").inner_text() == "2023: 未调查"
        assert sorted(asked_here) == sorted(
            code for code in ANSWERS.get(section.key, {}) if code in ONLY_2028
        )
        if section.key == "examinations":
            # More PSMA imaging than PET examinations: the `of which:` rule, on the field.
            fill(page, {**ANSWERS["examinations"], "exam_pet_psma": 600})
            page.evaluate(ANSWER_THE_REST)
            save(page)
            error = page.locator("#item-exam_pet_psma .rule-error")
            assert "（600）不能多于" in error.inner_text() and "（500）" in error.inner_text()
        if section.key == "therapy":
            assert page.locator("#item-tx_i131_graves .previous").inner_text() == "2023: 40"
            screenshot(page, "filing-2028-therapy-zh-hans")
        fill(page, ANSWERS.get(section.key, {}))
        page.evaluate(ANSWER_THE_REST)
        save(page)
        assert page.locator(".message.success").count() == 1, section.key
    assert page.locator("#item-exam_pet_psma .rule-error").count() == 0

    page.goto(f"{live_server.url}{reverse('survey:report', args=[2028, '510102'])}")
    # Every section complete: no rule broken, no warning left (the ward has its beds now).
    assert page.locator(".badge-complete").count() == len(sections), page.locator(
        "main"
    ).inner_text()
    page.click("form[action$='/do/submit/'] button[type=submit]")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == "submitted"
    for answers in ANSWERS.values():
        for code, value in answers.items():
            assert getattr(report, code) == value, code
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_the_2028_items_are_on_the_2028_form_and_not_on_the_2023_one(
    browser, live_server, hospital
):
    Report.objects.create(institution=hospital, cycle_id=2028)
    context, page = signed_in(browser, live_server, "li")
    for key in ANSWERS:
        codes = [i.code for i in instrument.section_items(key) if i.code in ONLY_2028]
        for year, shown in ((2023, 0), (2028, 1)):
            page.goto(f"{live_server.url}{reverse('survey:section', args=[year, '510102', key])}")
            for code in codes:
                assert page.locator(f"#item-{code}").count() == shown, (year, code)
    context.close()


def test_what_a_listed_unit_says_of_itself_counts_as_it_is_ticked(browser, live_server, hospital):
    report = Report.objects.create(institution=hospital, cycle_id=2028)
    context, page = signed_in(browser, live_server, "li")
    watch = PageWatch(page, live_server.url)
    page.goto(f"{live_server.url}{reverse('survey:section', args=[2028, '510102', 'equipment'])}")
    long_axial, domestic = (
        page.locator("#id_eq_pet_long_axial"),
        page.locator("#id_eq_positron_domestic"),
    )
    page.select_option("select[name=units-0-unit_type]", "eq_pet_ct")
    page.select_option("select[name=units-0-owner_department]", "nm")
    page.check("input[name=units-0-long_axial]")
    page.check("input[name=units-0-made_in_china]")
    assert (long_axial.input_value(), domestic.input_value()) == ("1", "1")
    assert long_axial.evaluate("input => input.readOnly")
    # A SPECT/CT is never long axial: its box goes, and the count with it.
    page.select_option("select[name=units-0-unit_type]", "eq_spect_ct")
    assert page.locator("input[name=units-0-long_axial]").is_hidden()
    assert (long_axial.input_value(), domestic.input_value()) == ("0", "0")
    page.select_option("select[name=units-0-unit_type]", "eq_pet_ct")
    page.check("input[name=units-0-long_axial]")
    save(page)
    # The page showed the counts the units decide: saved at once, without asking again.
    assert page.locator(".message.success").count() == 1
    report.refresh_from_db()
    assert (report.eq_pet_ct, report.eq_pet_long_axial, report.eq_positron_domestic) == (1, 1, 1)
    assert watch.errors == []
    context.close()
