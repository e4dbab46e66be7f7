"""Reference data of the registry."""

import csv
from decimal import Decimal
from pathlib import Path

PROVINCES_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "survey" / "provinces.csv"


def load_provinces(province_model):
    """Create or update the 31 provinces from provinces.csv; returns how many were read.

    Takes the model as an argument so that the data migration can pass its historical one.
    """
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        province_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name_en"],
                "name_zh": row["name_zh"],
                "population_10k": Decimal(row["population_2023_10k"]),
            },
        )
    return len(rows)
