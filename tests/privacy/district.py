"""A small district of people chosen to be hard to protect, built through the actions.

Unique names, birth years from 1905 to this year (babies, 29 February, a birthday today
and one tomorrow), both sexes, resident cards of other regions, passports and permits, a
newborn without a document, mobiles and landlines of every length, two walk-in visitors.
The registry comes in through the register import (the path real registers take, with a
birth-date column as villages keep it); then people are updated, revealed, searched,
moved, exempted, sampled at a station, recalled from positive pools and visited at home.

`build_district()` runs inside a Django test (or the SQLite dump's subprocess) and returns
the people with their true values; the enumeration test judges every text against them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, grant, make_tree
from tests.privacy.candidates import Truth
from wangge.lib.idnumbers import make_resident_card_number
from wangge.lib.uuid7 import uuid7

REGION = "620103"
_SURNAMES = (
    "东方 上官 欧阳 司徒 令狐 皇甫 尉迟 长孙 宇文 慕容 夏侯 诸葛 闻人 公孙 轩辕 端木 百里 呼延"
)
_GIVEN = "霁岚璟翊瑾琰珩"


@dataclass(frozen=True)
class Spec:
    """One person as the test means them (the truth the attacker is after)."""

    label: str  # how failures name the person: never a number
    name: str
    truth: Truth
    grid: str  # "grid_a" or "grid_b"
    room: str
    tags: str = ""
    walk_in: bool = False


def _births(today: dt.date) -> list[dt.date]:
    fixed = [
        (1905, 3, 12), (1920, 7, 1), (1933, 12, 31), (1941, 6, 15), (1948, 2, 29),
        (1952, 10, 10), (1959, 1, 1), (1964, 5, 20), (1970, 8, 8), (1976, 2, 29),
        (1981, 11, 30), (1985, 4, 4), (1988, 9, 17), (1990, 1, 1), (1992, 12, 25),
        (1995, 6, 30), (1998, 3, 3), (2000, 2, 29), (2001, 9, 11), (2003, 7, 7),
        (2006, 5, 5), (2009, 10, 1), (2012, 2, 29), (2014, 8, 19), (2016, 12, 31),
        (2018, 6, 1), (2020, 2, 29), (2021, 3, 4), (2022, 11, 11), (2023, 1, 31),
        (2024, 2, 29), (2025, 7, 15),
    ]  # fmt: skip
    days = [dt.date(*parts) for parts in fixed]
    days = [day for day in days if day <= today]
    # Babies born this year (the first of January, unless that is today's month), a
    # birthday today and one tomorrow (40 and 30 years ago).
    first = dt.date(today.year, 1, 1)
    days.append(first if today.month > 1 else today - dt.timedelta(days=45))
    days.append(today - dt.timedelta(days=45))
    days.append(_years_ago(today, 40))
    days.append(_years_ago(today + dt.timedelta(days=1), 30))
    return days


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


_REGIONS = ("620103", "620103", "620103", "110105", "620103", "440304", "620981", "620103")
_OTHER_DOCUMENTS = (
    ("passport", "E{:08d}"),
    ("passport", "G{:08d}"),
    ("hk_macau_permit", "H{:08d}"),
    ("none", ""),
)


def _phone(index: int) -> str:
    kind = index % 6
    serial = (index * 7919 + 1234) % 10_000
    if kind == 3:
        return ""  # no phone
    if kind == 4:
        return f"0931{serial:04d}{index:04d}"[: 10 + (index // 6) % 3]  # landlines of 10-12 digits
    return f"1{3 + index % 7}{index % 10}{(index * 104729) % 10**8:08d}"


def _names(count: int) -> list[str]:
    surnames = _SURNAMES.split()
    names = [surnames[i % len(surnames)] + _GIVEN[i // len(surnames)] for i in range(count)]
    assert len(set(names)) == count
    return names


def _order(index: int) -> int:
    """An order code below 100, so that the last four characters of every number start
    with 0 (so do the passports'): a database id on a page, a four-digit token that the
    attacker's worst-case reading takes for the suffix, never equals them by chance."""
    return (3 + index * 23) % 96


def district_specs(today: dt.date) -> list[Spec]:
    births = _births(today)
    total = len(births) + len(_OTHER_DOCUMENTS) + 2
    names = _names(total)
    specs: list[Spec] = []
    for index, born in enumerate(births):
        sex = "MF"[index % 2]
        region = _REGIONS[index % len(_REGIONS)]
        number = make_resident_card_number(region, born, _order(index), sex)
        specs.append(
            Spec(
                label=f"resident {index} (born {born.year}, {sex}, region {region[:2]})",
                name=names[index],
                truth=Truth("resident_card", number, _phone(index), born, sex),
                grid="grid_a" if index % 3 else "grid_b",
                room=f"{301 + index // 2}",
                tags="卧床" if index == 5 else "",
            )
        )
    for offset, (id_type, shape) in enumerate(_OTHER_DOCUMENTS):
        index = len(births) + offset
        number = shape.format(31410026 + offset * 1110001) if shape else ""
        specs.append(
            Spec(
                label=f"resident {index} ({id_type})",
                name=names[index],
                truth=Truth(id_type, number, _phone(index), dt.date(1979 + offset, 6, 9), None),
                grid="grid_b",
                room=f"{501 + offset}",
            )
        )
    for offset in range(2):
        index = total - 2 + offset
        born = dt.date(1966 + offset * 21, 9, 23)
        sex = "MF"[offset]
        number = make_resident_card_number("320102", born, _order(50 + offset), sex)
        specs.append(
            Spec(
                label=f"walk-in visitor {offset}",
                name=names[index],
                truth=Truth("resident_card", number, _phone(index), born, sex),
                grid="grid_a",
                room="",
                walk_in=True,
            )
        )
    return specs


_ID_TYPE_WORDS = {
    "resident_card": "居民身份证",
    "passport": "护照",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "none": "无",
}


def register_csv(specs: list[Spec]) -> bytes:
    """A household register as a village keeps it (the import reads it)."""
    lines = ["姓名,证件类型,证件号码,性别,出生日期,联系电话,楼栋,单元,房号,人员类别,备注"]
    for spec in specs:
        truth = spec.truth
        sex = {"M": "男", "F": "女"}.get(truth.sex or "", "")
        born = truth.birth_date.isoformat() if truth.birth_date else ""
        lines.append(
            f"{spec.name},{_ID_TYPE_WORDS[truth.id_type]},{truth.id_number},{sex},{born},"
            f"{truth.phone},3,1,{spec.room},{spec.tags},"
        )
    return ("\n".join(lines) + "\n").encode()


@dataclass
class District:
    tree: dict[str, Any]
    specs: list[Spec]
    round: Any
    staff: Any  # a community worker who may reveal (builds the district)


def build_district(tree: dict[str, Any] | None = None) -> District:
    """Everything above, through the project's actions; returns the district."""
    from wangge.accounts.devices import issue_device_token
    from wangge.audit.log import Actor
    from wangge.core.permissions import Role
    from wangge.residents import actions
    from wangge.residents.models import Resident
    from wangge.testing.actions import rounds
    from wangge.testing.actions.registrations.home_visits import record_home_visits
    from wangge.testing.actions.registrations.storing import register_batch
    from wangge.testing.actions.results import ResultItem, record_results
    from wangge.testing.models import Tube
    from wangge.testing.schemas import (
        HomeVisitBatchIn,
        RegistrationBatchIn,
        parse_batch,
    )
    from wangge.testing.station_items import (
        HomeVisitIn,
        RegistrationIn,
    )
    from wangge.testing.tests.factories import make_round

    today = timezone.localdate()
    tree = tree or make_tree()
    specs = district_specs(today)
    staff = grant(UserFactory(username="enum_staff"), Role.COMMUNITY_STAFF, tree["community"])
    manager = grant(UserFactory(username="enum_manager"), Role.STREET_STAFF, tree["street"])
    lab = grant(UserFactory(username="enum_lab"), Role.LAB_LIAISON, tree["district"])
    sampler = grant(UserFactory(username="enum_sampler"), Role.SAMPLER, tree["community"])
    system = Actor(user=None, label="enumeration test")
    registered = [spec for spec in specs if not spec.walk_in]
    for grid in ("grid_a", "grid_b"):
        rows = [spec for spec in registered if spec.grid == grid]
        batch = actions.stage_import(
            register_csv(rows), f"{grid}.csv", tree[grid], acting_user=staff
        )
        assert batch.rows_error == 0, batch.first_errors
        actions.apply_import(batch, acting_user=staff)
    people = {r.name: r for r in Resident.objects.filter(name__in=[s.name for s in registered])}
    assert len(people) == len(registered)

    # A change of phone, a reveal, a search by number, a move: what offices do every day.
    changed = registered[2]
    data = actions.ResidentData.clean(
        name=changed.name,
        id_type=changed.truth.id_type,
        id_number=changed.truth.id_number,
        phone=changed.truth.phone,
        note="电话已核对",
    )
    actions.update_resident(people[changed.name], data, acting_user=staff)
    actions.reveal_identity(people[registered[3].name], "id_number", acting_user=staff)
    actions.reveal_identity(people[registered[4].name], "phone", acting_user=staff)
    # A search by full number, as the search page does it (whatever it records).
    searcher = Client()
    searcher.force_login(staff)
    with override_settings(ALLOWED_HOSTS=["testserver"]):  # also outside pytest (SQLite dump)
        found = searcher.get(reverse("residents:search"), {"q": registered[6].truth.id_number})
    assert found.status_code == 200 and registered[6].name in found.content.decode()
    moving = people[registered[7].name]
    new_home = actions.get_or_create_household(tree["grid_b"], building="9", unit="1", room="901")
    actions.move_resident(moving, new_home, acting_user=staff)

    # A round: a point, a team, an exemption, registrations from a station (by resident
    # code, by typed ID number, and walk-ins), positive pools and their recalls.
    round_ = make_round(tree["community"], user=manager, name="枚举测试轮次")
    point = rounds.add_sampling_point(
        round_, rounds.PointData(area=tree["community"], location="枚举广场"), acting_user=manager
    )
    rounds.save_door_team(
        round_, name="枚举上门队", area=tree["grid_b"], members=[manager], acting_user=manager
    )
    rounds.record_exemption(round_, people[registered[8].name], reason="away", acting_user=manager)
    _token, device = issue_device_token(
        sampler, tree["community"], "枚举采样台", acting_user=system
    )
    now = timezone.now()

    def item(barcode: str, capacity: int, person: dict[str, Any]) -> dict[str, Any]:
        return {
            "client_id": str(uuid7()),
            "round_id": round_.pk,
            "tube_barcode": barcode,
            "tube_capacity": capacity,
            "sampled_at": now.isoformat(),
            "sampling_point_id": point.pk,
            "person": person,
        }

    items = [
        item("ENUM-POOL-1", 10, {"resident_code": people[spec.name].code})
        for spec in registered[10:16]
    ]
    for spec in specs:
        if spec.walk_in:
            walk_in = {
                "client_id": str(uuid7()),
                "name": spec.name,
                "id_type": spec.truth.id_type,
                "id_number": spec.truth.id_number,
                "phone": spec.truth.phone,
                "address": "兰州市七里河区枚举路1号",
            }
            items.append(item("ENUM-POOL-2", 5, {"walk_in": walk_in}))
    items.append(item("ENUM-POOL-2", 5, {"resident_code": people[registered[16].name].code}))
    typed = registered[17].truth
    items.append(item("ENUM-SOLO-1", 1, {"id_type": typed.id_type, "id_number": typed.id_number}))
    body = json.dumps({"items": items}).encode()
    parsed = parse_batch(body, RegistrationBatchIn, RegistrationIn)
    results = register_batch(parsed, device=device, acting_user=sampler)
    assert all(result.status == "accepted" for result in results), [r.as_dict() for r in results]
    record_results(
        [
            ResultItem(barcode, "positive")
            for barcode in ("ENUM-POOL-1", "ENUM-POOL-2", "ENUM-SOLO-1")
        ],
        tubes=Tube.objects.all(),
        acting_user=lab,
    )
    bedridden = people[registered[5].name]
    visit = {
        "items": [
            {
                "client_id": str(uuid7()),
                "round_id": round_.pk,
                "household_id": bedridden.household_id,
                "outcome": "nobody_home",
                "visited_at": now.isoformat(),
            }
        ]
    }
    visits = parse_batch(json.dumps(visit).encode(), HomeVisitBatchIn, HomeVisitIn)
    record_home_visits(visits, device=device, acting_user=sampler)

    # Key persons: the walk-in visitors (sealed on the key person) and two residents,
    # followed by the grid with a check and a test each.
    from decimal import Decimal

    from wangge.keypersons.actions import (
        NamedPerson,
        place_under_measure,
        record_health_check,
        record_test,
    )

    followed = [
        place_under_measure(
            NamedPerson(
                name=spec.name,
                id_type=spec.truth.id_type,
                id_number=spec.truth.id_number,
                phone=spec.truth.phone,
                address="兰州市七里河区枚举路1号",
            ),
            category="checkpoint_fever",
            measure="home_quarantine",
            started_on=today,
            area=tree["grid_b"],
            acting_user=staff,
        )
        for spec in specs
        if spec.walk_in
    ]
    followed += [
        place_under_measure(
            people[spec.name],
            category="close_contact",
            measure="centralised",
            started_on=today,
            acting_user=staff,
        )
        for spec in registered[18:20]
    ]
    for key_person in followed:
        record_health_check(key_person, temperature=Decimal("37.5"), acting_user=staff)
        first = key_person.tests.order_by("day").first()
        if first is not None:
            record_test(first, result="negative", sampled_at=now, acting_user=staff)
    _traced_list(tree, specs, staff)
    _checkpoint_entries(tree, specs, people, system)
    return District(tree=tree, specs=specs, round=round_, staff=staff)


def _traced_list(tree: dict[str, Any], specs: list[Spec], staff: Any) -> None:
    """Everyone on a list to trace (协查) received by the community, as the importer reads
    it; one found and placed under a measure, one gone elsewhere."""
    from wangge.keypersons.choices import Category, Measure
    from wangge.tracing import actions as tracing
    from wangge.tracing import importing
    from wangge.tracing.choices import TracedStatus

    lines = ["协查名单", "序号,姓名,证件类型,证件号码,联系电话,协查原因"]
    for index, spec in enumerate(specs, start=1):
        kind = "无" if not spec.truth.id_number else spec.truth.id_type
        lines.append(
            f"{index},{spec.name},{_ID_WORDS.get(kind, kind)},{spec.truth.id_number},"
            f"{spec.truth.phone},密接"
        )
    analysis = importing.analyse("\n".join(lines).encode(), "协查.csv")
    # A person with neither a number nor a phone cannot be traced: their row is left out.
    assert {error.code for error in analysis.errors} <= {"no_identity"}, analysis.errors
    analysis.errors = []
    traced_list = tracing.import_list(
        analysis,
        area=tree["community"],
        title="枚举协查名单",
        reason="密接",
        deadline=timezone.now() + dt.timedelta(days=1),
        acting_user=staff,
    )
    people = list(traced_list.people.order_by("row_number")[:2])
    tracing.give_feedback(
        people[0],
        status=TracedStatus.FOUND_PLACED,
        category=Category.CLOSE_CONTACT,
        measure=Measure.HOME_QUARANTINE,
        acting_user=staff,
    )
    tracing.give_feedback(
        people[1], status=TracedStatus.LEFT_AREA, left_to="兰州新区", acting_user=staff
    )


_ID_WORDS = {
    "resident_card": "居民身份证",
    "hk_macau_permit": "港澳通行证",
    "taiwan_permit": "台胞证",
    "passport": "护照",
    "none": "无",
}


def _checkpoint_entries(
    tree: dict[str, Any], specs: list[Spec], people: dict[str, Any], system: Any
) -> None:
    """A checkpoint's vehicles: a resident by code with a fever (a key person and an
    incident), a resident by typed ID number, and the visitors by ID number and phone,
    one of them with a yellow code (a key person holding their sealed document)."""
    from wangge.checkpoints.actions import register_entries
    from wangge.checkpoints.checkpoint_items import EntryIn
    from wangge.checkpoints.models import Checkpoint
    from wangge.core.permissions import Role

    officer = grant(UserFactory(username="enum_officer"), Role.CHECKPOINT_OFFICER, tree["street"])
    checkpoint = Checkpoint.objects.create(area=tree["community"], name="枚举卡口")
    registered = [spec for spec in specs if not spec.walk_in]
    visitors = [spec for spec in specs if spec.walk_in]

    def passenger(spec: Spec, **more: Any) -> dict[str, Any]:
        return {
            "name": spec.name,
            "id_type": spec.truth.id_type,
            "id_number": spec.truth.id_number,
            "phone": spec.truth.phone,
            "temperature": 36.6,
            "health_code": "green",
            "travel_history": "途经定西",
            "action": "passed",
            **more,
        }

    by_code = registered[18]
    people_in = [
        [
            {
                "name": by_code.name,
                "resident_code": people[by_code.name].code,
                "temperature": 38.4,
                "health_code": "green",
                "action": "tested",
            },
            passenger(registered[19]),
        ],
        [passenger(visitors[0]), passenger(visitors[1], health_code="yellow")],
    ]
    items = [
        EntryIn.model_validate(
            {
                "client_id": str(uuid7()),
                "checkpoint_id": checkpoint.pk,
                "at": timezone.now().isoformat(),
                "direction": "in",
                "plate": f"甘A1234{n}",
                "vehicle_kind": "car",
                "origin": "定西市",
                "destination": "七里河区",
                "people": group,
            }
        )
        for n, group in enumerate(people_in)
    ]
    batch = register_entries(items, checkpoint_scope=officer, acting_user=officer)
    assert [r.status for r in batch.results] == ["accepted"] * 2, batch.results
