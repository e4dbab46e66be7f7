"""A catalogue of bad survey files, each with the error a data clerk should read, and
property-based tests: whatever the bytes, the outcome is a clear error or a correct import,
never a crash and never part of a file written."""

import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from departments.models import Institution
from interchange.files import FileRejected
from interchange.importing import import_file
from interchange.parsing import InvalidValue, ValueParser
from survey.instrument import items as instrument
from survey.models import Cycle, Report, ReportEvent, ValueChange
from survey.text import is_acceptable
from tests.importing import SAMPLES, SHEET, csv_bytes, snapshot, with_member, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE = {
    "inst_code": "A1",
    "inst_name": "Alpha Hospital",
    "inst_name_zh": "甲医院",
    "province": "51",
}


def one_row(year="2023", **cells):
    """A file of one institution: the base identity with `cells` added or replaced."""
    row = {"year": year, **BASE, **cells}
    return csv_bytes([list(row), list(row.values())])


# name, file, (line, column, words of the message)
ROW_ERRORS = [
    ("negative count", one_row(eq_pet_ct="-1"), (2, "eq_pet_ct", "cannot be negative")),
    ("fraction", one_row(eq_pet_ct="1.5"), (2, "eq_pet_ct", "without a fraction")),
    ("letters in a number", one_row(exam_pet_tumor="12a"), (2, "exam_pet_tumor", "not a whole")),
    ("scientific notation", one_row(exam_pet_tumor="1e3"), (2, "exam_pet_tumor", "not a whole")),
    ("thousands of units", one_row(eq_pet_ct="1001"), (2, "eq_pet_ct", "too large")),
    ("absurd digits", one_row(iv_samples="9" * 40), (2, "iv_samples", "far too large")),
    ("flag maybe", one_row(svc_pet="maybe"), (2, "svc_pet", "not a yes/no")),
    ("flag 2", one_row(svc_pet="2"), (2, "svc_pet", "not a yes/no")),
    ("unknown tier", one_row(tier="tertiary_plus"), (2, "tier", "not one of the listed")),
    ("unknown ownership", one_row(ownership="private"), (2, "ownership", "not one of the listed")),
    (
        "unknown affiliation",
        one_row(dept_affiliation="oncology"),
        (2, "dept_affiliation", "listed"),
    ),
    ("unknown licence", one_row(license_class="V"), (2, "license_class", "not one of the listed")),
    ("province code 99", one_row(province="99"), (2, "province", "not a province")),
    ("province Atlantis", one_row(province="Atlantis"), (2, "province", "not a province")),
    ("code with a space", one_row(inst_code="A 1"), (2, "inst_code", "not a valid institution")),
    ("code too long", one_row(inst_code="A" * 33), (2, "inst_code", "at most 32")),
    ("name too long", one_row(inst_name="x" * 201), (2, "inst_name", "at most 200")),
    ("control character", one_row(inst_name="Alpha\x1b[31m"), (2, "inst_name", "control")),
    ("no name at all", one_row(inst_name="", inst_name_zh=""), (2, "inst_name", "name")),
    ("new institution, no province", one_row(province=""), (2, "province", "needs its province")),
    ("year not a number", one_row(year="twenty"), (2, "year", "not a survey year")),
    ("year out of range", one_row(year="1823"), (2, "year", "not a survey year")),
    ("year missing", one_row(year=""), (2, "year", "missing")),
    (
        "staff disagree",
        one_row(staff_physicians="5", title_senior="4", degree_postgraduate="4"),
        (2, "staff_physicians", "same number three ways"),
    ),
    (
        "tests fewer than samples",
        one_row(svc_in_vitro="1", iv_samples="100", iv_tests="99"),
        (2, "iv_tests", "cannot be fewer"),
    ),
    (
        "ward without beds",
        one_row(svc_therapy="1", svc_therapy_ward="1", therapy_beds="0"),
        (2, "therapy_beds", "ward needs"),
    ),
    (
        "ward without therapy",
        one_row(svc_therapy="0", svc_therapy_ward="1", therapy_beds="4"),
        (2, "svc_therapy_ward", "only possible"),
    ),
    ("F-18 without positron use", one_row(rp_positron="0", rp_f18="1"), (2, "rp_f18", "needs")),
    (
        "owners do not add up",
        one_row(eq_pet_ct="2", eq_owner_nm="1"),
        (2, "eq_owner_nm", "add up to 1"),
    ),
    (
        "in vitro without the service",
        one_row(svc_in_vitro="0", iv_samples="10"),
        (2, "iv_samples", "not yes"),
    ),
    (
        "more cells than columns",
        csv_bytes(
            [["year", "inst_code", "inst_name", "province"], ["2023", "A1", "Alpha", "51", "x"]]
        ),
        (2, "—", "more cells"),
    ),
    (
        "unknown column",
        csv_bytes([["year", "inst_code", "eq_pet_cts"], ["2023", "A1", "1"]]),
        (1, "eq_pet_cts", "unknown"),
    ),
    (
        "column twice",
        csv_bytes([["year", "inst_code", "inst_code"], ["2023", "A1", "A1"]]),
        (1, "inst_code", "twice"),
    ),
    (
        "no inst_code column",
        csv_bytes([["year", "province"], ["2023", "51"]]),
        (1, "inst_code", "missing"),
    ),
    ("header only", csv_bytes([["year", "inst_code"]]), (2, "—", "no data rows")),
    ("no survey year", csv_bytes([["inst_code", "province"], ["A1", "51"]]), (1, "year", "--year")),
    (
        "a 2028 item in a 2023 row",
        one_row(tx_ra223="3"),
        (2, "tx_ra223", "is not asked in 2023 (asked from 2028)"),
    ),
    (
        "a 2028 item in a row of no year",
        one_row(year="twenty", tx_ra223="3"),
        (2, "year", "not a survey year"),
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"), [c[1:] for c in ROW_ERRORS], ids=[c[0] for c in ROW_ERRORS]
)
def test_catalogue_of_bad_rows(data, expected):
    summary = import_file(io.BytesIO(data))
    line, column, words = expected
    assert [(e.line, e.column) for e in summary.errors] == [(line, column)], summary.errors
    assert words in summary.errors[0].message
    assert not Report.objects.exists() and not Institution.objects.exists()


FILE_ERRORS = [
    ("empty", b"", "empty"),
    ("binary", bytes(range(256)), "binary"),
    ("broken workbook", b"PK\x03\x04" + b"\x00" * 64, "XLSX"),
    ("neither UTF-8 nor GB18030", b"inst_code\n\x81\x30\xff\xff", "neither UTF-8"),
    ("UTF-16 from Excel's 'Unicode text'", "inst_code\nA1\n".encode("utf-16"), "UTF-16"),
]


@pytest.mark.parametrize(
    ("data", "words"), [c[1:] for c in FILE_ERRORS], ids=[c[0] for c in FILE_ERRORS]
)
def test_catalogue_of_files_refused_whole(data, words):
    with pytest.raises(FileRejected, match=words):
        import_file(io.BytesIO(data))


def xlsx_row(**cells):
    """A workbook of one institution: the base identity with `cells` added or replaced."""
    row = {"year": 2023, **BASE, **cells}
    return xlsx_bytes([list(row), list(row.values())])


def gbk_row(code, name):
    return f"2023,{code},{name},51\n".encode("gbk")


HEADER = b"year,inst_code,inst_name_zh,province\n"
UTF8_ROW = "2023,A1,甲医院,51\n".encode()


def zip_bomb():
    """A workbook whose sheet unpacks to 40 MB of one repeated row, about a thousand times its
    packed size (the 412 KB file of the issue unpacked its shared string to 400 MB)."""
    filler = b'<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>' * 650_000
    return with_member(
        xlsx_row(), SHEET, lambda xml: xml.replace(b"</sheetData>", filler + b"</sheetData>")
    )


# Files the issue found imported wrongly, and the other ways a file can be wrong at its
# edges: each refused by `import_survey` (non-zero exit, the reason on its line and column)
# while a registry of forty institutions is in the database, which must stay as it was.
# name, file name, file, words of the message
REFUSED = [
    (
        "unclosed quote swallowing the next row",
        "x.csv",
        b"year,inst_code,inst_name,province,op_suggestions\n"
        b'2023,A1,Alpha,51,"more staff\n2023,A2,Beta,51,none\n',
        "Line 2, column op_suggestions: a quoted cell opens here and is never closed",
    ),
    (
        "text after a closing quote",
        "x.csv",
        b'year,inst_code,inst_name,province\n2023,A1,"Alpha"x,51\n',
        "Line 2 is not readable CSV",
    ),
    (
        "UTF-8 file with one GBK row",
        "x.csv",
        HEADER + UTF8_ROW + gbk_row("A2", "乙医院"),
        "Line 3 is not UTF-8, but the rest of the file is (line 2",
    ),
    (
        "GBK row before UTF-8 rows",
        "x.csv",
        HEADER + gbk_row("A2", "乙医院") + UTF8_ROW,
        "Line 2 is not UTF-8, but the rest of the file is (line 3",
    ),
    (
        "UTF-8 BOM with a GBK row",
        "x.csv",
        b"\xef\xbb\xbf" + HEADER + gbk_row("A2", "乙医院"),
        "Line 2 is not UTF-8",
    ),
    (
        "GBK with a line neither encoding reads",
        "x.csv",
        HEADER + gbk_row("A2", "乙医院") + b"2023,A3,\x81\x30\xff\xff,51\n",
        "line 3 is neither UTF-8 nor GB18030",
    ),
    ("blank first line", "x.csv", b"\n" + HEADER + UTF8_ROW, "Line 1 is blank"),
    ("first line of empty cells", "x.csv", b",,,\n" + HEADER + UTF8_ROW, "Line 1 is blank"),
    ("Arabic-Indic digits", "x.csv", one_row(eq_pet_ct="٣"), "digits other than 0-9"),
    ("superscript digits", "x.csv", one_row(exam_pet_tumor="1²"), "digits other than 0-9"),
    ("circled digits", "x.csv", one_row(eq_pet_ct="③"), "digits other than 0-9"),
    ("vertical tab from Word", "x.csv", one_row(op_suggestions="a\x0bb"), "U+000B"),
    ("noncharacter", "x.csv", one_row(inst_name="Alpha\uffff"), "U+FFFF"),
    ("C1 control", "x.csv", one_row(inst_name="Al\x85pha"), "U+0085"),
    (
        "one new code twice, in two cases",
        "x.csv",
        csv_bytes(
            [
                ["year", "inst_code", "inst_name", "province"],
                *[[2023, c, "A", 51] for c in ("nm51-0002", "NM51-0002")],
            ]
        ),
        "line 3, column inst_code: institution NM51-0002 appears twice",
    ),
    (
        "a registry code twice, in two cases",
        "x.csv",
        csv_bytes([["year", "inst_code"], [2019, "s120002"], [2019, "S120002"]]),
        "institution S120002 appears twice",
    ),
    (
        "formula never calculated, in a count",
        "x.xlsx",
        xlsx_row(eq_pet_ct="=1+1"),
        "column eq_pet_ct: cell F2 holds a formula whose value was never calculated",
    ),
    (
        "formula never calculated, in a name",
        "x.xlsx",
        xlsx_row(inst_name="=B2"),
        "column inst_name: cell C2 holds a formula",
    ),
    ("TRUE in a count", "x.xlsx", xlsx_row(eq_pet_ct=True), "“TRUE” is not a whole number"),
    (
        "error value",
        "x.xlsx",
        with_member(
            xlsx_row(eq_pet_ct=1),
            SHEET,
            lambda xml: xml.replace(b'<c r="F2" t="n"><v>1</v>', b'<c r="F2" t="e"><v>#DIV/0!</v>'),
        ),
        "cell F2 holds the error #DIV/0!",
    ),
    (
        "blank first row",
        "x.xlsx",
        xlsx_bytes([[None], list({"year": 2023, **BASE}), [2023, *BASE.values()]]),
        "Line 1 is blank",
    ),
    ("zip bomb", "x.xlsx", zip_bomb(), "unpacks"),
    # A comma is a thousands separator only between groups of three digits.
    ("decimal comma", "x.csv", one_row(eq_pet_ct="1,5"), "“1,5”: a comma"),
    ("decimal comma below one", "x.csv", one_row(exam_pet_tumor="0,5"), "“0,5”: a comma"),
    ("two commas", "x.csv", one_row(exam_pet_tumor="1,,0"), "“1,,0”: a comma"),
    ("comma after two digits", "x.csv", one_row(exam_pet_tumor="12,34"), "“12,34”: a comma"),
    ("full-width decimal comma", "x.csv", one_row(eq_pet_ct="１，５"), "“１，５”: a comma"),
    ("comma first", "x.csv", one_row(exam_pet_tumor=",123"), "a comma"),
    # Excel's escape of a character XML cannot hold is that character, refused as typed.
    (
        "Excel-escaped vertical tab",
        "x.xlsx",
        xlsx_row(inst_name="A_x000B_B"),
        "column inst_name: The text contains control or invisible characters (U+000B)",
    ),
    ("UTF-16 with its mark", "x.csv", one_row().decode().encode("utf-16"), "Save it as"),
    ("UTF-16 without a mark", "x.csv", one_row().decode().encode("utf-16-le"), "UTF-16"),
    ("UTF-32", "x.csv", one_row().decode().encode("utf-32"), "UTF-16 or UTF-32"),
    # Characters that change how a name is shown without being seen.
    ("right-to-left override", "x.csv", one_row(inst_name="Alpha\u202eahplA"), "U+202E"),
    ("zero-width space", "x.csv", one_row(inst_name="Al\u200bpha"), "U+200B"),
    ("bidi isolate", "x.csv", one_row(inst_name_zh="甲\u2066医院"), "U+2066"),
]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Institution, Report, Cycle, ValueChange, ReportEvent)
    }


