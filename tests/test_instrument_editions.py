"""The instrument across cycles: each item is asked in the years the dictionary's edition
states (`asked_from`, `asked_until`), its `of which:` rules bound an item by a whole it does
not sum into, and its therapy groups are the instrument's."""

import re

import pytest
from django.utils import translation

from survey.instrument import items as instrument
from tests.conftest import read_dictionary

DICTIONARY = read_dictionary()


def _year(text):
    return int(text) if text else None


@pytest.mark.parametrize("row", DICTIONARY, ids=lambda row: row["code"])
def test_every_item_is_asked_in_the_years_the_dictionary_states(row):
    item = instrument.items_by_code()[row["code"]]
    assert (item.asked_from, item.asked_until) == (
        _year(row["asked_from"]),
        _year(row["asked_until"]),
    )


def test_the_2023_cycle_asks_the_128_items_of_the_first_edition():
    assert len(instrument.items_asked(2023)) == 128
    assert len(instrument.items_asked(2028)) == len(DICTIONARY) == 145


def test_an_item_is_asked_within_its_years_only(monkeypatch):
    item = instrument.items_by_code()["exam_sa_ct"]
    monkeypatch.setattr(item.field, "asked_from", 2019, raising=False)
    monkeypatch.setattr(item.field, "asked_until", 2023, raising=False)
    assert [year for year in (2015, 2019, 2023, 2028) if item.asked_in(year)] == [2019, 2023]
    with translation.override("en"):
        assert item.asked_years == "asked 2019–2023"
    with translation.override("zh-hans"):
        assert "2019" in item.asked_years and "asked" not in item.asked_years


def test_a_group_is_asked_where_any_of_its_items_is():
    assert instrument.group_parts("tx_total", 2023) == tuple(
        code
        for code in instrument.GROUPS["tx_total"]
        if code not in {"tx_lu177_psma", "tx_lu177_sstr", "tx_ra223"}
    )
    assert instrument.group_parts("tx_total", 2028) == instrument.GROUPS["tx_total"]
    assert instrument.is_asked("tx_total", 2023)
    assert not instrument.is_asked("radioligand", 2023)
    assert instrument.is_asked("radioligand", 2028)
    assert instrument.shared_parts(instrument.GROUPS["tx_total"], 2028, 2023) == (
        instrument.group_parts("tx_total", 2023)
    )


OF_WHICH_RULE = re.compile(r"^of which: (\w+) <= (\w+)$")


def test_of_which_items_are_the_dictionarys_and_sum_into_nothing():
    expected = {}
    for row in DICTIONARY:
        match = OF_WHICH_RULE.match(row["rule"])
        if match:
            assert match.group(1) == row["code"]
            assert row["sums_into"] == ""
            expected[row["code"]] = match.group(2)
    assert instrument.OF_WHICH == expected
    grouped = {code for codes in instrument.GROUPS.values() for code in codes}
    assert not grouped & set(expected)
    for whole in expected.values():
        assert whole in instrument.GROUPS or whole in instrument.items_by_code()


THERAPY_GROUP = re.compile(r"therapy group: (\w+)")


def test_therapy_groups_are_the_dictionarys():
    expected = {}
    for row in DICTIONARY:
        match = THERAPY_GROUP.search(row["rule"])
        if match:
            expected.setdefault(match.group(1), []).append(row["code"])
    assert {group: list(codes) for group, codes in instrument.THERAPY_GROUPS.items()} == expected


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_report_refuses_a_value_of_an_item_its_cycle_does_not_ask(cycle_2023, sichuan):
    from django.core.exceptions import ValidationError

    from departments.models import Institution
    from survey.models import Report

    institution = Institution.objects.create(code="H1", name_en="H", province=sichuan)
    report = Report(institution=institution, cycle=cycle_2023, tx_ra223=5)
    with pytest.raises(ValidationError) as refused:
        report.clean()
    [message] = refused.value.message_dict["tx_ra223"]
    assert "not asked in 2023 (asked from 2028)" in message
    report.tx_ra223 = None
    report.clean()


@pytest.mark.django_db
def test_the_admin_shows_a_report_only_the_items_its_cycle_asks(admin_client, make_report):
    from django.urls import reverse

    report = make_report()
    page = admin_client.get(reverse("admin:survey_report_change", args=[report.pk]))
    form = page.context["adminform"].form
    assert "tx_sr89_bone" in form.fields
    assert not {"tx_ra223", "campuses", "rp_lu177"} & set(form.fields)


@pytest.mark.usefixtures("english")
def test_the_audit_trail_shows_what_a_unit_says_of_itself():
    from survey import audit

    unit = {"type": "eq_pet_ct", "manufacturer": "United Imaging", "long_axial": True}
    assert audit.unit_shown(unit).endswith("United Imaging · long axial field of view")
    assert audit.unit_shown(unit | {"long_axial": False}).endswith("United Imaging")


@pytest.mark.django_db
def test_units_carried_forward_from_2023_leave_what_2028_asks_of_them_unreported(
    make_report, admin_user
):
    from equipment.models import EquipmentUnit
    from equipment.services import apply_unit_counts
    from survey.assessment import assess
    from survey.editing import start_report
    from survey.models import Cycle

    earlier = make_report(eq_pet_ct=1, eq_spect=1, eq_owner_nm=2)
    for unit_type in ("eq_pet_ct", "eq_spect"):
        EquipmentUnit.objects.create(report=earlier, unit_type=unit_type, owner_department="nm")
    cycle_2028 = Cycle.objects.create(year=2028, is_open=True)

    report = start_report(institution=earlier.institution, cycle=cycle_2028, by=admin_user)

    assert (report.eq_pet_ct, report.eq_spect) == (1, 1)
    # 2023 never asked whether its PET/CT is long-axial or made in China: not a "no".
    assert (report.eq_pet_long_axial, report.eq_positron_domestic) == (None, None)
    missing = assess(report).section("equipment").missing
    report.equipment_units.update(long_axial=False, made_in_china=False)
    apply_unit_counts(report)
    report.refresh_from_db()
    assert (report.eq_pet_long_axial, report.eq_positron_domestic) == (0, 0)
    assert assess(report).section("equipment").missing == missing - 2


@pytest.mark.django_db
def test_a_unit_that_has_stated_its_attributes_counts_them(make_report):
    from equipment.models import EquipmentUnit
    from equipment.services import apply_unit_counts
    from survey.models import Cycle

    report = make_report(cycle=Cycle.objects.create(year=2028, is_open=True))
    for long_axial in (True, False):
        EquipmentUnit.objects.create(
            report=report,
            unit_type="eq_pet_ct",
            owner_department="nm",
            long_axial=long_axial,
            made_in_china=True,
        )
    EquipmentUnit.objects.create(report=report, unit_type="eq_spect", owner_department="nm")
    apply_unit_counts(report)
    report.refresh_from_db()
    # A SPECT unit that has not said is not counted by either: neither asks it of SPECT.
    assert (report.eq_pet_long_axial, report.eq_positron_domestic) == (1, 2)
