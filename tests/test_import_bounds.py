"""Files built to cost: the work of reading them is bounded by what they really hold, and the
errors kept by a fixed number. What they cost in time and memory is measured in
bench/bench_import.py (no timed tests here); these tests pin the work itself."""

import base64
import io
import os
import re

import pytest

from departments.models import Institution
from interchange import files, importing
from interchange.files import FileRejected, open_table
from interchange.importing import MAX_ERRORS, import_file
from survey.models import Report
from tests.importing import SHEET, csv_bytes, with_member, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = ["year", "inst_code", "inst_name", "province", "eq_pet_ct"]
ROW = [2023, "A1", "Alpha", "51", 2]


def declared(ref):
    """Rewrite a sheet's declared dimension."""
    return lambda xml: re.sub(
        rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), xml
    )


def random_text(length):
    return base64.b64encode(os.urandom(length)).decode()[:length]


def read_all(data, name="x.xlsx"):
    table = open_table(io.BytesIO(data), name=name)
    return table, list(table.rows)


def test_a_workbook_declaring_seventeen_billion_cells_reads_only_the_cells_it_holds():
    data = with_member(xlsx_bytes([HEADER, ROW]), SHEET, declared("A1:XFD1048576"))
    table, rows = read_all(data)
    assert rows == [(2, ["2023", "A1", "Alpha", "51", "2"])]
    assert (table.stats.rows, table.stats.cells) == (2, 10)
    summary = import_file(io.BytesIO(data), name="x.xlsx")
    assert summary.ok and Report.objects.get().eq_pet_ct == 2


def test_a_cell_in_the_last_column_costs_one_cell_not_sixteen_thousand():
    far_right = b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    data = with_member(
        xlsx_bytes([HEADER, ROW]),
        SHEET,
        lambda xml: xml.replace(b"</row></sheetData>", far_right, 1),
    )
    _table, rows = read_all(data)
    assert len(rows[0][1]) == len(HEADER) + 1
    summary = import_file(io.BytesIO(data), name="x.xlsx")
    assert [(e.line, e.column) for e in summary.errors] == [(2, "—")]
    assert "more cells" in summary.errors[0].message


def test_a_shared_strings_part_larger_than_any_survey_needs_is_refused_unopened():
    # Random text packs only about 1.3 times: the size, not the ratio, refuses this one.
    noise = random_text(files.MAX_SHARED_STRINGS_BYTES)
    data = with_member(
        xlsx_bytes([HEADER, ROW]),
        "xl/sharedStrings.xml",
        lambda _old: f"<sst><si><t>{noise}</t></si></sst>".encode(),
    )
    with pytest.raises(FileRejected, match="unpacks to 32 MB"):
        open_table(io.BytesIO(data), name="x.xlsx")


def test_one_text_longer_than_any_cell_is_refused_before_the_sheet_is_read():
    noise = random_text(2 * files.MAX_XML_RUN_BYTES)
    data = with_member(
        xlsx_bytes([HEADER, [*ROW[:2], "Alpha", *ROW[3:]]]),
        SHEET,
        lambda xml: xml.replace(b"<t>Alpha</t>", f"<t>{noise}</t>".encode()),
    )
    with pytest.raises(FileRejected, match="holds a text of more than 1 MB"):
        open_table(io.BytesIO(data), name="x.xlsx")


def test_a_line_longer_than_any_row_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(files, "CHUNK_BYTES", 100)
    data = csv_bytes([HEADER, ROW]) + b"2023,A2," + b"x" * 2000 + b"\n"
    with pytest.raises(FileRejected, match="Line 3 is longer than"):
        open_table(io.BytesIO(data))


def many_bad_rows(count):
    return csv_bytes([HEADER, *[[2023, f"A{n}", "Alpha", "51", "-1"] for n in range(count)]])


def test_checking_stops_after_a_bounded_number_of_errors_and_says_how_many_rows_remain():
    table = open_table(io.BytesIO(many_bad_rows(5_000)))
    summary = importing.import_table(
        table.header, table.rows, expected_rows=table.row_count_estimate
    )
    assert len(summary.errors) == MAX_ERRORS
    assert summary.errors_not_shown == importing.CHUNK_ROWS - MAX_ERRORS
    assert table.stats.rows == importing.CHUNK_ROWS
    assert summary.stopped_at_line == importing.CHUNK_ROWS + 1
    assert summary.rows_not_checked == 5_000 - importing.CHUNK_ROWS
    assert summary.describe() == (
        "1,000 errors, of which the first 200 are listed: nothing was imported. Checking "
        "stopped at line 1001, more than 200 errors having been found; 4,000 more rows were "
        "not checked."
    )
    assert not Institution.objects.exists()


def test_a_header_of_hundreds_of_unknown_columns_keeps_a_bounded_number_of_errors():
    unknown = files.MAX_COLUMNS - 1
    header = ["inst_code", *[f"c{n}" for n in range(unknown)]]
    summary = import_file(io.BytesIO(csv_bytes([header])))
    assert len(summary.errors) == MAX_ERRORS
    assert summary.errors_not_shown == unknown - MAX_ERRORS