@pytest.fixture
def registry():
    """The samples' forty institutions and their 2019 reports, already in the database."""
    assert import_file(SAMPLES / "sample-2019.csv").ok
    return counts(), snapshot()


@pytest.mark.parametrize(
    ("file_name", "data", "words"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_catalogue_of_files_the_command_refuses_changing_nothing(
    registry, tmp_path, file_name, data, words
):
    path = tmp_path / file_name
    path.write_bytes(data)
    stderr = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_survey", str(path), stderr=stderr, stdout=io.StringIO())
    assert words in f"{refused.value}\n{stderr.getvalue()}"
    assert (counts(), snapshot()) == registry


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234", 1234), ("12,345,678", 12345678), ("１，２３４", 1234), ("1,234.0", 1234), ("7", 7)],
)
def test_thousands_separators_between_groups_of_three_are_read(text, value):
    from interchange.parsing import parse_count

    assert parse_count(text) == value


def test_excel_escapes_in_a_workbook_are_read_as_their_characters():
    data = xlsx_row(inst_name="Line one_x000D_\nline two", op_suggestions="a_x005F_x000B_b")
    summary = import_file(io.BytesIO(data), name="x.xlsx")
    assert summary.ok, summary.errors
    report = Report.objects.get()
    assert report.institution.name_en == "Line one\nline two"
    assert report.op_suggestions == "a_x000B_b"


def test_the_catalogue_holds_every_named_bad_input():
    assert len(ROW_ERRORS) + len(FILE_ERRORS) == 43
    assert len(ROW_ERRORS) + len(FILE_ERRORS) + len(REFUSED) >= 65


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_give_a_clear_error_or_an_import(data):
    before = snapshot()
    try:
        summary = import_file(io.BytesIO(data))
    except FileRejected as rejected:
        assert str(rejected)
        assert snapshot() == before
        return
    if not summary.ok:
        assert all(str(error).startswith("line ") for error in summary.errors)
        assert snapshot() == before


cell_text = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["是", "否", "=1+1", "@SUM(A1)", "<script>alert(1)</script>", "\u202e", "０"]),
)


