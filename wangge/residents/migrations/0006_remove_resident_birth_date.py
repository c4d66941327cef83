"""The full birth date leaves the registry (0005 kept its year where it may be kept)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("residents", "0005_birth_year_and_narrower_masks")]

    operations = [migrations.RemoveField(model_name="resident", name="birth_date")]
