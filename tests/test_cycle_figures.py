"""Figures of cycles that asked different items: 2028 asks three treatments (177Lu-PSMA,
177Lu-SSTR, 223Ra) that 2023 did not. Growth between them is over the items both asked, and
says so, beside each year's full total; what a cycle did not ask reads "not asked in <year>",
never 0 nor not reported, in pages, downloads, charts, the brief report and the command."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from departments.models import Institution
from reports import brief, charts, dashboard, metrics
from survey.models import Cycle, Report

# Sichuan: A, B, C report in both years (the matched panel); E only in 2028; F's 2028 report
# is a draft. Beijing: D in both years.
TREATMENTS = {
    "A": (
        "51",
        {"tx_i131_graves": 100, "tx_sr89_bone": 10},
        {"tx_i131_graves": 120, "tx_sr89_bone": 5, "tx_ra223": 20, "tx_lu177_psma": 30},
    ),
    "B": (
        "51",
        {"tx_i131_thyroid": 50},
        {"tx_i131_thyroid": 60, "tx_lu177_sstr": 7, "tx_ra223": 3},
    ),
    # Its only 2028 therapy is 177Lu-PSMA: a therapy institution in 2028, not like for like.
    "C": ("51", {"tx_tc99_mdp": 0}, {"tx_tc99_mdp": 0, "tx_lu177_psma": 40}),
    "D": ("11", {"tx_i131_graves": 1000}, {"tx_i131_graves": 1000, "tx_lu177_psma": 5}),
    "E": ("51", None, {"tx_i131_graves": 500}),
    "F": ("51", None, {"tx_i131_graves": 1}),
}
LEFT_OUT = ("tx_lu177_psma", "tx_lu177_sstr", "tx_ra223")


@pytest.fixture
def cycles(db):
    Cycle.objects.create(year=2023)
    Cycle.objects.create(year=2028, is_open=True)
    institutions = {}
    for code, (province, in_2023, in_2028) in TREATMENTS.items():
        institution = Institution.objects.create(
            code=f"C{code}", name_zh=f"医院{code}", name_en=f"Hospital {code}", province_id=province
        )
        institutions[code] = institution
        for year, values in ((2023, in_2023), (2028, in_2028)):
            if values is not None:
                status = "draft" if code == "F" else "accepted"
                Report.objects.create(
                    institution=institution, cycle_id=year, status=status, **values
                )
    return institutions


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    client.post(reverse("set_language"), {"language": "en"})
    return client


def test_growth_of_tx_total_2028_vs_2023_is_over_the_shared_items(cycles):
    comparison = metrics.compare(year=2028, baseline=2023, province="51", panel=True)
    tx = comparison["tx_total"]
    # Each year's full total: 2028's has the three new therapies (30+20+7+3+40 = 100 of 285).
    assert (tx.value, tx.baseline) == (285, 160)
    assert tx.shared == metrics.Shared(
        185, 160, tuple(c for c in metrics.GROUPS["tx_total"] if c not in LEFT_OUT)
    )
    assert tx.growth_pct == pytest.approx(15.625)  # not the 78.1% of 285 against 160
    assert metrics.metrics()["tx_total"].items_left_out(2028, 2023) == LEFT_OUT


def test_institutions_over_a_group_are_counted_over_the_items_both_years_asked(cycles):
    comparison = metrics.compare(year=2028, baseline=2023, province="51", panel=True)
    therapy = comparison["inst_therapy"]
    # C's only 2028 therapy is 177Lu-PSMA: a therapy institution of 2028, not like for like.
    assert (therapy.value, therapy.baseline) == (3, 2)
    assert (therapy.shared.value, therapy.shared.baseline, therapy.growth_pct) == (2, 2, 0.0)
    bone = comparison["inst_therapy_bone"]  # B treats bone with 223Ra only, which 2023 did not ask
    assert (bone.value, bone.shared.value, bone.shared.baseline) == (2, 1, 1)
    assert bone.shared.items == ("tx_sr89_bone",)
    radioligand = comparison["inst_therapy_radioligand"]
    assert (radioligand.value, radioligand.baseline, radioligand.growth_pct) == (3, None, None)
    assert (radioligand.asked, radioligand.baseline_asked, radioligand.shared) == (
        True,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("scope", "tx_shared", "therapy_shared"),
    [
        # Every Sichuan report: E and F's draft count in 2028.
        ({"province": "51"}, (686, 160), (4, 2)),
        ({"province": "51", "published": True}, (685, 160), (3, 2)),
        ({"province": "51", "panel": True}, (185, 160), (2, 2)),
        ({}, (1686, 1160), (5, 3)),
        ({"panel": True}, (1185, 1160), (3, 3)),
    ],
)
def test_the_shared_figures_follow_the_scope(cycles, scope, tx_shared, therapy_shared):
    comparison = metrics.compare(year=2028, baseline=2023, **scope)
    tx, therapy = comparison["tx_total"].shared, comparison["inst_therapy"].shared
    assert (tx.value, tx.baseline) == tx_shared
    assert (therapy.value, therapy.baseline) == therapy_shared


def test_a_year_without_the_other_asks_no_shared_figures(cycles):
    comparison = metrics.compare(year=2028, province="51")
    assert comparison["tx_total"].shared is None and comparison["tx_total"].growth_pct is None
    assert metrics.differing_metrics(2023, 2019) == {}


def _with_tables(client, page, params, *keys):
    """The page's HTML followed by that of its tables `keys`, which it fetches when opened."""
    tables = [
        client.get(reverse("reports:table", args=[key]), params).content.decode() for key in keys
    ]
    return "\n".join([page.content.decode(), *tables])


