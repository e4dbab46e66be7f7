"""The admin import's mapping step: columns not headed by their code are shown with their
first values and confirmed (or corrected, or ignored) before the check; mappings are saved
under a name, offered for the next file with the same headers, and taken by import_survey."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from departments.models import Institution
from interchange.models import ColumnMapping
from jobs.models import Job, JobStatus
from survey.instrument import items as instrument
from survey.models import Report
from tests.importing import csv_bytes, sample_rows, snapshot, xlsx_bytes
from tests.test_admin_import import confirm, confirm_columns, page_text, post_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# How the society's earlier system named some columns: no label of the dictionary.
LEGACY = {"inst_code": "医院编号", "eq_pet_ct": "PET-CT数量", "year": "统计年份"}


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(client, django_user_model, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "x")
    client.force_login(admin)
    client.user = admin
    return client


def empty_database():
    Report.objects.all().delete()
    Institution.objects.all().delete()


@pytest.fixture
def from_codes(admin_client):
    """What the code-headed 2019 sample writes, imported through the admin (no mapping step)."""
    empty_database()
    check = post_file(admin_client, "2019.csv", csv_bytes(sample_rows()))
    assert check.context["file_columns"] is None and check.context["may_import"]
    confirm(admin_client, check)
    written = snapshot()
    empty_database()
    return written


def labelled(rows, language, rename=None):
    """`rows` headed by the dictionary's labels in `language`, some headers renamed."""
    with translation.override(language):
        names = {item.code: str(item.label) for item in instrument.items()}
    names["year"] = "年度" if language == "zh-hans" else "Year"
    names |= rename or {}
    return [[names[code] for code in rows[0]], *rows[1:]]


def legacy_rows():
    return labelled(sample_rows(), "zh-hans", LEGACY)


def legacy_choices():
    return {header: code for code, header in LEGACY.items()}


def columns_by_header(page):
    return {
        column.header: (column, field)
        for column, field in page.context["columns_form"].column_rows()
    }


def mapped_through_the_admin(client, data, name="2019.csv", **answers):
    columns = post_file(client, name, data)
    assert columns.context["job"].status == JobStatus.COLUMNS
    check = confirm_columns(client, columns, **answers)
    assert check.context["may_import"], page_text(check)
    confirm(client, check)
    return snapshot()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_labelled_columns_are_proposed_and_give_the_figures_of_the_code_headed_file(
    admin_client, from_codes, language
):
    rows = labelled(sample_rows(), language)
    columns = post_file(admin_client, "2019.csv", csv_bytes(rows))
    assert not Report.objects.exists()
    shown = columns_by_header(columns)
    # Every column is read by its label, all to confirm; but "Year", the year column's code.
    assert list(shown) == [header for header in rows[0] if header != "Year"]
    index = sample_rows()[0].index("eq_pet_ct")
    column, field = shown[rows[0][index]]
    assert field.initial == "eq_pet_ct" and column.matched_by == "label"
    assert column.samples == [row[index] for row in rows[1:] if row[index].strip()][:3]
    assert mapped_through_the_admin(admin_client, csv_bytes(rows)) == from_codes


