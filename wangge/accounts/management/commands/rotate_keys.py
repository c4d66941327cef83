"""Re-encrypt every stored ID number and phone with the current keys (a key rotation).

The procedure (docs/security.md): put the new key FIRST in WANGGE_DATA_KEYS and/or
WANGGE_INDEX_KEYS, keeping the old one after it, restart every process; run this command
(a dry run first, then --for-real); when it reports nothing left, drop the old key.
"""

from typing import Any

from cryptography.exceptions import InvalidTag
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.personal_data import (
    PersonalPhone,
    blind_index,
    cipher,
    personal_data_models,
)
from wangge.lib.crypto import KeyringError


class Command(BaseCommand):
    help = (
        "Re-encrypt ID numbers and phones with the current data key and recompute their "
        "blind indexes with the current index key. Dry run unless --for-real."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--for-real", action="store_true", help="Write the changes.")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        for_real: bool = options["for_real"]
        batch_size: int = max(1, options["batch_size"])
        data_key = cipher().keyring.current_id.decode()
        index_key = blind_index().keyring.current_id.decode()
        counts: dict[str, int] = {}
        for model in personal_data_models():
            label = model._meta.label
            counts[label] = self._rotate(model, batch_size, for_real)
            verb = "re-encrypted" if for_real else "to re-encrypt"
            self.stdout.write(f"{label}: {counts[label]} rows {verb}")
        total = sum(counts.values())
        if not for_real:
            self.stdout.write(
                f"Dry run: {total} rows are not yet under data key {data_key} and index key "
                f"{index_key}. Run again with --for-real to rewrite them."
            )
            return
        log.record(
            Actor(user=None, source="command", label="rotate_keys"),
            AuditEvent.KEYS_ROTATE,
            details={"data_key": data_key, "index_key": index_key, "rows": counts},
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} rows now under data key {data_key} and index key {index_key}. "
                "Run again: when it reports 0 rows, the old keys can be removed."
            )
        )

    @sensitive_variables()
    def _rotate(self, model: type[PersonalPhone], batch_size: int, for_real: bool) -> int:
        """Walk the table in primary-key order, one transaction per batch; rows are locked
        while they are rewritten so that a concurrent edit is not overwritten."""
        manager = model._base_manager
        changed = 0
        last_pk: Any = None
        while True:
            with transaction.atomic():
                rows = manager.order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                if for_real:
                    rows = rows.select_for_update()
                batch = list(rows.only("pk", *model.SEALED_FIELDS)[:batch_size])
                if not batch:
                    return changed
                last_pk = batch[-1].pk
                try:
                    resealed = [row for row in batch if row.reseal()]
                except (KeyringError, InvalidTag, ValueError) as exc:
                    raise CommandError(
                        f"A {model._meta.label} row up to id {last_pk} cannot be decrypted "
                        f"({exc.__class__.__name__}: {exc}). Is an old key missing from the "
                        "keyring? Nothing in this batch was written."
                    ) from exc
                if for_real and resealed:
                    # The ID type is read to seal the number, never changed.
                    fields = [name for name in model.SEALED_FIELDS if name != "id_type"]
                    manager.bulk_update(resealed, fields)
                changed += len(resealed)