def test_the_dashboard_labels_the_growth_over_the_shared_items(analyst_client, cycles):
    params = {"year": 2028, "baseline": 2023}
    page = analyst_client.get(reverse("reports:province", args=["51"]), params)
    html = _with_tables(
        analyst_client, page, {**params, "province": "51"}, "growth", "therapy", "services"
    )
    board = page.context["board"]
    tx = next(row for row in board.headline if row.code == "tx_total")
    assert (tx.value, tx.baseline, tx.growth_pct) == (786, 160, pytest.approx(328.75))
    assert tx.left_out == (
        "Treatments in the year: 177Lu-PSMA radioligand therapy (prostate cancer)",
        "Treatments in the year: 177Lu somatostatin-receptor radioligand therapy "
        "(neuroendocrine tumours)",
        "Treatments in the year: 223Ra dichloride (bone metastases of prostate cancer)",
    )
    assert 'href="#over-shared-growth-tx_total"' in html
    assert "over the items asked in both years" in html
    note = html[html.index('id="over-shared-therapy-tx_total"') :].split("</li>")[0]
    assert "its growth is over the items asked in both 2023 and 2028 (686 in 2028 against 160" in (
        note
    )
    assert "223Ra dichloride" in note
    therapy = {row.code: row for row in _panel(board, "therapy").rows}
    psma = therapy["tx_lu177_psma"]
    assert (psma.value, psma.asked, psma.baseline_asked, psma.growth_pct) == (70, True, False, None)
    # Two Sichuan hospitals gave 177Lu-PSMA: hidden from the public, but there is no growth.
    assert psma.hidden_from_public and not psma.growth_hidden_from_public
    row = html[html.index('<tr data-metric="inst_therapy_radioligand"') :].split("</tr>")[0]
    assert "not asked in 2023" in row and "no growth: not asked in 2023" in row
    assert "—" not in row


def test_of_which_items_are_listed_under_their_whole(analyst_client, cycles):
    page = analyst_client.get(reverse("reports:national"), {"year": 2028, "baseline": 2023})
    board = page.context["board"]
    codes = [row.code for row in _panel(board, "equipment").rows]
    assert codes[codes.index("eq_pet_ct") + 1] == "eq_pet_long_axial"
    assert codes[codes.index("eq_positron_total") + 1] == "eq_positron_domestic"
    examinations = [row.code for row in _panel(board, "examinations").rows]
    assert examinations[1:3] == ["exam_pet_psma", "exam_pet_fapi"]
    # Not parts: the chart of the equipment types has no bar of them.
    assert "eq_pet_long_axial" not in [row.code for row in _panel(board, "equipment").charted_rows]
    keys = [data.panel.key for data in board.panels]
    html = _with_tables(analyst_client, page, {"year": 2028, "baseline": 2023}, *keys)
    assert '<tr data-metric="eq_pet_long_axial" data-of-which="eq_pet_ct">' in html
    for code in ("campuses", "therapy_wards", "res_clinical_trials", "inst_rp_lu177"):
        assert f'<tr data-metric="{code}"' in html, code


