"""A whole filing in a real browser, in Chinese: a reporter fills every section of an empty
report, hits a cross-item rule, fixes it, submits; the coordinator returns it with a comment;
the reporter corrects and resubmits; the coordinator accepts. Screenshots in test-artifacts/."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from departments.models import Institution
from survey.instrument import items as instrument
from survey.models import Cycle, Report, ReportEvent
from tests.browser import PageWatch, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Every unanswered item of a section page answered the plainest way: counts 0, flags "no",
# choices their first listed value.
ANSWER_THE_REST = """() => {
  document.querySelectorAll("input.count").forEach((input) => {
    if (input.value === "") { input.value = "0"; }
  });
  const groups = new Set([...document.querySelectorAll("input[type=radio]")].map((r) => r.name));
  groups.forEach((name) => {
    const checked = document.querySelector(`input[name="${name}"]:checked`);
    if (!checked || checked.value === "") {
      document.querySelector(`input[name="${name}"][value="False"]`).checked = true;
    }
  });
  document.querySelectorAll("select:not([name^=units])").forEach((select) => {
    if (select.value === "") {
      const first = [...select.options].find((option) => option.value !== "");
      if (first) { select.value = first.value; }
    }
  });
}"""


@pytest.fixture
def empty_report(transactional_db, django_user_model):
    cycle = Cycle.objects.create(year=2023, is_open=True)
    hospital = Institution.objects.create(
        code="510102", name_zh="成都市第一人民医院", name_en="Chengdu First", province_id="51"
    )
    report = Report.objects.create(institution=hospital, cycle=cycle)
    reporter = django_user_model.objects.create_user("li", "li@example.org", PASSWORD)
    Membership.objects.create(user=reporter, role="reporter", institution=hospital)
    coordinator = django_user_model.objects.create_user("zhao", "zhao@example.org", PASSWORD)
    Membership.objects.create(user=coordinator, role="coordinator", province_id="51")
    return report


def signed_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    log_in(page, live_server.url, username, PASSWORD)
    return context, page


def save(page):
    page.click("button[name=then][value=stay]")
    page.wait_for_load_state()


def test_a_whole_report_is_filed_returned_corrected_and_accepted(
    browser, live_server, empty_report
):
    context, page = signed_in(browser, live_server, "li")
    watch = PageWatch(page, live_server.url)

    def section_url(key):
        return f"{live_server.url}{reverse('survey:section', args=[2023, '510102', key])}"

    for section in instrument.SECTIONS:
        page.goto(section_url(section.key))
        if section.key == "personnel":
            # By role 5, by title 4: the dictionary's rule refuses it, on the field.
            page.fill("#id_staff_physicians", "5")
            page.fill("#id_title_senior", "4")
            page.fill("#id_degree_postgraduate", "5")
            page.evaluate(ANSWER_THE_REST)
            save(page)
            assert page.locator("#item-title_senior .rule-error").count() == 1
            assert "人员" in page.locator("#item-title_senior .rule-error").inner_text()
            screenshot(page, "filing-rule-error-zh-hans")
            page.fill("#id_title_senior", "5")
        page.evaluate(ANSWER_THE_REST)
        save(page)
        assert page.locator(".message.success").count() == 1, section.key

    page.goto(f"{live_server.url}{reverse('survey:report', args=[2023, '510102'])}")
    assert page.locator(".badge-complete").count() == len(instrument.SECTIONS)
    page.click("form[action$='/do/submit/'] button[type=submit]")
    page.wait_for_load_state()
    assert Report.objects.get(pk=empty_report.pk).status == "submitted"
    assert watch.errors == [] and watch.foreign == []

    review_context, review = signed_in(browser, live_server, "zhao")
    review.goto(f"{live_server.url}{reverse('survey:review')}")
    review.click("text=成都市第一人民医院")
    review.fill("#return-comment", "科研论文数请核实")
    review.click("form[action$='/do/return/'] button[type=submit]")
    review.wait_for_load_state()
    assert Report.objects.get(pk=empty_report.pk).status == "returned"

    page.goto(f"{live_server.url}{reverse('survey:report', args=[2023, '510102'])}")
    assert "科研论文数请核实" in page.locator(".returned-comment").inner_text()
    screenshot(page, "filing-returned-zh-hans")
    page.goto(section_url("research"))
    page.fill("#id_res_papers_sci", "3")
    save(page)
    page.goto(f"{live_server.url}{reverse('survey:report', args=[2023, '510102'])}")
    page.click("form[action$='/do/submit/'] button[type=submit]")
    page.wait_for_load_state()

    review.goto(f"{live_server.url}{reverse('survey:report', args=[2023, '510102'])}")
    review.click("form[action$='/do/accept/'] button[type=submit]")
    review.wait_for_load_state()
    screenshot(review, "filing-accepted-zh-hans")
    report = Report.objects.get(pk=empty_report.pk)
    assert (report.status, report.res_papers_sci, report.title_senior) == ("accepted", 3, 5)
    assert list(ReportEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "accept",
    ]
    context.close()
    review_context.close()
