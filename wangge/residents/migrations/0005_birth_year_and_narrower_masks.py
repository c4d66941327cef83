"""Keep only the birth year in clear, and masks that show no digit of an ID number's
sequence or check (docs/security.md, "What a mask may show").

The birth year is kept under the rule new records follow (`disclosable_birth_year`), as
of the day each record was created. The masks of every model holding personal
identities are computed again from the decrypted values, so the migration needs the
data keys the settings name (a resident card's new mask shows digits the old one hid).
Old values stay in the database's free pages and in old backups until they are
overwritten: docs/operations.md says what to run after upgrading.
"""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone

from wangge.core.personal_data import ID_CONTEXT, PHONE_CONTEXT, cipher
from wangge.lib import idnumbers, phones

_BATCH = 1000
_IDENTITY_FIELDS = {
    "id_type",
    "id_number_cipher",
    "id_number_masked",
    "phone_cipher",
    "phone_masked",
}


def fill_birth_year(apps, schema_editor):
    Resident = apps.get_model("residents", "Resident")
    years = Resident.objects.filter(birth_date__isnull=False).dates("birth_date", "year")
    # One UPDATE per birth year; then the few born in a year some record was written in
    # are checked one by one against the day their record was created.
    for year in years:
        Resident.objects.filter(birth_date__year=year.year).update(birth_year=year.year)
    first = Resident.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return
    recent = Resident.objects.filter(
        birth_date__gte=dt.date(timezone.localdate(first).year, 1, 1)
    ).values_list("pk", "birth_date", "created_at")
    withheld = [
        pk
        for pk, born, created in recent.iterator(chunk_size=_BATCH)
        if idnumbers.disclosable_birth_year(born, timezone.localdate(created)) is None
    ]
    for start in range(0, len(withheld), _BATCH):
        Resident.objects.filter(pk__in=withheld[start : start + _BATCH]).update(birth_year=None)


def _masks(row):
    id_masked, phone_masked = row.id_number_masked, row.phone_masked
    if row.id_number_cipher is not None:
        number = cipher().decrypt(bytes(row.id_number_cipher), ID_CONTEXT)
        id_masked = idnumbers.mask(row.id_type, number)
    if row.phone_cipher is not None:
        phone_masked = phones.mask(cipher().decrypt(bytes(row.phone_cipher), PHONE_CONTEXT))
    return id_masked, phone_masked


def remask(apps, schema_editor):
    for model in apps.get_models():
        if not _IDENTITY_FIELDS <= {field.name for field in model._meta.concrete_fields}:
            continue
        # Pages by primary key, each read whole before it is written: SQLite does not
        # isolate a cursor from writes to the table it reads.
        last = 0
        rows = model.objects.only(*_IDENTITY_FIELDS).order_by("pk")
        while page := list(rows.filter(pk__gt=last)[:_BATCH]):
            last = page[-1].pk
            changed = []
            for row in page:
                masks = _masks(row)
                if masks != (row.id_number_masked, row.phone_masked):
                    row.id_number_masked, row.phone_masked = masks
                    changed.append(row)
            model.objects.bulk_update(changed, ["id_number_masked", "phone_masked"])


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0004_importbatch_notices"),
        # Walk-ins hold personal identities too: their masks are computed again here.
        ("testing", "0002_lean_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="birth_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="birth year"),
        ),
        # Not reversible: the dates and the old masks are not kept anywhere to come back to.
        migrations.RunPython(fill_birth_year, migrations.RunPython.noop),
        migrations.RunPython(remask, migrations.RunPython.noop),
        # birth_date goes in 0006: PostgreSQL alters no table with the row updates above
        # still queued for their deferred foreign-key checks in the same transaction.
    ]
