"""The demo survey: deterministic, valid report by report, committed as the files the generator
makes, and once loaded from them it reproduces the published 2024 report figure by figure
(with the report's own two inconsistencies)."""

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.generate import (
    EXAM_FILL_ORDER,
    PERSONNEL_FILL_ORDER,
    PublishedFigures,
    demo_files,
    fill_order,
    generate_demo_rows,
)
from demo.loading import DEMO_DIR
from departments.models import inst_code_validator
from reports.consistency import check_published, read_published
from survey.instrument import items as instrument
from survey.instrument import rules
from survey.models import Cycle, Report, ReportEvent

PROVINCES_CSV = Path(settings.BASE_DIR) / "fixtures" / "survey" / "provinces.csv"
# The report's own inconsistency: its printed counts give 8.6%, it prints 8.0%.
TREATMENT_GROWTH = ("tx_total", "growth_percent_vs_2019")
BEIJING, SHANGHAI, JIANGSU, SICHUAN = "11", "31", "32", "51"


@pytest.fixture(scope="module")
def demo():
    return generate_demo_rows()


def rounded_like(printed, value):
    decimals = len(printed.partition(".")[2])
    return round(Decimal(str(value)), decimals)


def figure_for(published_row, metrics):
    """The figure the aggregates give for one printed row, before rounding."""
    figure = metrics[published_row["metric"]]
    if published_row["unit"] == "count":
        return figure["value"] if published_row["year"] == "2023" else figure["baseline"]
    if published_row["unit"] == "percent":
        return 100 * figure["value"] / metrics[published_row["base"]]["value"]
    return figure["growth_pct"]


def test_the_aggregates_command_reproduces_every_published_figure(loaded_demo, db):
    out = io.StringIO()
    call_command("survey_aggregates", year=2023, baseline=2019, format="json", stdout=out)
    metrics = json.loads(out.getvalue())["metrics"]
    published = read_published()
    assert len(published) > 150
    disagreements = []
    for row in published:
        computed = rounded_like(row["value"], figure_for(row, metrics))
        if (row["metric"], row["unit"]) == TREATMENT_GROWTH:
            assert (row["value"], computed) == ("8.0", Decimal("8.6"))
        elif computed != Decimal(row["value"]):
            disagreements.append((row["metric"], row["year"], row["unit"], row["value"], computed))
    assert disagreements == []


def test_the_consistency_check_finds_only_the_publications_own_three_inconsistencies(
    loaded_demo, db
):
    """The 2024 report's two, and the 2019 summary's skeletal share (1.58 of 2.51 million
    printed as 50%): the demo follows the printed counts."""
    findings = sorted(check_published(), key=lambda finding: finding.metric)
    assert [(f.metric, f.year, f.scope, f.printed, f.computed) for f in findings] == [
        ("exam_sp_skeletal", 2019, "national", "50", "62.8"),
        ("inst_svc_therapy / inst_therapy", 2023, "national", "763 / 801", ""),
        ("tx_total", 2023, "national", "8.0", "8.63"),
    ]


def test_the_load_command_writes_every_demo_report(loaded_demo, db, demo):
    for year, rows in demo.items():
        assert Report.objects.for_year(year).count() == len(rows)
    assert Cycle.objects.get(year=2023).is_open
    assert not Cycle.objects.get(year=2019).is_open


def test_the_demo_accepts_its_reports_but_a_few_of_the_open_cycle_still_in_review(
    loaded_demo, db, demo
):
    statuses = Counter(Report.objects.values_list("cycle_id", "status"))
    assert statuses == {
        (2019, "accepted"): len(demo[2019]),
        (2023, "accepted"): len(demo[2023]) - 47,
        (2023, "draft"): 25,
        (2023, "submitted"): 18,
        (2023, "returned"): 4,
    }
    # The demo coordinator has reports to review and to chase in Sichuan; the demo
    # reporter's own report is a draft for them to file.
    sichuan = Counter(
        Report.objects.filter(cycle_id=2023, institution__province_id="51").values_list(
            "status", flat=True
        )
    )
    assert (sichuan["draft"], sichuan["submitted"], sichuan["returned"]) == (3, 4, 1)
    reporter = get_user_model().objects.get(username="demo-reporter")
    own = Report.objects.get(cycle_id=2023, institution=reporter.membership.institution)
    assert own.status == "draft"


