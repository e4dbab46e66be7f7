"""Loading a whole cycle from a demo file (the demo data's path into the database)."""

import io

import pytest
from django.contrib.auth import get_user_model

from demo.loading import DemoFileRefused, load_cycle
from departments.models import Institution
from interchange import exporting
from survey.instrument import items as instrument
from survey.models import Cycle, Report, ReportEvent


def load_rows(*, year, rows, tmp_path, **options):
    """Write `rows` to an interchange file as `build_demo` does, and load it."""
    path = tmp_path / f"survey-{year}.csv"
    with path.open("wb") as stream:
        exporting.write_rows((exporting.row_of(year, row) for row in rows), stream, "csv")
    return load_cycle(year=year, path=path, **options)


def row(code, **values):
    blank = dict.fromkeys(instrument.item_codes())
    return {
        **blank,
        "inst_code": code,
        "inst_name": f"Hospital {code}",
        "inst_name_zh": "医院",
        "province": "51",
        "tier": "tertiary",
        **values,
    }


def test_a_cycle_is_written_and_rewritten_without_duplicates(db, tmp_path):
    load_rows(year=2019, rows=[row("A1", eq_pet_ct=2, svc_pet=True), row("A2")], tmp_path=tmp_path)
    load_rows(year=2019, rows=[row("A1", eq_pet_ct=3, tier="tertiary_top")], tmp_path=tmp_path)
    assert Institution.objects.count() == 2
    report = Report.objects.get()
    assert (report.eq_pet_ct, report.svc_pet, report.tier) == (3, None, "tertiary_top")
    assert report.eq_spect is None and report.op_suggestions == ""
    assert Institution.objects.get(code="A1").tier == "tertiary_top"


def test_statuses_come_with_the_workflow_events_that_lead_to_them(db, tmp_path):
    load_rows(
        year=2023,
        rows=[row("A1", res_papers_sci=4), row("A2"), row("A3")],
        is_open=True,
        statuses={"A2": "draft", "A3": "returned"},
        tmp_path=tmp_path,
    )
    by_code = {r.institution.code: r for r in Report.objects.select_related("institution")}
    assert {code: r.status for code, r in by_code.items()} == {
        "A1": "accepted",
        "A2": "draft",
        "A3": "returned",
    }
    accepted = [(e.action, e.from_status, e.to_status) for e in by_code["A1"].events.order_by("at")]
    assert accepted == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    assert by_code["A1"].events.get(action="submit").values["res_papers_sci"] == 4
    assert by_code["A3"].events.get(action="return").comment
    assert list(by_code["A2"].events.values_list("action", flat=True)) == ["create"]
    assert by_code["A2"].submitted_at is None and by_code["A1"].reviewed_at is not None


def test_rewriting_a_cycle_replaces_its_events(db, tmp_path):
    load_rows(year=2019, rows=[row("A1")], tmp_path=tmp_path)
    load_rows(year=2019, rows=[row("A1")], tmp_path=tmp_path)
    assert ReportEvent.objects.count() == 3


def test_a_refused_file_writes_nothing(db, tmp_path):
    # A count below 0: the importer refuses the file, and the cycle is not created either.
    with pytest.raises(DemoFileRefused):
        load_rows(year=2019, rows=[row("A1", eq_pet_ct=-1)], tmp_path=tmp_path)
    assert not Report.objects.exists() and not Cycle.objects.exists()


def test_load_demo_opens_a_later_cycle_the_demo_reporter_can_start_and_keeps_it(
    db, tmp_path, client
):
    from django.core.management import call_command
    from django.urls import reverse

    load_rows(year=2023, rows=[row("NM51-0001", res_papers_sci=4)], is_open=True, tmp_path=tmp_path)
    report_2023 = Report.objects.get()
    call_command("load_demo", "--if-empty", "--open-cycle", "2028", stdout=io.StringIO())
    assert list(Cycle.objects.values_list("year", "is_open")) == [(2028, True), (2023, True)]
    client.force_login(get_user_model().objects.get(username="demo-reporter"))
    client.cookies["django_language"] = "en"
    assert "Start the 2028 report" in client.get(reverse("survey:reports")).content.decode()
    client.post(reverse("survey:start", args=[2028]), {"institution": "NM51-0001"})
    started = Report.objects.get(cycle_id=2028)
    assert started.institution.code == "NM51-0001" and started.status == "draft"
    # Run again: nothing changes, the report started is kept, 2023 stays as it was.
    out = io.StringIO()
    call_command("load_demo", "--if-empty", "--open-cycle", "2028", stdout=out)
    assert "2028: open for reporting" in out.getvalue()
    assert Report.objects.get(cycle_id=2028).pk == started.pk
    assert Report.objects.get(pk=report_2023.pk).res_papers_sci == 4
    assert Cycle.objects.get(year=2023).is_open


@pytest.mark.parametrize("year", ["2023", "2019", "2020", "10000"])
def test_load_demo_opens_no_cycle_of_the_demos_years_or_before(db, year):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="open a later survey year"):
        call_command("load_demo", "--if-empty", "--open-cycle", year, stdout=io.StringIO())
    assert not Cycle.objects.exists()
