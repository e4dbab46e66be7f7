"""The dashboard as one workbook: an About sheet and a sheet per panel, figures as numbers
with number formats, disclosure applied as on the page."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from reports import privacy
from reports.panels import PANELS


def workbook(client, **query):
    response = client.get(reverse("reports:workbook"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows_by_code(sheet):
    """{code: {header: cell}} of a panel sheet (the code is the second column)."""
    header = [cell.value for cell in sheet[1]]
    return {row[1].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}


@pytest.mark.django_db
def test_the_workbook_has_an_about_sheet_and_one_sheet_per_panel(client, loaded_demo, analyst):
    client.force_login(analyst)
    book = workbook(client, year=2023, baseline=2019)
    assert len(book.sheetnames) == 1 + len(PANELS)
    assert all(len(name) <= 31 for name in book.sheetnames)
    # Translated: the Chinese interface names its sheets in Chinese.
    assert book.sheetnames[1:3] == ["机构与开展项目", "设备"]
    client.cookies["django_language"] = "en"
    english = workbook(client, year=2023, baseline=2019).sheetnames
    with translation.override("en"):
        titles = [str(panel.title) for panel in PANELS]
    assert english[0] == "About"
    assert english[1:] == [title[:31] for title in titles]


def _growth_header(sheet):
    # The header after the baseline year's column: its words depend on the language.
    header = [cell.value for cell in sheet[1]]
    return header[header.index("2019") + 1]


@pytest.mark.django_db
def test_a_known_figure_is_a_number_with_its_number_format(client, loaded_demo, analyst):
    client.force_login(analyst)
    book = workbook(client, year=2023, baseline=2019)
    equipment = rows_by_code(book[book.sheetnames[2]])
    positron = equipment["eq_positron_total"]
    assert positron["2023"].value == 772 and positron["2023"].number_format == "#,##0"
    growth = positron[_growth_header(book[book.sheetnames[2]])]
    assert growth.value == pytest.approx(80.8) and growth.number_format == "0.0"
    about = book[book.sheetnames[0]]
    assert about["B2"].value == 2023 and about["B3"].value == 2019
    assert about.column_dimensions["A"].width >= 10


@pytest.mark.django_db
def test_a_public_workbook_does_not_contain_a_suppressed_figure(client, loaded_demo):
    from django.contrib.auth.models import AnonymousUser

    tibet = "54"
    disclosure = privacy.disclosure_for(AnonymousUser(), tibet, 2023, 2019)
    assert disclosure.hidden, "the demo's Tibet has figures the public does not see"
    full = privacy.compare(year=2023, province=tibet, disclosure=privacy.FULL_ACCESS)
    book = workbook(client, year=2023, baseline=2019, province=tibet)
    cells = {}
    for sheet in book.worksheets[1:]:
        cells.update(rows_by_code(sheet))
    blanked = [code for code in disclosure.hidden if code in cells]
    assert blanked
    for code in blanked:
        assert cells[code]["2023"].value is None, code
    # Nor do the full figures appear anywhere as values of those rows.
    assert all(
        cells[code]["2023"].value != full[code].value for code in blanked if full[code].value
    )


@pytest.mark.django_db
def test_the_dashboard_links_the_workbook_and_the_slides(client, loaded_demo):
    page = client.get(reverse("reports:province", args=["51"]), {"year": 2023, "baseline": 2019})
    html = page.content.decode()
    assert reverse("reports:workbook") + "?year=2023&amp;baseline=2019&amp;province=51" in html
    assert reverse("reports:deck") + "?year=2023&amp;baseline=2019&amp;province=51" in html


@pytest.mark.django_db
def test_the_dashboards_open_with_their_headline_figures(client, loaded_demo, analyst):
    client.force_login(analyst)
    html = client.get(reverse("reports:national"), {"year": 2023, "baseline": 2019}).content
    headline = html.decode().split('id="headline-figures"')[1].split("</ul>")[0]
    positron = headline.split('data-metric="eq_positron_total"')[1].split("</li>")[0]
    assert '<span class="headline-value">772</span>' in positron and "+80.8%" in positron
    assert '<span class="headline-value">1,381,758</span>' in headline


@pytest.mark.django_db
def test_a_headline_figure_the_public_does_not_see_reads_a_dash(client, loaded_demo):
    page = client.get(reverse("reports:province", args=["54"]), {"year": 2023, "baseline": 2019})
    figures = page.context["board"].headline_figures
    blanked = [row.code for row in figures if row.value is None]
    assert blanked, "the demo's Tibet has a headline figure the public does not see"
    html = page.content.decode()
    for code in blanked:
        cell = html.split(f'class="headline-figure" data-metric="{code}"')[1].split("</li>")[0]
        assert '<span class="headline-value">—</span>' in cell
