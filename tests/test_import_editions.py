"""Files of cycles that ask different items: a file may leave out the columns its year does not
ask, a value there is refused naming the years the item is asked, and an export writes the
columns its years ask, re-importing identically."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from interchange import exporting
from interchange.importing import MAX_ERRORS, import_file
from survey.instrument import items as instrument
from survey.models import Cycle, Report
from tests.importing import csv_bytes, sample_rows, snapshot, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The 2028 edition's own items; the 2019 sample has none of their columns.
NEW_IN_2028 = tuple(item.code for item in instrument.items() if item.asked_from == 2028)
# A department of the sample with PET, a therapy ward with beds and small-animal equipment.
WARD_AND_PET = "S130012"
# Its 2028 report: every new item, within the rules (of which, wards, 177Lu, ...).
VALUES_2028 = {
    "therapy_wards": "1",
    "campuses": "2",
    "svc_outpatient_visits": "12,400",
    "svc_inpatient_admissions": "310",
    "eq_pet_long_axial": "1",
    "eq_positron_domestic": "1",
    "exam_pet_psma": "120",
    "exam_pet_fapi": "45",
    "rp_lu177": "1",
    "rp_ac225": "0",
    "tx_lu177_psma": "12",
    "tx_lu177_sstr": "4",
    "tx_ra223": "6",
    "res_clinical_trials": "3",
    "res_sa_projects_served": "2",
    "res_sa_service_hours": "120",
    "op_radiopharmaceutical_supply": "是",
}


def sample_file(year, extra=None, *, rows=None):
    """The 2019 sample as a file of `year` (its first `rows` only, if given), with the cells of
    `extra`: {code: {inst_code: text}}, a column added blank in the other rows when the sample
    has none."""
    header, *body = sample_rows()
    extra = extra or {}
    added = [code for code in extra if code not in header]
    table = [[*header, *added]]
    for row in body[:rows]:
        row = [str(year), *row[1:], *([""] * len(added))]
        code = row[header.index("inst_code")]
        for column, cells in extra.items():
            if code in cells:
                row[table[0].index(column)] = cells[code]
        table.append(row)
    return csv_bytes(table)


def imported(data, **options):
    return import_file(io.BytesIO(data), **options)


def errors_of(summary):
    return [str(error) for error in summary.errors]


@pytest.fixture
def until_2023(monkeypatch):
    """A test dictionary: `exam_sa_ct` asked until 2023 (no item of the 2028 edition ends).

    The items cache `Item`s, which read the years from their field: nothing else to clear.
    """
    item = instrument.items_by_code()["exam_sa_ct"]
    monkeypatch.setattr(item.field, "asked_until", 2023, raising=False)
    assert not item.asked_in(2028) and item.asked_in(2023)
    return item


# Importing ----------------------------------------------------------------------------------


def test_a_2023_file_without_any_2028_column_imports_as_before():
    summary = imported(sample_file(2023))
    assert summary.ok, errors_of(summary)
    assert (summary.years, summary.reports_created) == ([2023], 40)
    assert not set(NEW_IN_2028) & set(sample_rows()[0])


def test_a_2028_file_without_the_2028_columns_imports_them_as_not_reported():
    summary = imported(sample_file(2028))
    assert summary.ok, errors_of(summary)
    assert summary.reports_created == 40
    for values in Report.objects.for_year(2028).values(*NEW_IN_2028):
        assert set(values.values()) == {None}


def test_a_2028_file_with_the_new_items_imports_them():
    extra = {code: {WARD_AND_PET: text} for code, text in VALUES_2028.items()}
    summary = imported(sample_file(2028, extra))
    assert summary.ok, errors_of(summary)
    report = Report.objects.get(cycle_id=2028, institution__code=WARD_AND_PET)
    assert (report.svc_outpatient_visits, report.tx_ra223, report.tx_lu177_psma) == (12400, 6, 12)
    assert (report.rp_lu177, report.rp_ac225, report.op_radiopharmaceutical_supply) == (
        True,
        False,
        True,
    )


def test_blank_cells_in_columns_the_year_does_not_ask_are_fine():
    # The header names every 2028 item, the 2023 rows leave them blank.
    summary = imported(sample_file(2023, dict.fromkeys(NEW_IN_2028, {})))
    assert summary.ok, errors_of(summary)
    assert summary.reports_created == 40


def test_a_value_in_a_column_the_year_does_not_ask_refuses_the_whole_file():
    before = snapshot()
    summary = imported(sample_file(2023, {"tx_ra223": {WARD_AND_PET: "6"}}))
    label = instrument.items_by_code()["tx_ra223"].label
    assert errors_of(summary) == [
        f"line 5, column tx_ra223: “{label}” is not asked in 2023 (asked from 2028)."
    ]
    assert snapshot() == before
    assert not Cycle.objects.filter(year=2023).exists()


def test_the_not_asked_error_is_in_chinese_on_request():
    with translation.override("zh-hans"):
        summary = imported(sample_file(2023, {"tx_ra223": {WARD_AND_PET: "6"}}))
    (message,) = errors_of(summary)
    # The dictionary's Chinese label and years.
    assert "“年治疗例数：223Ra 治疗（前列腺癌骨转移）”" in message
    assert "自 2028 年起调查" in message
    assert "asked from" not in message


def test_a_formula_in_a_column_the_year_does_not_ask_is_that_error_too():
    header, *body = sample_rows()
    workbook = xlsx_bytes(
        [[*header, "tx_ra223", "tx_lu177_psma"], ["2023", *body[0][1:], "=A1*2", None]]
    )
    summary = import_file(io.BytesIO(workbook), name="survey-2023.xlsx")
    assert [(e.line, e.column) for e in summary.errors] == [(2, "tx_ra223")]
    assert "is not asked in 2023 (asked from 2028)" in summary.errors[0].message


def test_a_not_asked_value_is_an_error_whatever_it_says():
    # Not read as a value first: a typing error there is still a column to empty.
    summary = imported(
        sample_file(2023, {"exam_pet_psma": {WARD_AND_PET: "abc"}, "rp_lu177": {"S120002": "0"}})
    )
    assert [(error.line, error.column) for error in summary.errors] == [
        (2, "rp_lu177"),
        (5, "exam_pet_psma"),
    ]
    assert all(
        "is not asked in 2023 (asked from 2028)" in error.message for error in summary.errors
    )


def test_the_command_refuses_it_naming_the_years(tmp_path, capsys):
    path = tmp_path / "survey-2023.csv"
    path.write_bytes(sample_file(2023, {"campuses": {WARD_AND_PET: "2"}}))
    with pytest.raises(CommandError, match="1 errors: nothing was imported"):
        call_command("import_survey", str(path))
    printed = capsys.readouterr().err
    assert "line 5, column campuses:" in printed
    assert "is not asked in 2023 (asked from 2028)" in printed
    path.write_bytes(sample_file(2028, {"campuses": {WARD_AND_PET: "2"}}))
    call_command("import_survey", str(path))
    assert Report.objects.get(cycle_id=2028, institution__code=WARD_AND_PET).campuses == 2


def test_the_year_option_decides_what_the_rows_are_asked():
    # No year column: the rows are of --year.
    header, *body = sample_rows()
    table = [[*header[1:], "tx_ra223"], *([*row[1:], "3"] for row in body[:2])]
    assert imported(csv_bytes(table), year=2028).ok
    refused = imported(csv_bytes(table), year=2019)
    assert [(e.line, e.column) for e in refused.errors] == [(2, "tx_ra223"), (3, "tx_ra223")]
    assert "is not asked in 2019 (asked from 2028)" in refused.errors[0].message


def test_each_offending_cell_is_one_error_up_to_the_limit():
    header, *body = sample_rows()
    codes = [row[1] for row in body]
    few = imported(sample_file(2019, {"tx_ra223": dict.fromkeys(codes[:3], "1")}))
    assert [(e.line, e.column) for e in few.errors] == [
        (2, "tx_ra223"),
        (3, "tx_ra223"),
        (4, "tx_ra223"),
    ]
    # Every row, every new column: far more offending cells than are listed.
    every = imported(sample_file(2019, {code: dict.fromkeys(codes, "1") for code in NEW_IN_2028}))
    assert len(every.errors) == MAX_ERRORS
    assert every.errors_not_shown == 40 * len(NEW_IN_2028) - MAX_ERRORS
    assert not Report.objects.exists()


def test_a_row_of_an_unreadable_year_gets_the_year_error_only_as_before():
    header, *body = sample_rows()
    row = ["twenty", *body[0][1:], "5"]
    summary = imported(csv_bytes([[*header, "tx_ra223"], row]))
    assert [(e.line, e.column) for e in summary.errors] == [(2, "year")]
    assert "is not a survey year" in summary.errors[0].message


def test_a_row_whose_year_is_not_yet_a_cycle_is_asked_by_its_year():
    # As before, the import creates the cycle; 2025 is before the 2028 edition.
    assert imported(sample_file(2025, rows=1)).ok
    assert Cycle.objects.filter(year=2025).exists()
    refused = imported(sample_file(2026, {"tx_ra223": {"S120002": "1"}}, rows=1))
    assert errors_of(refused)[0].endswith("is not asked in 2026 (asked from 2028).")


# A test dictionary with an item asked until 2023 -------------------------------------------------


def only_in(code, text):
    """The cells of a sample column blank but in the department `code`'s row."""
    return dict.fromkeys((row[1] for row in sample_rows()[1:]), "") | {code: text}


