from django.db import migrations

from departments.services import load_provinces


def forwards(apps, schema_editor):
    load_provinces(apps.get_model("departments", "Province"))


class Migration(migrations.Migration):
    dependencies = [("departments", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
