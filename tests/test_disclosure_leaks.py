"""The three leaks measured in issue 12, on small data sets built for them: zeros counted as
contributors, differencing, and a new cycle's draft published."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from departments.models import Institution, Province
from survey.instrument.items import GROUPS
from survey.models import Cycle, Report
from tests.test_disclosure_audit import audit, downloaded, public_shared, truth_of

OTHERS = ("11", "31", "32", "44", "51")


@pytest.fixture
def add(db):
    serial = iter(range(1, 1000))

    def add(province, year=2023, status="accepted", **values):
        institution = Institution.objects.create(
            code=f"L{province}{next(serial):04d}", name_zh="医院", province_id=province
        )
        return Report.objects.create(
            institution=institution, cycle_id=year, status=status, **values
        )

    return add


def in_vitro(samples):
    return {"svc_in_vitro": True, "iv_samples": samples, "iv_tests": samples * 4}


@pytest.fixture
def tibet_one_laboratory(add):
    """Tibet: five hospitals report 0 samples, one 56,355; elsewhere three laboratories each."""
    Cycle.objects.create(year=2023, is_open=True)
    for _ in range(5):
        add("54", **in_vitro(0))
    add("54", **in_vitro(56355))
    for province in OTHERS:
        for samples in (1000, 1500, 2000):
            add(province, **in_vitro(samples))


def panel_tables(client, query):
    """The HTML of the growth and examinations tables a dashboard of `query` fetches."""
    return "".join(
        client.get(reverse("reports:table", args=[key]), query).content.decode()
        for key in ("growth", "examinations")
    )


def aggregates(client, **query):
    return client.get(reverse("reports:aggregates", args=["json"]), query).json()


def test_zeros_do_not_count_as_contributors(client, tibet_one_laboratory):
    tibet = aggregates(client, province="54")["metrics"]
    assert tibet["iv_samples"]["value"] is None
    assert tibet["iv_tests"]["value"] is None
    assert tibet["inst_in_vitro"]["value"] is None  # 1 institution: sensitive itself
    brief = client.get(reverse("reports:brief"), {"province": "54", "download": "txt"})
    text = brief.content.decode()
    assert "56,355" not in text and "56355" not in text


def test_the_national_figure_minus_the_provinces_shown_gives_no_hospital_away(
    client, tibet_one_laboratory
):
    documents = downloaded(client, 2023)
    national = documents["national"]["metrics"]["iv_samples"]["value"]
    shown = [
        d["metrics"]["iv_samples"]["value"]
        for scope, d in documents.items()
        if scope not in ("national", "54")
    ]
    if national is not None:
        assert national - sum(v or 0 for v in shown) != 56355
    assert audit(documents, truth_of(2023)) == []


def test_an_institution_count_of_one_does_not_cap_a_sum(client, add):
    """Quality control in one Tibetan laboratory: the count would name it, the sum bound it."""
    Cycle.objects.create(year=2023, is_open=True)
    for samples, qc in ((800, True), (900, False), (700, False)):
        add("54", iv_internal_qc=qc, **in_vitro(samples))
    for province in OTHERS:
        for samples in (1000, 1500, 2000):
            add(province, iv_internal_qc=True, **in_vitro(samples))
    tibet = aggregates(client, province="54")["metrics"]
    assert tibet["inst_iv_internal_qc"]["value"] is None
    assert tibet["iv_samples"]["value"] == 2400  # three laboratories: shown
    assert audit(downloaded(client, 2023), truth_of(2023)) == []


def test_a_new_cycle_with_one_draft_is_not_published(client, tibet_one_laboratory, add, analyst):
    Cycle.objects.filter(year=2023).update(is_open=False)
    Cycle.objects.create(year=2025, is_open=True)
    add("51", year=2025, status="draft", exam_pet_tumor=4321)
    document = aggregates(client)
    assert document["year"] == 2023
    assert document["metrics"]["exam_pet_tumor"]["value"] != 4321
    assert aggregates(client, year=2025)["year"] == 2023  # not a year the public can pick
    page = client.get(reverse("reports:national"))
    assert page.context["board"].year == 2023 and 2025 not in page.context["years"]
    brief = client.get(reverse("reports:brief"), {"download": "txt"}).content.decode()
    assert "4321" not in brief and "4,321" not in brief
    client.force_login(analyst)  # entitled: every report, as before
    assert aggregates(client)["year"] == 2025
    assert aggregates(client)["metrics"]["exam_pet_tumor"]["value"] == 4321


def test_a_draft_does_not_count_in_the_public_figures_of_a_published_year(
    client, tibet_one_laboratory, add
):
    before = aggregates(client, province="51")["metrics"]["iv_samples"]["value"]
    add("51", status="draft", **in_vitro(99999))
    cache.clear()  # the test's transaction never commits, so no data version is renewed
    assert aggregates(client, province="51")["metrics"]["iv_samples"]["value"] == before == 4500


def test_growth_does_not_give_a_hidden_figure_away(client, add):
    """Tibet's one laboratory in 2023 had a published baseline in 2019."""
    Cycle.objects.create(year=2019)
    Cycle.objects.create(year=2023, is_open=True)
    for year in (2019, 2023):
        add("54", year=year, **in_vitro(50000 if year == 2019 else 56355))
        for _ in range(3):
            add("54", year=year, **in_vitro(0))
        for province in OTHERS:
            for samples in (1000, 1500, 2000):
                add(province, year=year, **in_vitro(samples))
    tibet = aggregates(client, province="54", baseline=2019)["metrics"]["iv_samples"]
    shown = ("value", "baseline", "growth_pct", "n_reporting")
    assert [tibet[key] for key in shown] == [None] * 4
    assert audit(downloaded(client, 2023, baseline=2019), truth_of(2023)) == []


