import pytest

from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.workforce.actions import workers as actions
from wangge.workforce.actions.workers import WorkerData
from wangge.workforce.choices import SentFrom, WorkerKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.models import Worker
from wangge.workforce.tests.factories import make_team, make_worker

PHONE = "13912345678"


def _data(area, **changes):
    values = {
        "name": "王驻守",
        "kind": WorkerKind.STATIONED_CADRE,
        "area_id": area.pk,
        "sent_from": SentFrom.DISTRICT,
        "party_member": True,
        "sent_down": True,
        "unit": "区卫健局",
        "phone": PHONE,
    }
    values.update(changes)
    return WorkerData.clean(**values)


def test_alice_adds_a_worker_of_her_community_with_a_sealed_phone_and_an_audit_entry(tree, alice):
    worker = actions.create_worker(_data(tree["grid_a"]), acting_user=alice)
    stored = Worker.objects.get(pk=worker.pk)
    assert stored.phone_masked == "139****5678"
    assert stored.reveal_phone() == PHONE
    assert PHONE not in str(stored.phone_cipher)
    entry = AuditEntry.objects.get(action=AuditEvent.WORKER_CREATE)
    assert entry.actor == alice
    assert entry.area_path == tree["grid_a"].path
    assert PHONE not in str(entry.details)


def test_phones_are_validated_and_normalised():
    with pytest.raises(WorkforceError) as caught:
        WorkerData.clean(name="甲", kind=WorkerKind.VOLUNTEER, area_id=1, phone="12345")
    assert caught.value.field == "phone"
    data = WorkerData.clean(
        name="甲", kind=WorkerKind.VOLUNTEER, area_id=1, phone="+86 139-1234-5678"
    )
    assert data.phone == PHONE


def test_unknown_kind_and_empty_name_are_refused():
    with pytest.raises(WorkforceError) as caught:
        WorkerData.clean(name="甲", kind="wizard", area_id=1)
    assert caught.value.field == "kind"
    with pytest.raises(WorkforceError) as caught:
        WorkerData.clean(name="  ", kind=WorkerKind.VOLUNTEER, area_id=1)
    assert caught.value.field == "name"


def test_bob_a_grid_member_cannot_manage_workers(tree, bob):
    with pytest.raises(OutOfScope):
        actions.create_worker(_data(tree["grid_a"]), acting_user=bob)
    worker = make_worker(tree["grid_a"])
    with pytest.raises(OutOfScope):
        actions.update_worker(worker, _data(tree["grid_a"]), acting_user=bob)
    with pytest.raises(OutOfScope):
        actions.set_worker_active(worker, False, acting_user=bob)
    assert Worker.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="worker.").exists()


def test_charlie_of_another_district_cannot_touch_alices_workers(tree, charlie):
    worker = make_worker(tree["grid_a"])
    with pytest.raises(OutOfScope):
        actions.update_worker(worker, _data(tree["grid_a"]), acting_user=charlie)
    with pytest.raises(OutOfScope):
        actions.reveal_phone(worker, acting_user=charlie)
    with pytest.raises(OutOfScope):
        actions.create_worker(_data(tree["grid_a"]), acting_user=charlie)


def test_moving_a_worker_out_of_the_actors_areas_is_refused(tree, other_tree, alice):
    worker = make_worker(tree["grid_a"])
    with pytest.raises(OutOfScope):
        actions.update_worker(worker, _data(other_tree["grid_a"]), acting_user=alice)
    worker.refresh_from_db()
    assert worker.area == tree["grid_a"]


def test_an_update_records_which_fields_changed_never_the_phone(tree, alice):
    worker = make_worker(tree["grid_a"], "王驻守", phone="13800000001")
    actions.update_worker(worker, _data(tree["grid_b"]), acting_user=alice)
    entry = AuditEntry.objects.get(action=AuditEvent.WORKER_UPDATE)
    assert "phone" in entry.details["fields"]
    assert entry.details["to_area"] == tree["grid_b"].pk
    assert PHONE not in str(entry.details)
    worker.refresh_from_db()
    assert worker.reveal_phone() == PHONE
    # The same details again change nothing and write nothing.
    actions.update_worker(worker, _data(tree["grid_b"]), acting_user=alice)
    assert AuditEntry.objects.filter(action=AuditEvent.WORKER_UPDATE).count() == 1


def test_retiring_a_worker_keeps_them_and_takes_them_off_their_teams_lead(tree, alice):
    worker = make_worker(tree["grid_a"])
    team = make_team(tree["community"], leader=worker)
    actions.set_worker_active(worker, False, acting_user=alice)
    worker.refresh_from_db()
    team.refresh_from_db()
    assert not worker.active
    assert team.leader is None
    entry = AuditEntry.objects.get(action=AuditEvent.WORKER_UPDATE)
    assert entry.details == {"fields": ["active"], "active": False}


def test_a_worker_is_linked_to_one_login_in_scope(tree, other_tree, alice):
    member = grant(UserFactory(username="gridman"), Role.GRID_MEMBER, tree["grid_a"])
    stranger = grant(UserFactory(username="far"), Role.GRID_MEMBER, other_tree["grid_a"])
    first = make_worker(tree["grid_a"], "甲")
    second = make_worker(tree["grid_a"], "乙")
    actions.link_login(first, member, acting_user=alice)
    assert Worker.objects.get(pk=first.pk).user == member
    with pytest.raises(WorkforceError):
        actions.link_login(second, member, acting_user=alice)  # one worker per login
    with pytest.raises(WorkforceError):
        actions.link_login(second, stranger, acting_user=alice)  # not in alice's areas
    actions.link_login(first, None, acting_user=alice)
    assert Worker.objects.get(pk=first.pk).user is None
    assert AuditEntry.objects.filter(action=AuditEvent.WORKER_UPDATE).count() == 2


def test_revealing_a_phone_is_audited_and_needs_reveal_personal(tree, alice, bob):
    worker = make_worker(tree["grid_a"], phone=PHONE)
    assert actions.reveal_phone(worker, acting_user=alice) == PHONE
    entry = AuditEntry.objects.get(action=AuditEvent.WORKER_REVEAL)
    assert entry.object_id == str(worker.pk)
    assert PHONE not in str(entry.details)
    with pytest.raises(OutOfScope):
        actions.reveal_phone(worker, acting_user=bob)
