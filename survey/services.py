"""Operations on reports that span the registry and the survey."""

from django.db import transaction

from departments.models import Institution
from survey import instrument, versions
from survey.models import Cycle, Report

IDENTITY = {field: code for code, field in instrument.IDENTITY_FIELDS.items()}


@transaction.atomic
def replace_cycle(*, year, rows, is_open=False):
    """Make `rows` (item code -> canonical value) the reports of `year`, replacing any before.

    For reference and demo data already known to be valid; files go through the importer.
    Returns the number of reports written.
    """
    cycle, _ = Cycle.objects.update_or_create(year=year, defaults={"is_open": is_open})
    Report.objects.filter(cycle=cycle).delete()
    existing = Institution.objects.in_bulk([row["inst_code"] for row in rows], field_name="code")
    institutions = []
    for row in rows:
        institution = existing.get(row["inst_code"]) or Institution(code=row["inst_code"])
        institution.name_en = row["inst_name"] or ""
        institution.name_zh = row["inst_name_zh"] or ""
        institution.province_id = row["province"]
        for code in instrument.PROFILE_ITEMS:
            setattr(institution, code, row[code] or "")
        institutions.append(institution)
    Institution.objects.bulk_create([i for i in institutions if i.pk is None], batch_size=500)
    Institution.objects.bulk_update(
        [i for i in institutions if i.pk is not None and i.code in existing],
        ["name_en", "name_zh", "province", *instrument.PROFILE_ITEMS],
        batch_size=500,
    )
    ids = dict(
        Institution.objects.filter(code__in=[i.code for i in institutions]).values_list(
            "code", "pk"
        )
    )
    report_items = [item for item in instrument.items() if item.on_report]
    Report.objects.bulk_create(
        [
            Report(
                institution_id=ids[row["inst_code"]],
                cycle=cycle,
                **{item.code: instrument.stored(item, row.get(item.code)) for item in report_items},
            )
            for row in rows
        ],
        batch_size=500,
    )
    # The institutions' names and provinces, rewritten above, enter every year's figures.
    versions.changed(*Cycle.objects.values_list("year", flat=True))
    return len(rows)
