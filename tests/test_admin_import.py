"""The admin's import: upload, preview, confirm, through the same importer as the command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from survey.importing import import_file
from survey.models import Report
from tests.importing import SAMPLES, expected_bad_sample_errors

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
