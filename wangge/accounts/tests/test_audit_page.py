"""The audit log page opens whatever entries the system has written.

Every kind of entry (`AuditEvent`) is recorded once — with the realistic details below
where a kind's counts matter (a station's batch has a key named "items", which a template
used to read as the dict's method), and details of every shape otherwise — and the page
must show every one of them, by its label.
"""

import re
from typing import Any

import pytest

from tests.factories import UserFactory
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, detail_pairs

REALISTIC: dict[str, dict[str, Any]] = {
    "registration.batch": {
        "device": 12,
        "rounds": [3],
        "items": 40,
        "accepted": 38,
        "duplicate": 1,
        "rejected": 1,
        "reasons": {"round_not_open": 1},
        "tubes_opened": 4,
    },
    "home_visit.batch": {
        "device": 12,
        "items": 6,
        "accepted": 6,
        "duplicate": 0,
        "rejected": 0,
        "created": 6,
    },
    "testing.results": {
        "source": "import",
        "items": 120,
        "accepted": 118,
        "duplicate": 0,
        "rejected": 2,
        "recalls_opened": 10,
        "recalls_closed": 0,
        "cases": 0,
    },
    "area.update": {
        "before": {"name": "一号网格", "code": ""},
        "after": {"name": "一号网格（东）", "code": "620103001001"},
    },
    "round.create": {"name": "第三轮全员核酸", "areas": ["七里河区"], "pool": 10},
    "round.update": {"changed": ["name", "ends_at"]},
    "keys.rotate": {"data_key": "d2", "index_key": "i2", "rows": {"residents": 1200}},
}


# Values of every shape details hold: counts, names, lists and nested dicts.
_MADE_UP: dict[str, Any] = {
    "count": 7,
    "area": "七里河区",
    "rounds": [1, 2],
    "status": {"status": "present"},
    "flag": True,
    "none": None,
}


def test_details_are_shown_as_pairs_even_with_a_key_named_items():
    pairs = detail_pairs({"items": 3, "reasons": {"round_not_open": 2}, "rounds": [4, 5]})
    assert pairs == [("items", "3"), ("reasons", "round_not_open: 2"), ("rounds", "4, 5")]
    assert detail_pairs({}) == []


@pytest.mark.django_db
def test_the_audit_page_shows_an_entry_of_every_kind(client, tree):
    actor = Actor(user=None, source="command", label="audit-page-test")
    for event in AuditEvent:
        log.record(
            actor,
            event,
            object_type="testing.round",
            object_id="7",
            area_path=tree["grid_a"].path,
            details=REALISTIC.get(event) or _MADE_UP,
        )
    viewer = UserFactory(username="auditor", is_superuser=True, is_staff=True)
    client.force_login(viewer)
    shown = ""
    for number in range(1, 2 + len(AuditEvent) // 50):
        response = client.get("/accounts/audit/", {"page": number})
        assert response.status_code == 200
        shown += response.content.decode()
    missing = [event for event in AuditEvent if f"<code>{event}</code>" not in shown]
    assert not missing, f"entries not shown: {missing}"
    # By their Chinese labels (zh-Hans is the default language), not only their codes.
    assert "采样台批量登记" in shown and "轮次已关闭" in shown
    assert "items: 40" in shown
    assert re.search(r"reasons: round_not_open: 1", shown)
