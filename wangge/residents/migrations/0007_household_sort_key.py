"""Households get a stored natural sort key (1-1-101 before 1-1-1001), filled here for the
households that exist, so that lists paged in SQL order them as people read them."""

from django.db import migrations, models

from wangge.lib.natural import natural_sort_key

_BATCH = 2000


def fill_sort_keys(apps, schema_editor):
    Household = apps.get_model("residents", "Household")
    rows = Household.objects.only("building", "unit", "room").order_by("pk")
    last = 0
    # Pages by primary key, each read whole before it is written: SQLite does not isolate
    # a cursor from writes to the table it reads.
    while page := list(rows.filter(pk__gt=last)[:_BATCH]):
        last = page[-1].pk
        for household in page:
            household.sort_key = natural_sort_key(
                household.building, household.unit, household.room
            )
        Household.objects.bulk_update(page, ["sort_key"])


class Migration(migrations.Migration):
    dependencies = [("residents", "0006_remove_resident_birth_date")]

    operations = [
        migrations.AddField(
            model_name="household",
            name="sort_key",
            field=models.CharField(default="", editable=False, max_length=160),
            preserve_default=False,
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["grid", "sort_key"], name="household_grid_order"),
        ),
    ]
