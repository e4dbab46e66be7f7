"""The published-figures check: both publications, by scope, within their tolerances."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from departments.models import Institution
from reports import metrics
from reports.consistency import (
    BRIEF_REPORT_2024,
    SUMMARY_2019,
    Publication,
    check_published,
    inconsistencies,
    read_publications,
)
from survey.models import Cycle

SKELETAL_SHARE = (
    "2019 survey summary (2021)",
    "national",
    "exam_sp_skeletal",
    2019,
    "50%",
    "62.9%",
    "The printed counts 1,580,000 and 2,510,000 give 62.9%, not the printed 50%.",
)
TREATMENT_GROWTH = (
    "2024 brief report",
    "national",
    "tx_total",
    2023,
    "8.0%",
    "8.6%",
    "The printed counts 570,840 and 525,480 give 8.6%, not the printed 8.0%.",
)
THERAPY_TWICE = (
    "2024 brief report",
    "national",
    "inst_svc_therapy / inst_therapy",
    2023,
    "763 / 801",
    "",
    "The report gives two numbers of departments providing radiopharmaceutical therapy: "
    "763 departments ticked the service, 801 reported treatments.",
)


def described(findings):
    return sorted(
        (
            f.publication,
            f.scope,
            f.metric,
            f.year,
            f.printed,
            f.computed,
            f.explanation,
        )
        for f in findings
    )


def printed_2019(metric, value, *, scope="national", tolerance="0"):
    """A count as published-2019.csv has it."""
    return {
        "publication": SUMMARY_2019,
        "metric": metric,
        "year": "2019",
        "scope": scope,
        "value": value,
        "unit": "count",
        "base": "",
        "tolerance": tolerance,
    }


def share_2019(metric, value, *, scope, tolerance):
    """A percent of its base metric as published-2019.csv has it."""
    base = metrics.metrics()[metric].base
    return {
        **printed_2019(metric, value, scope=scope, tolerance=tolerance),
        "unit": "percent",
        "base": base,
    }


@pytest.fixture
def cycle_2019(db):
    return Cycle.objects.create(year=2019)


@pytest.fixture
def survey_2019(make_report, cycle_2019):
    """2019: in Sichuan 3 positron units and 1,500 single-photon examinations (900 skeletal) in
    two departments; in Guangdong 2 units and 100 examinations (all skeletal) in one."""
    make_report(cycle=cycle_2019, eq_pet_ct=2, exam_sp_skeletal=600, exam_sp_endocrine=400)
    make_report(cycle=cycle_2019, eq_pet_mri=1, exam_sp_skeletal=300, exam_sp_endocrine=200)
    guangdong = Institution.objects.create(code="T44001", name_zh="广东测试医院", province_id="44")
    make_report(cycle=cycle_2019, institution=guangdong, eq_pet_ct=2, exam_sp_skeletal=100)


def test_the_2019_summarys_skeletal_share_disagrees_with_its_own_counts(db, english):
    # Its own rows suffice: no survey data at all.
    findings = inconsistencies(read_publications([SUMMARY_2019]))
    assert described(findings) == [SKELETAL_SHARE]


def test_the_2024_reports_two_inconsistencies_are_found_and_its_shares_agree_with_its_counts(
    db, english
):
    rows = read_publications([BRIEF_REPORT_2024])
    # Thirteen shares whose metric and base are both printed as counts: none is a finding.
    counts = {(row["metric"], row["year"]) for row in rows if row["unit"] == "count"}
    shares_of_counts = [
        row
        for row in rows
        if row["unit"] == "percent"
        and {(row["metric"], row["year"]), (row["base"], row["year"])} <= counts
    ]
    assert len(shares_of_counts) == 13
    assert described(inconsistencies(rows)) == [THERAPY_TWICE, TREATMENT_GROWTH]


def test_where_both_publications_print_a_figure_they_agree_but_each_keeps_its_own(db, english):
    # exam_sp_total 2019: 2,514,142 in the 2024 report, 2,510,000 ±5,000 in the 2019 summary;
    # eq_positron_total 427, eq_single_photon_total 903, eq_cyclotron 120, inst_therapy 770 in both.
    findings = inconsistencies(read_publications())
    assert described(findings) == [SKELETAL_SHARE, THERAPY_TWICE, TREATMENT_GROWTH]


@pytest.mark.parametrize(("summary", "listed"), [("2519142", False), ("2519143", True)])
def test_two_publications_agree_within_their_roundings_together(
    db, english, tmp_path, summary, listed
):
    report, survey = tmp_path / "report.csv", tmp_path / "survey.csv"
    report.write_text("metric,year,value,unit,base,printed\nexam_sp_total,2019,2514142,count,,\n")
    survey.write_text(
        "metric,year,scope,value,unit,base,tolerance,printed\n"
        f"exam_sp_total,2019,national,{summary},count,,5000,\n"
    )
    publications = [Publication("report", report), Publication("survey", survey)]
    findings = inconsistencies(read_publications(publications))
    expected = (
        "report / survey",
        "national",
        "exam_sp_total",
        2019,
        "2,514,142 / 2,519,143",
        "",
        # 5,000 for the survey's rounding, half a unit for the report's.
        "The report prints 2,514,142, the survey 2,519,143: more apart than the ±5,000.5 their "
        "rounding allows.",
    )
    assert described(findings) == ([expected] if listed else [])


def test_a_provincial_figure_is_checked_against_its_provinces_data(survey_2019, english):
    rows = [
        printed_2019("eq_positron_total", "5"),
        printed_2019("eq_positron_total", "3", scope="51"),
        printed_2019("eq_positron_total", "44", scope="44"),
    ]
    [guangdong] = check_published(rows)
    assert (guangdong.publication, guangdong.scope, guangdong.scope_name) == (
        "2019 survey summary (2021)",
        "44",
        "Guangdong",
    )
    assert (guangdong.metric, guangdong.printed, guangdong.computed) == (
        "eq_positron_total",
        "44",
        "2",
    )


@pytest.mark.parametrize(
    ("row", "listed"),
    [
        (printed_2019("exam_sp_total", "1600"), False),
        (printed_2019("exam_sp_total", "1601"), True),
        (printed_2019("exam_sp_total", "1500", tolerance="100"), False),
        (printed_2019("exam_sp_total", "1499", tolerance="100"), True),
        # Sichuan: 900 skeletal of 1,500 examinations, 60%.
        (share_2019("exam_sp_skeletal", "59", scope="51", tolerance="1"), False),
        (share_2019("exam_sp_skeletal", "58.9", scope="51", tolerance="1"), True),
    ],
)
def test_a_figure_within_its_tolerance_is_not_listed_and_one_outside_is(
    survey_2019, english, row, listed
):
    findings = check_published([row])
    # Printed as the page prints every number: with thousands separators.
    assert [(f.metric, f.printed) for f in findings] == (
        [(row["metric"], f"{Decimal(row['value']).normalize():,f}")] if listed else []
    )


def test_the_data_of_a_year_baseline_and_scope_are_computed_once(survey_2019, english, monkeypatch):
    calls = []
    compare = metrics.compare

    def counted_compare(**scope):
        calls.append(scope)
        return compare(**scope)

    monkeypatch.setattr(metrics, "compare", counted_compare)
    growth = {"metric": "eq_positron_total", "year": "2023", "value": "0.0", "base": ""}
    check_published(
        [
            printed_2019("eq_positron_total", "5"),
            printed_2019("exam_sp_total", "1600"),
            printed_2019("eq_positron_total", "3", scope="51"),
            printed_2019("exam_sp_total", "1500", scope="51"),
            printed_2019("eq_positron_total", "2", scope="44"),
            {**growth, "unit": "growth_percent_vs_2019"},
            {**growth, "unit": "count", "value": "0"},
        ]
    )
    assert sorted(calls, key=str) == sorted(
        [
            {"year": 2019, "baseline": None, "province": None},
            {"year": 2019, "baseline": None, "province": "51"},
            {"year": 2019, "baseline": None, "province": "44"},
            {"year": 2023, "baseline": 2019, "province": None},
            {"year": 2023, "baseline": None, "province": None},
        ],
        key=str,
    )


def test_the_page_names_each_findings_publication_and_scope(client, analyst, survey_2019):
    client.force_login(analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reports:published_check"))
    assert page.status_code == 200
    rows = page.content.decode().split("<tr>")
    # Guangdong's 44 positron units of the 2019 summary against the 2 of its data.
    assert any(
        '<td>2019 survey summary (2021)</td><td class="nowrap">Guangdong</td>' in row
        and '<th scope="row" data-metric="eq_positron_total">Positron imaging units</th>' in row
        and '<td class="num">44</td><td class="num">2</td>' in row
        for row in rows
    )
    assert any(
        '<td>2024 brief report</td><td class="nowrap">National</td>' in row
        and '<th scope="row" data-metric="tx_total">' in row
        and "tx_total</th>" not in row
        for row in rows
    )


def test_a_growth_printed_from_a_zero_count_is_not_held_against_it(db, english, tmp_path):
    report = tmp_path / "report.csv"
    report.write_text(
        "metric,year,value,unit,base,printed\n"
        "eq_pet_mri,2023,5,count,,\n"
        "eq_pet_mri,2019,0,count,,\n"
        "eq_pet_mri,2023,10.0,growth_percent_vs_2019,,\n"
    )
    assert inconsistencies(read_publications([Publication("report", report)])) == []
