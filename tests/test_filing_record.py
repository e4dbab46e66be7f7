"""The filing as submitted is complete wherever it is kept: the print page and the workbook
carry the equipment units and the explanations beside the values (the values sheet re-imports
as it is), the audit trail names items by label and survives rows without a user (imports),
and one explanation serves a whole group of changes against last year."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from equipment.models import EquipmentUnit
from interchange.importing import import_file
from survey import assessment, workflow
from survey.models import Cycle, Report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(client):
    client.cookies["django_language"] = "en"


def url(name, report, query=""):
    return reverse(f"survey:{name}", args=[report.cycle_id, report.institution.code]) + query


@pytest.fixture
def submitted(make_report, report_2023, reporter, complete_values):
    """report_2023 complete, with a SPECT/CT listed and a big change explained, submitted."""
    make_report(
        cycle=Cycle.objects.create(year=2019), institution=report_2023.institution, res_papers_sci=2
    )
    Report.objects.filter(pk=report_2023.pk).update(
        **{**complete_values, "eq_spect_ct": 1, "eq_owner_nm": 1, "res_papers_sci": 9},
        notes={"change-res_papers_sci": "A new research group."},
    )
    EquipmentUnit.objects.create(
        report=report_2023,
        unit_type="eq_spect_ct",
        manufacturer="GE",
        model_name="Discovery NM/CT 670",
        year_installed=2016,
        owner_department="nm",
    )
    report_2023.refresh_from_db()
    workflow.submit(report_2023, by=reporter)
    return report_2023


def test_the_print_page_shows_units_and_explanations_as_submitted(client, reporter, submitted):
    # Corrected after submitting: the print page still has what was submitted.
    EquipmentUnit.objects.filter(report=submitted).update(model_name="Symbia Intevo")
    Report.objects.filter(pk=submitted.pk).update(notes={"change-res_papers_sci": "Corrected."})
    client.force_login(reporter)
    as_submitted = client.get(url("print", submitted, "?as=submitted")).content.decode()
    assert "Discovery NM/CT 670" in as_submitted and "Symbia Intevo" not in as_submitted
    assert "A new research group." in as_submitted and "Corrected." not in as_submitted
    now = client.get(url("print", submitted)).content.decode()
    assert "Symbia Intevo" in now and "Corrected." in now
    assert "Nuclear medicine department" in now and "2016" in now


def test_the_workbook_has_a_sheet_each_and_its_values_reimport_as_they_are(
    client, reporter, submitted
):
    client.force_login(reporter)
    response = client.get(url("workbook", submitted, "?as=submitted"))
    assert response["Content-Disposition"].endswith('-submitted.xlsx"')
    data = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames == ["survey", "units", "explanations"]
    units = list(workbook["units"].values)
    assert units[1] == (
        "SPECT/CT",
        "GE",
        "Discovery NM/CT 670",
        "2016",
        "Nuclear medicine department",
    )
    explanations = list(workbook["explanations"].values)
    assert len(explanations) == 2 and explanations[1][1] == "A new research group."
    # The values sheet is the interchange format: importing it changes nothing.
    summary = import_file(io.BytesIO(data), name="report.xlsx")
    assert summary.ok, summary.errors
    assert (summary.reports_unchanged, summary.reports_updated) == (1, 0)


def test_an_imported_change_has_no_user_and_its_report_pages_still_open(
    client, reporter, submitted, coordinator_sichuan, site_admin
):
    client.force_login(reporter)
    data = b"".join(client.get(url("workbook", submitted)).streaming_content)
    Report.objects.filter(pk=submitted.pk).update(res_papers_sci=3)
    summary = import_file(io.BytesIO(data), name="report.xlsx")  # from the command line: no user
    assert summary.ok and summary.reports_updated == 1
    change = submitted.value_changes.get(item="res_papers_sci", source="import")
    assert change.by is None and (change.old_value, change.new_value) == (3, 9)
    for user in (coordinator_sichuan, site_admin):
        client.force_login(user)
        for name in ("report", "history"):
            page = client.get(url(name, submitted))
            assert page.status_code == 200
            row = next(r for r in page.content.decode().split("<tr>") if "res_papers_sci" in r)
            # Who: the source, for want of a user; what: the item's label beside its code.
            assert (
                row.count("File import") == 2 and "SCI-indexed papers published in the year" in row
            )


def test_one_explanation_serves_a_group_and_old_per_item_explanations_still_count(
    make_report, report_2023
):
    make_report(
        cycle=Cycle.objects.create(year=2019),
        institution=report_2023.institution,
        staff_physicians=4,
        staff_nurses=3,
        staff_technicians=2,
    )
    Report.objects.filter(pk=report_2023.pk).update(
        staff_physicians=10, staff_nurses=8, staff_technicians=5
    )
    report_2023.refresh_from_db()
    previous = assessment.previous_report(report_2023)
    [warning] = [w for w in assessment.assess(report_2023, previous).warnings if "staff" in w.key]
    assert warning.key == "change-staff_total"
    assert set(warning.items) == {"staff_physicians", "staff_nurses", "staff_technicians"}
    assert "10 (4)" in warning.message and "5 (2)" in warning.message
    # Explanations kept per item before warnings were grouped are still read.
    report_2023.notes = {"change-staff_nurses": "Second ward opened."}
    assert warning.explanation(report_2023.notes) == "Second ward opened."
    assert warning not in assessment.assess(report_2023, previous).unexplained