def test_a_2023_dashboard_lists_no_2028_items(analyst_client, cycles):
    board = analyst_client.get(reverse("reports:national"), {"year": 2023}).context["board"]
    therapy = [row.code for row in _panel(board, "therapy").rows]
    assert "tx_ra223" not in therapy and "inst_therapy_radioligand" not in therapy
    assert "tx_sr89_bone" in therapy


def test_charts_skip_what_a_year_did_not_ask(analyst_client, cycles):
    board = analyst_client.get(
        reverse("reports:national"), {"year": 2028, "baseline": 2023}
    ).context["board"]
    rows = _panel(board, "therapy").charted_rows
    figure = charts.as_json_data(charts.bar_figure(rows, year=2028, baseline=2023))
    current, before = (dict(zip(trace["y"], trace["x"], strict=True)) for trace in figure["data"])
    psma = next(row.label for row in rows if row.code == "tx_lu177_psma")
    assert current[psma] == 75 and before[psma] is None  # no bar, never a bar of 0
    growth = charts.as_json_data(charts.growth_figure(board.headline, year=2028, baseline=2023))
    assert "Treatments (over the items asked in both years)" in growth["data"][0]["y"]


def test_table_downloads_mark_not_asked_apart_from_not_reported(analyst_client, cycles):
    response = analyst_client.get(
        reverse("reports:download_table", args=["therapy"]),
        {"year": 2028, "baseline": 2023, "province": "51"},
    )
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    by_metric = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_metric["tx_lu177_psma"]["value"] == "70"
    assert by_metric["tx_lu177_psma"]["baseline"] == "not asked in 2023"
    tx = by_metric["tx_total"]
    assert (tx["value"], tx["baseline"], tx["growth_pct"]) == ("786", "160", "328.75")
    assert tx["shared_value"] == "686"
    assert tx["shared_baseline"] == "160"
    assert "223Ra dichloride" in tx["items_left_out"]
    # Not reported stays blank: nobody reported a 32P patch treatment.
    assert by_metric["tx_p32_patch"]["value"] == ""


def test_the_aggregates_csv_marks_what_the_year_did_not_ask(analyst_client, cycles):
    text = analyst_client.get(
        reverse("reports:aggregates", args=["csv"]), {"year": 2023}
    ).content.decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert rows["tx_lu177_psma"][1] == "not asked in 2023"
    assert rows["tx_p32_patch"][1] == ""  # asked, reported by nobody
    assert rows["tx_tc99_mdp"][1] == "0"


def test_survey_aggregates_marks_not_asked_and_gives_the_shared_growth(cycles, capsys):
    call_command("survey_aggregates", "--year", "2023", "--province", "51")
    before = json.loads(capsys.readouterr().out)["metrics"]
    assert before["tx_lu177_psma"] == {
        "value": None,
        "baseline": None,
        "growth_pct": None,
        "n_reporting": 0,
        "asked": False,
    }
    assert before["inst_therapy_radioligand"]["asked"] is False
    assert before["tx_total"]["asked"] is True and before["tx_total"]["value"] == 160

    call_command("survey_aggregates", "--year", "2028", "--baseline", "2023", "--province", "51")
    document = json.loads(capsys.readouterr().out)["metrics"]
    assert document["tx_total"] == {
        "value": 786,
        "baseline": 160,
        "growth_pct": 328.75,
        "n_reporting": 5,
        "asked": True,
        "baseline_asked": True,
        "shared": {
            "value": 686,
            "baseline": 160,
            "items": [c for c in metrics.GROUPS["tx_total"] if c not in LEFT_OUT],
            "left_out": list(LEFT_OUT),
        },
    }
    assert document["inst_therapy"]["shared"]["value"] == 4
    assert document["tx_lu177_psma"]["baseline_asked"] is False
    assert "shared" not in document["staff_total"]


def test_the_public_sees_not_asked_too(client, cycles):
    document = client.get(
        reverse("reports:aggregates", args=["json"]), {"year": 2028, "baseline": 2023}
    ).json()
    assert document["published_reports_only"] is True
    psma = document["metrics"]["tx_lu177_psma"]
    assert (psma["asked"], psma["baseline_asked"], psma["growth_pct"]) == (True, False, None)


