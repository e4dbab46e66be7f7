"""Filing across cycles: a report's forms, completeness, rules, warnings, print page and audit
trail are those of the items its cycle asks (the 2028 edition adds items 2023 did not ask)."""

import pytest
from django.urls import reverse

from survey import assessment, workflow
from survey.instrument import items as instrument
from survey.models import Cycle, Report, ValueChange
from tests.conftest import complete_values_of
from tests.test_report_form import row, section_data, section_url

pytestmark = pytest.mark.django_db

ONLY_2028 = [item.code for item in instrument.items() if not item.asked_in(2023)]


@pytest.fixture
def report_2028(report_2023):
    """A draft 2028 report of report_2023's institution (an open 2028 cycle)."""
    cycle = Cycle.objects.create(year=2028, is_open=True)
    return Report.objects.create(institution=report_2023.institution, cycle=cycle)


@pytest.fixture
def logged_in(client, reporter):
    client.force_login(reporter)
    client.cookies["django_language"] = "en"
    return client


def codes_on(page):
    return {r.item.code for block in page.context["blocks"] for r in block.rows}


def test_the_2028_items_are_the_dictionarys_new_ones():
    assert len(ONLY_2028) == 17 and "tx_ra223" in ONLY_2028 and "campuses" in ONLY_2028


def test_a_section_shows_only_the_items_its_cycle_asks(logged_in, report_2023, report_2028):
    for key in ("services", "equipment", "examinations", "therapy", "research", "opinions"):
        asked_2023 = codes_on(logged_in.get(section_url(report_2023, key)))
        asked_2028 = codes_on(logged_in.get(section_url(report_2028, key)))
        assert asked_2023 == {i.code for i in instrument.section_items(key, 2023)}
        assert asked_2028 - asked_2023 == {
            i.code for i in instrument.section_items(key) if i.code in ONLY_2028
        }
        assert asked_2028 - asked_2023, key  # every one of these sections gains an item
    html = logged_in.get(section_url(report_2023, "therapy")).content.decode()
    assert 'name="tx_ra223"' not in html and "223Ra" not in html
    html = logged_in.get(section_url(report_2028, "therapy")).content.decode()
    assert 'name="tx_ra223"' in html and "asked from 2028" in html


def test_a_posted_value_of_an_item_the_cycle_does_not_ask_is_never_saved(logged_in, report_2023):
    response = logged_in.post(
        section_url(report_2023, "therapy"),
        section_data(report_2023, "therapy", tx_i131_graves=10, tx_ra223=5, tx_lu177_psma=7),
    )
    assert response.status_code == 302
    saved = Report.objects.get(pk=report_2023.pk)
    assert saved.tx_i131_graves == 10
    assert (saved.tx_ra223, saved.tx_lu177_psma) == (None, None)
    assert set(ValueChange.objects.values_list("item", flat=True)) == {"tx_i131_graves"}
    # Nor through a section it does not belong to.
    logged_in.post(
        section_url(report_2023, "services"), section_data(report_2023, "services", campuses=3)
    )
    assert Report.objects.get(pk=report_2023.pk).campuses is None


def test_a_complete_2023_report_stays_complete_under_the_2028_edition(
    report_2023, reporter, report_2028
):
    Report.objects.filter(pk=report_2023.pk).update(**complete_values_of(2023))
    report_2023.refresh_from_db()
    assessed = assessment.assess(report_2023)
    assert assessed.ready, [(s.section.key, s.missing) for s in assessed.sections if s.missing]
    therapy = assessed.section("therapy")
    assert therapy.required == len(
        [i for i in instrument.section_items("therapy", 2023) if i.kind != instrument.TEXT]
    )
    workflow.submit(report_2023, by=reporter)
    assert Report.objects.get(pk=report_2023.pk).status == "submitted"


def test_a_2028_report_needs_its_new_items(report_2028, reporter):
    Report.objects.filter(pk=report_2028.pk).update(**complete_values_of(2023))
    report_2028.refresh_from_db()
    assessed = assessment.assess(report_2028)
    assert not assessed.ready
    missing = {s.section.key: s.missing for s in assessed.sections if s.missing}
    assert missing == {
        "services": 4,
        "equipment": 2,
        "examinations": 2,
        "radiopharmaceuticals": 2,
        "therapy": 3,
        "research": 3,
        "opinions": 1,
    }
    # All but one 2028 item: still not ready.
    Report.objects.filter(pk=report_2028.pk).update(
        **{**complete_values_of(2028), "res_clinical_trials": None}
    )
    report_2028.refresh_from_db()
    assessed = assessment.assess(report_2028)
    assert not assessed.ready and assessed.section("research").missing == 1
    with pytest.raises(workflow.NotReady):
        workflow.submit(report_2028, by=reporter)
    Report.objects.filter(pk=report_2028.pk).update(res_clinical_trials=0)
    report_2028.refresh_from_db()
    assert assessment.assess(report_2028).ready