def test_a_workbook_with_too_many_errors_says_the_rest_was_not_checked():
    data = xlsx_bytes([HEADER, *[[2023, f"A{n}", "Alpha", "51", -1] for n in range(1_200)]])
    summary = import_file(io.BytesIO(data), name="x.xlsx")
    assert len(summary.errors) == MAX_ERRORS
    assert "the rest of the file was not checked" in summary.describe()


def test_the_encoding_is_judged_on_the_whole_file_reading_it_in_bounded_pieces(monkeypatch):
    """A GBK row after more than one read's worth of UTF-8 lines is still found."""
    monkeypatch.setattr(files, "CHUNK_BYTES", 64)
    utf8 = "".join(f"2023,A{n},甲医院,51\n" for n in range(50)).encode()
    data = b"year,inst_code,inst_name_zh,province\n" + utf8 + "2023,B1,乙医院,51\n".encode("gbk")
    with pytest.raises(FileRejected, match="Line 52 is not UTF-8, but the rest of the file is"):
        open_table(io.BytesIO(data))


def test_a_header_cell_missing_from_the_xml_keeps_the_columns_in_place():
    data = with_member(
        xlsx_bytes([HEADER, ROW]),
        SHEET,
        lambda xml: re.sub(rb'<c r="C1" t="inlineStr"><is><t>inst_name</t></is></c>', b"", xml),
    )
    table, rows = read_all(data)
    # Only named columns are kept; the text under the unnamed one is one extra cell.
    assert table.header == ["year", "inst_code", "province", "eq_pet_ct"]
    assert rows[0][1] == ["2023", "A1", "51", "2", "x"]


def year_in_the_last_column(rows):
    """A workbook of `rows` (without year) whose `year` column is XFD, the sheet's last."""

    def move(xml):
        numbers = iter(range(1, len(rows) + 1))
        return re.sub(
            rb"</row>",
            lambda _m: (
                lambda n: (
                    f'<c r="XFD{n}" t="inlineStr"><is><t>{"year" if n == 1 else 2023}</t>'
                    "</is></c></row>"
                ).encode()
            )(next(numbers)),
            xml,
        )

    return with_member(xlsx_bytes(rows), SHEET, move)


def test_a_header_reaching_the_last_column_costs_its_named_columns_not_sixteen_thousand():
    """The review's 208 KB workbook: A..D named, `year` in XFD1, short rows. Each row costs
    the cells under named columns (and one marker for anything elsewhere), not 16,384."""
    rows = [["inst_code", "inst_name", "province"], *[[f"A{n}", "Alpha", "51"] for n in range(50)]]
    table, read = read_all(year_in_the_last_column(rows))
    assert table.header == ["inst_code", "inst_name", "province", "year"]
    assert read[0] == (2, ["A0", "Alpha", "51", "2023"])
    assert sum(len(cells) for _line, cells in read) == 4 * 50
    summary = import_file(io.BytesIO(year_in_the_last_column(rows)), name="x.xlsx")
    assert summary.ok and Report.objects.filter(cycle_id=2023).count() == 50


def test_a_cell_under_no_named_column_is_still_an_error():
    data = with_member(
        xlsx_bytes([HEADER, ROW]),
        SHEET,
        lambda xml: xml.replace(
            b"</row></sheetData>",
            b'<c r="AA2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    )
    summary = import_file(io.BytesIO(data), name="x.xlsx")
    assert [(e.line, e.column) for e in summary.errors] == [(2, "—")]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_header_of_more_columns_than_any_survey_file_is_refused(kind):
    header = ["inst_code", *[f"c{n}" for n in range(files.MAX_COLUMNS)]]
    data = csv_bytes([header]) if kind == "csv" else xlsx_bytes([header])
    with pytest.raises(FileRejected, match="columns"):
        open_table(io.BytesIO(data), name=f"x.{kind}")


def test_every_part_openpyxl_reads_whole_is_held_to_a_small_size(monkeypatch):
    """The review's 3.2 MB workbook with a 95 MB styles.xml (packing 30 times)."""
    monkeypatch.setattr(files, "MAX_WHOLE_PART_BYTES", 200_000)
    xfs = "".join(
        f'<xf numFmtId="{n % 200}" fontId="{n % 7}" fillId="0" borderId="0"/>' for n in range(5_000)
    )
    styles = (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<cellXfs count="5000">{xfs}</cellXfs></styleSheet>'
    ).encode()
    data = with_member(xlsx_bytes([HEADER, ROW]), "xl/styles.xml", lambda _old: styles)
    with pytest.raises(FileRejected, match="xl/styles.xml"):
        open_table(io.BytesIO(data), name="x.xlsx")


def test_the_whole_part_limit_is_a_few_megabytes():
    assert files.MAX_WHOLE_PART_BYTES <= 8 << 20
