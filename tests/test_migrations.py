"""Every model change has its migration (a model edited without one fails here), and the
migrations that rewrite stored data do what they say."""

import datetime as dt
import io
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wangge.audit.events import AuditEvent
from wangge.core.personal_data import seal_id_number, seal_phone
from wangge.lib.idnumbers import IdType, make_resident_card_number


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"makemigrations would write migrations:\n{out.getvalue()}")


BEFORE = [("residents", "0004_importbatch_notices"), ("testing", "0002_lean_indexes")]


@contextmanager
def schema_before(targets, *also_unapplied):
    """The schema as it was at `targets` (and with `also_unapplied` apps not migrated at
    all); every migration is applied again after."""
    executor = MigrationExecutor(connection)
    executor.migrate([*targets, *((app, None) for app in also_unapplied)])
    try:
        yield executor.loader.project_state(targets).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_birth_years():
    with schema_before(BEFORE) as apps:
        yield apps


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keeps_birth_years_only_and_masks_every_stored_identity_again(
    before_birth_years,
):
    apps = before_birth_years
    grid = apps.get_model("areas", "Area").objects.create(
        path="0001", depth=1, name="一号小区", kind="compound"
    )
    home = apps.get_model("residents", "Household").objects.create(grid=grid, room="101")
    Resident = apps.get_model("residents", "Resident")
    january = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
    people = {
        # name: (birth date, created at, number, phone)
        "老人": (dt.date(1950, 6, 1), january, ("620103", "M"), "13912345678"),
        "新生": (dt.date(2026, 1, 2), january, None, "09318123456"),
        "去年": (dt.date(2025, 12, 30), january, ("620103", "F"), ""),
        "二月": (dt.date(2026, 1, 2), dt.datetime(2026, 2, 1, tzinfo=dt.UTC), None, ""),
    }
    numbers = {}
    for n, (name, (born, created, card, phone)) in enumerate(people.items()):
        number = make_resident_card_number(card[0], born, n, card[1]) if card else ""
        id_type = IdType.RESIDENT_CARD if card else IdType.NONE
        numbers[name] = number
        sealed_id, sealed_phone = seal_id_number(id_type, number), seal_phone(phone)
        resident = Resident.objects.create(
            household=home,
            grid=grid,
            code=f"CODE{n:06d}",
            name=name,
            birth_date=born,
            id_type=id_type,
            id_number_cipher=sealed_id.cipher,
            id_number_index=sealed_id.index,
            # What the old code stored: the last four of a number and of a phone.
            id_number_masked=number[:4] + "*" * 10 + number[-4:] if number else "",
            phone_cipher=sealed_phone.cipher,
            phone_index=sealed_phone.index,
            phone_masked=phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if phone else "",
        )
        Resident.objects.filter(pk=resident.pk).update(created_at=created)
    walk_in = apps.get_model("testing", "WalkIn").objects.create(
        client_id=uuid.uuid4(),
        round=apps.get_model("testing", "Round").objects.create(
            name="第一轮", starts_at=january, ends_at=january + dt.timedelta(days=1)
        ),
        area=grid,
        name="访客",
        id_type=IdType.RESIDENT_CARD,
        id_number_cipher=seal_id_number(IdType.RESIDENT_CARD, numbers["老人"]).cipher,
        id_number_masked=numbers["老人"][:4] + "*" * 10 + numbers["老人"][-4:],
        phone_cipher=seal_phone("0931812345").cipher,
        phone_masked="093***2345",
    )

    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from wangge.residents.models import Resident as Current
    from wangge.testing.models import WalkIn

    after = {r.name: r for r in Current.objects.all()}
    # Written on 10 January: a birth that year would leave 10 x 500 numbers; not kept.
    assert {name: r.birth_year for name, r in after.items()} == {
        "老人": 1950,
        "新生": None,
        "去年": 2025,
        "二月": 2026,
    }
    assert after["老人"].id_number_masked == "620103" + "*" * 12
    assert after["老人"].phone_masked == "139****5678"
    assert after["新生"].phone_masked == "093******56"
    assert after["老人"].reveal_id_number() == numbers["老人"]  # the ciphertext is untouched
    moved = WalkIn.objects.get(pk=walk_in.pk)
    assert (moved.id_number_masked, moved.phone_masked) == ("620103" + "*" * 12, "093*****45")


BEFORE_AUDIT_APP = [("accounts", "0004_device_token_limited")]


@pytest.fixture
def before_audit_app():
    """The schema as it was while the audit log lived in accounts."""
    with schema_before(BEFORE_AUDIT_APP, "audit") as apps:
        yield apps


