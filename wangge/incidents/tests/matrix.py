"""Permission-matrix cases of the incident pages (format: tests/test_permission_matrix.py).

An incident in grid A is seen by whoever views incidents there, stepped on by whoever
handles incidents there (or is its assignee: no matrix user is), and its photo is served
to the same people as the incident; the other district's incident is 404. A report names
an area through the form: grid B, for an actor of grid A, is not among its choices.
"""

import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm
from wangge.incidents.choices import IncidentKind, IncidentSeverity
from wangge.incidents.models import Incident
from wangge.incidents.tests.test_photos import jpeg_bytes
from wangge.workforce.tests.factories import make_worker


def _incident(area, place: str) -> Incident:
    incident = Incident(
        kind=IncidentKind.CROWDING,
        severity=IncidentSeverity.HIGH,
        area=area,
        place=place,
        reported_at=timezone.now(),
    )
    incident.photo.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    incident.save()
    return incident


def build(world: World) -> None:
    world.mine["incident"] = _incident(world.tree["grid_a"], "MX-INCIDENT-A")
    world.sibling["incident"] = _incident(world.tree["grid_b"], "MX-INCIDENT-B")
    world.foreign["incident"] = _incident(world.other["grid_a"], "MX-INCIDENT-外")
    world.foreign_markers.append("MX-INCIDENT-外")
    world.mine["worker"] = make_worker(world.tree["grid_a"], "MX接手人")


def _report(area_key: str, place: str):
    return lambda w: {
        "id": str(uuid.uuid4()),
        "kind": IncidentKind.FEVER,
        "severity": IncidentSeverity.HIGH,
        "area": str(w.tree[area_key].pk),
        "place": place,
    }


def _mine(w: World) -> dict[str, object]:
    return {"pk": w.mine["incident"].pk}


def _foreign(w: World) -> dict[str, object]:
    return {"pk": w.foreign["incident"].pk}


def _sibling(w: World) -> dict[str, object]:
    return {"pk": w.sibling["incident"].pk}


CASES = [
    Case("incidents:list", perm=Perm.VIEW_INCIDENTS, denied=403),
    Case("incidents:figures", perm=Perm.VIEW_INCIDENTS, denied=403),
    Case("incidents:mine", perm=None),
    Case("incidents:report", perm=Perm.REPORT_INCIDENTS, denied=403),
    Case(
        "incidents:report",
        method="POST",
        perm=Perm.REPORT_INCIDENTS,
        data=_report("grid_a", "MX-REPORTED"),
        ok=302,
        denied=403,
        # Grid B is not among an actor of grid A's areas: the form comes back.
        sibling=Sibling(data=_report("grid_b", "MX-REPORTED-B"), status=200),
    ),
    Case("incidents:detail", perm=Perm.VIEW_INCIDENTS, kwargs=_mine, foreign=_foreign),
    Case("incidents:photo", perm=Perm.VIEW_INCIDENTS, kwargs=_mine, foreign=_foreign),
    Case(
        "incidents:act",
        method="POST",
        perm=Perm.HANDLE_INCIDENTS,
        kwargs=_mine,
        foreign=_foreign,
        data=lambda w: {"step": "note", "note": "已电话联系"},
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
    Case(
        "incidents:reassign",
        method="POST",
        perm=Perm.HANDLE_INCIDENTS,
        kwargs=_mine,
        foreign=_foreign,
        data=lambda w: {"worker": str(w.mine["worker"].pk), "note": ""},
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
]