@pytest.fixture
def section_items_recomputed():
    """The items of each section are worked out once per year: again for an edited field."""
    instrument.section_items_asked.cache_clear()
    yield
    instrument.section_items_asked.cache_clear()


def test_a_section_with_no_item_asked_is_not_shown(
    logged_in, report_2023, monkeypatch, section_items_recomputed
):
    # The opinions section's items of 2023 asked only until 2019: 2023 asks nothing of it.
    for item in instrument.section_items("opinions", 2023):
        monkeypatch.setattr(item.field, "asked_until", 2019, raising=False)
    instrument.section_items_asked.cache_clear()
    assert "opinions" not in [s.section.key for s in assessment.assess(report_2023).sections]
    assert logged_in.get(section_url(report_2023, "opinions")).status_code == 404
    research = logged_in.get(section_url(report_2023, "research"))
    assert research.context["next_section"] is None
    assert "/opinions/" not in research.content.decode()
    overview = logged_in.get(reverse("survey:report", args=[2023, report_2023.institution.code]))
    assert "/opinions/" not in overview.content.decode()
    saved = logged_in.post(
        section_url(report_2023, "research"),
        section_data(report_2023, "research") | {"then": "next"},
    )
    assert saved.url == reverse("survey:report", args=[2023, report_2023.institution.code])
    printed = logged_in.get(reverse("survey:print", args=[2023, report_2023.institution.code]))
    assert "Opinions" not in printed.content.decode()


def test_the_print_page_lists_only_the_items_the_cycle_asks(logged_in, report_2023, report_2028):
    label = str(instrument.label("tx_ra223"))
    code = report_2023.institution.code
    printed_2023 = logged_in.get(reverse("survey:print", args=[2023, code])).content.decode()
    printed_2028 = logged_in.get(reverse("survey:print", args=[2028, code])).content.decode()
    assert label not in printed_2023 and ">tx_ra223<" not in printed_2023
    assert label in printed_2028 and ">tx_ra223<" in printed_2028


def test_the_audit_trail_hides_no_change_even_of_an_item_the_cycle_does_not_ask(
    client, coordinator_sichuan, report_2023
):
    # Such a change exists only for a report moved from a cycle that asks the item: its
    # record stays whole.
    for item in ("tx_ra223", "tx_i131_graves"):
        ValueChange.objects.create(report=report_2023, item=item, old_value=None, new_value=5)
    client.force_login(coordinator_sichuan)
    code = report_2023.institution.code
    history = client.get(reverse("survey:history", args=[2023, code]))
    assert {c.item for c in history.context["page"].object_list} == {"tx_i131_graves", "tx_ra223"}


def test_rules_do_not_judge_a_value_the_cycle_does_not_ask(report_2023):
    # Stored past the model's check: 177Lu therapy without 177Lu would be an error in 2028.
    Report.objects.filter(pk=report_2023.pk).update(tx_lu177_psma=5, campuses=0)
    report_2023.refresh_from_db()
    assessed = assessment.assess(report_2023)
    assert assessed.errors == []
    assert assessed.values["tx_lu177_psma"] is None
    assert workflow.filing_of(report_2023, assessed).values["tx_lu177_psma"] is None


def change_keys(report):
    return [w.key for w in assessment.assess(report, assessment.previous_report(report)).warnings]


def test_changes_against_last_cycle_compare_only_items_both_cycles_ask(report_2023, report_2028):
    Report.objects.filter(pk=report_2023.pk).update(
        svc_therapy=True, tx_i131_graves=100, tx_sr89_bone=10, tx_ra223=1
    )
    # 2028 adds 223Ra and radioligand therapy: the treatments more than double, but the
    # treatments 2023 asked did not change; 223Ra "stored" in 2023 is not a baseline.
    Report.objects.filter(pk=report_2028.pk).update(
        svc_therapy=True,
        tx_i131_graves=100,
        tx_sr89_bone=10,
        tx_ra223=500,
        tx_lu177_psma=300,
        rp_lu177=True,
    )
    report_2028.refresh_from_db()
    assert not [key for key in change_keys(report_2028) if key.startswith("change-")]
    # A real change of a treatment both asked: one warning for the group, naming only it.
    Report.objects.filter(pk=report_2028.pk).update(tx_i131_graves=300)
    report_2028.refresh_from_db()
    [warning] = [
        w
        for w in assessment.assess(report_2028, assessment.previous_report(report_2028)).warnings
        if w.key.startswith("change-")
    ]
    assert warning.key == "change-tx_total" and warning.items == ("tx_i131_graves",)


def test_last_cycles_value_of_a_new_item_reads_not_asked(logged_in, report_2023, report_2028):
    Report.objects.filter(pk=report_2023.pk).update(tx_i131_graves=100)
    page = logged_in.get(section_url(report_2028, "therapy"))
    assert page.context["previous_year"] == 2023
    assert row(page, "tx_ra223").previous == "not asked"
    assert row(page, "tx_i131_graves").previous == "100"
    assert row(page, "tx_other").previous == "—"
