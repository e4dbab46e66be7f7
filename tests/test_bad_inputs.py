"""A catalogue of bad survey files, each with the error a data clerk should read, and
property-based tests: whatever the bytes, the outcome is a clear error or a correct import,
never a crash and never part of a file written."""

import io

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from departments.models import Institution
from survey import instrument
from survey.files import FileRejected
from survey.importing import import_file
from survey.models import Report
from survey.parsing import InvalidValue, ValueParser
from tests.importing import csv_bytes, snapshot

pytestmark = pytest.mark.django_db

BASE = {
    "inst_code": "A1",
    "inst_name": "Alpha Hospital",
    "inst_name_zh": "甲医院",
    "province": "51",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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
    ("UTF-16 from Excel's 'Unicode text'", "inst_code\nA1\n".encode("utf-16"), "binary"),
]


@pytest.mark.parametrize(
    ("data", "words"), [c[1:] for c in FILE_ERRORS], ids=[c[0] for c in FILE_ERRORS]
)
def test_catalogue_of_files_refused_whole(data, words):
    with pytest.raises(FileRejected, match=words):
        import_file(io.BytesIO(data))


def test_the_catalogue_is_at_least_thirty_long():
    assert len(ROW_ERRORS) + len(FILE_ERRORS) >= 30


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


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: s.strip())


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
