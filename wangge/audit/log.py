"""Writing and verifying the audit log. Every action calls `record` inside its transaction.

The chain: each entry's hash covers its content and the previous entry's hash, and an
AuditChainHead row holds the last hash. Appending locks that row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's BEGIN IMMEDIATE serialises all writers anyway), so two concurrent
appends cannot both link to the same predecessor. The lock is held until the surrounding
transaction commits: actions call `record` as their last statement so that they keep it
for as short a time as possible.

Streams: the log is several chains, each with its own head row. The main chain ("") takes
every act but one kind: a station's batch of registrations is recorded in its device's
own chain ("device:<id>"), inside the batch's transaction, so that batches of different
stations never queue behind one head row (one lock held to each commit was the price of
every batch waiting for the slowest, docs/architecture.md). A stream's first entry is
announced in the main chain ("audit.stream"), so removing a whole stream, entries and
head together, still breaks a chain. Every property of the single chain holds per stream;
`verify_chain` walks the log once and follows each stream.

What is hashed is exactly what the database gives back: the time in UTC at microsecond
precision written out in full, and the details as they come back from a JSON round trip.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditChainHead, AuditEntry
from wangge.core import sql
from wangge.core.http import client_ip

if TYPE_CHECKING:
    # Names only: the audit log sits below accounts and refers to the user model through
    # settings.AUTH_USER_MODEL at run time (docs/architecture.md, "Layers").
    from wangge.accounts.models import DeviceToken, User

GENESIS = "0" * 64


def canonical_time(at: dt.datetime) -> str:
    """The timestamp as hashed: UTC, microseconds always written, whatever the database."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _digest(entry: AuditEntry) -> str:
    fields: list[Any] = [
        canonical_time(entry.at),
        entry.actor_id,
        entry.actor_name,
        entry.source,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.area_path,
        entry.details,
        entry.previous_hash,
    ]
    if entry.stream:  # the main chain's entries hash as they did before streams existed
        fields.append(entry.stream)
    content = json.dumps(
        fields,
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who acts and from where: a signed-in user, a device, or a command run by an operator.

    A device acts as its user limited to its area: `device` is what its writes are scoped by.
    """

    user: "User | None"
    source: str = ""
    label: str = ""
    device: "DeviceToken | None" = None

    @property
    def name(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return self.label or "system"


def as_actor(acting: "User | Actor | None") -> Actor:
    if isinstance(acting, Actor):
        return acting
    return Actor(user=acting)


def scope_holder(acting: "User | Actor | None") -> "User | DeviceToken | None":
    """Whose scope an action's writes must stay in: the device a device acts through, else
    the user; None for the system itself (commands without a user, the demo)."""
    if isinstance(acting, Actor):
        return acting.device or acting.user
    return acting


def actor_for(request: HttpRequest) -> Actor:
    """The signed-in user of a request, and the address it came from."""
    user = request.user if request.user.is_authenticated else None
    return Actor(user=user, source=client_ip(request))


def _as_stored(details: dict[str, Any] | None) -> dict[str, Any]:
    """The details as the JSON column will give them back, so that the hash still matches."""
    stored: dict[str, Any] = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))
    return stored


def record(
    acting: "User | Actor | None",
    action: AuditEvent,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    area_path: str = "",
    details: dict[str, Any] | None = None,
    stream: str = "",
) -> AuditEntry:
    """Append one entry (to the main chain, or to `stream`'s). Never put full ID numbers or
    phones in `details`."""
    actor = as_actor(acting)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    stored_details = _as_stored(details)
    # Inside an action's transaction no savepoint is needed (two round trips fewer on
    # every audited change): if the entry cannot be written, the whole action fails.
    with transaction.atomic(savepoint=False):
        head = _locked_head(stream)
        # The time is taken under the lock, so times never go backwards along the chain.
        at = timezone.now().astimezone(dt.UTC)
        entry = AuditEntry(
            at=at,
            actor=actor.user,
            actor_name=actor.name[:150],
            source=actor.source[:100],
            action=action,
            object_type=object_type[:60],
            object_id=object_id[:64],
            area_path=area_path,
            details=stored_details,
            stream=stream,
            previous_hash=head.last_hash,
        )
        entry.entry_hash = _digest(entry)
        _append(entry, head)
    return entry


# The columns of an entry as `_append` writes them (the primary key comes back).
_ENTRY_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _append(entry: AuditEntry, head: AuditChainHead) -> None:
    """Write the entry and move the head to it: on PostgreSQL one statement (the INSERT in
    a data-modifying CTE beside the head's UPDATE), one round trip fewer on every audited
    act; elsewhere the two statements, still without building them through the ORM."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in _ENTRY_FIELDS)
    values = [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in _ENTRY_FIELDS]
    insert = (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({names}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(values))}) RETURNING {quote('id')}"
    )
    update = f"UPDATE {quote(AuditChainHead._meta.db_table)} SET {quote('last_hash')} = %s "  # noqa: S608
    update += f"WHERE {quote('id')} = %s"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH e AS ({insert}) {update} RETURNING (SELECT {quote('id')} FROM e)",  # noqa: S608
                [*values, entry.entry_hash, head.pk],
            )
            (entry.pk,) = cursor.fetchone()
        else:
            cursor.execute(insert, values)
            (entry.pk,) = cursor.fetchone()
            cursor.execute(update, [entry.entry_hash, head.pk])
    entry._state.adding = False
    entry._state.db = connection.alias


