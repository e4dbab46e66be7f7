"""Figures are cached per data version: a repeat view aggregates nothing, a change shows at once."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interchange.importing import import_file
from reports import metrics
from survey import versions
from survey.models import Report
from tests.importing import SAMPLES, csv_bytes, sample_rows


def aggregations(queries):
    return [q["sql"] for q in queries if "SUM(" in q["sql"].upper()]


def stamp_reads(queries):
    return [q["sql"] for q in queries if "survey_dataversion" in q["sql"]]


def test_repeat_figures_read_only_the_data_version(make_report, django_assert_num_queries):
    make_report(eq_pet_ct=2)
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    with django_assert_num_queries(1) as queries:
        assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    assert "survey_dataversion" in queries.captured_queries[0]["sql"]


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
    make_report(eq_pet_ct=2, status="accepted")
    url = reverse("reports:national")
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert aggregations(cold.captured_queries)
    assert not aggregations(warm.captured_queries)
    assert len(stamp_reads(warm.captured_queries)) == 1


def test_each_language_has_its_own_cached_dashboard(client, make_report, settings):
    make_report(eq_pet_ct=2, status="accepted")
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
    cache.add("figures:2023:None:None:False:recomputing", 1)  # another request is recomputing
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    cache.delete("figures:2023:None:None:False:recomputing")
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 5


def test_a_changed_population_renews_the_densities(
    client, make_report, django_capture_on_commit_callbacks
):
    from departments.models import Province

    make_report(eq_pet_ct=2, status="accepted")
    url = reverse("reports:province", args=["51"])
    before = client.get(url).context["board"].population_millions
    with django_capture_on_commit_callbacks(execute=True):
        Province.objects.filter(code="51").update(population_10k=1)
        Province.objects.get(code="51").save()
    assert client.get(url).context["board"].population_millions == 0.01 != before


# --- Every process sees a change: the stamps are in the database, not in a worker's memory ---


def renew_stamp_as_another_process(year):
    """What another process's commit leaves behind: a new stamp row, through raw SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE survey_dataversion SET stamp = %s WHERE year = %s", ["elsewhere", year]
        )


def test_a_change_committed_by_another_process_shows_at_once(make_report):
    report = make_report(eq_pet_ct=2)
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    # The other process writes the data (no signal fires here)...
    Report.objects.filter(pk=report.pk).update(eq_pet_ct=7)
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 2  # cached: nothing said it changed
    # ...and renews the stamp when it commits.
    renew_stamp_as_another_process(2023)
    assert metrics.figures(year=2023)["eq_pet_ct"].value == 7


