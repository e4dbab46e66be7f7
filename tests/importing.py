"""Helpers for the import and export tests: files in memory, and the data as plain values."""

import csv
import io
import re

from departments.models import Institution
from survey.models import Report
from tests.conftest import CONTRACT

SAMPLES = CONTRACT / "samples"


def csv_bytes(rows, encoding="utf-8"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def sample_rows():
    with (SAMPLES / "sample-2019.csv").open(encoding="utf-8") as f:
        return list(csv.reader(f))


def snapshot():
    """Everything an import writes, as comparable values."""
    institutions = {
        i.code: (i.name_en, i.name_zh, i.province_id, i.ownership, i.tier, i.dept_affiliation)
        for i in Institution.objects.all()
    }
    reports = {
        (r.institution.code, r.cycle_id): r.item_values()
        for r in Report.objects.select_related("institution")
    }
    return institutions, reports


def expected_bad_sample_errors():
    """(line, column) of each error, from the table in the samples' README."""
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    return [
        (int(line), column)
        for line, column in re.findall(r"^\| (\d+) \| `(\w+)` \|", readme, flags=re.MULTILINE)
    ]