def test_every_demo_report_has_the_history_of_its_status(loaded_demo, db):
    steps = {
        "draft": ["create"],
        "submitted": ["create", "submit"],
        "returned": ["create", "submit", "return"],
        "accepted": ["create", "submit", "accept"],
    }
    histories = {}
    for report_id, action in ReportEvent.objects.order_by("report", "at", "id").values_list(
        "report_id", "action"
    ):
        histories.setdefault(report_id, []).append(action)
    reports = Report.objects.values_list("pk", "status", "submitted_at", "reviewed_at")
    for pk, status, submitted_at, reviewed_at in reports:
        assert histories[pk] == steps[status]
        assert (submitted_at is not None) == (status != "draft")
        assert (reviewed_at is not None) == (status in ("accepted", "returned"))
    # The submission keeps the values as submitted, as the workflow's does.
    report = Report.objects.filter(status="accepted").select_related("institution").first()
    assert report.events.get(action="submit").values == report.item_values()
    assert report.submitted_at < report.reviewed_at


def test_every_loaded_report_passes_the_rules_without_a_warning(loaded_demo, db):
    problems = {}
    for report in Report.objects.select_related("institution"):
        found = rules.check(report.item_values())
        if found:
            problems[(report.cycle_id, report.institution.code)] = [p.message for p in found]
    assert problems == {}


def test_the_committed_demo_files_are_what_the_generator_makes():
    # `load_demo` loads the committed files; `manage.py build_demo` rewrites them.
    for name, content in demo_files().items():
        assert (DEMO_DIR / name).read_bytes() == content, f"rebuild {name}: manage.py build_demo"


def test_generating_twice_gives_the_same_rows(demo):
    assert generate_demo_rows() == demo


def test_the_rows_do_not_depend_on_the_hash_seed(demo):
    script = (
        "import django, hashlib, json; django.setup(); "
        "from demo.generate import generate_demo_rows; "
        "print(hashlib.sha256(json.dumps(generate_demo_rows(), sort_keys=True).encode()).hexdigest())"
    )
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    digest = hashlib.sha256(json.dumps(demo, sort_keys=True).encode()).hexdigest()
    assert result.stdout.strip() == digest


def test_every_row_gives_every_item_its_cycle_asks_and_no_other(demo):
    for year, rows in demo.items():
        codes = {item.code for item in instrument.items_asked(year)}
        assert "tx_ra223" not in codes
        for row in rows:
            assert set(row) == codes


def test_each_demo_file_has_the_columns_its_cycle_asks():
    # The 2028 edition's items are not asked in 2019 or 2023: no column of theirs.
    for year in (2019, 2023):
        data = (DEMO_DIR / f"survey-{year}.csv").read_text(encoding="utf-8-sig")
        header = next(csv.reader(io.StringIO(data)))
        assert header == ["year", *(item.code for item in instrument.items_asked(year))]
        assert len(header) == 129
        assert not {"tx_ra223", "exam_pet_psma", "campuses"} & set(header)


def test_institution_codes_are_valid_unique_and_stable_across_years(demo):
    names = {}
    for rows in demo.values():
        codes = [row["inst_code"] for row in rows]
        assert len(codes) == len(set(codes))
        for row in rows:
            inst_code_validator(row["inst_code"])
            # The same institution keeps its code and its names from one year to the next.
            assert names.setdefault(row["inst_code"], (row["inst_name"], row["inst_name_zh"])) == (
                row["inst_name"],
                row["inst_name_zh"],
            )


def test_institutions_have_unique_hospital_names_in_both_languages(demo):
    rows = demo[2019] + demo[2023]
    for row in rows:
        assert row["inst_name_zh"].endswith(("医院", "中心"))
        if row["inst_name_zh"].endswith("附属第一医院"):
            assert row["inst_name"].startswith("The First Affiliated Hospital of ")
    identities = {(row["inst_code"], row["inst_name_zh"], row["inst_name"]) for row in rows}
    assert len({name_zh for _, name_zh, _ in identities}) == len(identities)
    assert len({name_en for _, _, name_en in identities}) == len(identities)


