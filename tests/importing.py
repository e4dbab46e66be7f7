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


def xlsx_bytes(rows):
    """A workbook of `rows` as openpyxl writes it: text starting with "=" is a formula, saved
    without a value (openpyxl calculates nothing), as a program other than Excel may save it."""
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def with_member(data, member, transform):
    """The workbook `data` with the part `member` replaced by `transform(its bytes)` (or added
    as `transform(b"")`)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(
                info.filename, transform(content) if info.filename == member else content
            )
        if member not in source.namelist():
            target.writestr(member, transform(b""))
    return stream.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
