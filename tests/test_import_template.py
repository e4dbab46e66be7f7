"""The Excel template of a cycle: filled in with openpyxl as a clerk fills it (labels picked
from its drop-downs), it imports to the figures of the code-headed file; its cells' validation
refuses what the importer refuses, and what is pasted past that validation the importer
refuses by line and column."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from departments.models import Institution
from interchange import codebook
from interchange.exporting import columns as file_columns
from interchange.importing import import_file
from interchange.parsing import ValueParser
from interchange.template import FIRST_DATA_ROW, LANGUAGES, write_template
from survey.instrument import items as instrument
from survey.models import Cycle, Report
from tests.importing import csv_bytes, sample_rows, snapshot
from tests.test_admin_import import confirm, post_file

pytestmark = pytest.mark.django_db


def template(year, language):
    stream = io.BytesIO()
    write_template(year, stream, language)
    stream.seek(0)
    return load_workbook(stream)


def codes_of(sheet):
    return [cell.value for cell in sheet[2]]


def validation_of(sheet, code):
    """The data validation covering the first data cell of the column of item `code`."""
    cell = f"{get_column_letter(codes_of(sheet).index(code) + 1)}{FIRST_DATA_ROW}"
    (validation,) = [v for v in sheet.data_validations.dataValidation if cell in v.sqref]
    return validation


def listed(workbook, validation):
    """The values of a list validation, read from the range it names."""
    sheet_name, cells = validation.formula1.split("!")
    sheet = workbook[sheet_name.strip("'")]
    return [cell.value for (cell,) in sheet[cells.replace("$", "")]]


def accepts(workbook, validation, value):
    """Whether Excel lets `value` be typed into a cell under `validation`."""
    if validation.type == "list":
        return value in listed(workbook, validation)
    if validation.type == "textLength":
        assert validation.operator == "lessThanOrEqual"
        return len(str(value)) <= int(validation.formula1)
    assert validation.type == "whole"
    if not isinstance(value, int):
        return False
    if validation.operator == "equal":
        return value == int(validation.formula1)
    assert validation.operator == "between"
    return int(validation.formula1) <= value <= int(validation.formula2)


def labels_by_value(item):
    return {choice.value: choice.label for choice in codebook.choices_of(item)}


def filled(year, language, rows):
    """The template of `year` in `language` filled with `rows` (code-headed, as in the sample
    file): flags and listed values picked by their labels, numbers typed as numbers."""
    workbook = template(year, language)
    sheet = workbook.worksheets[0]
    header, *records = rows
    by_code = instrument.items_by_code()
    with translation.override(language):
        labels = {code: labels_by_value(by_code[code]) for code in header if code in by_code}
    for offset, record in enumerate(records):
        for code, text in zip(header, record, strict=True):
            if text == "":
                continue
            column = codes_of(sheet).index(code) + 1
            item = by_code.get(code)
            if code == "year" or item.kind == instrument.COUNT:
                value = int(text)
            elif item.kind in (instrument.FLAG, instrument.CHOICE):
                value = labels[code][text]
            else:
                value = text
            sheet.cell(FIRST_DATA_ROW + offset, column, value)
    stream = io.BytesIO()
    workbook.save(stream)
    return workbook, stream.getvalue()


def imported(data):
    summary = import_file(io.BytesIO(data))
    return snapshot(), summary


@pytest.fixture
def from_codes():
    summary = import_file(io.BytesIO(csv_bytes(sample_rows())))
    assert summary.ok and summary.reports_created == 40
    data = snapshot()
    Report.objects.all().delete()
    Institution.objects.all().delete()
    return data


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_filled_template_imports_to_the_figures_of_the_code_headed_file(from_codes, language):
    workbook, data = filled(2019, language, sample_rows())
    # The clerk picked labels, not codes: the flags and listed values are words.
    sheet = workbook.worksheets[0]
    first = {
        code: cell.value for code, cell in zip(codes_of(sheet), sheet[FIRST_DATA_ROW], strict=True)
    }
    assert first["svc_therapy"] == ("否" if language == "zh-hans" else "No")
    assert first["province"] == ("天津市" if language == "zh-hans" else "Tianjin")
    result, summary = imported(data)
    assert summary.ok, summary.errors
    assert summary.rows == 40 and summary.columns_mapped == []
    assert result == from_codes


@pytest.mark.parametrize("language", LANGUAGES)
def test_with_its_code_row_deleted_the_label_row_is_the_header(from_codes, language):
    workbook, _data = filled(2019, language, sample_rows())
    workbook.worksheets[0].delete_rows(2)
    stream = io.BytesIO()
    workbook.save(stream)
    result, summary = imported(stream.getvalue())
    assert summary.ok, summary.errors
    assert result == from_codes


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_data_sheet_has_the_cycles_columns_labelled_above_their_codes(language):
    workbook = template(2028, language)
    sheet = workbook.worksheets[0]
    assert codes_of(sheet) == file_columns({2028})
    labels = [cell.value for cell in sheet[1]]
    by_code = instrument.items_by_code()
    with translation.override(language):
        for code, label in zip(codes_of(sheet)[1:], labels[1:], strict=True):
            item = by_code[code]
            assert label.startswith(str(item.label)), code
            # The unit in the header: in the label, or in brackets after it.
            assert not item.unit or label.rstrip(")）").endswith(str(item.unit)), code
    zh = language == "zh-hans"
    assert labels[0] == ("调查年度" if zh else "Survey year")
    tumour = labels[codes_of(sheet).index("exam_pet_tumor")]
    assert tumour == (
        "PET 或 PET/CT 年检查例数：肿瘤（人次）"
        if zh
        else "PET or PET/CT examinations in the year: tumour (examinations)"
    )
    assert labels[codes_of(sheet).index("eq_pet_ct")] == (
        "PET 或 PET/CT（台）" if zh else "PET or PET/CT units"
    )
    assert codes_of(sheet)[:4] == ["year", "inst_code", "inst_name", "inst_name_zh"]
    assert sheet.freeze_panes == "E3"
    assert sheet.max_row == 2  # validation covers a million rows without writing one
    # Text stays text (an institution code's leading zeros), counts are numbers.
    formats = {
        code: sheet.column_dimensions[get_column_letter(index)].number_format
        for index, code in enumerate(codes_of(sheet), start=1)
    }
    assert formats["inst_code"] == formats["op_suggestions"] == "@"
    assert formats["year"] == formats["eq_pet_ct"] == "General"
    # The codebook follows; the lists are hidden.
    assert [ws.sheet_state for ws in workbook] == ["visible", "visible", "visible", "hidden"]
    items = workbook.worksheets[1]
    assert [cell.value for cell in items[1]] == list(codebook.COLUMNS)
    assert [row[3] for row in items.iter_rows(min_row=2, values_only=True)] == [
        item.code for item in instrument.items_asked(2028)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cells_refuse_what_the_importer_refuses(language):
    workbook = template(2019, language)
    sheet = workbook.worksheets[0]
    yes, no = ("是", "否") if language == "zh-hans" else ("Yes", "No")
    (maximum,) = [e.maximum for e in codebook.entries(2019) if e.item.code == "eq_pet_ct"]
    cases = {
        "year": ([2019], [2023, "2019年"]),
        "eq_pet_ct": ([0, 3, maximum], [-3, maximum + 1, 2.5, "three"]),
        "svc_pet": ([yes, no], ["maybe"]),
        "inst_code": (["S510001", "x" * 32], ["x" * 33]),
        "op_suggestions": (["好" * 2000], ["好" * 2001]),
    }
    for code, (good, bad) in cases.items():
        validation = validation_of(sheet, code)
        assert validation.showErrorMessage and validation.errorStyle == "stop", code
        letter = get_column_letter(codes_of(sheet).index(code) + 1)
        assert str(validation.sqref) == f"{letter}{FIRST_DATA_ROW}:{letter}1048576"
        for value in good:
            assert accepts(workbook, validation, value), (code, value)
        for value in bad:
            assert not accepts(workbook, validation, value), (code, value)
        assert validation.error and validation.prompt


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_label_in_a_drop_down_reads_back_as_its_own_value(language):
    """A clerk may pick any label of any list: each must import as the value it stands for."""
    workbook = template(2028, language)
    sheet = workbook.worksheets[0]
    parser = ValueParser()
    by_code = instrument.items_by_code()
    checked = 0
    for code in codes_of(sheet)[1:]:
        item = by_code[code]
        if item.kind not in (instrument.FLAG, instrument.CHOICE):
            continue
        with translation.override(language):
            expected = [(choice.value, choice.label) for choice in codebook.choices_of(item)]
        assert listed(workbook, validation_of(sheet, code)) == [label for _v, label in expected]
        for value, label in expected:
            parsed = parser.parse(code, label)
            if item.kind == instrument.FLAG:
                parsed = "1" if parsed else "0"
            assert parsed == value, (code, label)
            checked += 1
    assert checked > 31 + 2 * 20  # every province and every flag's yes and no


@pytest.mark.parametrize("language", LANGUAGES)
def test_values_pasted_past_the_validation_are_refused_by_line_and_column(language):
    workbook, _data = filled(2019, language, sample_rows())
    sheet = workbook.worksheets[0]
    pet = codes_of(sheet).index("eq_pet_ct") + 1
    flag = codes_of(sheet).index("svc_pet") + 1
    sheet.cell(FIRST_DATA_ROW + 4, pet, -3)  # sheet row 7
    sheet.cell(FIRST_DATA_ROW + 9, flag, "maybe")  # sheet row 12
    stream = io.BytesIO()
    workbook.save(stream)
    result, summary = imported(stream.getvalue())
    assert not summary.ok
    assert [(error.line, error.column) for error in summary.errors] == [
        (7, "eq_pet_ct"),
        (12, "svc_pet"),
    ]
    assert result == ({}, {})


def test_the_template_downloads_for_each_cycle_and_language(client):
    Cycle.objects.create(year=2028)
    for language in LANGUAGES:
        response = client.get(reverse("interchange:template", args=[2028, language]))
        assert response.status_code == 200
        assert f'filename="survey-template-2028-{language}.xlsx"' in response["Content-Disposition"]
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert codes_of(workbook.worksheets[0]) == file_columns({2028})
    assert client.get(reverse("interchange:template", args=[2028, "fr"])).status_code == 404
    assert client.get(reverse("interchange:template", args=[2031, "en"])).status_code == 404


def test_the_codebook_page_links_each_cycles_template_in_both_languages(client):
    Cycle.objects.create(year=2019)
    page = client.get(reverse("interchange:index")).content.decode()
    for language in LANGUAGES:
        assert reverse("interchange:template", args=[2019, language]) in page


def test_a_filled_template_uploaded_by_an_admin_needs_no_mapping_step(
    client, django_user_model, settings, tmp_path, from_codes
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    _workbook, data = filled(2019, "zh-hans", sample_rows())
    check = post_file(client, "模板.xlsx", data)
    assert check.context["file_columns"] is None and check.context["may_import"]
    confirm(client, check)
    assert snapshot() == from_codes
