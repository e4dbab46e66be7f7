"""The models carry every item of the data dictionary, with both labels, its kind, its group
and its unit: what the dictionary states is checked here against the instrument
(`survey/instrument/`), so that adding an item is its dictionary row, its section's field, a
generated migration and its catalogue entries (README, *Adding an item*)."""

import csv

import pytest
from django.core.management import call_command
from django.utils import translation

from departments.models import Institution
from equipment.models import EquipmentSection, UnitType
from equipment.services import ATTRIBUTE_ITEMS
from survey.instrument import items as instrument
from survey.models import Report
from tests.conftest import CONTRACT, read_dictionary

DICTIONARY = read_dictionary()


def test_every_dictionary_item_is_a_field_in_dictionary_order():
    assert instrument.item_codes() == [row["code"] for row in DICTIONARY]


@pytest.mark.parametrize("row", DICTIONARY, ids=lambda row: row["code"])
def test_item_has_the_dictionarys_labels_and_kind(row):
    item = instrument.items_by_code()[row["code"]]
    assert item.section == row["section"]
    assert item.kind == row["kind"]
    with translation.override("en"):
        assert str(item.label) == row["label_en"]
    with translation.override("zh-hans"):
        assert str(item.label) == row["label_zh"]


def test_groups_are_the_dictionarys_sums_into():
    expected = {}
    for row in DICTIONARY:
        if row["sums_into"]:
            expected.setdefault(row["sums_into"], []).append(row["code"])
    assert {group: list(codes) for group, codes in instrument.GROUPS.items()} == expected


def test_every_group_has_a_label_in_both_languages():
    for group in instrument.GROUPS:
        with translation.override("en"):
            english = str(instrument.label(group))
        with translation.override("zh-hans"):
            chinese = str(instrument.label(group))
        assert english != group and chinese != english


@pytest.mark.parametrize(
    "row",
    [r for r in DICTIONARY if r["kind"] == "choice" and r["code"] != "province"],
    ids=lambda row: row["code"],
)
def test_choice_items_offer_exactly_the_listed_values(row):
    listed = {value.strip() for value in row["label_en"].split(":", 1)[1].split("|")}
    listed = {value.split(" ")[0] for value in listed}
    field = instrument.items_by_code()[row["code"]].field
    assert {value for value, _ in field.choices} == listed


def read_next_edition():
    """The contract's next edition (2028), which states each count's unit; the project still
    reads `data-dictionary.csv` as its dictionary, whose items the 2028 one keeps."""
    with (CONTRACT / "data-dictionary-2028.csv").open(encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


NEXT_EDITION = read_next_edition()


@pytest.mark.parametrize(
    "item",
    [item for item in instrument.items() if item.code in NEXT_EDITION],
    ids=lambda item: item.code,
)
def test_every_count_is_in_the_unit_the_dictionary_states(item):
    row = NEXT_EDITION[item.code]
    if item.kind != instrument.COUNT:
        assert item.unit is None and row["unit"] == ""
        return
    with translation.override("en"):
        assert str(item.unit) == row["unit"]
    with translation.override("zh-hans"):
        assert str(item.unit) != row["unit"]  # translated


def test_every_count_has_a_unit():
    assert [i.code for i in instrument.items() if i.kind == instrument.COUNT and not i.unit] == []


def test_every_group_has_a_label_and_every_label_a_group():
    assert set(instrument.GROUP_LABELS) == set(instrument.GROUPS)


def test_report_combines_the_sections_in_the_instruments_order():
    models = [section.model for section in instrument.SECTIONS if section.model is not None]
    assert list(Report.__mro__[1 : 1 + len(models)]) == models
    for item in instrument.items():
        if item.on_report:
            assert Report._meta.get_field(item.code).deconstruct() == item.field.deconstruct()


def test_institution_and_report_keep_the_same_profile_fields():
    for code in instrument.PROFILE_ITEMS:
        assert (
            Institution._meta.get_field(code).deconstruct()
            == Report._meta.get_field(code).deconstruct()
        )


def test_unit_types_are_the_equipment_counts_but_those_by_owning_department_or_attribute():
    """A unit has one type, one owning department and its attributes: every equipment count is
    a type but those by owning department and the "of which" counts of an attribute."""
    owners = EquipmentSection.GROUPS["eq_owner_total"]
    of_which = EquipmentSection.OF_WHICH
    counts = [
        f.name for f in EquipmentSection._meta.fields if f.name not in owners + tuple(of_which)
    ]
    assert UnitType.values == counts
    # Each "of which" count is what a unit says of itself (long-axial, made in China).
    assert set(ATTRIBUTE_ITEMS) == set(of_which)


@pytest.mark.django_db
def test_the_migrations_hold_every_field_of_the_models():
    # What CI checks too; here so that `make test` says when an item's migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
