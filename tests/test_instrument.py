"""The models carry every item of the data dictionary, with both labels."""

import pytest
from django.utils import translation

from survey.instrument import items as instrument
from tests.conftest import read_dictionary

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
