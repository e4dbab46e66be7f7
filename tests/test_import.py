"""Importing survey files: the shared samples, real-life spellings, all-or-nothing, idempotence."""

import io

import pytest
from django.core.management import CommandError, call_command

from departments.models import Institution
from interchange import importing
from interchange.files import FileRejected
from interchange.importing import import_file
from survey.models import Cycle, Report
from tests.importing import (
    SAMPLES,
    csv_bytes,
    expected_bad_sample_errors,
    sample_rows,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def import_bytes(data, **options):
    return import_file(io.BytesIO(data), **options)


def test_the_utf8_sample_imports_every_row():
    summary = import_file(SAMPLES / "sample-2019.csv")
    assert summary.ok, summary.errors
    assert (summary.rows, summary.reports_created, summary.institutions_created) == (40, 40, 40)
    assert summary.years == [2019]
    assert Report.objects.filter(cycle_id=2019).count() == 40


def test_the_gb18030_sample_gives_exactly_the_same_data():
    import_file(SAMPLES / "sample-2019-gb18030.csv")
    from_gb18030 = snapshot()
    Report.objects.all().delete()
    Institution.objects.all().delete()
    import_file(SAMPLES / "sample-2019.csv")
    assert snapshot() == from_gb18030
    again = import_file(SAMPLES / "sample-2019-gb18030.csv")
    assert (again.reports_unchanged, again.reports_updated) == (40, 0)


def test_the_bad_sample_changes_nothing_and_reports_its_seven_errors():
    import_file(SAMPLES / "sample-2019.csv")
    before = snapshot()
    summary = import_file(SAMPLES / "sample-2019-bad.csv")
    expected = expected_bad_sample_errors()
    assert len(expected) == 7
    assert [(error.line, error.column) for error in summary.errors] == expected
    assert snapshot() == before


def test_the_bad_sample_writes_nothing_into_an_empty_database():
    summary = import_file(SAMPLES / "sample-2019-bad.csv")
    assert len(summary.errors) == 7
    assert not Institution.objects.exists()
    assert not Cycle.objects.exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    import_file(SAMPLES / "sample-2019.csv")
    stamps = dict(Report.objects.values_list("pk", "updated_at"))
    summary = import_file(SAMPLES / "sample-2019.csv")
    assert (summary.reports_unchanged, summary.reports_updated, summary.reports_created) == (
        40,
        0,
        0,
    )
    assert dict(Report.objects.values_list("pk", "updated_at")) == stamps
    assert Institution.objects.count() == 40


def test_a_changed_value_updates_only_that_report():
    import_file(SAMPLES / "sample-2019.csv")
    rows = sample_rows()
    column = rows[0].index("res_papers_sci")
    rows[1][column] = str(int(rows[1][column] or 0) + 1)
    summary = import_bytes(csv_bytes(rows))
    assert (summary.reports_updated, summary.reports_unchanged) == (1, 39)
    report = Report.objects.get(institution__code=rows[1][1])
    assert report.res_papers_sci == int(rows[1][column])


def test_utf8_with_bom_columns_in_any_order_and_spaces_are_accepted():
    rows = sample_rows()
    reordered = [list(reversed(row)) for row in rows]
    reordered = [[f"  {cell} " for cell in row] for row in reordered]
    import_bytes(csv_bytes(reordered, "utf-8-sig"))
    from_messy = snapshot()
    Report.objects.all().delete()
    Institution.objects.all().delete()
    import_file(SAMPLES / "sample-2019.csv")
    assert snapshot() == from_messy


@pytest.mark.parametrize(
    ("column", "spellings", "stored"),
    [
        ("svc_pet", ["1", "yes", "TRUE", "y", "是", " Yes "], True),
        ("svc_pet", ["0", "No", "false", "N", "否"], False),
        ("province", ["51", "四川省", "四川", "Sichuan", "sichuan"], "51"),
        ("ownership", ["public", "公立", "PUBLIC"], "public"),
        ("ownership", ["nonpublic", "非公立"], "nonpublic"),
        ("eq_pet_ct", ["3", "3.0", "+3", "３"], 3),
        ("eq_pet_ct", [""], None),
    ],
)
def test_real_life_spellings(column, spellings, stored):
    header = ["inst_code", "inst_name_zh", "province"]
    if column != "province":
        header.append(column)
    for number, spelling in enumerate(spellings):
        row = [f"X{number}", "医院", spelling if column == "province" else "51", spelling]
        summary = import_bytes(csv_bytes([header, row[: len(header)]]), year=2023)
        assert summary.ok, (spelling, summary.errors)
        values = Report.objects.get(institution__code=f"X{number}").item_values()
        assert values[column] == stored, spelling


def test_missing_columns_mean_not_reported():
    import_bytes(
        csv_bytes([["inst_code", "inst_name", "province"], ["A1", "Alpha", "51"]]), year=2023
    )
    values = Report.objects.get().item_values()
    assert values["eq_pet_ct"] is None and values["svc_pet"] is None and values["tier"] is None


def rows_with(column, value, code="A1"):
    return csv_bytes([["inst_code", "inst_name", "province", column], [code, "Alpha", "51", value]])


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("eq_pet_ct", "-2", "cannot be negative"),
        ("eq_pet_ct", "2.5", "whole number, without a fraction"),
        ("eq_pet_ct", "two", "not a whole number"),
        ("eq_pet_ct", "5000", "too large"),
        ("exam_pet_tumor", "99999999999999999999", "far too large"),
        ("svc_pet", "maybe", "not a yes/no value"),
        ("tier", "tertiary_plus", "not one of the listed values"),
        ("province", "Atlantis", "not a province"),
        ("inst_code", "A 1", "not a valid institution code"),
        ("inst_name_zh", "医院\x07", "control or invisible"),
        ("inst_name", "x" * 201, "at most 200"),
        ("year", "19", "not a survey year"),
    ],
)
def test_bad_values_are_errors_naming_line_and_column(column, value, message):
    if column in ("inst_code", "province", "inst_name"):
        header = ["inst_code", "inst_name", "province"]
        row = ["A1", "Alpha", "51"]
        row[header.index(column)] = value
        data = csv_bytes([header, row])
    else:
        data = rows_with(column, value)
    summary = import_bytes(data, year=2023 if column != "year" else None)
    assert [(e.line, e.column) for e in summary.errors] == [(2, column)]
    assert message in summary.errors[0].message
    assert str(summary.errors[0]).startswith(f"line 2, column {column}: ")
    assert not Report.objects.exists()


