"""The brief report as the publication: on the demo (which reproduces the 2024 brief report),
the analyst's report states every figure of `published-2023.csv` with its printed precision, in
Chinese and English, on the page, in the text and in the .docx; lists are lists; the public's
report blanks what disclosure control hides."""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation
from docx import Document

from departments.models import Province
from reports import brief, consistency, metrics, privacy
from reports.views.brief import DOCX
from survey.instrument import items as instrument

LANGUAGES = ("zh-hans", "en")
SICHUAN = "51"


def printed_forms():
    """(row, the form the report must print it in) for every 2023 national figure and the
    2019 counts it grows from."""
    forms = []
    for row in consistency.read_published():
        value, unit = row["value"], row["unit"]
        if unit == "count":
            forms.append((row, f"{int(value):,}"))
        elif unit == "percent":
            forms.append((row, f"{value}%"))
        elif row["metric"] == "tx_total":
            forms.append((row, "8.6%"))  # what the data (and the printed counts) give
        else:
            forms.append((row, f"{value.lstrip('-')}%"))
    return forms


def stated(form, text):
    """Whether `text` prints `form` as a number of its own (not "1,237" inside "11,237")."""
    return re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d%]|[.,]\d)", text) is not None


def get(client, language, **query):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("reports:brief"), {"year": 2023, "baseline": 2019, **query})


