"""The default time limits of the urgencies (wangge/services/defaults.py)."""

from django.db import migrations

from wangge.services.defaults import install_default_limits


def add_limits(apps, schema_editor):
    install_default_limits(apps.get_model("services", "UrgencyPolicy"))


class Migration(migrations.Migration):
    dependencies = [("services", "0001_services")]

    operations = [migrations.RunPython(add_limits, migrations.RunPython.noop)]
