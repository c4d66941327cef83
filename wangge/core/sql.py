"""Names for the few statements written as plain SQL: taken from the models' metadata and
quoted for the connection's database, so a renamed table or column cannot drift."""

import datetime as dt

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    """The model's table, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    """The column of the model's field `name` (a foreign key's `…_id`), quoted."""
    field = model._meta.get_field(name)
    return connection.ops.quote_name(str(field.column))  # type: ignore[union-attr]


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time read by a plain statement, in UTC: PostgreSQL gives it so, SQLite gives the
    UTC time Django stored without its zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)
