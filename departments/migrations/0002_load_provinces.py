"""Load the 31 province-level divisions from the project's copy of provinces.csv."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

PROVINCES_CSV = Path(__file__).resolve().parents[2] / "fixtures" / "survey" / "provinces.csv"


def load_provinces(apps, schema_editor):
    Province = apps.get_model("departments", "Province")
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Province.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_en": row["name_en"],
                    "name_zh": row["name_zh"],
                    "population_10k": Decimal(row["population_2023_10k"]),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("departments", "0001_initial")]

    operations = [migrations.RunPython(load_provinces, migrations.RunPython.noop)]
