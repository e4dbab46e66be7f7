"""The status report as a slide deck: one native chart per topic with the scope's figures, in
the viewer's language, and no figure the viewer may not see."""

import io

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from departments.models import Province
from reports import deck, metrics, privacy
from reports.formatting import NOT_REPORTED, number
from survey.instrument.items import GROUPS
from survey.models import Report

SICHUAN = "51"
TOPICS = {topic.key: topic for topic in deck.TOPICS}
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]


def download(client, **query):
    response = client.get(reverse("reports:deck"), {"year": 2023, "baseline": 2019, **query})
    assert response.status_code == 200
    return response, Presentation(io.BytesIO(response.content))


def slide_of(presentation, key):
    """The slide of topic `key` (the first slide is the title)."""
    return presentation.slides[1 + list(TOPICS).index(key)]


def chart_of(slide):
    [chart] = [shape.chart for shape in slide.shapes if shape.has_chart]
    return chart


def table_of(slide):
    [table] = [shape.table for shape in slide.shapes if shape.has_table]
    return [[cell.text for cell in row.cells] for row in table.rows]


def series_values(chart):
    return {series.name: list(series.values) for series in chart.plots[0].series}


def title_of(slide):
    return slide.shapes[0].text_frame.text


def reports_2023_and_2019(province=None):
    """Every report of each year (an analyst's figures count drafts too), for ORM sums."""
    by_year = {year: Report.objects.for_year(year) for year in (2023, 2019)}
    if province:
        by_year = {year: reports.in_province(province) for year, reports in by_year.items()}
    return by_year


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


