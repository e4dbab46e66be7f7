"""Each dashboard page in a real browser, in Chinese and in English: charts drawn, no console
error, no request leaving the machine. Screenshots go to test-artifacts/."""

import pytest
from django.urls import reverse

from tests.browser import PageWatch, screenshot
from tests.test_dashboards import two_cycles  # noqa: F401  (the data the pages show)

pytestmark = pytest.mark.browser

PAGES = [
    ("national", (), 10),
    ("province", ("51",), 10),
    ("provinces", (), 1),
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
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    page.goto(
        f"{live_server.url}{reverse(f'reports:{name}', args=args)}?year=2023&baseline=2019",
        wait_until="networkidle",
    )
    assert page.locator(".js-plotly-plot .main-svg").first.is_visible()
    assert page.locator(".js-plotly-plot").count() == charts
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"dashboard-{name}-{language}")
    assert watch.errors == []
    assert watch.foreign == []
    context.close()
