"""The metrics engine against figures computed independently, in plain Python, from random
reports with gaps (not reported) in them, of three cycles: 2019, 2023 and 2028, whose edition
asks items the earlier ones did not (fixtures/survey/data-dictionary-2028.csv)."""

import random

import pytest

from departments.models import Institution, Province
from reports import metrics
from survey.instrument import items as instrument
from survey.models import Cycle, Report
from tests.conftest import read_dictionary

TIERS = ["tertiary_top", "tertiary", "secondary", "other", ""]
TX = instrument.GROUPS["tx_total"]
# The years of each item, as the dictionary gives them: {code: (asked_from, asked_until)}.
YEARS_ASKED = {
    row["code"]: (int(row["asked_from"] or 0), int(row["asked_until"] or 9999))
    for row in read_dictionary()
}


def asked(code, year):
    first, last = YEARS_ASKED[code]
    return first <= year <= last


def random_values(rng, year):
    """Values of the items the cycle of `year` asks; the others stay blank, as a form or an
    import of that year leaves them."""
    values = {
        "tier": rng.choice(TIERS),
        "ownership": rng.choice(["public", "nonpublic", ""]),
        "license_class": rng.choice(["none", "II", "IIIA", "IIIB", "IV", ""]),
    }
    for item in instrument.items():
        if not item.on_report or item.kind not in ("count", "flag"):
            continue
        if not asked(item.code, year) or rng.random() < 0.15:
            values[item.code] = None
        elif item.kind == "count":
            values[item.code] = rng.choice([0, 0, 1, 2, 5, 40, 1200])
        else:
            values[item.code] = rng.random() < 0.5
    return values


YEARS = {2019: range(0, 40), 2023: range(15, 60), 2028: range(25, 60)}


@pytest.fixture
def reports(db):
    """60 institutions in three provinces; 40 report in 2019, 45 in 2023, 35 in 2028,
    overlapping."""
    rng = random.Random(20231)
    provinces = list(Province.objects.filter(code__in=["11", "51", "54"]))
    data = {year: {} for year in YEARS}
    for year in data:
        Cycle.objects.create(year=year)
    for n in range(60):
        institution = Institution.objects.create(
            code=f"R{n:03d}", name_en=f"H{n}", province=provinces[n % 3]
        )
        for year, reporting in YEARS.items():
            if n in reporting:
                values = random_values(rng, year)
                Report.objects.create(institution=institution, cycle_id=year, **values)
                data[year][institution.code] = (institution.province_id, values)
    return data


def expected(rows, year):
    """The README's definitions, written out independently of reports.metrics: a figure of
    items the year did not ask is None (and not asked), a group total and a count of
    institutions over a group are over the items the year asked."""

    def total(values):
        reported = [value for value in values if value is not None]
        return sum(reported) if reported else None

    def count(predicate):
        return sum(1 for values in rows if predicate(values))

    out = {"institutions": len(rows)}
    for item in instrument.items():
        if item.kind == "count" and item.on_report:
            out[item.code] = total(v[item.code] for v in rows) if asked(item.code, year) else None
        elif item.kind == "flag":
            out[f"inst_{item.code}"] = (
                count(lambda v, c=item.code: v[c] is True) if asked(item.code, year) else None
            )
    for group, codes in instrument.GROUPS.items():
        out[group] = total(out[c] for c in codes if asked(c, year))

    def positive(v, *codes):
        return any((v[c] or 0) > 0 for c in codes if asked(c, year))

    def institutions_with(*codes):
        return count(lambda v: positive(v, *codes)) if any(asked(c, year) for c in codes) else None

    out["inst_tertiary"] = count(lambda v: v["tier"] in ("tertiary_top", "tertiary"))
    out["inst_tertiary_top"] = count(lambda v: v["tier"] == "tertiary_top")
    out["inst_nonpublic"] = count(lambda v: v["ownership"] == "nonpublic")
    out["inst_license_III"] = count(lambda v: v["license_class"] in ("IIIA", "IIIB"))
    out["inst_with_positron_equipment"] = count(lambda v: positive(v, "eq_pet_ct", "eq_pet_mri"))
    out["inst_with_positron_equipment_tertiary"] = count(
        lambda v: (
            positive(v, "eq_pet_ct", "eq_pet_mri") and v["tier"] in ("tertiary_top", "tertiary")
        )
    )
    out["inst_with_cyclotron"] = count(lambda v: positive(v, "eq_cyclotron"))
    out["inst_therapy"] = institutions_with(*TX)
    out["inst_therapy_i131"] = institutions_with("tx_i131_graves", "tx_i131_thyroid")
    out["inst_therapy_bone"] = institutions_with("tx_sr89_bone", "tx_ra223")
    out["inst_therapy_radioligand"] = institutions_with("tx_lu177_psma", "tx_lu177_sstr")
    out["inst_therapy_plaster"] = institutions_with("tx_sr90_y90_applicator", "tx_p32_patch")
    out["inst_in_vitro"] = count(lambda v: positive(v, "iv_samples"))
    out["eq_pet_ct__n"] = count(lambda v: v["eq_pet_ct"] is not None)
    out["tx_total__n"] = count(lambda v: any(v[c] is not None for c in TX))
    out["tx_lu177_psma__n"] = count(lambda v: v["tx_lu177_psma"] is not None)
    return out