def test_a_value_in_a_2023_only_column_of_a_2028_file_is_refused_naming_the_years(until_2023):
    summary = imported(sample_file(2028, {"exam_sa_ct": only_in(WARD_AND_PET, "5")}))
    assert errors_of(summary) == [
        f"line 5, column exam_sa_ct: “{until_2023.label}” is not asked in 2028 (asked until 2023)."
    ]
    assert not Report.objects.exists()
    # The sample as it is, a 0 in every row: 0 is a value too, one error per row.
    assert len(imported(sample_file(2028)).errors) == 40


def test_a_2023_file_with_that_column_still_imports(until_2023):
    summary = imported(sample_file(2023, {}))
    assert summary.ok, errors_of(summary)
    assert "exam_sa_ct" in sample_rows()[0]
    assert Report.objects.filter(cycle_id=2023, exam_sa_ct__isnull=False).count() == 40


def test_a_2028_file_may_leave_that_column_out_or_blank(until_2023):
    header, *body = sample_rows()
    at = header.index("exam_sa_ct")
    without = [[*header[:at], *header[at + 1 :]], *([*r[:at], *r[at + 1 :]] for r in body)]
    blank = [header, *([*r[:at], "", *r[at + 1 :]] for r in body)]
    for table in (without, blank):
        summary = imported(csv_bytes([table[0], *([str(2028), *r[1:]] for r in table[1:])]))
        assert summary.ok, errors_of(summary)


