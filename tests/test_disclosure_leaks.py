"""The three leaks measured in issue 12, on small data sets built for them: zeros counted as
contributors, differencing, and a new cycle's draft published."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from departments.models import Institution
from survey.models import Cycle, Report
from tests.test_disclosure_audit import audit, downloaded, truth_of

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
    assert tibet == {"value": None, "baseline": None, "growth_pct": None, "n_reporting": None}
    assert audit(downloaded(client, 2023, baseline=2019), truth_of(2023)) == []
