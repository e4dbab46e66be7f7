import csv
from pathlib import Path

import pytest

from departments.models import Institution, Province
from departments.services import load_provinces
from survey.models import Cycle, Report

CONTRACT = Path(__file__).resolve().parent.parent / "fixtures" / "survey"


def read_dictionary():
    with (CONTRACT / "data-dictionary.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(autouse=True)
def provinces(django_db_setup, django_db_blocker):
    """The 31 provinces of the data migration, reloaded after a browser test's flush."""
    with django_db_blocker.unblock():
        if not Province.objects.exists():
            load_provinces(Province)


@pytest.fixture
def cycle_2023(db):
    return Cycle.objects.create(year=2023, is_open=True)


@pytest.fixture
def sichuan(db):
    return Province.objects.get(code="51")


@pytest.fixture
def make_report(cycle_2023, sichuan):
    """A report of a new institution in Sichuan for 2023 with the given item values."""
    serial = iter(range(1, 10_000))

    def make(cycle=None, institution=None, **values):
        institution = institution or Institution.objects.create(
            code=f"T51{next(serial):04d}",
            name_zh="测试医院",
            name_en="Test Hospital",
            province=sichuan,
        )
        return Report.objects.create(institution=institution, cycle=cycle or cycle_2023, **values)

    return make