# --- The review of issue 12: one test per finding ------------------------------------------


def test_the_published_check_is_for_analysts_only(client, add, analyst, make_user):
    """It compared every report, drafts included, with the publication: a draft's figure
    and a suppressed cell were readable on a public page."""
    Cycle.objects.create(year=2023, is_open=True)
    for province in OTHERS:
        add(province, exam_pet_tumor=4000)
    add("51", status="draft", exam_pet_tumor=4321)
    url = reverse("reports:published_check")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user("coordinator", province=Province.objects.get(code="51")))
    assert client.get(url).status_code == 404
    client.force_login(analyst)
    assert client.get(url).status_code == 200


def test_a_hidden_option_of_a_choice_is_not_the_institutions_less_the_others(client, add):
    """Tibet: four public hospitals and one non-public; the institutions are shown."""
    Cycle.objects.create(year=2023, is_open=True)
    for ownership in ("public",) * 4 + ("nonpublic",):
        add("54", ownership=ownership, tier="secondary", license_class="II")
    for province in OTHERS:
        for ownership in ("public", "public", "nonpublic", "nonpublic", "nonpublic"):
            add(province, ownership=ownership, tier="secondary", license_class="II")
    tibet = aggregates(client, province="54")["metrics"]
    assert tibet["inst_nonpublic"]["value"] is None
    shown = [tibet[code]["value"] for code in ("institutions", "inst_public")]
    assert None in shown  # else the institutions less the public ones give it
    assert audit(downloaded(client, 2023), truth_of(2023)) == []


def test_the_matched_panel_does_not_give_a_new_hospital_away(client, add, analyst):
    """Four hospitals in both years and one new one (777) in 2023: the growth over all of
    them and over the panel of four give 777 back."""
    Cycle.objects.create(year=2019)
    Cycle.objects.create(year=2023, is_open=True)
    for province in ("11", "31", "32", "44"):
        for number, value in enumerate((1000, 1200, 1500, 1300)):
            code = f"H{province}{number}"
            for year in (2019, 2023):
                institution, _ = Institution.objects.get_or_create(
                    code=code, defaults={"name_zh": "医院", "province_id": province}
                )
                Report.objects.create(
                    institution=institution,
                    cycle_id=year,
                    status="accepted",
                    exam_pet_tumor=value + (100 if year == 2023 else 0),
                )
    add("11", exam_pet_tumor=777)
    url = reverse("reports:download_table", args=["examinations"])
    query = {"province": "11", "baseline": 2019}
    header, *rows = client.get(url, query).content.decode("utf-8-sig").splitlines()
    column = 7  # growth % (matched panel): dashboard.panel_table
    assert all(row.split(",")[column] == "" for row in rows)
    page = client.get(reverse("reports:province", args=["11"]), query)
    assert all(row.panel_growth_pct is None for row in page.context["board"].headline)
    # Nor an empty series or column where the panel would be (the tables the page fetches).
    assert "增长（配对机构）" not in page.content.decode() + panel_tables(client, query)
    assert len(page.context["growth_figure"]["data"]) == 1
    client.force_login(analyst)  # entitled: every figure, the panel's growth too
    page = client.get(reverse("reports:province", args=["11"]), query)
    assert len(page.context["growth_figure"]["data"]) == 2
    assert "增长（配对机构）" in panel_tables(client, query)
    rows = client.get(url, query).content.decode("utf-8-sig").splitlines()[1:]
    line = next(row.split(",") for row in rows if row.startswith("exam_pet_tumor,"))
    assert float(line[column]) == 8.0


