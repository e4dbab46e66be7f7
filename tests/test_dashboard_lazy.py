"""Dashboards that open at once: the page ships no table, each folded table links to its own
page (what the dashboard fetches when it is opened), served from the page's cached board with
the same disclosure, and charts are drawn as they come into view."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from departments.models import Institution
from reports import dashboard
from survey.models import Cycle, Report
from tests.test_browser_dashboards import _artifact, draw_every_chart
from tests.test_dashboards import two_cycles  # noqa: F401  (the data the pages show)

TABLE_LINK = re.compile(r'<details class="folded-table" data-table-url="([^"]+)"')


def table_urls(html):
    return [unescape(url) for url in TABLE_LINK.findall(html)]


def metric_cells(html):
    """{metric: the year's cell} of a table's HTML."""
    return dict(
        re.findall(
            r'<tr data-metric="(\w+)".*?<td class="num[^"]*" data-value[^>]*>(.*?)</td>', html, re.S
        )
    )


@pytest.fixture
def signed_in_analyst(client, analyst):
    client.force_login(analyst)
    return client


@pytest.mark.parametrize(
    ("page", "args", "scope"),
    [("national", [], {}), ("province", ["51"], {"province": ["51"]})],
)
def test_a_dashboard_ships_no_table_but_a_link_to_each(
    signed_in_analyst,
    two_cycles,  # noqa: F811
    page,
    args,
    scope,
):
    response = signed_in_analyst.get(
        reverse(f"reports:{page}", args=args), {"year": 2023, "baseline": 2019}
    )
    html = response.content.decode()
    assert "<table" not in html
    urls = table_urls(html)
    assert [urlsplit(url).path for url in urls] == [
        reverse("reports:table", args=[key]) for key in dashboard.panel_keys()
    ]
    for url in urls:
        assert parse_qs(urlsplit(url).query) == {"year": ["2023"], "baseline": ["2019"], **scope}
        # Without JavaScript, the opened <details> offers the same page as a link.
        assert f'<a href="{url.replace("&", "&amp;")}">' in html


def test_each_linked_table_has_the_rows_of_its_panel(signed_in_analyst, two_cycles):  # noqa: F811
    page = signed_in_analyst.get(reverse("reports:province", args=["51"]), {"year": 2023})
    board = page.context["board"]
    for url in table_urls(page.content.decode()):
        table = signed_in_analyst.get(url)
        assert table.status_code == 200, url
        html = table.content.decode()
        assert html.count("<table") == 1 and "data-table-fragment" in html
        key = urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]
        rows = (
            board.headline
            if key == "growth"
            else next(data.rows for data in board.panels if data.panel.key == key)
        )
        assert list(metric_cells(html)) == [row.code for row in rows], key
    url = reverse("reports:table", args=["equipment"])
    province = signed_in_analyst.get(url, {"year": 2023, "province": "51"}).content.decode()
    national = signed_in_analyst.get(url, {"year": 2023}).content.decode()
    assert metric_cells(province)["eq_pet_ct"] == "3"
    assert metric_cells(national)["eq_pet_ct"] == "4"  # and Tibet's
    # A province's table also gives densities and ranks, as the province page's did.
    assert province.count('<th scope="col"') == national.count('<th scope="col"') + 2


def test_a_table_comes_from_the_pages_cached_figures(
    signed_in_analyst,
    two_cycles,  # noqa: F811
    monkeypatch,
):
    page = signed_in_analyst.get(reverse("reports:national"), {"year": 2023, "baseline": 2019})
    from reports.views import dashboards

    def recomputed(*args, **kwargs):
        raise AssertionError("the table recomputed the dashboard")

    monkeypatch.setattr(dashboards, "_dashboard_data", recomputed)
    for url in table_urls(page.content.decode()):
        assert signed_in_analyst.get(url).status_code == 200


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/reports/table/nope/", {"year": 2023}),
        ("/reports/table/equipment/", {"province": "99"}),
        ("/reports/table/<script>/", {}),
        ("/reports/table/__class__/", {}),
        # A growth needs a baseline, and 2019 is the first cycle.
        ("/reports/table/growth/", {"year": 2019}),
    ],
)
def test_an_unknown_table_or_scope_is_404(signed_in_analyst, two_cycles, path, query):  # noqa: F811
    assert signed_in_analyst.get(path, query).status_code == 404


@pytest.mark.parametrize("query", [{"year": "abc", "baseline": "x"}, {"year": "1900"}, {}])
def test_odd_years_give_the_default_years_as_the_page_does(
    signed_in_analyst,
    two_cycles,  # noqa: F811
    query,
):
    table = signed_in_analyst.get(reverse("reports:table", args=["equipment"]), query)
    page = signed_in_analyst.get(reverse("reports:national"), query)
    assert table.status_code == 200
    shown = (table.context["board"].year, table.context["board"].baseline)
    assert shown == (page.context["board"].year, page.context["board"].baseline)
    assert shown[0] == 2023


@pytest.fixture
def tibet_two_hospitals(db):
    """Accepted reports: Tibet's PET/CT units come from two hospitals, the others' from three."""
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


def test_a_table_blanks_for_the_public_and_marks_for_the_analyst(
    client, analyst, tibet_two_hospitals
):
    url = reverse("reports:table", args=["equipment"])
    public = client.get(url, {"province": "54"}).content.decode()
    assert metric_cells(public)["eq_pet_ct"] == "—"
    assert "data-hidden-from-public" not in public and ">4<" not in public
    client.force_login(analyst)
    entitled = client.get(url, {"province": "54"}).content.decode()
    assert metric_cells(entitled)["eq_pet_ct"] == "4"
    assert 'data-hidden-from-public title="' in entitled


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_charts_reserve_their_height_and_load_plotly_only_from_charts_js(
    signed_in_analyst,
    two_cycles,  # noqa: F811
    language,
):
    signed_in_analyst.cookies["django_language"] = language
    page = signed_in_analyst.get(reverse("reports:national"), {"year": 2023, "baseline": 2019})
    html = page.content.decode()
    heights = {key: figure["layout"]["height"] for key, figure in _figures(page).items()}
    for key, height in heights.items():
        assert f'data-figure="figure-{key}" style="min-height: {height}px"' in html
    # plotly.js (a megabyte) is no <script> of the page: charts.js loads it when a chart nears.
    assert not re.search(r"<script[^>]+src=\"[^\"]*plotly", html)
    assert re.search(r'<script src="[^"]*charts[^"]*\.js" data-plotly="[^"]*plotly-basic', html)


def _figures(page):
    return {"growth": page.context["growth_figure"]} | {
        data.panel.key: figure for data, figure in page.context["panels"]
    }


@pytest.mark.browser
def test_in_a_browser_charts_draw_as_they_come_into_view_and_tables_when_opened(
    browser,
    transactional_db,
    live_server,
    two_cycles,  # noqa: F811
    make_user,
):
    from tests.browser import PageWatch, log_in, screenshot
    from tests.conftest import PASSWORD

    make_user("analyst", username="analyst")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, "analyst", PASSWORD)
    page.goto(
        f"{live_server.url}{reverse('reports:national')}?year=2023&baseline=2019",
        wait_until="networkidle",
    )
    assert 1 <= page.locator(".js-plotly-plot").count() < 10  # the first screen's only
    assert page.locator("table").count() == 0
    draw_every_chart(page, 10)
    screenshot(page, "dashboard-lazy-scrolled")

    page.locator("#panel-equipment details summary").click()
    cell = page.locator("#panel-equipment tr[data-metric='eq_pet_ct'] td[data-value]")
    assert cell.inner_text() == "4"
    assert page.locator("#panel-equipment [data-table-slot] > a").count() == 0
    page.locator("#panel-equipment").screenshot(path=str(_artifact("dashboard-lazy-table")))

    # Printing: every chart drawn, every table fetched and unfolded, folded again after.
    page.reload(wait_until="networkidle")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(".js-plotly-plot").count() == 10
    assert page.locator("details[open] table.data").count() == 10
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details[open]").count() == 0
    assert watch.errors == []
    assert watch.foreign == []
    context.close()


@pytest.mark.browser
def test_without_javascript_a_folded_table_links_to_its_page(
    browser,
    transactional_db,
    live_server,
    two_cycles,  # noqa: F811
):
    Report.objects.update(status="accepted")  # what the public sees: published reports
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('reports:national')}?year=2023&baseline=2019")
    page.locator("#panel-equipment details summary").click()
    page.locator("#panel-equipment details a").click()
    page.wait_for_url(f"**{reverse('reports:table', args=['equipment'])}?**")
    assert page.locator("table.data tr[data-metric='eq_pet_ct']").count() == 1
    context.close()