def check(figures, rows, year):
    for code, value in expected(rows, year).items():
        if code.endswith("__n"):
            assert figures[code[:-3]].n_reporting == value, code
        else:
            assert figures[code].value == value, code
    assert {code for code, figure in figures.items() if not figure.asked} == not_asked(year)


def not_asked(year):
    """The metrics of the items the dictionary says `year` did not ask, and the count of
    institutions over the radioligand therapies when it asked neither."""
    codes = {
        f"inst_{row['code']}" if row["kind"] == "flag" else row["code"]
        for row in read_dictionary()
        if row["kind"] in ("count", "flag") and not asked(row["code"], year)
    }
    if not (asked("tx_lu177_psma", year) or asked("tx_lu177_sstr", year)):
        codes.add("inst_therapy_radioligand")
    return codes


def test_national_figures_match_an_independent_computation(reports):
    check(metrics.figures(year=2023), [values for _, values in reports[2023].values()], 2023)


def test_the_2028_figures_count_its_new_items(reports):
    rows = [values for _, values in reports[2028].values()]
    figures = metrics.figures(year=2028)
    check(figures, rows, 2028)
    psma = [v["tx_lu177_psma"] for v in rows if v["tx_lu177_psma"] is not None]
    assert figures["tx_lu177_psma"].value == sum(psma) > 0
    assert figures["tx_total"].value == sum(sum(v[c] for c in TX if v[c] is not None) for v in rows)


def test_what_a_cycle_did_not_ask_is_neither_zero_nor_not_reported(reports):
    before = metrics.figures(year=2023)
    for code in ("tx_lu177_psma", "eq_pet_long_axial", "campuses"):
        assert before[code] == metrics.Figure(None, 0, 0, None, asked=False), code
    # A count of institutions of a year that did not ask is not 0 institutions either.
    assert before["inst_therapy_radioligand"] == metrics.Figure(None, 0, asked=False)
    assert before["inst_rp_lu177"].asked is False
    assert before["tx_total"].asked and before["inst_therapy_bone"].asked
    comparison = metrics.compare(year=2028, baseline=2023)
    assert comparison["tx_lu177_psma"].value > 0
    assert (comparison["tx_lu177_psma"].baseline, comparison["tx_lu177_psma"].growth_pct) == (
        None,
        None,
    )
    assert comparison["tx_lu177_psma"].baseline_asked is False


def test_growth_between_cycles_asking_different_items_is_over_the_items_both_asked(reports):
    comparison = metrics.compare(year=2028, baseline=2023)
    shared_items = tuple(c for c in TX if asked(c, 2023))
    assert comparison["tx_total"].shared.items == shared_items

    def over(year, codes):
        return sum(v[c] or 0 for _, v in reports[year].values() for c in codes)

    now, then = over(2028, shared_items), over(2023, shared_items)
    tx = comparison["tx_total"]
    assert (tx.shared.value, tx.shared.baseline) == (now, then)
    assert tx.growth_pct == pytest.approx(100 * (now - then) / then)
    assert (tx.value, tx.baseline) == (over(2028, TX), over(2023, TX))
    assert tx.value > now  # the full 2028 total has the three new therapies too
    assert comparison["staff_total"].shared is None  # asked alike in both years


def test_provincial_figures_match_and_cover_every_province(reports):
    by_province = metrics.figures_by_province(year=2019)
    assert set(by_province) == {"11", "51", "54"}
    for code, figures in by_province.items():
        rows = [values for province, values in reports[2019].values() if province == code]
        check(figures, rows, 2019)
        check(metrics.figures(year=2019, province=code), rows, 2019)


