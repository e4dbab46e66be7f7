"""Blank means not reported, and survives a save and a load apart from 0."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from survey.instrument import items as instrument
from survey.models import Report


def test_blank_and_zero_survive_a_round_trip(make_report):
    report = make_report(eq_pet_ct=0, eq_pet_mri=None, svc_pet=False, svc_therapy=None)
    loaded = Report.objects.get(pk=report.pk)
    assert loaded.eq_pet_ct == 0
    assert loaded.eq_pet_mri is None
    assert loaded.svc_pet is False
    assert loaded.svc_therapy is None


def test_a_new_report_has_every_item_not_reported(make_report):
    values = make_report().item_values()
    reported = {code for code, value in values.items() if value is not None}
    assert reported == {"inst_code", "inst_name", "inst_name_zh", "province"}
    assert set(values) == set(instrument.item_codes())


def test_one_report_per_institution_and_cycle(make_report):
    report = make_report()
    with pytest.raises(IntegrityError):
        Report.objects.create(institution=report.institution, cycle=report.cycle)


@pytest.mark.parametrize(
    ("item", "value"),
    [
        ("eq_pet_ct", 1_001),
        ("exam_pet_tumor", 10_000_001),
        ("staff_nurses", 10_001),
        ("iv_tests", 500_000_001),
        ("eq_spect", -1),
    ],
)
def test_counts_outside_their_bounds_are_refused(make_report, item, value):
    report = make_report()
    setattr(report, item, value)
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert item in refused.value.message_dict


def test_choices_outside_the_list_are_refused(make_report):
    report = make_report(tier="tertiary_plus")
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert "tier" in refused.value.message_dict
