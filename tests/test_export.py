"""Exporting in the interchange format: what Excel needs, neutralised formulas, exact round trip."""

import codecs
import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from departments.models import Institution
from interchange.exporting import COLUMNS, columns, reports_for_export, write
from interchange.importing import import_file
from interchange.parsing import FORMULA_STARTS
from survey.models import Report
from tests.importing import SAMPLES, sample_rows, snapshot

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = [
    '=HYPERLINK("http://example.org","x")',
    "+86 28 8542 2114",
    "-",
    "@SUM(A1)",
    "'=already quoted",
    "''double",
    "'plain apostrophe",
    '第一行\n第二行, "引号"',
    "<script>alert(1)</script>",
]


@pytest.fixture
def awkward_data():
    import_file(SAMPLES / "sample-2019.csv")
    reports = list(Report.objects.select_related("institution").order_by("pk"))
    for report, text in zip(reports, AWKWARD_TEXT, strict=False):
        report.op_suggestions = text
        report.save()
        report.institution.name_en = text.replace("\n", " ")[:200]
        report.institution.save()


def exported(file_format, **filters):
    stream = io.BytesIO()
    write(reports_for_export(**filters), stream, file_format)
    return stream.getvalue()


def reimported(data, name):
    before = snapshot()
    Report.objects.all().delete()
    Institution.objects.all().delete()
    summary = import_file(io.BytesIO(data), name=name)
    assert summary.ok, summary.errors[:3]
    return before, snapshot()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_gives_identical_data(awkward_data, file_format):
    before, after = reimported(exported(file_format), f"export.{file_format}")
    assert after == before


def test_csv_starts_with_a_bom_and_has_the_interchange_header(awkward_data):
    data = exported("csv")
    assert data.startswith(codecs.BOM_UTF8)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    # The columns of 2019, the sample's: without those of the 2028 edition.
    assert header == columns([2019]) == sample_rows()[0]
    assert "tx_ra223" in COLUMNS and "tx_ra223" not in header


def formula_like(cell):
    return isinstance(cell, str) and cell[:1] in FORMULA_STARTS


def test_csv_cells_never_start_like_a_formula(awkward_data):
    rows = list(csv.reader(io.StringIO(exported("csv").decode("utf-8-sig"))))
    assert not [cell for row in rows for cell in row if formula_like(cell)]
    assert '\'=HYPERLINK("http://example.org","x")' in {cell for row in rows for cell in row}


def test_xlsx_has_no_formulas(awkward_data):
    sheet = load_workbook(io.BytesIO(exported("xlsx"))).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f" or formula_like(cell.value)]


def test_one_year_or_one_province():
    import_file(SAMPLES / "sample-2019.csv")
    in_tianjin = Report.objects.filter(institution__province_id="12").count()
    rows = list(csv.reader(io.StringIO(exported("csv", province="12").decode("utf-8-sig"))))
    assert len(rows) - 1 == in_tianjin > 0
    assert exported("csv", year=2023).decode("utf-8-sig").strip() == ",".join(COLUMNS)


def test_export_command_writes_a_file_that_imports_unchanged(tmp_path, capsys):
    import_file(SAMPLES / "sample-2019.csv")
    target = tmp_path / "out.xlsx"
    call_command("export_survey", "--year", "2019", "--format", "xlsx", "-o", str(target))
    assert import_file(target).reports_unchanged == 40
    call_command("export_survey", "--province", "天津")
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 + Report.objects.filter(institution__province_id="12").count()


@pytest.fixture
def text_from_before_the_rule():
    """Control characters stored before the rule of acceptable text existed (or by SQL)."""
    import_file(SAMPLES / "sample-2019.csv")
    report = Report.objects.select_related("institution").order_by("pk").first()
    Report.objects.filter(pk=report.pk).update(op_suggestions="见\x0b附件\x1b[31m")
    Institution.objects.filter(pk=report.institution_id).update(name_en="Alpha\x0bHospital")
    return report.institution.code


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_stored_control_characters_are_written_as_replacement_marks_and_reimport(
    text_from_before_the_rule, file_format
):
    stream = io.BytesIO()
    assert write(reports_for_export(), stream, file_format) == 2
    _before, after = reimported(stream.getvalue(), f"export.{file_format}")
    institutions, reports = after
    assert institutions[text_from_before_the_rule][0] == "Alpha\ufffdHospital"
    assert reports[(text_from_before_the_rule, 2019)]["op_suggestions"] == "见\ufffd附件\ufffd[31m"


def test_the_report_download_and_the_admin_export_do_not_fail_on_them(
    text_from_before_the_rule, client, django_user_model
):
    from django.urls import reverse

    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    response = client.post(
        reverse("admin:survey_report_changelist"),
        {"action": "export_xlsx", "select_across": "1", "_selected_action": ["0"]},
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert "\ufffd" in "".join(str(v) for row in workbook.active.values for v in row if v)


def test_the_export_command_says_how_many_cells_it_changed(text_from_before_the_rule, tmp_path):
    errors = io.StringIO()
    call_command("export_survey", format="xlsx", output=str(tmp_path / "x.xlsx"), stderr=errors)
    assert "2 cells held control characters" in errors.getvalue()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_text_that_looks_like_an_excel_escape_is_exported_as_itself(db, file_format):
    import_file(SAMPLES / "sample-2019.csv")
    report = Report.objects.select_related("institution").order_by("pk").first()
    literal = "see _x000B_ and _x005F_ in the manual"
    Report.objects.filter(pk=report.pk).update(op_suggestions=literal)
    stream = io.BytesIO()
    write(reports_for_export(), stream, file_format)
    _before, (_institutions, reports) = reimported(stream.getvalue(), f"export.{file_format}")
    assert reports[(report.institution.code, 2019)]["op_suggestions"] == literal