def test_growth_between_any_two_years_and_on_the_matched_panel(reports):
    comparison = metrics.compare(year=2023, baseline=2019)
    now, before = comparison["staff_total"].value, comparison["staff_total"].baseline
    assert comparison["staff_total"].growth_pct == pytest.approx(100 * (now - before) / before)

    panel = metrics.compare(year=2023, baseline=2019, panel=True)
    both = set(reports[2023]) & set(reports[2019])
    assert panel["institutions"].value == panel["institutions"].baseline == len(both)
    check(
        metrics.figures(year=2023, panel_with=2019),
        [reports[2023][code][1] for code in sorted(both)],
        2023,
    )


def test_nothing_reported_is_none_not_zero(db):
    Cycle.objects.create(year=2030)
    institution = Institution.objects.create(code="E1", name_zh="空", province_id="11")
    Report.objects.create(institution=institution, cycle_id=2030)
    figures = metrics.figures(year=2030)
    assert figures["institutions"] == metrics.Figure(1, 1)
    assert figures["eq_pet_ct"] == metrics.Figure(None, 0, contributors=0)
    assert figures["tx_total"] == metrics.Figure(None, 0, contributors=0, largest=0)
    assert metrics.compare(year=2030, baseline=2030)["eq_pet_ct"].growth_pct is None


@pytest.mark.parametrize("extra", [0, 30])
def test_one_query_per_scope_whatever_the_number_of_institutions(
    reports, extra, django_assert_num_queries
):
    for n in range(extra):
        institution = Institution.objects.create(code=f"X{n}", name_en="X", province_id="51")
        Report.objects.create(institution=institution, cycle_id=2023)
    # Each: the data versions (survey.versions, one query per request), then the figures.
    with django_assert_num_queries(2):
        metrics.figures(year=2023)
    with django_assert_num_queries(2):
        metrics.figures_by_province(year=2023)
    with django_assert_num_queries(4):
        metrics.compare(year=2023, baseline=2019, panel=True)
    # Cycles that asked different items: the counts over the items both asked, one a year.
    with django_assert_num_queries(8):
        metrics.compare(year=2028, baseline=2023, panel=True)


def test_contributors_and_the_largest_contribution_match_an_independent_computation(reports):
    rows = [values for _, values in reports[2023].values()]
    figures = metrics.figures(year=2023)
    for code in ("eq_pet_ct", "tx_i131_graves", "staff_physicians"):
        values = [v[code] for v in rows if v[code] is not None]
        assert figures[code].contributors == sum(1 for v in values if v > 0), code
        assert figures[code].largest == max(values), code
    totals = [sum(v[c] or 0 for c in TX) for v in rows if any(v[c] is not None for c in TX)]
    assert figures["tx_total"].contributors == sum(1 for t in totals if t > 0)
    assert figures["tx_total"].largest == max(totals)
    assert figures["institutions"].contributors is None  # a count of institutions, not a sum


def test_published_figures_count_only_submitted_and_accepted_reports(db):
    Cycle.objects.create(year=2030)
    for n, status in enumerate(["draft", "submitted", "accepted", "returned"]):
        institution = Institution.objects.create(code=f"S{n}", name_zh="医院", province_id="11")
        Report.objects.create(
            institution=institution, cycle_id=2030, status=status, eq_pet_ct=10**n
        )
    assert metrics.figures(year=2030)["eq_pet_ct"].value == 1111
    published = metrics.figures(year=2030, published=True)
    assert (published["eq_pet_ct"].value, published["institutions"].value) == (110, 2)
    assert metrics.figures_by_province(year=2030, published=True)["11"]["eq_pet_ct"].value == 110


def test_shares_and_densities():
    values = {"institutions": 200, "inst_svc_pet": 50, "exam_pet_tumor": 30, "exam_pet_total": 120}
    assert metrics.share_pct(values, "inst_svc_pet") == 25
    assert metrics.share_pct(values, "exam_pet_tumor") == 25
    assert metrics.share_pct({"inst_svc_pet": 3, "institutions": 0}, "inst_svc_pet") is None
    assert metrics.per_million(772, 1409.67) == pytest.approx(0.5476, abs=1e-4)


def test_a_compiled_query_refuses_a_place_computed_from_its_parameter(db):
    from config.compiled import compile_query

    def plain(year):
        return Report.objects.filter(cycle_id=year).values("status")

    def computed(year):
        # Its place holds year - 1: run with another year, it would be given the year itself.
        return Report.objects.filter(cycle_id=year - 1).values("status")

    assert compile_query(plain, year=(2001, 2002)).slots == {"year": (0,)}
    with pytest.raises(ValueError, match="computed from 'year'"):
        compile_query(computed, year=(2001, 2002))
