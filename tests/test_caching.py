"""Figures are cached per data version: a repeat view aggregates nothing, a change shows at once."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import metrics
from survey.importing import import_file
from tests.importing import SAMPLES, csv_bytes, sample_rows


def aggregations(queries):
    return [q["sql"] for q in queries if "SUM(" in q["sql"].upper()]


def test_repeat_figures_do_no_query(make_report, django_assert_num_queries):
    make_report(eq_pet_ct=2)
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    with django_assert_num_queries(0):
        assert metrics.figures(year=2023)["eq_pet_ct"].value == 2


def test_a_saved_report_renews_its_year(make_report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(eq_pet_ct=2)
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    with django_capture_on_commit_callbacks(execute=True):
        report.eq_pet_ct = 5
        report.save()
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 5


@pytest.mark.django_db
def test_an_import_renews_its_year(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_file(SAMPLES / "sample-2019.csv")
    before = metrics.figures(year=2019)["res_papers_sci"].value
    rows = sample_rows()
    column = rows[0].index("res_papers_sci")
    rows[1][column] = str(int(rows[1][column] or 0) + 7)
    with django_capture_on_commit_callbacks(execute=True):
        import_file(io.BytesIO(csv_bytes(rows)))
    assert metrics.figures(year=2019)["res_papers_sci"].value == before + 7


@pytest.mark.django_db
def test_a_dry_run_renews_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_file(SAMPLES / "sample-2019.csv", dry_run=True)
    assert callbacks == []


def test_a_warm_dashboard_aggregates_nothing(client, make_report):
    make_report(eq_pet_ct=2)
    url = reverse("reports:national")
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert aggregations(cold.captured_queries)
    assert not aggregations(warm.captured_queries)


def test_each_language_has_its_own_cached_dashboard(client, make_report, settings):
    make_report(eq_pet_ct=2)
    url = reverse("reports:national")
    chinese = client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "正电子" in chinese and "Positron" in english and "Positron imaging units" not in chinese


def test_with_a_max_age_recent_figures_are_served_while_one_request_recomputes(
    make_report, django_capture_on_commit_callbacks, settings
):
    from django.core.cache import cache

    settings.SURVEY_FIGURES_MAX_AGE = 60
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(eq_pet_ct=2)
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    with django_capture_on_commit_callbacks(execute=True):
        report.eq_pet_ct = 5
        report.save()
    cache.add("figures:2023:None:None:recomputing", 1)  # another request is recomputing
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    cache.delete("figures:2023:None:None:recomputing")
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 5


def test_a_changed_population_renews_the_densities(
    client, make_report, django_capture_on_commit_callbacks
):
    from departments.models import Province

    make_report(eq_pet_ct=2)
    url = reverse("reports:province", args=["51"])
    before = client.get(url).context["board"].population_millions
    with django_capture_on_commit_callbacks(execute=True):
        Province.objects.filter(code="51").update(population_10k=1)
        Province.objects.get(code="51").save()
    assert client.get(url).context["board"].population_millions == 0.01 != before
