"""A reporter files a section in a real browser on a phone-sized screen: logs in, types, sees
the group total follow the typing, saves, submits. Screenshots go to test-artifacts/."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from departments.models import Institution
from equipment.models import EquipmentUnit
from survey.instrument import items as instrument
from survey.models import Cycle, Report
from tests.browser import ARTIFACTS, PageWatch, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def almost_done(transactional_db, django_user_model, complete_values):
    """A 2023 report complete but for its therapy section, with a 2019 report before it."""
    Cycle.objects.create(year=2019)
    cycle = Cycle.objects.create(year=2023, is_open=True)
    hospital = Institution.objects.create(
        code="510101", name_zh="四川大学华西医院", name_en="West China Hospital", province_id="51"
    )
    Report.objects.create(
        institution=hospital, cycle_id=2019, therapy_beds=40, tx_i131_graves=1100, tx_other=20
    )
    therapy = {item.code for item in instrument.section_items("therapy")}
    values = {code: v for code, v in complete_values.items() if code not in therapy}
    report = Report.objects.create(
        institution=hospital,
        cycle=cycle,
        **{**values, "svc_therapy": True, "svc_therapy_ward": True},
    )
    EquipmentUnit.objects.create(
        report=report, unit_type="eq_spect_ct", owner_department="nm", manufacturer="GE"
    )
    Report.objects.filter(pk=report.pk).update(eq_spect_ct=1, eq_owner_nm=1)
    user = django_user_model.objects.create_user(
        "wang", "wang@example.org", PASSWORD, first_name="王医生"
    )
    Membership.objects.create(user=user, role="reporter", institution=hospital)
    return report


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_reporter_fills_a_section_on_a_phone_and_submits(
    browser, live_server, almost_done, language
):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)

    log_in(page, live_server.url, "wang", PASSWORD)
    screenshot(page, f"report-list-phone-{language}")

    page.goto(f"{live_server.url}{reverse('survey:section', args=[2023, '510101', 'therapy'])}")
    total = page.locator('output[data-total-for="tx_total"]')
    assert total.inner_text() == "—"
    page.fill("#id_therapy_beds", "45")
    page.locator("#id_tx_i131_graves").press_sequentially("1200")
    assert total.inner_text() == "1,200"  # follows the typing, before any save
    page.locator("#id_tx_other").press_sequentially("34")
    assert total.inner_text() == "1,234"
    for code in instrument.group_parts("tx_total", 2023):  # the 2028 therapies are not asked
        field = page.locator(f"#id_{code}")
        if field.input_value() == "":
            field.fill("0")
    # Last survey's figures are beside the fields.
    assert "2019" in page.locator("#item-tx_i131_graves .previous").inner_text()
    screenshot(page, f"report-section-therapy-phone-{language}")

    page.click("button[name=then][value=stay]")
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1
    assert page.locator('output[data-total-for="tx_total"]').inner_text() == "1,234"
    report = Report.objects.get(pk=almost_done.pk)
    assert (report.therapy_beds, report.tx_i131_graves, report.tx_other) == (45, 1200, 34)

    page.goto(f"{live_server.url}{reverse('survey:report', args=[2023, '510101'])}")
    assert page.locator(".badge-complete").count() == len(instrument.SECTIONS)
    screenshot(page, f"report-overview-phone-{language}")
    page.click("form[action$='/do/submit/'] button[type=submit]")
    page.wait_for_load_state()
    assert Report.objects.get(pk=almost_done.pk).status == "submitted"
    assert page.locator(".status-submitted").first.is_visible()
    screenshot(page, f"report-submitted-phone-{language}")

    assert watch.errors == []
    assert watch.foreign == []
    context.close()


def test_equipment_units_are_added_as_rows(browser, live_server, almost_done, client):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, "wang", PASSWORD)
    page.goto(f"{live_server.url}{reverse('survey:section', args=[2023, '510101', 'equipment'])}")
    rows = page.locator("#unit-list .unit-row")
    assert rows.count() == 2  # the listed unit and one empty row
    page.click("#add-unit")
    assert rows.count() == 3
    assert page.locator("input[name=units-TOTAL_FORMS]").input_value() == "3"
    page.select_option("#id_units-1-unit_type", "eq_pet_ct")
    page.select_option("#id_units-1-owner_department", "nm")
    page.select_option("#id_units-2-unit_type", "eq_pet_ct")
    page.select_option("#id_units-2-owner_department", "imaging")
    page.fill("#id_units-2-manufacturer", "United Imaging")
    screenshot(page, "report-section-equipment-phone")
    page.click("button[name=then][value=stay]")
    page.wait_for_load_state()
    report = Report.objects.get(pk=almost_done.pk)
    assert (report.eq_pet_ct, report.eq_spect_ct, report.eq_owner_nm, report.eq_owner_imaging) == (
        2,
        1,
        2,
        1,
    )
    assert watch.errors == [] and watch.foreign == []
    context.close()


def section_page(live_server, key):
    return f"{live_server.url}{reverse('survey:section', args=[2023, '510101', key])}"


def english_page(browser, live_server, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    return context, page


def test_listing_units_keeps_every_other_count_and_the_counts_follow_on_the_page(
    browser, live_server, almost_done
):
    # Counts given without a list of units, a thyroid analyzer among them (the case).
    almost_done.equipment_units.all().delete()
    Report.objects.filter(pk=almost_done.pk).update(
        eq_spect_ct=1, eq_spect=1, eq_thyroid_analyzer=1, eq_owner_nm=2
    )
    context, page = english_page(browser, live_server)
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, "wang", PASSWORD)
    page.goto(section_page(live_server, "equipment"))
    single_photon = page.locator('output[data-total-for="eq_single_photon_total"]')
    changes = page.locator("#count-changes")
    assert page.locator("[data-units-none]").is_visible()
    assert not page.locator("#id_eq_spect_ct").get_attribute("readonly")

    page.select_option("#id_units-0-unit_type", "eq_spect_ct")
    page.select_option("#id_units-0-owner_department", "nm")
    # Derived at once, before any save: the SPECT is not listed yet, and the page says so.
    assert page.locator("[data-units-listed]").is_visible()
    assert page.locator("#id_eq_spect_ct").get_attribute("readonly") is not None
    assert page.locator("#id_eq_spect").input_value() == "0"
    assert single_photon.inner_text() == "1"
    assert changes.is_visible() and "SPECT units: 1 → 0" in changes.inner_text()

    page.click("#add-unit")
    page.select_option("#id_units-1-unit_type", "eq_spect")
    page.select_option("#id_units-1-owner_department", "nm")
    page.fill("#id_units-1-manufacturer", "Siemens")
    assert single_photon.inner_text() == "2"
    assert changes.is_hidden()  # the list now gives every saved count back
    assert page.locator("#id_eq_thyroid_analyzer").input_value() == "1"
    assert page.locator("#id_eq_thyroid_analyzer").get_attribute("readonly") is None
    screenshot(page, "report-section-equipment-units-derived")

    page.click("button[name=then][value=stay]")
    page.wait_for_load_state()
    assert page.locator(".message.success").count() == 1
    report = Report.objects.get(pk=almost_done.pk)
    assert report.equipment_units.count() == 2
    assert (report.eq_spect_ct, report.eq_spect, report.eq_thyroid_analyzer) == (1, 1, 1)
    assert report.eq_owner_nm == 2
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_leaving_a_changed_section_asks_first(browser, live_server, almost_done):
    context, page = english_page(browser, live_server)
    log_in(page, live_server.url, "wang", PASSWORD)
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if len(asked) > 1 else dialog.dismiss()

    page.on("dialog", answer)
    page.goto(section_page(live_server, "therapy"))
    page.click("nav.section-tabs a >> text=Personnel")  # nothing changed: no question
    page.wait_for_url("**/personnel/")
    assert asked == []

    page.goto(section_page(live_server, "therapy"))
    page.fill("#id_tx_other", "12345")
    page.click("nav.section-tabs a >> text=Personnel")
    assert len(asked) == 1 and "not saved" in asked[0]
    assert page.url.endswith("/therapy/")  # refused: still here, the input still there
    assert page.locator("#id_tx_other").input_value() == "12345"
    page.click("nav.section-tabs a >> text=Personnel")  # accepted: leaves, asked only once
    page.wait_for_url("**/personnel/")
    assert len(asked) == 2

    # After a save nothing is asked.
    page.goto(section_page(live_server, "therapy"))
    page.fill("#id_tx_other", "7")
    page.click("button[name=then][value=stay]")
    page.wait_for_load_state()
    page.click("nav.section-tabs a >> text=Personnel")
    page.wait_for_url("**/personnel/")
    assert len(asked) == 2
    context.close()


def test_a_refused_save_shows_the_error_summary_with_focus_on_it(browser, live_server, almost_done):
    context, page = english_page(browser, live_server, PHONE)
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, "wang", PASSWORD)
    page.goto(section_page(live_server, "equipment"))
    page.fill("#id_eq_bone_densitometer", "-2")
    page.click("button[name=then][value=stay]")
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.is_visible() and summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Not saved" in page.locator(".section-state").inner_text()
    screenshot(page, "report-section-refused-save")
    page.screenshot(path=ARTIFACTS / "report-section-refused-save-top.png")  # what one sees
    summary.locator("a[href='#id_eq_bone_densitometer']").click()
    assert page.evaluate("document.activeElement.id") == "id_eq_bone_densitometer"
    assert Report.objects.get(pk=almost_done.pk).eq_bone_densitometer == 0
    assert watch.errors == [] and watch.foreign == []
    context.close()
