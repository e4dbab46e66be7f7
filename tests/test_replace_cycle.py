"""Writing a whole cycle of known-good rows (the demo data's path into the database)."""

from departments.models import Institution
from survey import instrument
from survey.models import Report
from survey.services import replace_cycle


def row(code, **values):
    blank = dict.fromkeys(instrument.item_codes())
    return {
        **blank,
        "inst_code": code,
        "inst_name": f"Hospital {code}",
        "inst_name_zh": "医院",
        "province": "51",
        "tier": "tertiary",
        **values,
    }


def test_a_cycle_is_written_and_rewritten_without_duplicates(db):
    replace_cycle(year=2019, rows=[row("A1", eq_pet_ct=2, svc_pet=True), row("A2")])
    replace_cycle(year=2019, rows=[row("A1", eq_pet_ct=3, tier="tertiary_top")])
    assert Institution.objects.count() == 2
    report = Report.objects.get()
    assert (report.eq_pet_ct, report.svc_pet, report.tier) == (3, None, "tertiary_top")
    assert report.eq_spect is None and report.op_suggestions == ""
    assert Institution.objects.get(code="A1").tier == "tertiary_top"
