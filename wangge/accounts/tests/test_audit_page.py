"""The audit log page opens whatever entries the system has written.

The kinds of entry are found in the source: every call of `audit.record` under wangge/,
with its action name (a literal, a constant or a variable assigned in the module, or the
admin's f-string) and the keys of its details. Each kind is recorded once — with the
realistic details below where a kind's counts matter (a station's batch has a key named
"items", which a template used to read as the dict's method), and values made from its
own keys otherwise — and the page must show every one of them.
"""

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from tests.factories import UserFactory
from wangge.accounts import audit
from wangge.accounts.audit import Actor, detail_pairs

SOURCE = Path(__file__).resolve().parents[2]
# The admin writes f"admin.{verb}" for these verbs (accounts/admin.py, AuditedAdmin).
ADMIN_VERBS = ("add", "change", "delete")

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


def _is_record(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        return (
            func.attr == "record" and isinstance(func.value, ast.Name) and func.value.id == "audit"
        )
    return isinstance(func, ast.Name) and func.id == "record"


def _assigned(tree: ast.AST, name: str) -> list[ast.expr]:
    """Every value the module assigns to `name` (module constants and local variables)."""
    values = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                values.append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.target.id == name and node.value is not None:
                values.append(node.value)
    return values


def _actions(tree: ast.AST, node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        return [name for value in _assigned(tree, node.id) for name in _actions(tree, value)]
    if isinstance(node, ast.JoinedStr):
        prefix = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        assert prefix == "admin.", f"an audit action built from an f-string: {ast.unparse(node)}"
        return [f"admin.{verb}" for verb in ADMIN_VERBS]
    raise AssertionError(f"an audit action the test cannot read: {ast.unparse(node)}")


def _detail_keys(tree: ast.AST, node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)}
    if isinstance(node, ast.Name):
        return {key for value in _assigned(tree, node.id) for key in _detail_keys(tree, value)}
    return set()


def written_kinds() -> dict[str, set[str]]:
    """Every audit action the code writes, with the keys of its details."""
    kinds: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_record(node)) or len(node.args) < 2:
                continue
            details = next((kw.value for kw in node.keywords if kw.arg == "details"), None)
            for action in _actions(tree, node.args[1]):
                kinds.setdefault(action, set()).update(_detail_keys(tree, details))
    return kinds


def _made_up(keys: set[str]) -> dict[str, Any]:
    """Values of the shapes details hold: counts, names, lists and nested dicts."""
    shapes: list[Any] = [7, "七里河区", [1, 2], {"status": "present"}, True, None]
    return {key: shapes[index % len(shapes)] for index, key in enumerate(sorted(keys))}


def test_the_scan_finds_the_kinds_of_entry():
    kinds = written_kinds()
    assert len(kinds) >= 50
    assert {"registration.batch", "testing.results", "resident.reveal", "admin.change"} <= set(
        kinds
    )
    assert "items" in kinds["registration.batch"]


def test_details_are_shown_as_pairs_even_with_a_key_named_items():
    pairs = detail_pairs({"items": 3, "reasons": {"round_not_open": 2}, "rounds": [4, 5]})
    assert pairs == [("items", "3"), ("reasons", "round_not_open: 2"), ("rounds", "4, 5")]
    assert detail_pairs({}) == []


@pytest.mark.django_db
def test_the_audit_page_shows_an_entry_of_every_kind(client, tree):
    kinds = written_kinds()
    actor = Actor(user=None, source="command", label="audit-page-test")
    for action, keys in sorted(kinds.items()):
        audit.record(
            actor,
            action,
            object_type="testing.round",
            object_id="7",
            area_path=tree["grid_a"].path,
            details=REALISTIC.get(action) or _made_up(keys),
        )
    viewer = UserFactory(username="auditor", is_superuser=True, is_staff=True)
    client.force_login(viewer)
    shown = ""
    for number in range(1, 2 + len(kinds) // 50):
        response = client.get("/accounts/audit/", {"page": number})
        assert response.status_code == 200
        shown += response.content.decode()
    missing = [action for action in kinds if f"<code>{action}</code>" not in shown]
    assert not missing, f"entries not shown: {missing}"
    assert "items: 40" in shown
    assert re.search(r"reasons: round_not_open: 1", shown)
