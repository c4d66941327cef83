"""The default duties (wangge/workforce/defaults.py)."""

from django.db import migrations

from wangge.workforce.defaults import install_default_duties


def add_duties(apps, schema_editor):
    install_default_duties(apps.get_model("workforce", "Duty"))


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_workforce")]

    operations = [migrations.RunPython(add_duties, migrations.RunPython.noop)]