def test_an_item_asked_between_two_years_names_both(monkeypatch, until_2023):
    monkeypatch.setattr(until_2023.field, "asked_from", 2019)
    assert until_2023.asked_years == "asked 2019–2023"
    summary = imported(sample_file(2028, {"exam_sa_ct": only_in(WARD_AND_PET, "5")}))
    assert errors_of(summary)[0].endswith("is not asked in 2028 (asked 2019–2023).")


# Exporting ----------------------------------------------------------------------------------


def exported(file_format="csv", **filters):
    stream = io.BytesIO()
    exporting.write(exporting.reports_for_export(**filters), stream, file_format)
    return stream.getvalue()


def csv_table(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def reports_2023_and_2028():
    """The sample as 2023, and as 2028 with the new items for one department."""
    assert imported(sample_file(2023)).ok
    extra = {code: {WARD_AND_PET: text} for code, text in VALUES_2028.items()}
    assert imported(sample_file(2028, extra)).ok


def test_an_export_of_2023_has_exactly_the_columns_of_before(reports_2023_and_2028):
    header, *rows = csv_table(exported(year=2023))
    assert header == sample_rows()[0]
    assert len(header) == 129 and len(rows) == 40


def test_an_export_of_2028_has_every_column_it_asks(reports_2023_and_2028):
    header, *_rows = csv_table(exported(year=2028))
    assert header == ["year", *instrument.item_codes()]
    assert set(NEW_IN_2028) <= set(header)


def test_an_export_spanning_years_has_every_column_any_asks_blank_where_not_asked(
    reports_2023_and_2028, until_2023
):
    header, *rows = csv_table(exported())
    assert header == ["year", *instrument.item_codes()]
    by_year = {
        year: [dict(zip(header, row, strict=True)) for row in rows if row[0] == year]
        for year in ("2023", "2028")
    }
    assert len(by_year["2023"]) == len(by_year["2028"]) == 40
    for row in by_year["2023"]:
        assert {row[code] for code in NEW_IN_2028} == {""}
    # 2028 does not ask exam_sa_ct in the test dictionary, whatever a report holds.
    Report.objects.filter(cycle_id=2028).update(exam_sa_ct=7)
    header, *rows = csv_table(exported())
    assert {row[header.index("exam_sa_ct")] for row in rows if row[0] == "2028"} == {""}
    assert "" not in {row[header.index("exam_sa_ct")] for row in rows if row[0] == "2023"}


def test_an_export_of_2028_leaves_out_an_item_it_does_not_ask(reports_2023_and_2028, until_2023):
    header, *_rows = csv_table(exported(year=2028))
    assert "exam_sa_ct" not in header
    assert "exam_sa_ct" in csv_table(exported(year=2023))[0]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_of_2023_and_2028_reimports_identically(reports_2023_and_2028, file_format):
    before = snapshot()
    assert before[1][(WARD_AND_PET, 2028)]["tx_lu177_psma"] == 12
    data = exported(file_format)
    Report.objects.all().delete()
    summary = import_file(io.BytesIO(data), name=f"export.{file_format}")
    assert summary.ok, errors_of(summary)
    assert summary.years == [2023, 2028]
    assert snapshot() == before


def test_the_export_command_writes_the_columns_of_its_year(reports_2023_and_2028, capsys):
    call_command("export_survey", "--year", "2023")
    header = next(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert header == sample_rows()[0]


# The admin ----------------------------------------------------------------------------------


def test_the_admin_export_of_two_cycles_imports_unchanged(admin_client, reports_2023_and_2028):
    response = admin_client.post(
        reverse("admin:survey_report_changelist"),
        {"action": "export_xlsx", "select_across": "1", "_selected_action": ["0"]},
    )
    data = b"".join(response.streaming_content)
    header = [cell.value for cell in next(load_workbook(io.BytesIO(data)).active.iter_rows())]
    assert header == ["year", *instrument.item_codes()]
    summary = import_file(io.BytesIO(data), name="x.xlsx")
    assert (summary.reports_unchanged, summary.reports_updated) == (80, 0)