@FUZZ
@given(code=st.sampled_from(instrument.item_codes()), text=cell_text)
def test_any_cell_text_is_a_valid_value_or_a_clear_error(code, text):
    parser = ValueParser()
    item = instrument.items_by_code()[code]
    try:
        value = parser.parse(code, text)
    except InvalidValue as error:
        assert str(error)
        return
    if value is None:
        assert not text.strip()
    elif item.kind == instrument.COUNT:
        assert isinstance(value, int) and value >= 0
        item.field.run_validators(value)
    elif item.kind == instrument.FLAG:
        assert isinstance(value, bool)
    elif item.kind == instrument.CHOICE and code != "province":
        assert value in {v for v, _label in item.field.choices}


NOT_ASKED_IN_2023 = [item.code for item in instrument.items() if not item.asked_in(2023)]


@FUZZ
@given(code=st.sampled_from(NOT_ASKED_IN_2023), text=cell_text)
def test_any_text_in_a_column_its_year_does_not_ask_is_blank_or_that_error(code, text):
    try:
        summary = import_file(io.BytesIO(one_row(**{code: text})))
    except FileRejected:
        return  # a NUL, say: the file, not the column, is what is wrong
    if text.strip():
        assert [(e.line, e.column) for e in summary.errors] == [(2, code)], summary.errors
        assert "is not asked in 2023" in summary.errors[0].message
    else:
        assert summary.ok, summary.errors


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: s.strip() and is_acceptable(s))


@FUZZ
@given(
    name=names,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    pet=st.integers(min_value=0, max_value=1000),
)
def test_names_and_counts_survive_any_encoding(name, encoding, pet):
    try:
        data = one_row(inst_name_zh=name, eq_pet_ct=str(pet)).decode().encode(encoding)
    except UnicodeEncodeError:
        return
    summary = import_file(io.BytesIO(data))
    assert summary.ok, summary.errors
    report = Report.objects.get(institution__code="A1", cycle_id=2023)
    assert report.institution.name_zh == name.strip()
    assert report.eq_pet_ct == pet
