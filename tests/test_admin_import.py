"""The admin's import: upload, preview, confirm, through the same importer as the command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interchange.importing import import_file
from survey.models import Report
from tests.importing import SAMPLES, csv_bytes, expected_bad_sample_errors, sample_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    return client


def upload(client, name, year=""):
    data = (SAMPLES / name).read_bytes()
    return client.post(
        reverse("admin:survey_report_import"),
        {
            "resource": "0",
            "format": "0",
            "year": year,
            "import_file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
    )


def test_upload_previews_then_confirm_writes(admin_client):
    preview = upload(admin_client, "sample-2019-gb18030.csv")
    assert preview.status_code == 200
    assert not Report.objects.exists()
    content = preview.content.decode()
    assert content.count('class="new"') == 40
    confirm = preview.context["confirm_form"]
    done = admin_client.post(
        reverse("admin:survey_report_process_import"),
        {field.name: field.value() or "" for field in confirm},
        follow=True,
    )
    assert Report.objects.filter(cycle_id=2019).count() == 40
    assert "40 new reports" in " ".join(map(str, done.context["messages"]))


def test_uploading_known_data_previews_no_change(admin_client):
    import_file(SAMPLES / "sample-2019.csv")
    preview = upload(admin_client, "sample-2019-gb18030.csv")
    assert preview.content.decode().count('class="skip"') == 40


def test_a_bad_file_shows_every_error_and_offers_no_confirm(admin_client):
    page = upload(admin_client, "sample-2019-bad.csv")
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None
    invalid = page.context["result"].invalid_rows
    assert [(row.number, *row.field_specific_errors) for row in invalid] == [
        (line, column) for line, column in expected_bad_sample_errors()
    ]
    assert not Report.objects.exists()


def test_an_unreadable_file_gets_a_clear_message(admin_client):
    page = admin_client.post(
        reverse("admin:survey_report_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("x.csv", b"\x00\x01binary", content_type="text/csv"),
        },
    )
    assert "binary data" in page.content.decode()


def test_selected_reports_export_as_a_file_that_imports_unchanged(admin_client):
    import_file(SAMPLES / "sample-2019.csv")
    response = admin_client.post(
        reverse("admin:survey_report_changelist"),
        {"action": "export_xlsx", "select_across": "1", "_selected_action": ["0"]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="survey-reports.xlsx"'
    data = b"".join(response.streaming_content)
    assert import_file(io.BytesIO(data), name="x.xlsx").reports_unchanged == 40


def test_only_administrators_may_import(client, make_user):
    from departments.models import Province

    staff = make_user("coordinator", province=Province.objects.get(code="44"), is_staff=True)
    client.force_login(staff)
    page = client.get(reverse("admin:survey_report_import"))
    assert page.status_code == 403


def post_file(client, name, data, url="admin:survey_report_import"):
    return client.post(
        reverse(url),
        {
            "resource": "0",
            "format": "0",
            "year": "",
            "import_file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
    )


def form_errors(page):
    return " ".join(page.context["form"].errors.get("import_file", []))


def test_a_csv_whose_first_line_is_blank_is_refused_with_a_message(admin_client):
    data = b"\n" + (SAMPLES / "sample-2019.csv").read_bytes()
    page = post_file(admin_client, "x.csv", data)
    assert page.status_code == 200
    assert "Line 1 is blank" in form_errors(page)
    assert not Report.objects.exists()


def test_a_file_mixing_encodings_is_refused_with_its_line(admin_client):
    data = "year,inst_code,inst_name_zh,province\n2023,A1,甲医院,51\n".encode()
    page = post_file(admin_client, "x.csv", data + "2023,A2,乙医院,51\n".encode("gbk"))
    assert "Line 3 is not UTF-8" in form_errors(page)


def test_a_file_above_the_admin_bounds_points_to_the_command(admin_client, settings):
    settings.SURVEY_ADMIN_IMPORT_MAX_ROWS = 39
    page = upload(admin_client, "sample-2019.csv")
    assert "up to 39 rows" in form_errors(page)
    assert "manage.py import_survey" in form_errors(page)
    settings.SURVEY_ADMIN_IMPORT_MAX_ROWS = 40
    settings.SURVEY_ADMIN_IMPORT_MAX_BYTES = 10_000
    assert "manage.py import_survey" in form_errors(upload(admin_client, "sample-2019.csv"))
    assert not Report.objects.exists()


def confirm(client, preview):
    return client.post(
        reverse("admin:survey_report_process_import"),
        {field.name: field.value() or "" for field in preview.context["confirm_form"]},
        follow=True,
    )


def test_an_import_while_another_runs_is_refused_plainly(admin_client, monkeypatch):
    from interchange import importing

    preview = upload(admin_client, "sample-2019.csv")

    def busy(wait):
        raise importing.ImportBusy("Another import is running.")

    monkeypatch.setattr(importing, "_lock_imports", busy)
    done = confirm(admin_client, preview)
    assert done.status_code == 200
    assert "Another import is running." in " ".join(map(str, done.context["messages"]))
    assert not Report.objects.exists()


def test_the_database_failing_at_confirm_is_a_message_not_a_500(admin_client, monkeypatch):
    from django.db import OperationalError

    preview = upload(admin_client, "sample-2019.csv")

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Report.objects, "bulk_create", down)
    done = confirm(admin_client, preview)
    assert "The database stopped answering" in " ".join(map(str, done.context["messages"]))
    assert not Report.objects.exists()


def test_a_request_body_larger_than_its_sender_may_upload_is_a_400(admin_client, settings):
    from django.test import Client

    settings.SURVEY_ADMIN_IMPORT_MAX_BYTES = 50_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    login, client = reverse("login"), Client()
    assert client.post(login, {"username": "x", "password": "y" * 20_000}).status_code == 400
    anonymous_file = {"username": "x", "file": SimpleUploadedFile("x.csv", b"x" * 20_000)}
    assert client.post(login, anonymous_file).status_code == 400
    assert post_file(admin_client, "x.csv", b"x" * 70_000).status_code == 400


def test_django_defaults_hold_form_bodies_to_a_few_megabytes(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 2**20
    assert settings.SURVEY_ADMIN_IMPORT_MAX_BYTES <= settings.SURVEY_UPLOAD_MAX_BYTES


def page_text(page):
    return page.content.decode()


def test_the_preview_while_another_import_runs_is_a_message_not_a_500(admin_client, monkeypatch):
    from interchange import importing

    def busy(wait):
        raise importing.ImportBusy("Another import is running.")

    monkeypatch.setattr(importing, "_lock_imports", busy)
    page = upload(admin_client, "sample-2019.csv")
    assert page.status_code == 200
    assert "Another import is running." in page_text(page)
    assert "Traceback" not in page_text(page)
    assert page.context.get("confirm_form") is None
    assert not Report.objects.exists()


def test_the_database_failing_at_preview_is_a_message_not_a_500(admin_client, monkeypatch):
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Report.objects, "bulk_create", down)
    page = upload(admin_client, "sample-2019.csv")
    assert page.status_code == 200
    assert "The database stopped answering" in page_text(page)
    assert page.context.get("confirm_form") is None


def test_a_preview_with_more_errors_than_are_listed_says_so(admin_client):
    from interchange.importing import MAX_ERRORS

    rows = [["year", "inst_code", "province", "eq_pet_ct"]]
    rows += [[2023, f"A{n}", "51", "-1"] for n in range(MAX_ERRORS + 10)]
    page = post_file(admin_client, "x.csv", csv_bytes(rows))
    assert page.status_code == 200
    assert "of which the first 200 are listed" in page_text(page)


def test_a_file_with_a_header_only_is_refused_in_the_users_language(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    client.cookies["django_language"] = "zh-hans"
    page = post_file(client, "x.csv", b"year,inst_code\n")
    assert page.status_code == 200
    assert "No valid data" not in page_text(page)
    assert page.context["result"].invalid_rows  # the importer's own "no data rows", line 2


def test_a_value_its_year_does_not_ask_is_shown_as_the_error_of_its_cell(admin_client):
    header, *body = sample_rows()
    rows = [[*header, "tx_ra223"], *(["2023", *row[1:], "6"] for row in body[:1])]
    page = admin_client.post(
        reverse("admin:survey_report_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("survey-2023.csv", csv_bytes(rows)),
        },
    )
    content = page.content.decode()
    assert "is not asked in 2023 (asked from 2028)" in content
    assert page.context.get("confirm_form") is None
    assert not Report.objects.exists()
