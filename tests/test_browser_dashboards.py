"""Each dashboard page in a real browser, in Chinese and in English: charts drawn, no console
error, no request leaving the machine. Screenshots go to test-artifacts/."""

import pytest
from django.urls import reverse

from tests.browser import PageWatch, screenshot
from tests.test_cycle_figures import cycles  # noqa: F401  (2023 and 2028 treatments)
from tests.test_dashboards import two_cycles  # noqa: F401  (the data the pages show)

pytestmark = pytest.mark.browser

PAGES = [
    ("national", (), 10),
    ("province", ("51",), 10),
    ("provinces", (), 2),  # the tile map and the bars
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("name", "args", "charts"), PAGES, ids=[p[0] for p in PAGES])
def test_dashboard_page_draws_its_charts(
    browser,
    transactional_db,
    live_server,
    two_cycles,  # noqa: F811
    language,
    name,
    args,
    charts,
):
    from survey.models import Report

    Report.objects.update(status="accepted")  # what the public sees: published reports
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    page.goto(
        f"{live_server.url}{reverse(f'reports:{name}', args=args)}?year=2023&baseline=2019",
        wait_until="networkidle",
    )
    draw_every_chart(page, charts)
    assert page.locator(".js-plotly-plot .main-svg").first.is_visible()
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"dashboard-{name}-{language}")
    assert watch.errors == []
    assert watch.foreign == []
    context.close()


@pytest.fixture
def tibet_published(transactional_db):
    """Accepted reports: Tibet's PET/CT units come from two hospitals, the others' from three."""
    from departments.models import Institution
    from survey.models import Cycle, Report

    Cycle.objects.create(year=2023, is_open=True)
    plan = {"54": (1, 3, 0), **{p: (2, 2, 2) for p in ("11", "31", "32", "44", "51")}}
    for province, units in plan.items():
        for n, count in enumerate(units):
            institution = Institution.objects.create(
                code=f"B{province}{n}", name_zh="医院", province_id=province
            )
            Report.objects.create(
                institution=institution,
                cycle_id=2023,
                status="accepted",
                eq_pet_ct=count,
                eq_owner_nm=count,
                staff_physicians=4,
                title_senior=4,
                degree_college=4,
            )


@pytest.mark.parametrize("viewer", ["anonymous", "analyst"])
def test_a_province_page_blanks_for_the_public_and_marks_for_the_analyst(
    browser, live_server, tibet_published, make_user, viewer
):
    from tests.browser import log_in
    from tests.conftest import PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    if viewer == "analyst":
        make_user("analyst", username="analyst")
        log_in(page, live_server.url, "analyst", PASSWORD)
    page.goto(
        f"{live_server.url}{reverse('reports:province', args=['54'])}", wait_until="networkidle"
    )
    page.locator("#panel-equipment details summary").click()
    cell = page.locator("#panel-equipment tr[data-metric='eq_pet_ct'] td[data-value]")
    if viewer == "analyst":
        assert cell.inner_text() == "4"
        assert cell.get_attribute("title") == "hidden from the public"
        assert page.locator("#disclosure-legend").is_visible()
    else:
        assert cell.inner_text() == "—"
        assert page.locator("#disclosure-note").is_visible()
        assert page.locator("[data-hidden-from-public]").count() == 0
    page.locator("#panel-equipment").screenshot(path=str(_artifact(f"disclosure-54-{viewer}")))
    screenshot(page, f"disclosure-province-54-{viewer}")
    assert watch.errors == []
    context.close()


def test_a_2028_dashboard_compares_treatments_over_the_items_both_years_asked(
    browser,
    transactional_db,
    live_server,
    cycles,  # noqa: F811
    make_user,
):
    from tests.browser import log_in
    from tests.conftest import PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    make_user("analyst", username="analyst")
    log_in(page, live_server.url, "analyst", PASSWORD)
    page.goto(
        f"{live_server.url}{reverse('reports:national')}?year=2028&baseline=2023",
        wait_until="networkidle",
    )
    draw_every_chart(page, 10)
    note = page.locator("#over-shared-growth-tx_total")
    assert note.is_visible()  # outside the folded table
    assert "its growth is over the items asked in both 2023 and 2028" in note.inner_text()
    page.locator("#panel-therapy details summary").click()
    row = page.locator("#panel-therapy tr[data-metric='tx_lu177_psma']")
    assert row.locator("td[data-baseline]").inner_text() == "not asked in 2023"
    assert row.locator("td[data-growth]").inner_text() == "no growth: not asked in 2023"
    label = page.locator("#panel-therapy tr[data-metric='tx_total'] a.like-for-like")
    assert label.inner_text() == "over the items asked in both years"
    assert "177Lu-PSMA" in label.get_attribute("title")
    page.locator("#panel-therapy").screenshot(path=str(_artifact("therapy-2028-vs-2023")))
    screenshot(page, "dashboard-2028-vs-2023")
    assert watch.errors == []
    assert watch.foreign == []
    context.close()


def draw_every_chart(page, count):
    """Scroll to each chart, as a reader does (charts are drawn as they near the viewport),
    until the page has drawn `count` of them."""
    for chart in page.locator("[data-figure]").all():
        chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot').length === n", arg=count
    )
    assert page.locator(".js-plotly-plot").count() == count


def _artifact(name):
    from tests.browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
