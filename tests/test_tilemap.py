"""The tile-grid map of the provinces page: 31 equal tiles, one per province, coloured by
the density per million, disclosing exactly what the province table does."""

import json

import pytest
from django.urls import reverse

from departments.models import Province
from reports import tilemap


def _tiles(figure):
    """{(row, column): (text, customdata)} of the map's tile trace."""
    trace = figure["data"][0]
    return {
        (y, x): (text, hover)
        for x, y, text, hover in zip(
            trace["x"], trace["y"], trace["text"], trace["customdata"], strict=True
        )
    }


@pytest.fixture
def tibet_published(db):
    """Accepted reports: Tibet's 4 PET/CT units come from two hospitals (too few to publish),
    Sichuan's 6 and four other provinces' from three each."""
    from departments.models import Institution
    from survey.models import Cycle, Report

    Cycle.objects.create(year=2023, is_open=True)
    for province, units in {
        "54": (1, 3, 0),
        **{p: (2, 2, 2) for p in ("11", "31", "32", "44", "51")},
    }.items():
        for n, count in enumerate(units):
            institution = Institution.objects.create(
                code=f"B{province}{n}", name_zh="医院", province_id=province
            )
            Report.objects.create(
                institution=institution,
                cycle_id=2023,
                status="accepted",
                eq_pet_ct=count,
                eq_owner_nm=count,  # the owners add up: no owner figure gives it away
            )


def test_every_province_has_one_tile_at_its_own_place(db):
    assert set(tilemap.TILES) == set(Province.objects.values_list("code", flat=True))
    places = [(row, column) for row, column, _abbr in tilemap.TILES.values()]
    assert len(places) == len(set(places)) == 31
    # Roughly where they lie: Heilongjiang top right, Xinjiang left, Hainan at the bottom,
    # Beijing above Hebei beside Tianjin.
    assert tilemap.TILES["23"][:2] == (0, tilemap.COLUMNS - 1)
    assert tilemap.TILES["65"][1] == min(column for _row, column in places)
    assert tilemap.TILES["46"][0] == tilemap.ROWS - 1
    hebei = tilemap.TILES["13"][:2]
    assert tilemap.TILES["11"][:2] == (hebei[0] - 1, hebei[1])
    assert tilemap.TILES["12"][:2] == (hebei[0], hebei[1] + 1)


def test_the_provinces_page_maps_positron_units_per_million_on_31_tiles(client, tibet_published):
    page = client.get(reverse("reports:provinces"), {"year": 2023})
    figure = page.context["tile_map"]
    assert len(figure["layout"]["shapes"]) == 31
    tiles = _tiles(figure)
    assert len(tiles) == 31
    # Sichuan's 6 units over 83.68 million residents: 0.07 per million, on the tile and hover.
    row, column, _abbr = tilemap.TILES["51"]
    text, hover = tiles[(row, column)]
    assert text == "四川<br>0.07"
    assert hover == ["四川省", "6", "0.07"]
    assert 'id="figure-tile-map"' in page.content.decode()


def test_the_public_map_shows_a_hidden_figure_as_a_grey_dash(client, tibet_published):
    figure = client.get(reverse("reports:provinces"), {"year": 2023}).context["tile_map"]
    row, column, _abbr = tilemap.TILES["54"]
    text, hover = _tiles(figure)[(row, column)]
    assert text == "西藏<br>—"
    assert hover[1:] == ["—", "—"]
    tibet = next(
        shape
        for shape in figure["layout"]["shapes"]
        if (shape["x0"] + shape["x1"]) / 2 == column and (shape["y0"] + shape["y1"]) / 2 == row
    )
    assert tibet["fillcolor"] == tilemap.NOT_SHOWN
    # Tibet's 4 units (1.10 per million) are nowhere in what the page sends.
    assert "1.10" not in json.dumps(figure)
    assert all(hover[1] != "4" for _text, hover in _tiles(figure).values())


def test_an_analyst_sees_the_hidden_figure_on_the_map(client, analyst, tibet_published):
    client.force_login(analyst)
    client.post(reverse("set_language"), {"language": "en"})
    figure = client.get(reverse("reports:provinces"), {"year": 2023}).context["tile_map"]
    row, column, _abbr = tilemap.TILES["54"]
    text, hover = _tiles(figure)[(row, column)]
    assert text == "XZ<br>1.10"
    assert hover == ["Tibet", "4", "1.10"]
    assert "Positron imaging units per million residents, 2023" in figure["layout"]["title"]["text"]


def test_the_map_shows_the_metric_asked_for_and_refuses_an_unknown_one(client, tibet_published):
    page = client.get(reverse("reports:provinces"), {"year": 2023, "metric": "staff_total"})
    assert page.context["mapped"] == "staff_total"
    html = page.content.decode()
    assert '<option value="staff_total" selected>' in html
    url = reverse("reports:provinces")
    assert client.get(url, {"year": 2023, "metric": "<script>"}).status_code == 404
