"""The codebook of each cycle: its data dictionary as CSV and XLSX, and the blank form to print,
open to everyone; what each holds is read against the contract's dictionaries."""

import csv
import io
import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from interchange import codebook
from survey.instrument import items as instrument
from survey.models import Cycle
from tests.browser import PageWatch, screenshot
from tests.conftest import CONTRACT
from tests.test_crawl import ODD_VALUES


def read_contract(name):
    with (CONTRACT / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


DICTIONARY_2023 = read_contract("data-dictionary.csv")
DICTIONARY_2028 = read_contract("data-dictionary-2028.csv")


@pytest.fixture
def cycles(cycle_2023):
    return [Cycle.objects.create(year=2019), cycle_2023, Cycle.objects.create(year=2028)]


def csv_rows(client, year):
    response = client.get(reverse("interchange:download", args=[year, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="codebook-{year}.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese right
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def by_code(rows):
    return {row["code"]: row for row in rows}


def test_the_2023_csv_has_one_row_per_item_the_cycle_asks_in_the_forms_order(client, cycles):
    rows = csv_rows(client, 2023)
    assert [row["code"] for row in rows] == [item.code for item in instrument.items_asked(2023)]
    assert list(rows[0]) == list(codebook.COLUMNS)


def test_the_2023_codebook_is_the_2023_dictionary_in_both_languages(client, cycles):
    rows = csv_rows(client, 2023)
    # The 2023 cycle asks exactly the items of the 2023 edition, in its order.
    assert [row["code"] for row in rows] == [row["code"] for row in DICTIONARY_2023]
    codebook_rows = by_code(rows)
    for expected in DICTIONARY_2023:
        row = codebook_rows[expected["code"]]
        for column in ("section", "kind", "label_en", "label_zh", "sums_into"):
            assert row[column] == expected[column], (expected["code"], column)
    eq_pet_ct = codebook_rows["eq_pet_ct"]
    assert eq_pet_ct["label_zh"] == "PET 或 PET/CT（台）"
    assert (eq_pet_ct["section_zh"], eq_pet_ct["section_en"]) == ("设备", "Equipment")
    assert (eq_pet_ct["unit_zh"], eq_pet_ct["unit_en"]) == ("台", "units")
    assert eq_pet_ct["maximum"] == "1000"
    assert codebook_rows["op_suggestions"]["maximum"] == "2000"


def test_the_2028_codebook_reflects_the_2028_dictionary(client, cycles):
    rows = csv_rows(client, 2028)
    assert [row["code"] for row in rows] == [row["code"] for row in DICTIONARY_2028]
    codebook_rows = by_code(rows)
    for expected in DICTIONARY_2028:
        row = codebook_rows[expected["code"]]
        for column in ("label_en", "label_zh", "rule", "asked_from", "asked_until"):
            assert row[column] == expected[column], (expected["code"], column)
        assert row["unit_en"] == expected["unit"], expected["code"]
    added = {row["code"] for row in DICTIONARY_2028} - {row["code"] for row in DICTIONARY_2023}
    assert {"tx_lu177_psma", "campuses", "eq_pet_long_axial", "rp_ac225"} <= added
    assert added.isdisjoint(by_code(csv_rows(client, 2023)))


def test_rules_are_the_dictionarys_and_apply_to_every_cycle(client, cycles):
    rows = by_code(csv_rows(client, 2023))
    # The 2028 edition's rules for items 2023 already asked hold in 2023 too.
    assert rows["exam_coin_tumor"]["rule"] == "needs eq_coincidence_spect_ct > 0 or a note"
    assert rows["svc_therapy_ward"]["rule"] == (
        "only with svc_therapy; a ward needs therapy_beds > 0"
    )


def test_an_item_lists_the_rules_of_other_items_that_name_it(client, cycles):
    rows_2023, rows_2028 = by_code(csv_rows(client, 2023)), by_code(csv_rows(client, 2028))
    pet_ct_2023 = rows_2023["eq_pet_ct"]["rules_naming_it"].splitlines()
    pet_examinations = [
        row["code"] for row in DICTIONARY_2023 if row["rule"] == "needs eq_pet_ct > 0 or a note"
    ]
    assert len(pet_examinations) == 8
    assert f"needs eq_pet_ct > 0 or a note [{', '.join(pet_examinations)}]" in pet_ct_2023
    # Named through the group total it sums into (eq_positron_total).
    assert any(line.startswith("eq_owner_total must equal") for line in pet_ct_2023)
    assert not any("eq_pet_long_axial" in line for line in pet_ct_2023)
    assert (
        "of which: eq_pet_long_axial <= eq_pet_ct [eq_pet_long_axial]"
        in rows_2028["eq_pet_ct"]["rules_naming_it"].splitlines()
    )
    # An item's own rule is not repeated as naming it, nor a rule naming a longer code.
    assert "svc_therapy_ward" not in rows_2023["svc_therapy_ward"]["rules_naming_it"]
    assert rows_2023["exam_pet_tumor"]["rules_naming_it"] == ""


def test_choices_are_listed_with_their_labels_in_both_languages(client, cycles):
    rows = by_code(csv_rows(client, 2023))
    assert rows["ownership"]["choices"] == "public = 公立 / Public; nonpublic = 非公立 / Non-public"
    assert rows["svc_pet"]["choices"] == "1 = 是 / Yes; 0 = 否 / No"
    assert "51 = 四川省 / Sichuan" in rows["province"]["choices"].split("; ")
    assert len(rows["province"]["choices"].split("; ")) == 31
    assert rows["eq_pet_ct"]["choices"] == ""


def test_the_years_asked_are_the_cycles_that_ask_the_item(client, cycles):
    rows = by_code(csv_rows(client, 2028))
    assert rows["tx_lu177_psma"]["years_asked"] == "2028"
    assert rows["tx_lu177_psma"]["asked_from"] == "2028"
    assert rows["tx_i131_graves"]["years_asked"] == "2019, 2023, 2028"


def test_an_item_no_longer_asked_is_left_out_of_later_cycles(client, cycles, monkeypatch):
    field = instrument.items_by_code()["exam_pet_c11"].field
    monkeypatch.setattr(field, "asked_until", 2023, raising=False)
    rows = by_code(csv_rows(client, 2023))
    assert rows["exam_pet_c11"]["years_asked"] == "2019, 2023"
    assert rows["exam_pet_c11"]["asked_until"] == "2023"
    assert "exam_pet_c11" not in by_code(csv_rows(client, 2028))


def test_the_xlsx_matches_the_csv_and_lists_the_cycles_rules(client, cycles):
    response = client.get(reverse("interchange:download", args=[2028, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    items_sheet, rules_sheet = workbook.worksheets
    table = [
        ["" if value is None else str(value) for value in row]
        for row in items_sheet.iter_rows(values_only=True)
    ]
    expected = [list(row.values()) for row in csv_rows(client, 2028)]
    assert table == [list(codebook.COLUMNS), *expected]
    assert items_sheet.freeze_panes == "A2"
    assert items_sheet["A1"].font.bold and rules_sheet["A1"].font.bold
    assert items_sheet.column_dimensions["F"].width == 60  # label_en
    rules = {row[0]: row[1] for row in rules_sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rules) == len({row["rule"] for row in DICTIONARY_2028 if row["rule"]})
    assert rules["therapy group: radioligand; needs rp_lu177"] == "tx_lu177_psma, tx_lu177_sstr"


def test_downloads_take_a_few_queries(client, cycles, django_assert_max_num_queries):
    for file_format in ("csv", "xlsx"):
        with django_assert_max_num_queries(4):
            response = client.get(reverse("interchange:download", args=[2023, file_format]))
            b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "path",
    [
        "/codebook/2020.csv",  # no such cycle
        "/codebook/2020/form/",
        "/codebook/abc.csv",
        "/codebook/99999.csv",
        "/codebook/99999999999999999999.xlsx",
        "/codebook/99999999999999999999/form/",
        "/codebook/-1.csv",
        "/codebook/2023.pdf",
        "/codebook/2023.",
        "/codebook/2023.csv.csv",
        "/codebook/abc/form/",
        "/codebook/%F0%9F%98%80/form/",
    ],
)
def test_an_unknown_or_junk_year_or_format_is_not_found(client, cycles, path):
    assert client.get(path).status_code == 404


def test_the_crawls_odd_values_in_the_year_or_the_format_are_refused(client, cycles):
    for odd in ODD_VALUES:
        odd = quote(odd, safe="")
        for path in (f"/codebook/{odd}.csv", f"/codebook/2023.{odd}", f"/codebook/{odd}/form/"):
            # 400: the site refuses an address with a control character before any view.
            assert client.get(path).status_code in (400, 404), path


def test_the_codebook_is_read_only(client, cycles):
    for url in (
        reverse("interchange:index"),
        reverse("interchange:download", args=[2023, "csv"]),
        reverse("interchange:form", args=[2023]),
    ):
        assert client.post(url).status_code == 405


def test_the_index_lists_every_cycle_with_its_three_downloads_for_anyone(client, cycles):
    html = client.get(reverse("interchange:index")).content.decode()
    for cycle in cycles:
        row = re.search(rf'<tr id="cycle-{cycle.year}">.*?</tr>', html, re.S).group()
        for url in (
            reverse("interchange:download", args=[cycle.year, "csv"]),
            reverse("interchange:download", args=[cycle.year, "xlsx"]),
            reverse("interchange:form", args=[cycle.year]),
        ):
            assert f'href="{url}"' in row
        assert f">{len(instrument.items_asked(cycle.year))}<" in row
    assert html.index('id="cycle-2028"') < html.index('id="cycle-2019"')


def test_the_index_without_cycles_says_so(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("interchange:index"))
    assert "No survey cycle yet." in response.content.decode()


@pytest.mark.parametrize("year", [2023, 2028])
def test_the_blank_form_lists_every_section_and_item_of_the_cycle(client, cycles, year):
    html = client.get(reverse("interchange:form", args=[year])).content.decode()
    sections = re.findall(r'<section class="panel" id="section-(\w+)">', html)
    assert sections == [s.key for s in instrument.SECTIONS if instrument.section_items(s.key, year)]
    assert re.findall(r'<tr id="item-(\w+)">', html) == [
        item.code for item in instrument.items_asked(year)
    ]
    assert html.count('class="answer-box') >= len(
        [i for i in instrument.items_asked(year) if i.kind in (instrument.COUNT, instrument.TEXT)]
    )


def test_the_blank_form_speaks_the_page_language(client, cycles):
    url = reverse("interchange:form", args=[2028])
    chinese = client.get(url).content.decode()  # the site's default language
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "PET 或 PET/CT（台）" in chinese and "PET or PET/CT units" not in chinese
    assert "PET or PET/CT units" in english and "PET 或 PET/CT（台）" not in english
    # An item the cycle adds says so.
    campuses = re.search(r'<tr id="item-campuses">.*?</tr>', chinese, re.S).group()
    assert "自 2028 年起调查" in campuses
    assert "needs eq_pet_ct &gt; 0 or a note" in english  # the dictionary's rule, as stated


def test_the_reports_list_and_the_dashboard_link_the_codebook(
    client, cycles, reporter, make_report
):
    make_report(status="accepted", eq_pet_ct=1)
    url = f'href="{reverse("interchange:index")}'
    assert f'{url}#cycle-2023"' in client.get(reverse("reports:national")).content.decode()
    client.force_login(reporter)
    assert url in client.get(reverse("survey:reports")).content.decode()


@pytest.mark.browser
def test_the_blank_form_renders_in_chromium_under_the_csp(browser, live_server, transactional_db):
    Cycle.objects.create(year=2028)
    for language, section_title in (("zh-hans", "设备"), ("en", "Equipment")):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        watch = PageWatch(page, live_server.url)
        response = page.goto(f"{live_server.url}{reverse('interchange:form', args=[2028])}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert page.locator("h2", has_text=section_title).count() == 1
        assert page.locator("tr[id^=item-]").count() == len(instrument.items_asked(2028))
        # The form's stylesheet is applied: the boxes to write in have a border.
        box = page.locator("#item-eq_pet_ct .answer-box")
        assert box.evaluate("e => getComputedStyle(e).borderTopWidth") == "1px"
        assert box.bounding_box()["width"] > 50
        page.emulate_media(media="print")
        assert page.locator("[data-print]").is_hidden()  # no buttons on paper
        page.emulate_media(media="screen")
        screenshot(page, f"codebook-form-2028-{language}")
        assert watch.errors == [] and watch.foreign == []
        context.close()