def test_the_suppression_pattern_is_never_older_than_the_figures(client, add, settings):
    """SURVEY_FIGURES_MAX_AGE serves a previous entry while one worker recomputes it: what
    is shown and what is blanked must come from the same data."""
    from survey import versions

    settings.SURVEY_FIGURES_MAX_AGE = 60
    Cycle.objects.create(year=2023, is_open=True)
    hospitals = {
        province: [add(province, exam_pet_tumor=v) for v in (1000, 1200, 1500, 1300)]
        for province in ("11", "31", "32", "44")
    }
    assert aggregates(client, province="11")["metrics"]["exam_pet_tumor"]["value"] == 5000
    for report in hospitals["11"][:2]:  # two contributors left
        report.exam_pet_tumor = 0
        report.save()
    versions._renew([2023])  # the test's transaction never commits
    for name in ("public-table", "public-hidden"):  # another worker recomputes the pattern
        cache.add(f"{name}:2023:recomputing", 1, 30)
    document = aggregates(client, province="11")
    value = document["metrics"]["exam_pet_tumor"]["value"]
    assert value in (None, 5000)  # hidden, or the previous figure with its own pattern
    if value is None:
        assert "exam_pet_tumor" in document["suppressed"]


def test_a_sparse_new_cycle_is_not_the_public_default(client, tibet_one_laboratory, add, analyst):
    """2023 has 21 published reports; the open 2025 cycle 2 submitted ones."""
    Cycle.objects.filter(year=2023).update(is_open=False)
    Cycle.objects.create(year=2025, is_open=True)
    add("11", year=2025, status="submitted", exam_pet_tumor=4321)
    add("11", year=2025, status="submitted", exam_pet_tumor=0)
    assert aggregates(client)["year"] == 2023
    assert aggregates(client, year=2025)["year"] == 2025  # still there when asked for
    page = client.get(reverse("reports:brief"))
    assert page.context["year"] == 2023
    for _ in range(9):  # half of 2023's: the new cycle is the default
        add("31", year=2025, status="submitted", exam_pet_tumor=1)
    assert aggregates(client)["year"] == 2025
    client.force_login(analyst)
    assert aggregates(client)["year"] == 2025


def test_positron_equipment_in_tertiary_hospitals_is_at_most_the_tertiary_hospitals(client, add):
    """Tibet: three tertiary hospitals, all with PET/CT; one secondary one."""
    Cycle.objects.create(year=2023, is_open=True)
    for tier in ("tertiary", "tertiary", "tertiary_top"):
        add("54", tier=tier, ownership="public", eq_pet_ct=1, svc_pet=True)
    add("54", tier="secondary", ownership="public")
    for province in OTHERS:
        for tier in ("tertiary", "tertiary", "secondary", "secondary"):
            add(province, tier=tier, ownership="public", eq_pet_ct=1, svc_pet=True)
    from reports import privacy

    assert ("inst_with_positron_equipment_tertiary", "inst_tertiary") in privacy.scope_bounds()
    assert audit(downloaded(client, 2023), truth_of(2023)) == []


def test_a_rank_is_among_the_provinces_shown_and_entitled_marks_cover_growth(client, add, analyst):
    from reports import privacy

    Cycle.objects.create(year=2019)
    Cycle.objects.create(year=2023, is_open=True)
    for year in (2019, 2023):
        add("54", year=year, **in_vitro(50000))  # one laboratory: hidden in both years
        for province in OTHERS:
            for samples in (1000, 1500, 2000):
                add(province, year=year, **in_vitro(samples))
    query = {"baseline": 2019}
    board = client.get(reverse("reports:province", args=["51"]), query).context["board"]
    row = next(r for p in board.panels for r in p.rows if r.code == "iv_samples")
    shown = [
        scope
        for scope, document in downloaded(client, 2023, baseline=2019).items()
        if scope != "national" and document["metrics"]["iv_samples"]["value"] is not None
    ]
    assert "54" not in shown and row.ranked_among == len(shown)
    client.force_login(analyst)
    board = client.get(reverse("reports:province", args=["54"]), query).context["board"]
    row = next(r for p in board.panels for r in p.rows if r.code == "iv_samples")
    assert row.hidden_from_public and row.growth_hidden_from_public
    assert "iv_samples" in privacy.disclosure_for(analyst, "54", 2023, 2019).marked_baseline


# --- Issue 14: cycles that asked different items -------------------------------------------


# A profile every report gives, so that the institutions are shown.
PROFILE = {
    "ownership": "public",
    "tier": "tertiary",
    "license_class": "II",
    "dept_affiliation": "independent",
}


