"""The default clock policies (wangge/incidents/defaults.py)."""

from django.db import migrations

from wangge.incidents.defaults import install_default_policies


def add_policies(apps, schema_editor):
    install_default_policies(apps.get_model("incidents", "ClockPolicy"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_incidents")]

    operations = [migrations.RunPython(add_policies, migrations.RunPython.noop)]