def test_an_unknown_column_must_be_chosen_and_its_mapping_is_saved_and_offered_again(
    admin_client, from_codes
):
    data = csv_bytes(legacy_rows())
    columns = post_file(admin_client, "2019.csv", data)
    shown = columns_by_header(columns)
    assert shown["医院编号"][1].initial == ""
    assert shown["医院编号"][0].samples == [row[1] for row in sample_rows()[1:4]]
    assert "not recognised" in page_text(columns)

    refused = confirm_columns(admin_client, columns)
    assert refused.status_code == 400
    assert refused.context["columns_form"].errors
    assert Job.objects.get(pk=columns.context["job"].pk).status == JobStatus.COLUMNS

    check = confirm_columns(admin_client, columns, choices=legacy_choices(), save_as="旧系统 2019")
    assert check.context["may_import"], page_text(check)
    mapped = dict(map(tuple, check.context["job"].summary["columns_mapped"]))
    assert mapped["医院编号"] == "inst_code" and mapped["PET-CT数量"] == "eq_pet_ct"
    confirm(admin_client, check)
    assert snapshot() == from_codes
    saved = ColumnMapping.objects.get(name="旧系统 2019")
    assert saved.columns["医院编号"] == "inst_code" and saved.saved_by == admin_client.user

    # The next file with the same headers, in another order, has them filled in.
    empty_database()
    rows = legacy_rows()
    reordered = [list(reversed(row)) for row in rows]
    again = post_file(admin_client, "2019 again.csv", csv_bytes(reordered))
    assert again.context["file_columns"].saved_mapping == "旧系统 2019"
    assert "旧系统 2019" in page_text(again)
    assert columns_by_header(again)["医院编号"][1].initial == "inst_code"
    check = confirm_columns(admin_client, again)
    confirm(admin_client, check)
    assert snapshot() == from_codes


def test_the_same_item_in_two_spellings_must_be_ignored_once(admin_client, from_codes):
    rows = sample_rows()
    rows = [[*row, "999" if line else "PET 或 PET/CT（台）"] for line, row in enumerate(rows)]
    columns = post_file(admin_client, "2019.csv", csv_bytes(rows))
    shown = columns_by_header(columns)
    assert list(shown) == ["PET 或 PET/CT（台）"]  # every other column is headed by its code
    assert shown["PET 或 PET/CT（台）"][0].duplicate_of == "eq_pet_ct"
    refused = confirm_columns(admin_client, columns)
    assert refused.status_code == 400
    assert "eq_pet_ct" in str(refused.context["columns_form"].errors)
    check = confirm_columns(admin_client, columns, choices={"PET 或 PET/CT（台）": "-"})
    assert check.context["may_import"]
    confirm(admin_client, check)
    assert snapshot() == from_codes


def test_the_institution_code_and_the_year_must_be_somewhere(admin_client):
    rows = legacy_rows()
    columns = post_file(admin_client, "2019.csv", csv_bytes(rows))
    without_code = confirm_columns(
        admin_client, columns, choices={**legacy_choices(), "医院编号": "-"}
    )
    assert "institution code" in str(without_code.context["columns_form"].non_field_errors())
    without_year = confirm_columns(
        admin_client, columns, choices={**legacy_choices(), "统计年份": "-"}
    )
    assert "survey year" in str(without_year.context["columns_form"].non_field_errors())
    # With the year given on upload, the year column may be ignored.
    given = post_file(admin_client, "2019.csv", csv_bytes(rows), year="2019")
    check = confirm_columns(admin_client, given, choices={**legacy_choices(), "统计年份": "-"})
    assert check.context["may_import"], page_text(check)


def test_errors_name_the_column_as_the_file_does_and_the_item_it_was_mapped_to(admin_client):
    rows = legacy_rows()
    rows[3][rows[0].index("PET-CT数量")] = "-3"
    columns = post_file(admin_client, "2019.csv", csv_bytes(rows))
    check = confirm_columns(admin_client, columns, choices=legacy_choices())
    assert not check.context["may_import"]
    [error] = check.context["summary"].errors
    assert (error.line, error.column) == (4, "PET-CT数量 (eq_pet_ct)")
    assert "negative" in error.message


def test_a_second_confirmation_queues_the_check_once(admin_client):
    columns = post_file(admin_client, "2019.csv", csv_bytes(legacy_rows()))
    confirm_columns(admin_client, columns, choices=legacy_choices())
    job = Job.objects.get()
    summary = job.summary
    again = confirm_columns(admin_client, columns, choices={**legacy_choices(), "医院编号": "-"})
    job.refresh_from_db()
    assert again.status_code == 200 and job.summary == summary
    assert job.options["mapping"]["医院编号"] == "inst_code"