STREAM_OPENED = "audit.stream"


def _locked_head(stream: str) -> AuditChainHead:
    """The stream's head row, locked; a new stream is first announced in the main chain.

    Read by a hand-written statement: every audited act takes this lock, and the ORM's
    building of it cost twice its round trip (docs/benchmarks.md, the recall path)."""
    head_table, column = sql.table(AuditChainHead), sql.column
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column(AuditChainHead, 'id')}, {column(AuditChainHead, 'last_hash')} "  # noqa: S608
            f"FROM {head_table} WHERE {column(AuditChainHead, 'stream')} = %s{lock}",
            [stream],
        )
        row = cursor.fetchone()
    if row is not None:
        return AuditChainHead.from_db(
            connection.alias, ["id", "stream", "last_hash"], (row[0], stream, row[1])
        )
    if stream:
        record(None, AuditEvent.AUDIT_STREAM, object_id=stream[:64], details={"stream": stream})
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        stream=stream, defaults={"last_hash": GENESIS}
    )
    return head


def device_stream(device_id: int) -> str:
    """The chain a device's batches are recorded in."""
    return f"device:{device_id}"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item) for item in value)
    return "" if value is None else str(value)


def detail_pairs(details: Any) -> list[tuple[str, str]]:
    """An entry's details as (key, text) pairs for a page.

    A template that loops over `details.items` reads a key named "items" (a station's
    batch has one) instead of the method, so pages get the pairs made here.
    """
    if not isinstance(details, dict):
        return [("", _shown(details))] if details else []
    return [(str(key), _shown(value)) for key, value in details.items()]


@dataclass(frozen=True)
class ChainBreak:
    """A place where the chain no longer holds: the entry it is found at, and why."""

    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Walk the log once in order, following each stream; yield every place where a chain
    no longer holds.

    An edited entry no longer matches its own hash; a removed one leaves the next entry of
    its stream pointing at a hash that is not there; removing a stream's last entries
    leaves its head pointing past the end; removing a whole stream leaves its announcement
    in the main chain without a head. Only rewriting every entry after a change *and* the
    head goes unnoticed: keep the head hash `verify_audit` prints somewhere else to catch
    that.
    """
    previous: dict[str, str] = {}
    last_ids: dict[str, int] = {}
    announced: dict[str, int] = {}
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            stream = entry.stream
            if entry.previous_hash != previous.get(stream, GENESIS):
                yield ChainBreak(
                    entry.id,
                    "its previous hash does not match the entry before it: "
                    "an entry before it was removed or rewritten",
                )
            if _digest(entry) != entry.entry_hash:
                yield ChainBreak(
                    entry.id, "its content does not match its hash: the entry was edited"
                )
            if not stream and entry.action == STREAM_OPENED:
                announced[str(entry.details.get("stream", ""))] = entry.id
            previous[stream] = entry.entry_hash
            last_ids[stream] = entry.id
            last_id = entry.id
    heads = dict(AuditChainHead.objects.values_list("stream", "last_hash"))
    for stream in sorted(previous.keys() | heads.keys() | announced.keys()):
        where = last_ids.get(stream, announced.get(stream, last_id))
        head = heads.get(stream)
        if head is None:
            yield ChainBreak(where, f"the chain head{_named(stream)} is missing")
        elif head != previous.get(stream, GENESIS):
            yield ChainBreak(
                where,
                f"the chain head{_named(stream)} points past this entry: "
                "the last entries were removed",
            )
        elif stream and stream not in announced:
            yield ChainBreak(where, f"the stream{_named(stream)} was never announced")


def _named(stream: str) -> str:
    return f" of stream {stream}" if stream else ""


def chain_head() -> str:
    """The current head hash (GENESIS for an empty log), to be kept outside the database."""
    head = AuditChainHead.objects.filter(stream="").first()
    return head.last_hash if head is not None else GENESIS
