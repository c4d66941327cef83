"""The default policies of the levels (wangge/risk/defaults.py)."""

from django.db import migrations

from wangge.risk.defaults import install_default_policies


def add_policies(apps, schema_editor):
    install_default_policies(apps.get_model("risk", "RiskPolicy"))


class Migration(migrations.Migration):
    dependencies = [("risk", "0002_risk_policies")]

    operations = [migrations.RunPython(add_policies, migrations.RunPython.noop)]