def test_only_the_administrator_who_uploaded_confirms_the_columns(
    admin_client, client, django_user_model, coordinator_sichuan
):
    columns = post_file(admin_client, "2019.csv", csv_bytes(legacy_rows()))
    job = columns.context["job"]
    url = reverse("jobs:columns", args=[job.pk])
    other = django_user_model.objects.create_superuser("other", "o@example.org", "x")
    client.force_login(other)
    assert client.get(reverse("jobs:detail", args=[job.pk])).context["columns_form"] is None
    assert client.post(url, {"save_as": ""}).status_code == 403
    client.force_login(coordinator_sichuan)
    assert client.post(url, {"save_as": ""}).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.COLUMNS


def test_a_file_whose_upload_is_gone_asks_for_it_again(admin_client):
    columns = post_file(admin_client, "2019.csv", csv_bytes(legacy_rows()))
    job = columns.context["job"]
    job.upload.delete()
    page = admin_client.get(reverse("jobs:detail", args=[job.pk]))
    assert "upload it again" in page_text(page) and page.context["columns_form"] is None
    after = admin_client.post(reverse("jobs:columns", args=[job.pk]), {"save_as": ""})
    assert after.status_code == 302


def test_a_saved_mapping_to_an_item_no_longer_asked_is_not_proposed(admin_client):
    rows = legacy_rows()
    ColumnMapping.objects.create(
        name="stale", headers=rows[0], columns={**legacy_choices(), "PET-CT数量": "eq_gone"}
    )
    columns = post_file(admin_client, "2019.csv", csv_bytes(rows))
    shown = columns_by_header(columns)
    assert shown["医院编号"][1].initial == "inst_code"
    assert shown["PET-CT数量"][1].initial == ""


def test_an_xlsx_under_a_title_row_goes_through_the_mapping(admin_client, from_codes):
    data = xlsx_bytes([["2019年 全国核医学现状普查"], *legacy_rows()])
    columns = post_file(admin_client, "2019.xlsx", data)
    assert columns.context["file_columns"].header_line == 2
    written = mapped_through_the_admin(
        admin_client, data, name="2019.xlsx", choices=legacy_choices()
    )
    assert written == from_codes


def test_the_command_takes_a_saved_mapping_by_name_and_says_what_it_mapped(
    admin_client, from_codes, tmp_path
):
    rows = legacy_rows()
    columns = post_file(admin_client, "2019.csv", csv_bytes(rows))
    confirm_columns(admin_client, columns, choices=legacy_choices(), save_as="legacy")
    empty_database()
    path = tmp_path / "2019.csv"
    path.write_bytes(csv_bytes(rows))
    out = io.StringIO()
    call_command("import_survey", str(path), "--mapping", "legacy", stdout=out)
    printed = out.getvalue()
    assert "Mapping used: “legacy”" in printed
    assert "医院编号 → inst_code" in printed and "PET-CT数量 → eq_pet_ct" in printed
    assert snapshot() == from_codes


def test_the_command_names_the_saved_mappings_when_it_knows_none_by_that_name(tmp_path):
    ColumnMapping.objects.create(name="legacy", headers=["医院编号"], columns={})
    path = tmp_path / "2019.csv"
    path.write_bytes(csv_bytes(legacy_rows()))
    with pytest.raises(CommandError, match="saved: legacy"):
        call_command("import_survey", str(path), "--mapping", "legasy")


def test_a_file_left_waiting_for_its_columns_is_deleted_a_day_later(admin_client):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.services import prune

    columns = post_file(admin_client, "2019.csv", csv_bytes(legacy_rows()))
    job = columns.context["job"]
    prune()
    job.refresh_from_db()
    assert job.awaits_columns
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=2))
    prune()
    job.refresh_from_db()
    assert not job.upload and not job.awaits_columns