@pytest.mark.django_db(transaction=True)
def test_the_audit_app_takes_over_the_existing_log_and_its_chain(before_audit_app):
    from wangge.audit.log import record, verify_chain
    from wangge.audit.models import AuditEntry

    ContentType = before_audit_app.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="accounts", model="auditentry")
    # The tables are the ones the accounts app made: an entry written before the move (by
    # the model of the time, which had no stream: it hashes as the main chain's do)...
    from django.utils import timezone

    from wangge.audit.log import GENESIS, _digest

    entry = AuditEntry(
        at=timezone.now(), actor_name="system", action=AuditEvent.KEYS_ROTATE,
        details={}, previous_hash=GENESIS,
    )  # fmt: skip
    old_entry = before_audit_app.get_model("accounts", "AuditEntry")
    old_head = before_audit_app.get_model("accounts", "AuditChainHead")
    old_entry.objects.create(
        at=entry.at, actor_name="system", action=AuditEvent.KEYS_ROTATE, details={},
        previous_hash=GENESIS, entry_hash=_digest(entry),
    )  # fmt: skip
    old_head.objects.create(pk=1, last_hash=_digest(entry))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # ...is still there after it, and the chain goes on from it.
    record(None, AuditEvent.ROUND_OPEN)

    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "round.open",
        "keys.rotate",
    ]
    assert list(verify_chain()) == []
    assert ContentType.objects.filter(app_label="audit", model="auditentry").exists()
    assert not ContentType.objects.filter(app_label="accounts", model="auditentry").exists()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_gives_existing_households_their_natural_sort_key():
    with schema_before([("residents", "0006_remove_resident_birth_date")]) as apps:
        grid = apps.get_model("areas", "Area").objects.create(
            path="0001", depth=1, name="一号小区", kind="compound"
        )
        Household = apps.get_model("residents", "Household")
        for room in ("1001", "101", "201"):
            Household.objects.create(grid=grid, building="1", unit="1", room=room)

    from wangge.residents.models import Household as Current

    rooms = Current.objects.filter(grid_id=grid.pk).order_by("sort_key")
    assert [home.room for home in rooms] == ["101", "201", "1001"]


@pytest.fixture
def before_closed_figures():
    """The schema before closed rounds kept their figures (every other app as it is now,
    but for the apps whose migrations need a later testing schema: not migrated at all)."""
    before = ("testing", "0004_recall_overdue_reported_at")
    graph = MigrationExecutor(connection).loader.graph
    (testing_leaf,) = [node for node in graph.leaf_nodes() if node[0] == "testing"]
    later = {node for node in graph.forwards_plan(testing_leaf) if node[0] == "testing"} - set(
        graph.forwards_plan(before)
    )
    target, unapplied = [], []
    for leaf in graph.leaf_nodes():
        if leaf[0] == "testing":
            continue
        if later & set(graph.forwards_plan(leaf)):
            unapplied.append(leaf[0])
        else:
            target.append(leaf)
    with schema_before([*target, before], *unapplied) as apps:
        yield apps


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keeps_closed_rounds_figures_from_samples_or_the_purge_entry(
    before_closed_figures,
):
    apps = before_closed_figures
    Area = apps.get_model("areas", "Area")
    grid = Area.objects.create(path="0001", depth=1, name="一号小区", kind="compound")
    other = Area.objects.create(path="0002", depth=1, name="二号小区", kind="compound")
    home = apps.get_model("residents", "Household").objects.create(grid=grid, room="101")
    Round = apps.get_model("testing", "Round")
    start = dt.datetime(2026, 1, 10, 8, tzinfo=dt.UTC)

    def closed(name):
        return Round.objects.create(
            name=name,
            status="closed",
            starts_at=start,
            ends_at=start + dt.timedelta(days=1),
            closed_at=start + dt.timedelta(days=1),
        )

    kept, purged = closed("第一轮"), closed("第二轮")
    Resident = apps.get_model("residents", "Resident")
    sample = apps.get_model("testing", "RoundSample")
    for n, home_visit in enumerate([False, True, False]):
        person = Resident.objects.create(household=home, grid=grid, code=f"C{n:09d}", name="某")
        sample.objects.create(
            round=kept, resident=person, grid=grid, home_visit=home_visit, first_sampled_at=start
        )
    purged_at = start + dt.timedelta(days=200)
    apps.get_model("audit", "AuditEntry").objects.create(
        at=purged_at,
        actor_name="system",
        action="round.purge",
        object_type="testing.round",
        object_id=str(purged.pk),
        details={"sampled": {str(grid.pk): [40, 2], str(other.pk): [7, 0], "999999": [5, 5]}},
        previous_hash="0" * 64,
        entry_hash="1" * 64,
    )

    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from wangge.testing.models import ClosedRoundFigures
    from wangge.testing.models import Round as Current

    def figures(round_):
        return set(
            ClosedRoundFigures.objects.filter(round_id=round_.pk).values_list(
                "grid_id", "sampled", "home_visit_sampled"
            )
        )

    assert figures(kept) == {(grid.pk, 3, 1)}
    assert figures(purged) == {(grid.pk, 40, 2), (other.pk, 7, 0)}  # a removed area left out
    assert Current.objects.get(pk=purged.pk).records_purged_at == purged_at
    assert Current.objects.get(pk=kept.pk).records_purged_at is None
