"""Files headed by labels instead of codes: Chinese, English, shuffled, under title rows."""

import io
import itertools
import json
import random

import pytest
from django.core.management import call_command
from django.utils import translation

from departments.models import Institution
from interchange.importing import import_file
from survey.instrument import items as instrument
from survey.models import Report
from tests.importing import csv_bytes, sample_rows, snapshot, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def labels(language):
    with translation.override(language):
        return {item.code: str(item.label) for item in instrument.items()}


def relabelled(rows, language, year_header="年度"):
    names = labels(language)
    header = [year_header if code == "year" else names[code] for code in rows[0]]
    return [header, *rows[1:]]


def import_bytes(data, **options):
    return import_file(io.BytesIO(data), **options)


def imported(data, **options):
    """What importing `data` into an empty database writes, and its summary."""
    Report.objects.all().delete()
    Institution.objects.all().delete()
    summary = import_bytes(data, **options)
    assert summary.ok, summary.errors
    return snapshot(), summary


@pytest.fixture
def from_codes():
    data, summary = imported(csv_bytes(sample_rows()))
    assert summary.rows == 40 and summary.reports_created == 40
    return data


def shuffled(rows, seed=19):
    order = list(range(len(rows[0])))
    random.Random(seed).shuffle(order)
    return [[row[index] for index in order] for row in rows]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_labels_in_either_language_give_the_figures_of_the_code_headed_file(from_codes, language):
    data, summary = imported(csv_bytes(relabelled(sample_rows(), language)))
    assert data == from_codes
    assert summary.header_line == 1
    assert ("年度", "year") in summary.columns_mapped


def test_shuffled_columns_give_the_same_figures(from_codes):
    data, _summary = imported(csv_bytes(shuffled(relabelled(sample_rows(), "zh-hans"))))
    assert data == from_codes


def test_full_width_brackets_spaces_and_punctuation_variants_are_one_spelling(from_codes):
    def respelled(label):
        return (
            label.replace("（", "【").replace("）", "】").replace("(", "（").replace(")", "）")
        ).replace("/", " / ").replace("：", ": ") + " "

    rows = relabelled(sample_rows(), "zh-hans", year_header="调查年度")
    rows[0] = [respelled(label) for label in rows[0]]
    data, _summary = imported(csv_bytes(rows))
    assert data == from_codes


def test_english_labels_in_another_case_and_full_width_forms(from_codes):
    rows = relabelled(sample_rows(), "en", year_header="Year")
    rows[0] = [label.upper().replace(" ", "\u3000") for label in rows[0]]
    data, _summary = imported(csv_bytes(rows))
    assert data == from_codes


@pytest.mark.parametrize("titles", [1, 2])
@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_title_rows_above_the_header_are_skipped_and_said(from_codes, titles, make):
    rows = relabelled(sample_rows(), "zh-hans")
    title = [["2019 年全国核医学普查 汇总表"], [""]][:titles]
    data, summary = imported(make([*title, *rows]))
    assert data == from_codes
    assert summary.header_line == titles + 1
    assert f"The header is line {titles + 1}: the lines above it were read as titles." in (
        summary.notices
    )


def test_errors_under_a_title_row_keep_the_files_line_and_name_the_column_as_written():
    rows = relabelled(sample_rows(), "zh-hans")
    pet = rows[0].index(labels("zh-hans")["eq_pet_ct"])
    rows[5][pet] = "-3"
    summary = import_bytes(csv_bytes([["汇总表"], *rows]))
    assert [(error.line, error.column) for error in summary.errors] == [
        (7, "PET 或 PET/CT（台） (eq_pet_ct)")
    ]
    assert not Report.objects.exists()


def test_a_label_row_above_a_code_row_takes_the_code_row(from_codes):
    rows = sample_rows()
    label_row = relabelled(rows, "zh-hans")[0]
    for make in (csv_bytes, xlsx_bytes):
        data, summary = imported(make([["汇总表"], label_row, *rows]))
        assert data == from_codes
        assert summary.header_line == 3
        assert summary.columns_mapped == []