def test_a_check_queued_again_once_its_columns_are_confirmed_waits_from_then(
    admin_client, monkeypatch
):
    """Columns confirmed ten minutes after the upload: the job has just joined the queue, it
    has not been waiting for a worker all along (nor is it abandoned a day after the upload)."""
    from datetime import timedelta

    from django.utils import timezone

    from jobs import services

    columns = post_file(admin_client, "2019.csv", csv_bytes(legacy_rows()))
    job = columns.context["job"]
    earlier = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(created_at=earlier, queued_at=earlier)
    monkeypatch.setattr(services, "_enqueued", lambda job: job)  # no worker takes it yet
    confirm_columns(admin_client, columns, choices=legacy_choices())
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.queued_at > earlier
    assert not job.waiting_for_a_worker
    page = admin_client.get(reverse("jobs:detail", args=[job.pk]))
    assert "Is the job worker running?" not in page_text(page)


def test_a_name_saved_for_other_headers_is_not_overwritten(admin_client):
    theirs = ColumnMapping.objects.create(
        name="legacy", headers=["编号", "备注"], columns={"编号": "inst_code", "备注": None}
    )
    columns = post_file(admin_client, "2019.csv", csv_bytes(legacy_rows()))
    refused = confirm_columns(admin_client, columns, choices=legacy_choices(), save_as="legacy")
    assert refused.status_code == 400
    assert "choose another name" in str(refused.context["columns_form"].errors["save_as"])
    theirs.refresh_from_db()
    assert theirs.columns == {"编号": "inst_code", "备注": None}
    assert theirs.headers == ["编号", "备注"]
    # Saved under its own name, it is this file's; saved again, the same name is updated.
    confirm_columns(admin_client, columns, choices=legacy_choices(), save_as="legacy 2019")
    assert ColumnMapping.objects.get(name="legacy 2019").columns["医院编号"] == "inst_code"


@pytest.mark.parametrize("name", ["a\x01b", "two\nlines", "tab\there", "evil\u202egnp.exe"])
def test_a_mapping_name_is_one_line_of_acceptable_text(admin_client, name):
    columns = post_file(admin_client, "2019.csv", csv_bytes(legacy_rows()))
    refused = confirm_columns(admin_client, columns, choices=legacy_choices(), save_as=name)
    assert refused.status_code == 400 and "save_as" in refused.context["columns_form"].errors
    assert not ColumnMapping.objects.exists()


def test_a_title_row_above_a_header_of_unknown_names_is_not_taken_for_the_header(admin_client):
    rows = sample_rows()
    renamed = [
        f"旧字段{index}" if code not in ("year", "inst_code") else code
        for index, code in enumerate(rows[0])
    ]
    columns = post_file(
        admin_client, "2019.csv", csv_bytes([["2019年 全国核医学现状普查"], renamed, *rows[1:]])
    )
    file_columns = columns.context["file_columns"]
    assert file_columns.header_line == 2
    assert [column.header for column in file_columns.columns] == renamed
    assert len(file_columns.to_confirm) == len(renamed) - 2


def test_two_columns_with_the_same_header_cannot_both_be_read(admin_client, from_codes):
    rows = labelled(sample_rows(), "zh-hans")
    pet = rows[0].index("PET 或 PET/CT（台）")
    rows = [[*row, row[pet]] for row in rows]  # the column twice, under the same header
    columns = post_file(admin_client, "2019.csv", csv_bytes(rows))
    twice = [c for c in columns.context["file_columns"].columns if c.header == rows[0][pet]]
    assert [column.duplicate_of for column in twice] == ["", "PET 或 PET/CT（台）"]
    refused = confirm_columns(admin_client, columns)
    assert refused.status_code == 400
    assert "rename one of them in the file" in str(refused.context["columns_form"].errors)
    # Ignored, the figure is missing from every report: the check says what that leaves.
    check = confirm_columns(admin_client, columns, choices={rows[0][pet]: "-"})
    mapped = dict(map(tuple, check.context["job"].summary["columns_mapped"]))
    assert mapped[rows[0][pet]] is None
