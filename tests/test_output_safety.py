"""Names and comments containing HTML or script are shown as text everywhere they appear."""

import csv
import io
import json

import pytest
from django.urls import reverse

from interchange.exporting import reports_for_export, write
from reports import charts

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)><b>粗体</b>'


@pytest.fixture
def hostile_report(make_report):
    report = make_report(eq_pet_ct=1, op_suggestions=HOSTILE)
    report.institution.name_zh = HOSTILE
    report.institution.name_en = HOSTILE
    report.institution.save()
    return report


def assert_shown_as_text(html):
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


def test_the_institution_profile_escapes_the_name(client, analyst, hostile_report):
    client.force_login(analyst)
    html = client.get(reverse("reports:institution", args=[hostile_report.institution.code]))
    assert_shown_as_text(html.content.decode())


def test_the_admin_escapes_names(admin_client, hostile_report):
    html = admin_client.get(reverse("admin:survey_report_changelist")).content.decode()
    assert_shown_as_text(html)


def test_chart_labels_cannot_carry_html():
    figure = charts.line_figure(HOSTILE, [2019, 2023], [(HOSTILE, [1, 2])])
    text = json.dumps(charts.as_json_data(figure), ensure_ascii=False)
    assert "<" not in text and ">" not in text


def test_exports_neutralise_and_keep_the_text(hostile_report):
    stream = io.BytesIO()
    write(reports_for_export(), stream, "csv")
    header, row = csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig")))
    assert row[header.index("inst_name_zh")] == HOSTILE
    assert row[header.index("op_suggestions")] == HOSTILE