def test_the_unit_in_brackets_may_be_left_out(from_codes):
    rows = relabelled(sample_rows(), "zh-hans")
    pet = rows[0].index("PET 或 PET/CT（台）")
    rows[0][pet] = "PET或PET/CT"
    data, summary = imported(csv_bytes(rows))
    assert data == from_codes
    assert ("PET或PET/CT", "eq_pet_ct") in summary.columns_mapped


def test_an_ambiguous_header_is_refused_naming_the_items_it_could_mean():
    rows = sample_rows()
    rows[0][rows[0].index("inst_name")] = "机构名称"
    summary = import_bytes(csv_bytes(rows))
    assert [(error.line, error.column) for error in summary.errors] == [(1, "机构名称")]
    assert "inst_name, inst_name_zh" in summary.errors[0].message
    assert not Institution.objects.exists()


def test_an_unknown_label_is_refused_with_its_line_and_column_below_a_title():
    rows = relabelled(sample_rows(), "zh-hans")
    rows[0].append("备注")
    summary = import_bytes(csv_bytes([["汇总表"], *rows]))
    assert [(error.line, error.column) for error in summary.errors] == [(2, "备注")]
    assert "unknown column" in summary.errors[0].message


def test_one_item_under_two_spellings_is_a_column_appearing_twice():
    rows = sample_rows()
    rows[0].append("PET 或 PET/CT（台）")
    summary = import_bytes(csv_bytes(rows))
    assert [(error.line, error.column) for error in summary.errors] == [
        (1, "PET 或 PET/CT（台） (eq_pet_ct)")
    ]
    assert "appears twice (also as “eq_pet_ct”)" in summary.errors[0].message


def test_where_no_row_names_a_column_the_fullest_is_the_header_not_the_title():
    """A title above another system's header, none of whose names the dictionary knows: the
    header's names are what the errors (and the mapping step) need, not the title's."""
    rows = [["汇总表"], ["医院编号", "设备数"], *[["x", "1"]] * 12]
    summary = import_bytes(csv_bytes(rows))
    assert [(error.line, error.column) for error in summary.errors] == [
        (2, "医院编号"),
        (2, "设备数"),
    ]


@pytest.mark.parametrize(
    ("code", "spelling", "value"),
    [
        ("tier", "三级甲等", "tertiary_top"),
        ("tier", "Top-tier tertiary", "tertiary_top"),
        ("tier", "top-tier tertiary (GRADE 3A)", "tertiary_top"),
        ("tier", "其他三级", "tertiary"),
        ("dept_affiliation", "PET/CT 中心", "pet_ct_center"),
        ("license_class", "第三类（甲）", "IIIA"),
        ("license_class", "第三类乙", "IIIB"),
    ],
)
def test_a_choice_is_read_by_its_label_in_either_language(code, spelling, value):
    rows = sample_rows()
    column = rows[0].index(code)
    rows[1][column] = spelling
    summary = import_bytes(csv_bytes(rows[:2]))
    assert summary.ok, summary.errors
    report = Report.objects.select_related("institution").get()
    assert instrument.values_of(report)[code] == value


def test_a_choice_label_of_another_item_is_refused_where_it_was_written():
    rows = sample_rows()
    rows[0] = relabelled(rows, "zh-hans")[0]
    tier = rows[0].index(labels("zh-hans")["tier"])
    rows[1][tier] = "第三类甲"
    summary = import_bytes(csv_bytes(rows[:2]))
    assert [(error.line, error.column) for error in summary.errors] == [
        (2, f"{labels('zh-hans')['tier']} (tier)")
    ]


def test_the_mapping_names_an_odd_header_and_ignores_a_column(from_codes):
    rows = sample_rows()
    rows[0][rows[0].index("inst_code")] = "医院编号"
    rows[0].append("备注")
    for row in rows[1:]:
        row.append("anything")
    data, summary = imported(csv_bytes(rows), mapping={"医院编号": "inst_code", "备注": None})
    assert data == from_codes
    assert summary.columns_mapped == [("医院编号", "inst_code"), ("备注", None)]