def test_every_province_has_at_least_three_institutions_by_population_and_development(demo):
    # The rule of `nuclear_medicine_weights`: population, weighted by GDP per capita and, in
    # Beijing and Shanghai, by the national hospitals there.
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        population = {row["code"]: float(row["population_2023_10k"]) for row in csv.DictReader(f)}
    for rows in demo.values():
        per_province = Counter(row["province"] for row in rows)
        assert set(per_province) == set(population)
        assert min(per_province.values()) >= 3
        per_resident = sorted(population, key=lambda code: per_province[code] / population[code])
        assert set(per_resident[-2:]) == {BEIJING, SHANGHAI}
        # Guangdong, the most populous, has the most; Jiangsu (GDP per capita 150,000 yuan)
        # has far more than Sichuan (72,000) of about its population.
        assert per_province.most_common(1)[0][0] == max(population, key=population.get)
        assert per_province[JIANGSU] > 1.2 * per_province[SICHUAN]


def test_the_baseline_is_mostly_the_same_institutions(demo):
    codes_2019 = {row["inst_code"] for row in demo[2019]}
    codes_2023 = {row["inst_code"] for row in demo[2023]}
    assert 1100 <= len(codes_2019) <= 1150
    assert len(codes_2019 & codes_2023) >= 1050
    assert 0 < len(codes_2019 - codes_2023) < 50


def test_equipment_services_and_drugs_go_together(demo):
    for rows in demo.values():
        for row in rows:
            positron = (row["eq_pet_ct"] or 0) + (row["eq_pet_mri"] or 0)
            if positron:
                assert row["svc_pet"] and row["rp_f18"]
            if row["eq_cyclotron"]:
                assert row["eq_pet_ct"]
            if row["rp_c11"] or row["rp_n13"]:
                assert row["eq_cyclotron"]
            if row["svc_coincidence"]:
                assert row["eq_coincidence_spect_ct"]
    cyclotron_sites = [row for row in demo[2023] if row["eq_cyclotron"]]
    tertiary = [row for row in cyclotron_sites if row["tier"] in ("tertiary_top", "tertiary")]
    assert len(tertiary) > 0.8 * len(cyclotron_sites)


def test_the_2019_figures_are_smaller_where_the_report_says_they_grew(demo):
    def total(year, codes):
        return sum(row[code] or 0 for row in demo[year] for code in codes)

    for group in ("eq_positron_total", "exam_pet_total", "staff_total", "tx_total"):
        assert total(2019, instrument.group_parts(group, 2019)) < total(
            2023, instrument.group_parts(group, 2023)
        )
    assert total(2019, ["iv_samples"]) > 0


def test_each_breakdown_is_filled_with_exactly_the_items_of_its_group():
    for group, priority in (EXAM_FILL_ORDER | PERSONNEL_FILL_ORDER).items():
        order = fill_order(group, priority)
        assert sorted(order) == sorted(instrument.group_parts(group, 2023)), group
        assert order[-1] == priority[-1], group


def test_an_item_added_to_a_group_the_report_does_not_print_gets_no_share(monkeypatch):
    # Adding exam_pet_infection to the PET group: the split gives it 0 and leaves the rest as
    # they were, it is filled just before the last column, and the generator still runs.
    group = "exam_pet_total"
    published = PublishedFigures()
    before = published.split(published.count(group), group)
    monkeypatch.setitem(instrument.GROUPS, group, (*instrument.GROUPS[group], "exam_pet_infection"))
    after = published.split(published.count(group), group)
    assert after == before | {"exam_pet_infection": 0}
    order = fill_order(group, EXAM_FILL_ORDER[group])
    assert order[-2:] == ("exam_pet_infection", EXAM_FILL_ORDER[group][-1])
    rows = generate_demo_rows()
    assert {row["exam_pet_infection"] for row in rows[2023]} <= {0, None}