def test_a_province_deck_has_a_title_slide_and_one_native_chart_per_topic(analyst_client):
    response, presentation = download(analyst_client, province=SICHUAN)
    assert response["Content-Type"] == deck.CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="deck-51-2023.pptx"'
    assert len(presentation.slides) == 1 + len(deck.TOPICS)
    assert not any(shape.has_chart for shape in presentation.slides[0].shapes)
    for slide in list(presentation.slides)[1:]:
        charts = [shape for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1
        # A native chart, with its data editable in PowerPoint: not a picture.
        assert charts[0].chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
        assert not any(shape.shape_type == 13 for shape in slide.shapes)  # MSO_SHAPE_TYPE.PICTURE


def test_the_equipment_chart_gives_sichuans_units_of_both_years(analyst_client):
    _response, presentation = download(analyst_client, province=SICHUAN)
    codes = TOPICS["equipment"].chart
    expected = {
        str(year): [reports.aggregate(n=Sum(code))["n"] for code in codes]
        for year, reports in reports_2023_and_2019(SICHUAN).items()
    }
    assert series_values(chart_of(slide_of(presentation, "equipment"))) == expected
    assert expected["2023"][0] > 10  # Sichuan's PET/CT units: a figure, not an empty chart


def test_the_nations_opinions_chart_gives_the_shares_of_institutions(analyst_client):
    _response, presentation = download(analyst_client)
    # The radiopharmaceutical supply was first asked in 2028: no bar, never a share of 0.
    codes = [code for code in TOPICS["opinions"].chart if metrics.metrics()[code].asked_in(2023)]
    assert len(codes) == len(TOPICS["opinions"].chart) - 1
    expected = {}
    for year, reports in reports_2023_and_2019().items():
        total = reports.count()
        items = [code.removeprefix("inst_") for code in codes]
        expected[str(year)] = [
            round(100 * reports.filter(**{item: True}).count() / total, 1) for item in items
        ]
    assert series_values(chart_of(slide_of(presentation, "opinions"))) == expected


def test_a_provinces_shares_stand_beside_the_nations(analyst_client, sichuan):
    _response, presentation = download(analyst_client, province=SICHUAN)
    values = series_values(chart_of(slide_of(presentation, "personnel")))
    staff = {}
    for name, province in ((sichuan.name, SICHUAN), ("全国", None)):
        reports = reports_2023_and_2019(province)[2023]
        total = sum(reports.aggregate(n=Sum(code))["n"] or 0 for code in GROUPS["staff_total"])
        physicians = reports.aggregate(n=Sum("staff_physicians"))["n"]
        staff[name] = round(100 * physicians / total, 1)
    assert {name: shares[0] for name, shares in values.items()} == staff


def test_the_table_gives_rank_density_and_the_national_figure(analyst_client, sichuan):
    _response, presentation = download(analyst_client, province=SICHUAN)
    header, *rows = table_of(slide_of(presentation, "equipment"))
    positron = next(row for row in rows if row[0] == "正电子显像设备")
    reports = reports_2023_and_2019(SICHUAN)[2023]
    units = sum(reports.aggregate(n=Sum("eq_pet_ct"), m=Sum("eq_pet_mri")).values())
    national = reports_2023_and_2019()[2023].aggregate(n=Sum("eq_pet_ct"), m=Sum("eq_pet_mri"))
    assert positron[1] == number(units)
    assert positron[4] == f"{units / sichuan.population_millions:.2f}"
    assert positron[5].endswith("/31")
    assert positron[6] == number(sum(national.values())) == "772"


def test_titles_are_chinese_by_default_and_english_in_english(analyst_client):
    _response, chinese = download(analyst_client, province=SICHUAN)
    equipment = slide_of(chinese, "equipment")
    assert title_of(equipment) == "设备"
    assert "四川" in chart_of(equipment).chart_title.text_frame.text
    analyst_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _response, english = download(analyst_client, province=SICHUAN)
    equipment = slide_of(english, "equipment")
    assert title_of(equipment) == "Equipment"
    assert "Sichuan" in chart_of(equipment).chart_title.text_frame.text
    assert "Sichuan" in presentation_text(english.slides[0])


def presentation_text(slide):
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def chart_workbook_values(chart):
    """Every cell value of the workbook embedded behind a chart (what Edit Data opens)."""
    blob = chart.part.chart_workbook.xlsx_part.blob
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    return [cell.value for row in sheet.iter_rows() for cell in row]


def test_the_public_deck_shows_a_suppressed_figure_nowhere(client):
    """A Sichuan figure the public does not see (the disclosure control hides it) is "—" in
    the table, has no bar, and is in no chart's data or workbook, its full value nor its
    published one."""
    disclosure = privacy.disclosure_for(AnonymousUser(), SICHUAN, 2023, 2019)
    full = privacy.compare(year=2023, province=SICHUAN)
    public = privacy.compare(year=2023, province=SICHUAN, disclosure=disclosure)
    charted = [(topic.key, code) for topic in deck.TOPICS for code in topic.chart]
    hidden = [(key, code) for key, code in charted if code in disclosure.hidden]
    assert hidden, "the demo has charted Sichuan figures the public does not see"
    key, code = max(hidden, key=lambda pair: full[pair[1]].value or 0)
    secrets = {full[code].value, public[code].value} - {None}
    assert min(secrets) > 100  # distinctive enough not to be some other figure by chance

    _response, presentation = download(client, province=SICHUAN)
    slide = slide_of(presentation, key)
    chart = chart_of(slide)
    index = TOPICS[key].chart.index(code)
    # No 2023 bar (the baseline's figure is another, shown in 2019).
    assert series_values(chart)["2023"][index] is None
    label = chart.plots[0].categories[index].replace("\n", "")
    row = next(row for row in table_of(slide)[1:] if row[0] == label)
    assert row[1] == NOT_REPORTED
    for shown in presentation.slides:
        text = presentation_text(shown)
        cells = [cell.rstrip("*†") for line in tables_of(shown) for cell in line]
        charts = [shape.chart for shape in shown.shapes if shape.has_chart]
        for secret in secrets:
            assert number(secret) not in text
            assert number(secret) not in cells
            for each in charts:
                assert secret not in [v for vs in series_values(each).values() for v in vs]
                assert secret not in chart_workbook_values(each)


def tables_of(slide):
    return [line for shape in slide.shapes if shape.has_table for line in table_of(slide)]


@pytest.mark.parametrize("province", ["99", "<script>", "5"])
def test_an_unknown_province_is_not_found(analyst_client, province):
    response = analyst_client.get(reverse("reports:deck"), {"province": province})
    assert response.status_code == 404


def test_a_year_without_reports_gives_the_latest_deck(analyst_client):
    response = analyst_client.get(reverse("reports:deck"), {"year": "1999", "baseline": "x"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="deck-national-2023.pptx"'


def test_a_deck_takes_as_many_queries_for_any_province(analyst):
    """Built on the dashboards' grouped queries: no query per topic, figure or province."""
    counts = []
    for code in (SICHUAN, "54"):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            scope = deck.scope_for(
                analyst, year=2023, baseline=2019, province=Province.objects.get(code=code)
            )
            deck.write(scope)
        counts.append(len(queries))
    assert counts[0] == counts[1] < 60