def test_a_row_whose_breakdowns_disagree_is_an_error_on_the_breakdown():
    data = csv_bytes(
        [
            ["inst_code", "inst_name", "province", "iv_samples", "iv_tests", "svc_in_vitro"],
            ["A1", "Alpha", "51", "100", "50", "1"],
        ]
    )
    summary = import_bytes(data, year=2023)
    assert [(e.line, e.column) for e in summary.errors] == [(2, "iv_tests")]


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        (["inst_code", "province", "eq_pet_cts"], "eq_pet_cts", "unknown column"),
        (["inst_code", "province", "eq_pet_ct", "eq_pet_ct"], "eq_pet_ct", "appears twice"),
        (["inst_name", "province"], "inst_code", "missing"),
    ],
)
def test_header_errors(header, column, message):
    summary = import_bytes(csv_bytes([header, ["A1"] * len(header)]), year=2023)
    assert [(e.line, e.column) for e in summary.errors] == [(1, column)]
    assert message in summary.errors[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"PK\x03\x04not really a workbook", "XLSX"),
        ("inst_code\n\udcff".encode("utf-8", "surrogateescape") + b"\xff\xfe\x80", "neither UTF-8"),
    ],
)
def test_a_file_that_is_not_a_survey_file_gets_one_clear_error(data, message):
    with pytest.raises(FileRejected, match=message):
        import_bytes(data)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.SURVEY_UPLOAD_MAX_BYTES = 100
    with pytest.raises(FileRejected, match="limit"):
        import_bytes(csv_bytes(sample_rows()))


def test_year_option_and_year_column_must_agree():
    summary = import_file(SAMPLES / "sample-2019.csv", year=2023)
    assert len(summary.errors) == 40 and {e.column for e in summary.errors} == {"year"}
    no_year = import_bytes(csv_bytes([["inst_code", "province"], ["A1", "51"]]))
    assert [(e.line, e.column) for e in no_year.errors] == [(1, "year")]