def test_a_mapping_to_no_item_is_refused():
    rows = sample_rows()
    rows[0][rows[0].index("eq_pet_ct")] = "PET"
    summary = import_bytes(csv_bytes(rows), mapping={"PET": "eq_pet"})
    assert [(error.line, error.column) for error in summary.errors] == [(1, "PET")]
    assert "eq_pet" in summary.errors[0].message


def test_the_command_takes_a_mapping_file_and_says_what_it_mapped(tmp_path, from_codes):
    Report.objects.all().delete()
    Institution.objects.all().delete()
    rows = sample_rows()
    rows[0][rows[0].index("inst_code")] = "医院编号"
    path = tmp_path / "odd.csv"
    path.write_bytes(csv_bytes(rows))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"医院编号": "inst_code"}), encoding="utf-8")
    out = io.StringIO()
    call_command("import_survey", str(path), "--mapping", str(mapping), stdout=out)
    assert "医院编号 → inst_code" in out.getvalue()
    assert snapshot() == from_codes


def test_looking_for_the_header_reads_no_further_than_the_first_rows():
    from interchange.headers import HEADER_SEARCH_ROWS, ColumnMatcher, find_header

    def rows():
        for line in range(2, HEADER_SEARCH_ROWS + 1):
            yield line, ["not a header"]
        raise AssertionError("read past the rows the header may be in")

    line, header, rest = find_header(ColumnMatcher(), ["title"], rows())
    assert (line, header) == (1, ["title"])
    # The rows read ahead come back, in order, before the rest of the file.
    ahead = [line for line, _cells in itertools.islice(rest, HEADER_SEARCH_ROWS - 1)]
    assert ahead == list(range(2, HEADER_SEARCH_ROWS + 1))


def test_the_header_search_stops_at_the_first_data_row():
    from interchange.headers import ColumnMatcher, find_header

    def rows():
        yield 2, ["inst_code", "province"]
        yield 3, ["NM-1", "51"]
        raise AssertionError("read past the first data row")

    line, header, rest = find_header(ColumnMatcher(), ["机构代码", "省级行政区"], rows())
    assert (line, header) == (2, ["inst_code", "province"])
    assert next(rest) == (3, ["NM-1", "51"])


def test_a_mapping_to_a_code_in_capitals_is_that_code(from_codes):
    rows = sample_rows()
    rows[0][rows[0].index("inst_code")] = "医院编号"
    data, _summary = imported(csv_bytes(rows), mapping={" 医院编号 ": " INST_CODE"})
    assert data == from_codes


@pytest.mark.parametrize(
    "content", ["not json", '["inst_code"]', '{"医院编号": 3}'], ids=["text", "list", "number"]
)
def test_the_command_refuses_a_mapping_file_that_is_not_header_to_code(tmp_path, content):
    from django.core.management import CommandError

    path = tmp_path / "sample.csv"
    path.write_bytes(csv_bytes(sample_rows()))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match="mapping.json"):
        call_command("import_survey", str(path), "--mapping", str(mapping))
    assert not Institution.objects.exists()


@pytest.mark.parametrize(
    ("name", "make"), [("2019.csv", csv_bytes), ("2019.xlsx", xlsx_bytes)], ids=["csv", "xlsx"]
)
def test_the_admins_import_takes_chinese_headers_under_a_title_row(
    client, django_user_model, settings, tmp_path, from_codes, name, make
):
    from tests.test_admin_import import confirm, confirm_columns, post_file

    Report.objects.all().delete()
    Institution.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    data = make([["2019 年汇总表"], *relabelled(sample_rows(), "zh-hans")])
    columns = post_file(client, name, data)
    assert "The header is line 2" in columns.content.decode()
    check = confirm_columns(client, columns)
    assert check.context["may_import"]
    assert "The header is line 2" in check.content.decode()
    confirm(client, check)
    assert snapshot() == from_codes
