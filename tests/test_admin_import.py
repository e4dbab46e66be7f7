"""The admin's import: upload, a check in the background, then the import, each a job
(`jobs`), through the same importer as the command. TASKS_BACKEND=immediate in the tests: a
job has run when the request that started it answers."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interchange.importing import import_file
from jobs.models import Job
from survey.models import Report
from tests.importing import SAMPLES, csv_bytes, expected_bad_sample_errors, sample_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin_client(client, django_user_model, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    return client


def post_file(client, name, data, year=""):
    """The upload form sent; the page it leads to (the check's, once it has run)."""
    return client.post(
        reverse("admin:survey_report_import"),
        {"year": year, "import_file": SimpleUploadedFile(name, data, content_type="text/csv")},
        follow=True,
    )


def upload(client, name, year=""):
    return post_file(client, name, (SAMPLES / name).read_bytes(), year)


def confirm_columns(client, page, *, choices=None, save_as=""):
    """The mapping step answered: each column's item as the page proposes it, but for the
    `choices` given ({header: item code, or "-" to ignore}); the page it leads to."""
    form = page.context["columns_form"]
    data = {"save_as": save_as}
    for column, field in form.column_rows():
        data[field.html_name] = (choices or {}).get(column.header, field.initial)
    job = page.context["job"]
    return client.post(reverse("jobs:columns", args=[job.pk]), data, follow=True)


def confirm(client, check_page):
    return client.post(reverse("jobs:import", args=[check_page.context["job"].pk]), follow=True)


def page_text(page):
    return page.content.decode()


def test_upload_checks_then_import_writes(admin_client):
    check = upload(admin_client, "sample-2019-gb18030.csv")
    assert check.status_code == 200
    assert not Report.objects.exists()
    assert check.context["summary"].dry_run and check.context["summary"].reports_created == 40
    assert check.context["may_import"]
    done = confirm(admin_client, check)
    assert Report.objects.filter(cycle_id=2019).count() == 40
    assert "40 new reports" in page_text(done)
    assert done.context["job"].status == "done"


def test_uploading_known_data_checks_no_change(admin_client):
    import_file(SAMPLES / "sample-2019.csv")
    summary = upload(admin_client, "sample-2019-gb18030.csv").context["summary"]
    assert (summary.reports_unchanged, summary.reports_updated, summary.reports_created) == (
        40,
        0,
        0,
    )


def test_a_bad_file_shows_every_error_and_offers_no_import(admin_client):
    page = upload(admin_client, "sample-2019-bad.csv")
    assert not page.context["may_import"]
    errors = page.context["summary"].errors
    assert [(error.line, error.column) for error in errors] == expected_bad_sample_errors()
    for error in errors:
        assert f"<td><code>{error.column}</code></td>" in page_text(page)
    assert (
        admin_client.post(reverse("jobs:import", args=[page.context["job"].pk])).status_code == 302
    )
    assert Job.objects.count() == 1
    assert not Report.objects.exists()


def test_an_unreadable_file_gets_a_clear_message(admin_client):
    page = post_file(admin_client, "x.csv", b"\x00\x01binary")
    assert page.context["job"].status == "failed"
    assert "binary data" in page_text(page)


def test_selected_reports_export_as_a_file_that_imports_unchanged(admin_client):
    import_file(SAMPLES / "sample-2019.csv")
    response = admin_client.post(
        reverse("admin:survey_report_changelist"),
        {"action": "export_xlsx", "select_across": "1", "_selected_action": ["0"]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="survey-reports.xlsx"'
    data = b"".join(response.streaming_content)
    assert import_file(io.BytesIO(data), name="x.xlsx").reports_unchanged == 40


def test_the_changelist_links_the_import_and_the_year_export(admin_client):
    page = page_text(admin_client.get(reverse("admin:survey_report_changelist")))
    assert reverse("admin:survey_report_import") in page
    assert reverse("admin:survey_report_export_year") in page


def test_the_import_page_links_the_codebook(admin_client):
    page = admin_client.get(reverse("admin:survey_report_import")).content.decode()
    assert f'href="{reverse("interchange:index")}"' in page


def test_only_administrators_may_import(client, make_user):
    from departments.models import Province

    staff = make_user("coordinator", province=Province.objects.get(code="44"), is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:survey_report_import")).status_code == 403
    data = {"import_file": SimpleUploadedFile("x.csv", (SAMPLES / "sample-2019.csv").read_bytes())}
    assert client.post(reverse("admin:survey_report_import"), data).status_code == 403
    assert not Job.objects.exists()
    assert reverse("admin:survey_report_import") not in page_text(
        client.get(reverse("admin:survey_report_changelist"))
    )


def test_a_csv_whose_first_line_is_blank_is_refused_with_a_message(admin_client):
    data = b"\n" + (SAMPLES / "sample-2019.csv").read_bytes()
    page = post_file(admin_client, "x.csv", data)
    assert page.status_code == 200
    assert "Line 1 is blank" in page.context["job"].error
    assert not Report.objects.exists()


def test_a_file_mixing_encodings_is_refused_with_its_line(admin_client):
    data = "year,inst_code,inst_name_zh,province\n2023,A1,甲医院,51\n".encode()
    page = post_file(admin_client, "x.csv", data + "2023,A2,乙医院,51\n".encode("gbk"))
    assert "Line 3 is not UTF-8" in page_text(page)


def test_a_file_above_the_admin_bound_points_to_the_command(admin_client, settings):
    settings.SURVEY_ADMIN_IMPORT_MAX_BYTES = 10_000
    page = upload(admin_client, "sample-2019.csv")
    assert page.status_code == 200
    errors = " ".join(page.context["form"].errors["import_file"])
    assert "up to 9.8\xa0KB" in errors and "manage.py import_survey" in errors
    assert not Job.objects.exists()
    assert not Report.objects.exists()


def test_an_import_while_another_runs_is_refused_plainly(admin_client, monkeypatch):
    from interchange import importing

    check = upload(admin_client, "sample-2019.csv")

    def busy(wait):
        raise importing.ImportBusy("Another import is running.")

    monkeypatch.setattr(importing, "_lock_imports", busy)
    done = confirm(admin_client, check)
    assert done.status_code == 200
    assert done.context["job"].status == "failed"
    assert "Another import is running." in page_text(done)
    assert not Report.objects.exists()


def test_the_database_failing_at_import_is_a_message_not_a_500(admin_client, monkeypatch):
    from django.db import OperationalError

    check = upload(admin_client, "sample-2019.csv")

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Report.objects, "bulk_create", down)
    done = confirm(admin_client, check)
    assert "The database stopped answering" in page_text(done)
    assert not Report.objects.exists()


def test_the_database_failing_at_the_check_is_a_message_not_a_500(admin_client, monkeypatch):
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Report.objects, "bulk_create", down)
    page = upload(admin_client, "sample-2019.csv")
    assert page.status_code == 200
    assert "The database stopped answering" in page_text(page)
    assert "Traceback" not in page_text(page)
    assert not page.context["may_import"]


def test_a_request_body_larger_than_its_sender_may_upload_is_a_400(admin_client, settings):
    from django.test import Client

    settings.SURVEY_ADMIN_IMPORT_MAX_BYTES = 50_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    login, client = reverse("login"), Client()
    assert client.post(login, {"username": "x", "password": "y" * 20_000}).status_code == 400
    anonymous_file = {"username": "x", "file": SimpleUploadedFile("x.csv", b"x" * 20_000)}
    assert client.post(login, anonymous_file).status_code == 400
    assert post_file(admin_client, "x.csv", b"x" * 70_000).status_code == 400
    assert not Job.objects.exists()


def test_django_defaults_hold_form_bodies_to_a_few_megabytes(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 2**20
    assert settings.SURVEY_ADMIN_IMPORT_MAX_BYTES <= settings.SURVEY_UPLOAD_MAX_BYTES


def test_a_check_with_more_errors_than_are_listed_says_so(admin_client):
    from interchange.importing import MAX_ERRORS

    rows = [["year", "inst_code", "province", "eq_pet_ct"]]
    rows += [[2023, f"A{n}", "51", "-1"] for n in range(MAX_ERRORS + 10)]
    page = post_file(admin_client, "x.csv", csv_bytes(rows))
    assert page.status_code == 200
    assert "of which the first 200 are listed" in page_text(page)
    assert page_text(page).count("<td><code>eq_pet_ct</code></td>") == MAX_ERRORS


def test_a_file_with_a_header_only_is_refused_in_the_users_language(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    client.cookies["django_language"] = "zh-hans"
    page = post_file(client, "x.csv", b"year,inst_code\n")
    assert page.status_code == 200
    assert [(e.line, e.message) for e in page.context["summary"].errors] == [
        (2, "文件中没有数据行。")
    ]
    assert "文件中没有数据行。" in page_text(page)


def test_a_value_its_year_does_not_ask_is_shown_as_the_error_of_its_cell(admin_client):
    header, *body = sample_rows()
    rows = [[*header, "tx_ra223"], *(["2023", *row[1:], "6"] for row in body[:1])]
    page = post_file(admin_client, "survey-2023.csv", csv_bytes(rows))
    assert "is not asked in 2023 (asked from 2028)" in page_text(page)
    assert not page.context["may_import"]
    assert not Report.objects.exists()