@pytest.fixture
def tibet_one_new_therapy(db):
    """Tibet: four hospitals give 131I therapy in 2023 and 2028; in 2028 a fifth gives only
    177Lu-PSMA (80 treatments). Elsewhere four hospitals each give 131I in both years, three
    of them 177Lu-PSMA in 2028 too (10, 20, 30)."""
    Cycle.objects.create(year=2023)
    Cycle.objects.create(year=2028, is_open=True)

    def hospital(code, province, **by_year):
        institution = Institution.objects.create(code=code, name_zh="医院", province_id=province)
        for year, values in by_year.items():
            if values.get("tx_lu177_psma"):
                values = {**values, "rp_lu177": True}  # the rule: 177Lu therapy needs 177Lu
            Report.objects.create(
                institution=institution,
                cycle_id=int(year[1:]),
                status="accepted",
                svc_therapy=True,
                **PROFILE,
                **values,
            )

    for n, graves in enumerate((100, 120, 140, 160)):
        i131 = {"tx_i131_graves": graves}
        hospital(f"X54{n}", "54", y2023=i131, y2028={"tx_i131_graves": graves + 10})
    hospital("X549", "54", y2028={"tx_lu177_psma": 80})
    for province in OTHERS:
        for n, graves in enumerate((100, 200, 300, 400)):
            after = {"tx_i131_graves": graves + 10, "tx_lu177_psma": 10 * (n + 1) if n < 3 else 0}
            hospital(f"X{province}{n}", province, y2023={"tx_i131_graves": graves}, y2028=after)


def public_comparison(province, year=2028, baseline=2023):
    from django.contrib.auth.models import AnonymousUser

    from reports import privacy

    disclosure = privacy.disclosure_for(AnonymousUser(), province, year, baseline)
    return privacy.apply(
        privacy.compare(year=year, baseline=baseline, province=province, disclosure=disclosure),
        disclosure,
    )


def test_the_treatments_over_the_items_both_cycles_asked_do_not_give_177lu_away(
    client, tibet_one_new_therapy
):
    """Tibet's treatments less its treatments over the 2023 items would be the one hospital's
    80 177Lu-PSMA treatments."""
    tibet = public_comparison("54")
    assert tibet["tx_lu177_psma"].value is None  # one hospital's
    total, shared = tibet["tx_total"].value, tibet["tx_total"].shared
    assert shared.items == tuple(
        c for c in GROUPS["tx_total"] if not c.startswith(("tx_lu", "tx_ra"))
    )
    assert total is None or shared.value is None  # never both: their difference is the 80
    if shared.value is None:
        assert tibet["tx_total"].growth_pct is None
    documents = downloaded(client, 2028, baseline=2023)
    assert audit(documents, truth_of(2028), shared=public_shared(2028, 2023)) == []


def test_a_shared_group_total_that_follows_from_the_cells_shown_is_public(tibet_one_new_therapy):
    """Jiangsu: every treatment item shown; 2028's 1,100 treatments include 60 of 177Lu-PSMA,
    the 1,040 over 2023's items are 4% above 2023's 1,000."""
    from reports import privacy

    assert not {"tx_total", "tx_i131_graves"} & privacy.hidden_cells(2028)["32"]
    figure = public_comparison("32")["tx_total"]
    assert (figure.value, figure.baseline) == (1100, 1000)
    assert (figure.shared.value, figure.shared.baseline) == (1040, 1000)
    assert figure.growth_pct == pytest.approx(4.0)  # like for like, not 10%


def test_a_count_of_institutions_over_the_shared_items_is_for_the_entitled_only(
    client, tibet_one_new_therapy, analyst
):
    """Tibet gives therapy in 5 institutions in 2028, 4 over the 2023 items: the 1 between
    them is the hospital giving only 177Lu. The public sees both years' counts but no growth."""
    from reports import privacy

    tibet = public_comparison("54")["inst_therapy"]
    assert (tibet.value, tibet.baseline) == (5, 4)
    assert tibet.shared.value is None and tibet.shared.baseline is None
    assert tibet.growth_pct is None  # rather than an unlike +25%
    document = aggregates(client, province="54", year=2028, baseline=2023)["metrics"]
    assert document["inst_therapy"]["growth_pct"] is None
    assert document["inst_therapy"]["value"] == 5
    assert (document["inst_therapy"].get("shared") or {}).get("value") is None
    entitled = privacy.disclosure_for(analyst, "54", 2028, 2023)
    full = privacy.apply(
        privacy.compare(year=2028, baseline=2023, province="54", disclosure=entitled), entitled
    )["inst_therapy"]
    assert (full.shared.value, full.shared.baseline, full.growth_pct) == (4, 4, 0.0)
    assert "inst_therapy" in entitled.marked_growth  # the public does not see this growth
    assert "tx_total" not in privacy.disclosure_for(analyst, "32", 2028, 2023).marked_growth
    assert "tx_total" in privacy.disclosure_for(analyst, "11", 2028, 2023).marked_growth
