"""Test data for incidents: a chain of responsibility over grid A of the `tree` fixture,
with logins (and one person without), and incidents made through the action."""

from tests.factories import UserFactory, grant
from wangge.core.permissions import Role
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSeverity
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import assign, make_worker

# name, area key, duty, worker kind, role of the login (None: no login)
CHAIN = [
    ("cadre_a", "grid_a", "stationed_cadre_grid", WorkerKind.STATIONED_CADRE, Role.STATIONED_CADRE),
    ("leader_a", "grid_a", "grid_leader", WorkerKind.GRID_LEADER, Role.GRID_LEADER),
    (
        "chief",
        "community",
        "street_leader_community",
        WorkerKind.STREET_STAFF,
        Role.COMMUNITY_STAFF,
    ),
    ("no_login", "community", "cadre_community", WorkerKind.COMMUNITY_STAFF, None),
    (
        "district_lead",
        "street",
        "district_leader_street",
        WorkerKind.STREET_STAFF,
        Role.STREET_STAFF,
    ),
]


def make_chain(tree):
    """Workers answering for grid A and above: {name: worker}, users on `worker.user`."""
    people = {}
    for name, area_key, duty_code, kind, role in CHAIN:
        area = tree[area_key]
        user = grant(UserFactory(username=name), role, area) if role else None
        worker = make_worker(area, name, kind=kind, user=user)
        assign(worker, area, duty_code)
        people[name] = worker
    return people


def report(
    area, *, at, by=None, kind=IncidentKind.FEVER, severity=IncidentSeverity.CRITICAL, **extra
):
    return raise_incident(kind, severity, area, at=at, acting_user=by, **extra)