def test_the_brief_report_says_growth_is_over_the_shared_items(cycles, english):
    province = cycles["A"].province
    text = brief.as_text(brief.write(year=2028, baseline=2023, province=province))
    assert (
        "They gave 786 treatments, an increase of 328.8% over the items asked in both 2023 and "
        "2028 (686 against 160 over those items)"
    ) in text
    assert "177Lu-PSMA radioligand therapy (prostate cancer) 8.9%" in text  # 70 of 786
    earlier = brief.as_text(brief.write(year=2023, province=province))
    assert "They gave 160 treatments:" in earlier
    assert "177Lu" not in earlier and "not asked" not in earlier


def test_an_institution_profile_reads_not_asked(analyst_client, cycles):
    url = reverse("reports:institution", args=[cycles["C"].code])
    page = analyst_client.get(url)
    items = {item["code"]: item for item in page.context["profile"]["items"]}
    assert items["tx_lu177_psma"]["cells"] == [(2023, False, None), (2028, True, 40)]
    html = page.content.decode()
    assert "not asked in 2023" in html
    # Its treatments of 2023 and 2028 count different items: the chart's note says which.
    treatments = next(row for row in page.context["profile"]["rows"] if row["code"] == "tx_total")
    assert "Treatments in the year: 223Ra dichloride" in "; ".join(treatments["not_every_year"])
    assert 'data-not-every-year="tx_total"' in html
    staff = next(row for row in page.context["profile"]["rows"] if row["code"] == "staff_total")
    assert staff["not_every_year"] == []
    rows = list(
        csv.reader(
            io.StringIO(analyst_client.get(url, {"download": "csv"}).content.decode("utf-8-sig"))
        )
    )
    psma = next(row for row in rows if row[0] == "tx_lu177_psma")
    assert psma[2:] == ["not asked in 2023", "40"]
    assert next(row for row in rows if row[0] == "tx_i131_graves")[2:] == ["", ""]
    # An institution whose years asked none of the 2028 items lists none of them.
    only_2023 = Institution.objects.create(code="C2023", name_zh="医院", province_id="51")
    Report.objects.create(institution=only_2023, cycle_id=2023, tx_i131_graves=1)
    profile = analyst_client.get(reverse("reports:institution", args=["C2023"])).context
    assert "tx_lu177_psma" not in {item["code"] for item in profile["profile"]["items"]}


def test_growth_of_a_metric_the_baseline_did_not_ask_is_none_with_a_reason(cycles):
    board = dashboard.build(year=2028, baseline=2023, province="51")
    psma = next(row for row in _panel(board, "examinations").rows if row.code == "exam_pet_psma")
    assert (psma.value, psma.baseline, psma.growth_pct) == (None, None, None)
    assert (psma.asked, psma.baseline_asked) == (True, False)


def _panel(board, key):
    return next(data for data in board.panels if data.panel.key == key)


def test_a_2028_dashboard_does_not_query_more_for_more_institutions(analyst_client, cycles):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_with(count):
        while Report.objects.filter(cycle_id=2028).count() < count:
            institution = Institution.objects.create(
                code=f"X{Report.objects.count()}", name_zh="医院", province_id="51"
            )
            Report.objects.create(institution=institution, cycle_id=2023, tx_sr89_bone=1)
            Report.objects.create(institution=institution, cycle_id=2028, tx_ra223=1)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            page = analyst_client.get(
                reverse("reports:province", args=["51"]), {"year": 2028, "baseline": 2023}
            )
            assert page.status_code == 200
        return len(captured.captured_queries)

    assert queries_with(6) == queries_with(30)


def test_the_public_is_told_when_no_growth_over_the_shared_items_is_shown(client, cycles):
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("reports:national"), {"year": 2028, "baseline": 2023})
    therapy = next(row for row in page.context["board"].headline if row.code == "inst_therapy")
    # The public has no count of institutions over the items both years asked (the full
    # counts would compare different therapies): no growth is shown, and the page says why.
    assert therapy.growth_pct is None and therapy.asked_differently
    html = _with_tables(client, page, {"year": 2028, "baseline": 2023}, "growth")
    row = html[html.index('<tr data-metric="inst_therapy"') :].split("</tr>")[0]
    assert "no growth shown over the items asked in both years" in row


def test_without_a_baseline_no_metric_is_compared_over_shared_items():
    # None is "any cycle" to the instrument, which asks every item: still no comparison.
    assert metrics.differing_metrics(2028, None) == {} == metrics.differing_metrics(None, 2023)
    assert metrics.differing_metrics(2028, 2023)["tx_total"]
