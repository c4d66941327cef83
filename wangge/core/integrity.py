"""References the database does not check: every foreign key declared with
`db_constraint=False` (the hot tables of registration, docs/architecture.md).

Such a column is checked by the code that writes it and kept by Django's `on_delete` when
a parent is deleted through the ORM; `orphans` verifies that no row names a parent that is
gone, with one anti-join per reference (`check_integrity` runs it, CI on the demo).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.db.models import ForeignKey

from wangge.core.sql import column, table

EXAMPLES = 5


@dataclass(frozen=True)
class Reference:
    """One unchecked reference: `model.field` naming a row of `target`."""

    label: str
    count: int
    examples: tuple[int, ...]


def unchecked_foreign_keys() -> Iterator[ForeignKey]:  # type: ignore[type-arg]
    """Every concrete foreign key of an installed model that the database does not check."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, ForeignKey) and not getattr(field, "db_constraint", True):
                yield field


def orphans() -> list[Reference]:
    """Each unchecked reference, with how many rows name a parent that does not exist and
    the primary keys of a few of them."""
    found: list[Reference] = []
    for field in unchecked_foreign_keys():
        model, target = field.model, field.related_model
        target_field = field.target_field
        child, parent = table(model), table(target)  # type: ignore[arg-type]
        key = connection.ops.quote_name(str(model._meta.pk.column))  # type: ignore[union-attr]
        fk = column(model, field.name)
        parent_key = connection.ops.quote_name(str(target_field.column))
        where = (
            f"c.{fk} IS NOT NULL AND NOT EXISTS "  # noqa: S608 - names from the models
            f"(SELECT 1 FROM {parent} p WHERE p.{parent_key} = c.{fk})"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {child} c WHERE {where}")  # noqa: S608
            count = int(cursor.fetchone()[0])
            examples: tuple[int, ...] = ()
            if count:
                cursor.execute(
                    f"SELECT c.{key} FROM {child} c WHERE {where} "  # noqa: S608
                    f"ORDER BY c.{key} LIMIT {EXAMPLES}"
                )
                examples = tuple(row[0] for row in cursor.fetchall())
        found.append(Reference(f"{model._meta.label}.{field.name}", count, examples))
    return found
