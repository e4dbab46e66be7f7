"""Charts people can take away: numbers formatted as the tables print them, the institution
profile's scales, and (in a real browser, under the app's CSP) the PNG and SVG downloads and
plotly.js's toolbar in Chinese."""

import json
import re

import pytest
from django.urls import reverse

from reports import formatting
from tests.browser import PageWatch, log_in, screenshot
from tests.test_dashboards import two_cycles  # noqa: F401  (the data the pages show)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# plotly's SI prefixes come with d3's "s" type or the default exponentformat "B".
SI_FORMAT = re.compile(r"s$|~s$")


def _dashboard_figures(client):
    page = client.get(reverse("reports:national"), {"year": 2023, "baseline": 2019})
    return {"growth": page.context["growth_figure"]} | {
        data.panel.key: figure for data, figure in page.context["panels"]
    }


def _axes(figure):
    layout = figure["layout"]
    return [layout[name] for name in layout if re.fullmatch(r"[xy]axis\d*", name)]


def test_every_dashboard_chart_formats_numbers_as_the_tables(client, analyst, two_cycles):  # noqa: F811
    client.force_login(analyst)
    figures = _dashboard_figures(client)
    assert len(figures) == 10  # the growth and the nine panels
    for key, figure in figures.items():
        assert figure["layout"]["separators"] == ".,", key
        for axis in _axes(figure):
            assert axis.get("exponentformat") == "none", key
            assert not SI_FORMAT.search(axis.get("tickformat", "")), key
        for trace in figure["data"]:
            assert "hovertemplate" in trace, key
    # Counts as "68,501", growth as "23.3%", on hovers and axes.
    equipment = figures["equipment"]
    assert {trace["hovertemplate"] for trace in equipment["data"]} == {
        f"%{{y}}: %{{x:{formatting.D3_COUNT}}}"
    }
    assert equipment["layout"]["xaxis"]["tickformat"] == ",~f"
    growth = figures["growth"]
    for trace in growth["data"]:
        assert f"%{{x:{formatting.D3_PERCENT}}}%" in trace["hovertemplate"]
    assert growth["layout"]["xaxis"]["tickformat"] == ",.1~f"
    assert growth["layout"]["xaxis"]["ticksuffix"] == "%"


def test_the_province_chart_hovers_densities_with_two_decimals(client, analyst, two_cycles):  # noqa: F811
    client.force_login(analyst)
    figure = client.get(reverse("reports:provinces"), {"year": 2023}).context["figure"]
    assert f"%{{y:{formatting.D3_DENSITY}}}" in figure["data"][0]["hovertemplate"]
    assert figure["layout"]["yaxis"]["tickformat"] == ",.2~f"


def test_the_institution_profile_draws_equipment_and_activity_on_their_own_scales(
    client,
    analyst,
    two_cycles,  # noqa: F811
):
    client.force_login(analyst)
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("reports:institution", args=[two_cycles.code]))
    figures = dict(page.context["figures"])
    assert list(figures) == ["equipment", "activity", "staff"]
    equipment = {trace["name"]: trace["y"] for trace in figures["equipment"]["data"]}
    # Its 1 then 3 positron units (1 PET/CT in 2019; 2 PET/CT and 1 PET/MR in 2023), alone on
    # an axis ticking at whole units, not flat under the treatments.
    assert equipment["Positron imaging units"] == [1, 3]
    assert figures["equipment"]["layout"]["yaxis"]["dtick"] == 1
    activity = {trace["name"]: trace["y"] for trace in figures["activity"]["data"]}
    assert activity["Treatments"] == [None, 50]
    assert not set(activity) & set(equipment)
    assert figures["equipment"]["layout"]["title"]["text"] == "Equipment units by survey year"
    html = page.content.decode()
    for key in figures:
        assert f'id="figure-{key}"' in html
    assert f"<title>{two_cycles.name}</title>" in html


@pytest.mark.browser
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_chart_downloads_as_png_and_svg_under_the_csp(
    browser,
    transactional_db,
    live_server,
    two_cycles,  # noqa: F811
    make_user,
    language,
):
    from tests.conftest import PASSWORD

    make_user("analyst", username="analyst")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, "analyst", PASSWORD)
    page.goto(
        f"{live_server.url}{reverse('reports:national')}?year=2023&baseline=2019",
        wait_until="networkidle",
    )
    # Drawn when it nears the viewport.
    page.locator("#panel-equipment .chart").scroll_into_view_if_needed()
    buttons = page.locator("#panel-equipment .modebar-btn")
    png_title, svg_title = (
        ("下载图表为PNG格式", "下载图表为SVG格式")
        if language == "zh-hans"
        else ("Download plot as a PNG", "Download plot as an SVG")
    )
    # The toolbar speaks the page's language (plotly.js's zh-CN locale).
    page.locator("#panel-equipment .js-plotly-plot").hover()
    if language == "zh-hans":
        assert page.locator("#panel-equipment .modebar-btn[data-title='缩放']").count() == 1
    png_button = buttons.and_(page.locator(f"[data-title='{png_title}']"))
    with page.expect_download() as download:
        png_button.click()
    assert download.value.suggested_filename == "equipment.png"
    png = open(download.value.path(), "rb").read()
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000
    svg_button = buttons.and_(page.locator(f"[data-title='{svg_title}']"))
    with page.expect_download() as download:
        svg_button.click()
    assert download.value.suggested_filename == "equipment.svg"
    svg = open(download.value.path(), "rb").read().decode()
    assert svg.startswith("<svg") and "PET/CT" in svg
    screenshot(page, f"chart-download-{language}")
    assert watch.errors == []  # a CSP refusal is a console error
    assert watch.foreign == []
    context.close()


@pytest.mark.browser
def test_the_tile_map_draws_31_tiles_and_answers_a_hover(
    browser,
    transactional_db,
    live_server,
    two_cycles,  # noqa: F811
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    from survey.models import Report

    Report.objects.update(status="accepted")  # what the public sees: published reports
    page.goto(f"{live_server.url}{reverse('reports:provinces')}", wait_until="networkidle")
    tiles = page.locator("#tile-map-panel g.textpoint")
    assert tiles.count() == 31
    assert page.locator("#tile-map-panel path[style*='fill']").count() >= 31
    sichuan = page.locator("#tile-map-panel g.textpoint", has_text="四川")
    box = sichuan.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "四川省" in page.locator("#tile-map-panel .hoverlayer").text_content()
    screenshot(page, "provinces-map-zh-hans")
    assert watch.errors == []
    assert json.loads(page.locator("#figure-tile-map").inner_text())["data"]
    context.close()
