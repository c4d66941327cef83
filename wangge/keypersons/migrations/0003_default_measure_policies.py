"""The default measure policies (wangge/keypersons/defaults.py)."""

from django.db import migrations

from wangge.keypersons.defaults import install_default_policies


def add_policies(apps, schema_editor):
    install_default_policies(apps.get_model("keypersons", "MeasurePolicy"))


class Migration(migrations.Migration):
    dependencies = [("keypersons", "0002_schedules_checks_policies")]

    operations = [migrations.RunPython(add_policies, migrations.RunPython.noop)]