def docx_text(content):
    document = Document(io.BytesIO(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


@pytest.fixture
def analyst_client(client, analyst, loaded_demo):
    client.force_login(analyst)
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_analysts_report_states_every_published_figure(analyst_client, language):
    text = get(analyst_client, language, download="txt").content.decode()
    missing = [(row["metric"], form) for row, form in printed_forms() if not stated(form, text)]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_docx_states_every_published_figure_with_headings_and_tables(analyst_client, language):
    response = get(analyst_client, language, download="docx")
    assert response["Content-Type"] == DOCX
    assert 'filename="brief-national-2023.docx"' in response["Content-Disposition"]
    text = docx_text(response.content)
    missing = [(row["metric"], form) for row, form in printed_forms() if not stated(form, text)]
    assert missing == []
    document = Document(io.BytesIO(response.content))
    with translation.override(language):
        assert document.paragraphs[0].text == brief.title(year=2023)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == len(brief.TABLES)
    equipment = next(t for t in document.tables if "772" in [c.text for c in t.rows[1].cells])
    assert [c.text for c in equipment.rows[1].cells][1:] == ["772", "427", "80.8%"]


def test_figures_follow_the_publications_order(analyst_client):
    text = get(analyst_client, "en", download="txt").content.decode()
    # The first figure of each part of the 2024 report, in its order.
    leads = ["1,237", "772", "1,381,758", "588", "801", "42,556,296", "15,677", "1,569", "66%"]
    positions = [re.search(rf"(?<![\d.,]){re.escape(lead)}", text).start() for lead in leads]
    assert positions == sorted(positions)


def test_the_growth_of_treatments_reads_what_the_data_give_and_notes_the_print(analyst_client):
    text = get(analyst_client, "en", download="txt").content.decode()
    assert (
        "They gave 570,840 treatments, an increase of 8.6% (up from 525,480 in 2019; the 2024 "
        "brief report printed 8.0%)"
    ) in text
    # The other printed growths agree with the data: no note beside them.
    assert text.count("printed") == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_category_is_named_once_and_parts_go_by_their_own_words(analyst_client, language):
    text = get(analyst_client, language, download="txt").content.decode()
    with translation.override(language):
        for group, parts in instrument.GROUPS.items():
            assert text.count(str(instrument.label(group))) <= 1, group
            for code in parts:
                label = str(metrics.metrics()[code].label)
                if brief.short_label(code) != label:
                    assert label not in text, code


def test_lists_are_written_as_lists(analyst_client):
    english = get(analyst_client, "en", download="txt").content.decode()
    assert "By role: physicians 43.0%, technicians 28.5%, nurses 22.6%," in english
    assert "tumour 93.78%, nervous system 2.36%, 68Ga imaging 1.44%," in english
    chinese = get(analyst_client, "zh-hans", download="txt").content.decode()
    assert "按岗位：医师 43.0%、技师 28.5%、护士 22.6%、" in chinese
    # Treatment names hold 、 themselves: their list goes by ；.
    assert "（瘢痕疙瘩、婴幼儿草莓状血管瘤） 37.4%；" in chinese


def test_english_sentences_are_separated_by_a_space(analyst_client):
    page = get(analyst_client, "en")
    paragraphs = [p for section in page.context["brief"] for p in section.paragraphs]
    glued = [p for p in paragraphs if re.search(r"[a-z%)\d]\.[A-Z]", p)]
    assert paragraphs and glued == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_text_download_starts_with_the_title(analyst_client, language):
    response = get(analyst_client, language, download="txt")
    assert 'filename="brief-national-2023.txt"' in response["Content-Disposition"]
    with translation.override(language):
        assert response.content.decode().startswith(brief.title(year=2023) + "\n\n")


def test_the_page_links_its_downloads_and_the_slides(analyst_client):
    page = get(analyst_client, "en", province=SICHUAN).content.decode()
    query = f"year=2023&amp;baseline=2019&amp;province={SICHUAN}"
    assert f'href="?{query}&amp;download=txt"' in page
    assert f'href="?{query}&amp;download=docx"' in page
    assert f'href="{reverse("reports:deck")}?{query}"' in page


def test_a_province_report_is_the_provinces_and_named_by_its_name(analyst_client):
    sichuan = Province.objects.get(code=SICHUAN)
    page = get(analyst_client, "en", province=SICHUAN)
    html = page.content.decode()
    assert f"<h1>Nuclear medicine in {sichuan.name}, 2023</h1>" in html
    assert f"<title>Nuclear medicine in {sichuan.name}, 2023" in html
    figures = metrics.compare(year=2023, baseline=2019, province=SICHUAN)
    staff = figures["staff_total"]
    text = get(analyst_client, "en", province=SICHUAN, download="txt").content.decode()
    assert text.startswith(f"Nuclear medicine in {sichuan.name}, 2023\n\n")
    assert f"{staff.value:,} people work in nuclear medicine in {sichuan.name}" in text
    assert f"(up from {staff.baseline:,} in 2019)" in text
    # The printed national growths are no province's: no note of the publication.
    assert "brief report printed" not in text
    response = get(analyst_client, "en", province=SICHUAN, download="docx")
    assert 'filename="brief-51-2023.docx"' in response["Content-Disposition"]
    assert f"{staff.value:,}" in docx_text(response.content)


def test_figures_the_year_did_not_ask_read_not_asked(loaded_demo, english):
    """2023 asked no 177Lu treatments nor therapy wards (asked from 2028): its lists leave
    them out, and a figure of them reads "not asked in 2023", neither 0 nor —."""
    text = brief.as_text(brief.write(year=2023, baseline=2019))
    assert "177Lu" not in text and "not asked" not in text
    comparison = privacy.compare(year=2023, baseline=2019)
    writer = brief._Writer(comparison, 2023, 2019, None)
    assert writer.value("therapy_wards") == "not asked in 2023"
    assert writer.value("tx_lu177_psma") == "not asked in 2023"


def test_the_public_gets_a_dash_for_each_figure_disclosure_hides(client, loaded_demo, english):
    tibet = Province.objects.get(code="54")
    disclosure = privacy.disclosure_for(AnonymousUser(), tibet.code, 2023, 2019)
    assert disclosure.hidden  # a small province: some figures would give a hospital away
    public = brief.write(year=2023, baseline=2019, province=tibet, disclosure=disclosure)
    full = brief.write(year=2023, baseline=2019, province=tibet)
    public_rows = {row.code: row for section in public for row in section.table}
    full_rows = {row.code: row for section in full for row in section.table}
    hidden = [code for code in public_rows if code in disclosure.hidden]
    assert hidden
    for code in hidden:
        assert public_rows[code].value == "—"
        assert full_rows[code].value != "—"
    query = {"year": 2023, "baseline": 2019, "province": "54", "download": "txt"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reports:brief"), query).content.decode()
    assert page == brief.as_text(public, brief.title(year=2023, province=tibet))