def test_the_same_institution_twice_is_an_error_even_far_apart(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    rows = sample_rows()
    rows.append(rows[1])
    summary = import_bytes(csv_bytes(rows))
    assert [(e.line, e.column) for e in summary.errors] == [(42, "inst_code")]
    assert not Report.objects.exists()


def test_an_error_in_the_last_chunk_undoes_the_chunks_already_written(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 5)
    rows = sample_rows()
    rows[-1][rows[0].index("eq_pet_ct")] = "-1"
    summary = import_bytes(csv_bytes(rows))
    assert len(summary.errors) == 1
    assert not Report.objects.exists() and not Institution.objects.exists()


def test_a_dry_run_counts_what_it_would_do_and_writes_nothing():
    summary = import_file(SAMPLES / "sample-2019.csv", dry_run=True)
    assert summary.ok and summary.reports_created == 40
    assert not Report.objects.exists() and not Cycle.objects.exists()


def test_the_registry_follows_the_latest_year_only():
    header = ["inst_code", "inst_name", "province", "tier"]
    import_bytes(csv_bytes([header, ["A1", "New name", "51", "tertiary_top"]]), year=2023)
    import_bytes(csv_bytes([header, ["A1", "Old name", "51", "secondary"]]), year=2019)
    institution = Institution.objects.get()
    assert (institution.name_en, institution.tier) == ("New name", "tertiary_top")
    tiers = dict(Report.objects.values_list("cycle_id", "tier"))
    assert tiers == {2019: "secondary", 2023: "tertiary_top"}


def test_a_known_institution_keeps_its_names_when_the_file_leaves_them_blank():
    import_file(SAMPLES / "sample-2019.csv")
    code = sample_rows()[1][1]
    import_bytes(csv_bytes([["inst_code", "eq_pet_ct"], [code, "1"]]), year=2019)
    institution = Institution.objects.get(code=code)
    assert institution.name_zh and institution.name_en


class TestCommand:
    def test_success_prints_a_summary(self, capsys):
        call_command("import_survey", str(SAMPLES / "sample-2019.csv"))
        assert "40 new reports" in capsys.readouterr().out

    def test_errors_each_on_a_line_and_a_non_zero_exit(self, capsys):
        with pytest.raises(CommandError, match="7 errors: nothing was imported"):
            call_command("import_survey", str(SAMPLES / "sample-2019-bad.csv"))
        lines = capsys.readouterr().err.strip().splitlines()
        assert [line.split(":")[0] for line in lines] == [
            f"line {line}, column {column}" for line, column in expected_bad_sample_errors()
        ]

    def test_messages_in_chinese_on_request(self, capsys):
        with pytest.raises(CommandError):
            call_command("import_survey", str(SAMPLES / "sample-2019-bad.csv"), language="zh-hans")
        err = capsys.readouterr().err
        assert "第 3 行" in err and "不能为负" in err

    def test_a_missing_or_rejected_file_is_one_error(self, tmp_path):
        with pytest.raises(CommandError, match="no such file"):
            call_command("import_survey", str(tmp_path / "nothing.csv"))
        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        with pytest.raises(CommandError, match="empty"):
            call_command("import_survey", str(empty))

    def test_dry_run(self, capsys):
        call_command("import_survey", str(SAMPLES / "sample-2019.csv"), dry_run=True)
        assert "Dry run" in capsys.readouterr().out
        assert not Report.objects.exists()


def test_changes_by_import_go_to_the_audit_trail_and_raise_the_version(admin_user):
    from survey.models import ValueChange

    import_file(SAMPLES / "sample-2019.csv")
    rows = sample_rows()
    column = rows[0].index("res_papers_sci")
    old = int(rows[1][column] or 0)
    rows[1][column] = str(old + 3)
    report = Report.objects.get(institution__code=rows[1][1])
    import_bytes(csv_bytes(rows), user=admin_user)
    change = ValueChange.objects.get(report=report)
    assert (change.item, change.old_value, change.new_value) == ("res_papers_sci", old, old + 3)
    assert (change.source, change.by) == ("import", admin_user)
    report_after = Report.objects.get(pk=report.pk)
    assert report_after.version == report.version + 1


def test_a_later_year_further_down_the_file_keeps_the_registry(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    header = ["year", "inst_code", "inst_name", "province", "tier"]
    data = csv_bytes(
        [
            header,
            ["2019", "Y1", "Other", "51", "secondary"],
            ["2023", "X1", "Now", "51", "tertiary_top"],
            ["2019", "X1", "Then", "44", "secondary"],
        ]
    )
    assert import_bytes(data).ok
    institution = Institution.objects.get(code="X1")
    assert (institution.province_id, institution.tier, institution.name_en) == (
        "51",
        "tertiary_top",
        "Now",
    )


def test_line_breaks_of_any_system_are_stored_as_one():
    rows = sample_rows()
    column = rows[0].index("op_suggestions")
    rows[1][column] = "line one\r\nline two\rline three"
    assert import_bytes(csv_bytes(rows)).ok
    report = Report.objects.get(institution__code=rows[1][1])
    assert report.op_suggestions == "line one\nline two\nline three"


def test_a_workbook_damaged_inside_is_one_clear_error():
    import zipfile

    from interchange.exporting import reports_for_export, write

    import_file(SAMPLES / "sample-2019.csv")
    good = io.BytesIO()
    write(reports_for_export(), good, "xlsx")
    damaged = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]
            target.writestr(entry, content)
    with pytest.raises(FileRejected, match="XLSX"):
        import_file(io.BytesIO(damaged.getvalue()), name="damaged.xlsx")


def test_the_year_option_must_be_a_survey_year():
    with pytest.raises(CommandError, match="not a survey year"):
        call_command("import_survey", str(SAMPLES / "sample-2019.csv"), "--year", "20233")
