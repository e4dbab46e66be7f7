"""One number format: thousands separators in Chinese tables, no float noise in downloads,
download columns that do not change with the language."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports import consistency


@pytest.fixture(autouse=True)
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def big_and_uneven(make_report, cycle_2023):
    """Figures with thousands and shares that are not round: 1/3 of the departments."""
    from survey.models import Cycle

    cycle_2019 = Cycle.objects.create(year=2019)
    first = make_report(exam_pet_tumor=1381758, eq_pet_ct=2, staff_physicians=7)
    make_report(exam_pet_tumor=2, eq_pet_ct=1, staff_physicians=2)
    make_report(exam_pet_tumor=1, eq_pet_ct=0, staff_physicians=3)
    make_report(cycle=cycle_2019, institution=first.institution, eq_pet_ct=3, staff_physicians=9)


NOISE = re.compile(r"\d\.\d{5,}")


def csv_of(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_chinese_tables_have_thousands_separators(client, big_and_uneven):
    # The dashboard's headline figures, and its examinations table (fetched when opened).
    page = client.get(reverse("reports:national"), {"year": 2023}).content.decode()
    table = client.get(reverse("reports:table", args=["examinations"]), {"year": 2023})
    for html in (page, table.content.decode()):
        # Raw only in the charts' data, never in a cell.
        assert ">1381761<" not in html and ">1,381,761<" in html


@pytest.mark.parametrize("key", ["growth", "equipment", "examinations", "staff"])
def test_panel_downloads_have_no_float_noise(client, big_and_uneven, key):
    response = client.get(
        reverse("reports:download_table", args=[key]),
        {"year": 2023, "baseline": 2019, "province": "51"},
    )
    assert not NOISE.search(response.content.decode("utf-8-sig"))


def test_aggregates_and_the_command_have_no_float_noise(client, big_and_uneven, capsys):
    for extension in ("csv", "json"):
        response = client.get(
            reverse("reports:aggregates", args=[extension]), {"year": 2023, "baseline": 2019}
        )
        assert not NOISE.search(response.content.decode("utf-8-sig")), extension
    document = client.get(
        reverse("reports:aggregates", args=["json"]), {"year": 2023, "baseline": 2019}
    ).json()
    # 12 physicians against 9: +33.33% (the publications' finest precision), not 33.333333333333336.
    assert document["metrics"]["staff_physicians"]["growth_pct"] == 33.33
    call_command("survey_aggregates", "--year", "2023", "--baseline", "2019")
    assert not NOISE.search(capsys.readouterr().out)
    call_command("survey_aggregates", "--year", "2023", "--baseline", "2019", "--format", "csv")
    assert not NOISE.search(capsys.readouterr().out)


@pytest.mark.parametrize(
    "url",
    [
        (reverse("reports:download_table", args=["equipment"]), {"province": "51"}),
        (reverse("reports:download_table", args=["growth"]), {"baseline": 2019}),
        (reverse("reports:aggregates", args=["csv"]), {}),
        (reverse("reports:provinces"), {"download": "csv"}),
    ],
    ids=["panel", "growth", "aggregates", "provinces"],
)
def test_download_headers_do_not_change_with_the_language(client, big_and_uneven, url):
    path, query = url
    query = {"year": 2023, **query}
    chinese = csv_of(client.get(path, query))
    client.cookies["django_language"] = "en"
    english = csv_of(client.get(path, query))
    assert chinese[0] == english[0]
    assert all(re.fullmatch(r"[a-z0-9_]+", column) for column in chinese[0]), chinese[0]


def test_panel_downloads_carry_labels_in_the_active_language(client, big_and_uneven):
    path = reverse("reports:download_table", args=["equipment"])
    header, *rows = csv_of(client.get(path, {"year": 2023}))
    by_metric = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_metric["eq_positron_total"]["label"] == "正电子显像设备"
    assert by_metric["eq_positron_total"]["value"] == "3"


def test_the_published_check_prints_both_numbers_the_same_way(db):
    finding = consistency.Finding(
        "2024", "national", "全国", "exam_pet_total", 2023, "1,044", "1,045", ""
    )
    assert finding.metric_label == "PET 或 PET/CT 检查"
    assert consistency._as_printed("1044") == "1,044"
    assert consistency._as_printed("1381758") == "1,381,758"
    assert consistency._as_printed("80.8") == "80.8"
    assert consistency._shown(1045) == "1,045"