def test_a_save_on_one_worker_renews_the_figures_cached_by_another(
    make_report, django_capture_on_commit_callbacks, monkeypatch
):
    """Three gunicorn workers without Redis: each has its own local-memory cache."""
    workers = [LocMemCache(f"worker-{n}", {}) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(eq_pet_ct=2)
    for worker in workers:
        monkeypatch.setattr(versions, "cache", worker)
        assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
    monkeypatch.setattr(versions, "cache", workers[0])
    with django_capture_on_commit_callbacks(execute=True):
        report.eq_pet_ct = 5
        report.save()
    for worker in workers:
        monkeypatch.setattr(versions, "cache", worker)
        assert metrics.figures(year=2023)["eq_pet_ct"].value == 5


def test_a_request_reads_the_stamps_once_and_sees_its_own_change(
    make_report, django_capture_on_commit_callbacks
):
    report = make_report(eq_pet_ct=2)
    with versions.read_once_per_request():
        assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
        with CaptureQueriesContext(connection) as queries:
            assert metrics.figures(year=2023)["eq_pet_ct"].value == 2
        assert queries.captured_queries == []
        with django_capture_on_commit_callbacks(execute=True):
            Report.objects.filter(pk=report.pk).update(eq_pet_ct=3)
            versions.changed(2023)
        assert metrics.figures(year=2023)["eq_pet_ct"].value == 3


@pytest.mark.django_db(transaction=True)
def test_a_command_line_import_reaches_the_running_server(tmp_path):
    """`manage.py import_survey` in a process of its own, then this process's cached figures."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database another process can open: runs in the PostgreSQL pass")
    import_file(SAMPLES / "sample-2019.csv")
    before = metrics.figures(year=2019)["res_papers_sci"].value
    rows = sample_rows()
    column = rows[0].index("res_papers_sci")
    rows[1][column] = str(int(rows[1][column] or 0) + 7)
    changed = tmp_path / "changed-2019.csv"
    changed.write_bytes(csv_bytes(rows))
    settings_of_this_server = connection.settings_dict
    database_url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**settings_of_this_server)
    subprocess.run(
        [sys.executable, "manage.py", "import_survey", str(changed)],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    assert metrics.figures(year=2019)["res_papers_sci"].value == before + 7


def test_the_figures_over_the_items_both_cycles_asked_are_renewed_with_either_year(
    make_report, django_capture_on_commit_callbacks
):
    """Institutions over the therapies 2023 and 2028 both asked: cached like every figure,
    the matched panel's renewed by a change in the other year too (it decides who is in it)."""
    from survey.models import Cycle

    cycle_2028 = Cycle.objects.create(year=2028)
    with django_capture_on_commit_callbacks(execute=True):
        first = make_report(tx_i131_graves=5)
        now = make_report(
            cycle=cycle_2028, institution=first.institution, tx_i131_graves=6, tx_lu177_psma=1
        )
        second = make_report(cycle=cycle_2028, tx_i131_graves=3)

    def therapy(**panel):
        shared = metrics.compare(year=2028, baseline=2023, **panel)["inst_therapy"].shared
        return shared.value, shared.baseline

    assert therapy() == (2, 1) and therapy(panel=True) == (1, 1)
    with versions.read_once_per_request(), CaptureQueriesContext(connection) as warm:
        therapy(), therapy(panel=True)
    assert [q["sql"] for q in warm.captured_queries if "survey_dataversion" not in q["sql"]] == []
    with django_capture_on_commit_callbacks(execute=True):
        now.tx_i131_graves = 0  # its only therapy asked in both years is gone
        now.save()
    assert therapy() == (1, 1) and therapy(panel=True) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        make_report(institution=second.institution, tx_i131_graves=0)  # a 2023 report
    assert therapy() == (1, 1) and therapy(panel=True) == (1, 1)


def test_a_drafts_save_leaves_what_the_public_sees(
    reporter, report_2023, django_capture_on_commit_callbacks
):
    """The public table (and its disclosure control) is recomputed only when what the public
    may see can change: a draft's section save is not such a change, its submission is."""
    from survey import editing, versions, workflow

    def current():
        with versions.read_once_per_request():
            return versions.stamps([2023]), versions.stamps([2023], published=True)

    data, published = current()
    with django_capture_on_commit_callbacks(execute=True):
        editing.save_section(
            report_2023, values={"res_papers_sci": 2}, version=report_2023.version, by=reporter
        )
    after_save = current()
    assert after_save[0] != data and after_save[1] == published
    report_2023.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            workflow.submit(report_2023, by=reporter)
        except workflow.WorkflowError:
            # Not complete: the status then changes through the admin's path instead.
            report_2023.status = "submitted"
            report_2023.save()
    assert current()[1] != published


def test_the_publics_dashboard_outlives_a_drafts_save_a_coordinators_does_not(
    client,
    reporter,
    report_2023,
    make_report,
    coordinator_sichuan,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from reports import dashboard
    from survey import editing

    for _ in range(3):
        make_report(status="accepted", eq_pet_ct=2)
    built = []
    original = dashboard.build
    monkeypatch.setattr(dashboard, "build", lambda **kwargs: built.append(1) or original(**kwargs))
    page = reverse("reports:province", args=["51"])

    def views():
        client.logout()
        client.get(page, {"year": 2023})
        client.force_login(coordinator_sichuan)
        client.get(page, {"year": 2023})
        return len(built)

    assert views() == 2  # the public's board and the coordinator's
    with django_capture_on_commit_callbacks(execute=True):
        editing.save_section(
            report_2023, values={"res_papers_sci": 2}, version=report_2023.version, by=reporter
        )
    assert views() == 3  # the coordinator's again: it counts their province's drafts
