"""The dashboards, downloads, the aggregates command and the published-figures check."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from reports import consistency
from survey.models import Cycle, Report


@pytest.fixture(autouse=True)
def analyst_client(client, analyst):
    """Analysts see every figure; what others see of small provinces is in test_privacy."""
    client.force_login(analyst)
    return client


@pytest.fixture
def two_cycles(make_report, cycle_2023):
    """Three Sichuan hospitals in 2023, two of which also reported in 2019, and one in Tibet."""
    cycle_2019 = Cycle.objects.create(year=2019)
    first = make_report(
        eq_pet_ct=2, eq_pet_mri=1, tx_i131_graves=50, staff_physicians=10, tier="tertiary_top"
    )
    second = make_report(eq_pet_ct=1, tx_i131_graves=30, staff_physicians=5, tier="secondary")
    make_report(eq_pet_ct=0, staff_physicians=3, tier="tertiary")
    make_report(cycle=cycle_2019, institution=first.institution, eq_pet_ct=1, staff_physicians=8)
    make_report(cycle=cycle_2019, institution=second.institution, eq_pet_ct=1, staff_physicians=4)
    from departments.models import Institution

    tibet = Institution.objects.create(code="T54", name_zh="西藏医院", province_id="54")
    make_report(institution=tibet, eq_pet_ct=1, staff_physicians=2)
    return first.institution


def test_the_national_dashboard_shows_figures_growth_and_every_panel(client, two_cycles):
    page = client.get(reverse("reports:national"), {"year": 2023, "baseline": 2019})
    html = page.content.decode()
    assert page.status_code == 200
    for panel in (
        "growth",
        "institutions",
        "equipment",
        "examinations",
        "radiopharmaceuticals",
        "therapy",
        "in_vitro",
        "personnel",
        "education_research",
        "opinions",
    ):
        assert f'id="panel-{panel}"' in html
        assert f'id="figure-{panel}"' in html
    board = page.context["board"]
    positron = next(row for row in board.headline if row.code == "eq_positron_total")
    assert (positron.value, positron.baseline) == (5, 2)
    assert positron.growth_pct == pytest.approx(150.0)
    assert positron.panel_growth_pct == pytest.approx(100.0)  # 4 units now vs 2 then


@pytest.mark.parametrize(("year", "baseline"), [(2019, 2019), (2019, 2023)])
def test_a_baseline_is_always_an_earlier_cycle(client, two_cycles, year, baseline):
    # The form keeps the old baseline when only the year is changed.
    page = client.get(reverse("reports:national"), {"year": year, "baseline": baseline})
    assert page.status_code == 200
    assert (page.context["board"].year, page.context["board"].baseline) == (2019, None)
    later = client.get(reverse("reports:national"), {"year": 2023, "baseline": 2023})
    assert later.context["board"].baseline == 2019


def test_a_province_page_ranks_the_province_and_gives_densities(client, two_cycles):
    page = client.get(reverse("reports:province", args=["51"]), {"year": 2023})
    board = page.context["board"]
    staff = next(row for row in board.headline if row.code == "staff_total")
    assert staff.value == 18 and staff.rank == 1 and board.province_count == 2
    assert staff.per_million == pytest.approx(18 / 83.68)


def test_unknown_province_is_404(client, two_cycles):
    assert client.get(reverse("reports:province", args=["99"])).status_code == 404


def test_the_province_comparison_lists_all_31_provinces(client, two_cycles):
    page = client.get(reverse("reports:provinces"), {"year": 2023})
    assert page.status_code == 200
    rows = page.context["table"]["rows"]
    assert len(rows) == 31
    tibet = next(row for row in rows if row["province"].code == "54")
    assert tibet["eq_positron_total"] == 1
    assert tibet["eq_positron_total_per_million"] == pytest.approx(1 / 3.65)


def test_every_table_downloads_as_csv(client, two_cycles):
    response = client.get(
        reverse("reports:download_table", args=["equipment"]),
        {"year": 2023, "baseline": 2019, "province": "51"},
    )
    assert response["Content-Disposition"].endswith('equipment-51-2023.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_metric = {row[0]: row for row in rows[1:]}
    assert by_metric["eq_pet_ct"][2] == "3" and by_metric["eq_pet_ct"][5] == "2"
    assert client.get(reverse("reports:download_table", args=["nope"])).status_code == 404


def test_aggregates_download_as_json_and_csv(client, two_cycles):
    document = client.get(
        reverse("reports:aggregates", args=["json"]), {"year": 2023, "baseline": 2019}
    ).json()
    assert document["scope"] == "national" and document["baseline_year"] == 2019
    assert document["metrics"]["staff_total"] == {
        "value": 20,
        "baseline": 12,
        "growth_pct": 66.67,
        "n_reporting": 4,
        "asked": True,
        "baseline_asked": True,
    }
    text = client.get(reverse("reports:aggregates", args=["csv"]), {"year": 2023}).content
    assert text.decode("utf-8-sig").splitlines()[0] == (
        "metric,value,baseline,growth_pct,n_reporting,shared_value,shared_baseline,shared_items,"
        "label"
    )


def test_survey_aggregates_prints_every_metric_as_json(two_cycles, capsys):
    call_command("survey_aggregates", "--year", "2023", "--baseline", "2019", "--province", "51")
    document = json.loads(capsys.readouterr().out)
    assert document["year"] == 2023 and document["scope"] == "51"
    assert document["metrics"]["institutions"]["value"] == 3
    assert document["metrics"]["eq_pet_mri"]["n_reporting"] == 1
    assert set(document["metrics"]["tx_total"]) == {
        "value",
        "baseline",
        "growth_pct",
        "n_reporting",
        "asked",
        "baseline_asked",
    }
    # The 2028 edition's items: 2023 did not ask them, which is neither 0 nor not reported.
    assert document["metrics"]["tx_lu177_psma"] == {
        "value": None,
        "baseline": None,
        "growth_pct": None,
        "n_reporting": 0,
        "asked": False,
        "baseline_asked": False,
    }
    assert document["metrics"]["tx_total"]["asked"] is True


def test_survey_aggregates_refuses_an_unknown_year(two_cycles):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2031"):
        call_command("survey_aggregates", "--year", "2031")


def test_the_institution_profile_needs_permission_to_see_reports(
    client, two_cycles, django_user_model
):
    url = reverse("reports:institution", args=[two_cycles.code])
    client.logout()
    assert client.get(url).status_code == 302
    user = django_user_model.objects.create_user("someone")
    client.force_login(user)
    assert client.get(url).status_code == 404
    user.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(django_user_model.objects.get(pk=user.pk))
    page = client.get(url)
    assert page.status_code == 200 and page.context["profile"]["years"] == [2019, 2023]


def test_the_brief_report_is_written_from_the_data(client, two_cycles):
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("reports:brief"), {"year": 2023, "baseline": 2019})
    text = page.content.decode()
    # The sentence may go on with what the publication printed (reports.brief).
    assert (
        "There are 5 positron imaging units nationwide, an increase of 150.0% (up from 2 in 2019"
        in text
    )
    download = client.get(reverse("reports:brief"), {"year": 2023, "download": "txt"})
    assert download["Content-Type"].startswith("text/plain")


def test_the_published_check_flags_printed_figures_that_disagree(two_cycles):
    rows = [
        {"metric": "eq_positron_total", "year": "2023", "value": "5", "unit": "count", "base": ""},
        {"metric": "eq_positron_total", "year": "2019", "value": "2", "unit": "count", "base": ""},
        {
            "metric": "eq_positron_total",
            "year": "2023",
            "value": "150.0",
            "unit": "growth_percent_vs_2019",
            "base": "",
        },
        {"metric": "staff_total", "year": "2023", "value": "21", "unit": "count", "base": ""},
        {"metric": "inst_svc_therapy", "year": "2023", "value": "0", "unit": "count", "base": ""},
        {"metric": "inst_therapy", "year": "2023", "value": "3", "unit": "count", "base": ""},
        {
            "metric": "inst_therapy",
            "year": "2023",
            "value": "50.0",
            "unit": "percent",
            "base": "institutions",
        },
    ]
    findings = {(f.metric, f.printed) for f in consistency.check_published(rows)}
    assert findings == {
        ("staff_total", "21"),
        ("inst_svc_therapy / inst_therapy", "0 / 3"),
        ("inst_therapy", "3"),
    }


def test_the_province_comparison_and_an_institution_profile_download_as_csv(client, two_cycles):
    comparison = client.get(reverse("reports:provinces"), {"year": 2023, "download": "csv"})
    rows = list(csv.reader(io.StringIO(comparison.content.decode("utf-8-sig"))))
    tibet = next(row for row in rows if row[0] == "54")
    assert tibet[rows[0].index("eq_positron_total_per_million") - 1] == "1"
    assert len(rows) == 32
    profile = client.get(
        reverse("reports:institution", args=[two_cycles.code]), {"download": "csv"}
    )
    rows = list(csv.reader(io.StringIO(profile.content.decode("utf-8-sig"))))
    assert rows[0][2:] == ["2019", "2023"]
    assert next(row for row in rows if row[0] == "eq_pet_ct")[2:] == ["1", "2"]


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("reports:national", []),
        ("reports:province", ["51"]),
        ("reports:provinces", []),
        ("reports:brief", []),
    ],
)
def test_dashboard_queries_do_not_grow_with_the_institutions(client, make_report, url_name, args):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_with(count):
        while Report.objects.count() < count:
            make_report(eq_pet_ct=1, staff_physicians=2)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name, args=args), {"year": 2023}).status_code == 200
        return len(captured.captured_queries)

    assert queries_with(3) == queries_with(30)
