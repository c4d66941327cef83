"""Permission-matrix cases of the key persons' pages (format: tests/test_permission_matrix.py).

A key person of grid A is seen by VIEW_CONTROL holders there, followed (checks, tests,
flags, release) by FOLLOW_UP holders, revealed by REVEAL_PERSONAL holders; the other
district's person is 404, and an actor of grid A naming grid B's person or area gets 404
and changes nothing. The policies are installation-wide: MANAGE_CONTROL anywhere."""

import datetime as dt

from django.utils import timezone

from tests.factories import id_number
from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm
from wangge.keypersons.tests.factories import make_key_person


def build(world: World) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=1)
    world.mine["key_person"] = make_key_person(
        world.tree["grid_a"],
        "MX重点甲",
        id_number=id_number(),
        phone="13900007777",
        started_on=start,
    )
    world.sibling["key_person"] = make_key_person(
        world.tree["grid_b"], "MX重点乙", id_number=id_number(), started_on=start
    )
    world.foreign["key_person"] = make_key_person(
        world.other["grid_a"], "MX重点外", id_number=id_number(), started_on=start
    )
    world.foreign_markers.append("MX重点外")


def _mine(w: World) -> dict[str, object]:
    return {"pk": w.mine["key_person"].pk}


def _foreign(w: World) -> dict[str, object]:
    return {"pk": w.foreign["key_person"].pk}


def _sibling(w: World) -> dict[str, object]:
    return {"pk": w.sibling["key_person"].pk}


def _reveal(pk_of):  # type: ignore[no-untyped-def]
    return lambda w: {**pk_of(w), "field": "id_number"}


def _test_data(w: World) -> dict[str, object]:
    return {
        "day": "1",
        "sampled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "result": "negative",
        "place": "MX采样点",
    }


def _named(area_key: str):  # type: ignore[no-untyped-def]
    return lambda w: {
        "area": str(w.tree[area_key].pk),
        "n-name": "MX新增",
        "n-id_type": "resident_card",
        "n-id_number": id_number(),
        "n-phone": "",
        "n-address": "",
        "n-category": "close_contact",
        "n-measure": "home_quarantine",
        "n-started_on": timezone.localdate().isoformat(),
        "n-note": "",
    }


CASES = [
    Case("keypersons:list", perm=Perm.VIEW_CONTROL, denied=403),
    Case("keypersons:export", perm=Perm.VIEW_CONTROL, denied=403),
    Case("keypersons:policies", perm=Perm.VIEW_CONTROL, denied=403),
    Case(
        "keypersons:policy_edit",
        perm=Perm.MANAGE_CONTROL,
        data=lambda w: {"measure": "home_monitoring"},
        denied=403,
    ),
    Case(
        "keypersons:policy_edit",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        data=lambda w: {
            "measure": "home_monitoring",
            "duration_days": "3",
            "test_days": "3",
            "daily_checks": "on",
        },
        ok=302,
        denied=403,
        unscoped_write="a measure's policy is installation-wide data, in no area",
    ),
    Case("keypersons:add", perm=Perm.FOLLOW_UP, denied=403),
    Case(
        "keypersons:add",
        method="POST",
        perm=Perm.FOLLOW_UP,
        data=_named("grid_a"),
        ok=302,
        denied=403,
        sibling=Sibling(data=_named("grid_b")),
    ),
    Case("keypersons:detail", perm=Perm.VIEW_CONTROL, kwargs=_mine, foreign=_foreign),
    Case("keypersons:check", perm=Perm.FOLLOW_UP, kwargs=_mine, foreign=_foreign),
    Case(
        "keypersons:check",
        method="POST",
        perm=Perm.FOLLOW_UP,
        kwargs=_mine,
        foreign=_foreign,
        data=lambda w: {"temperature": "36.6", "symptoms": ["cough"]},
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
    Case("keypersons:test", perm=Perm.FOLLOW_UP, kwargs=_mine, foreign=_foreign),
    Case(
        "keypersons:test",
        method="POST",
        perm=Perm.FOLLOW_UP,
        kwargs=_mine,
        foreign=_foreign,
        data=_test_data,
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
    Case(
        "keypersons:clear_flag",
        method="POST",
        perm=Perm.FOLLOW_UP,
        kwargs=_mine,
        foreign=_foreign,
        data=lambda w: {"note": "MX"},
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
    Case(
        "keypersons:release",
        method="POST",
        perm=Perm.FOLLOW_UP,
        kwargs=_mine,
        foreign=_foreign,
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
    Case(
        "keypersons:reveal",
        method="POST",
        perm=Perm.REVEAL_PERSONAL,
        kwargs=_reveal(_mine),
        foreign=_reveal(_foreign),
        sibling=Sibling(kwargs=_reveal(_sibling)),
    ),
]
