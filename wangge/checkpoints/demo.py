"""The demo district's checkpoints: a highway exit and a road into the city, with yesterday's
and today's traffic (a few hundred vehicles, people by resident code or ID card), among
them a couple of fevers and a yellow code that made key persons and incidents.

Everything goes through `register_entries`, in batches as a device uploads them, so the
figures the pages show are computed from the demo's own records.
"""

import datetime as dt
import random

from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.checkpoints.actions import register_entries
from wangge.checkpoints.checkpoint_items import EntryIn
from wangge.checkpoints.models import Checkpoint, CheckpointEntry, CheckpointKind
from wangge.core.scoping import subtree_q
from wangge.keypersons.models import KeyPerson
from wangge.lib import plates
from wangge.lib.idnumbers import make_resident_card_number
from wangge.lib.uuid7 import uuid7
from wangge.residents.models import Resident

HIGHWAY = "兰临高速七里河出口卡口"
ROAD = "西津西路进城卡口"
# Vehicles per hour of the day at the highway exit (the road carries about half):
# quiet at night, peaks in the morning and the late afternoon.
PROFILE = [4, 3, 2, 2, 3, 6, 12, 22, 28, 24, 20, 18, 17, 18, 20, 22, 26, 28, 22, 16, 12, 9, 7, 5]
ORIGINS = ["兰州市城关区", "临夏州", "定西市", "白银市", "天水市", "西宁市", "西安市", "武威市"]
HISTORY = ["", "", "", "近14天未离兰", "途经定西", "3日前自西安返兰"]
REGIONS = ["620102", "620104", "622901", "621102", "620402", "630102", "610113", "620602"]
VEHICLES = ["car"] * 7 + ["truck", "truck", "van", "bus", "motorcycle"]
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
BATCH = 100


def demo_checkpoints_exist(district: Area) -> bool:
    return Checkpoint.objects.filter(
        subtree_q([district.path], "area__path"), name__in=[HIGHWAY, ROAD]
    ).exists()


def remove_demo_checkpoints(district: Area) -> int:
    """Delete the district's checkpoints, their entries, and the key persons their alerts
    made (their incidents go with the district's incidents); how many entries."""
    in_district = subtree_q([district.path], "checkpoint__area__path")
    deleted, _ = CheckpointEntry.objects.filter(in_district).delete()
    KeyPerson.objects.filter(
        subtree_q([district.path], "area__path"), source_key__startswith="checkpoint:"
    ).delete()
    Checkpoint.objects.filter(subtree_q([district.path], "area__path")).delete()
    return deleted


def _plate(rng: random.Random) -> str:
    head = rng.choice("甘甘甘甘甘青陕宁川")
    office = rng.choice("AAAAJKNPD")
    if rng.random() < 0.15:  # new-energy
        tail = rng.choice("DF") + rng.choice(LETTERS + "0123456789") + f"{rng.randrange(10**4):04d}"
    else:
        tail = "".join(rng.choice(LETTERS[:8] + "0123456789" * 3) for _ in range(5))
    plate = head + office + tail
    return plate if plates.is_valid(plate) else head + office + f"{rng.randrange(10**5):05d}"


def _visitor(rng: random.Random) -> dict[str, object]:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25000))
    return {
        "name": rng.choice("王李张刘陈杨黄赵周吴马")
        + rng.choice(["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "艳"]),
        "id_number": make_resident_card_number(
            rng.choice(REGIONS), birth, rng.randrange(1, 998), rng.choice("MF")
        ),
        "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
    }


def _person(rng: random.Random, codes: list[tuple[str, str]]) -> dict[str, object]:
    if codes and rng.random() < 0.35:
        code, name = rng.choice(codes)
        who: dict[str, object] = {"name": name, "resident_code": code}
    else:
        who = _visitor(rng)
    return {
        **who,
        "temperature": round(rng.uniform(35.8, 37.0), 1),
        "health_code": "green",
        "travel_history": rng.choice(HISTORY),
        "action": "passed" if rng.random() < 0.93 else "tested",
    }


def build_demo_checkpoints(
    district: Area,
    *,
    seed: int,
    registrar: User,
    now: dt.datetime | None = None,
) -> int:
    """Two checkpoints and their traffic of yesterday and today until `now`; returns the
    number of entries. `registrar` is who registers (the demo's checkpoint officer)."""
    rng = random.Random(seed + 12)  # noqa: S311 - synthetic data, reproducible by its seed
    now = now or timezone.now()
    street = Area.objects.within(district).filter(depth=district.depth + 1).order_by("path").first()
    if street is None:
        return 0
    community = (
        Area.objects.within(street).filter(depth=street.depth + 1).order_by("path").first()
        or street
    )
    highway, _ = Checkpoint.objects.get_or_create(
        area=street, name=HIGHWAY, defaults={"kind": CheckpointKind.HIGHWAY_EXIT}
    )
    road, _ = Checkpoint.objects.get_or_create(
        area=community, name=ROAD, defaults={"kind": CheckpointKind.ROAD}
    )
    codes = list(
        Resident.objects.filter(grid__path__startswith=community.path)
        .order_by("pk")
        .values_list("code", "name")[:400]
    )
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now)
    items: list[dict[str, object]] = []
    for day in (today - dt.timedelta(days=1), today):
        for hour, count in enumerate(PROFILE):
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
            for checkpoint, share in ((highway, 1.0), (road, 0.5)):
                for _ in range(round(count * share * rng.uniform(0.7, 1.2))):
                    at = start + dt.timedelta(seconds=rng.randrange(3600))
                    if at >= now:
                        continue
                    kind = rng.choice(VEHICLES)
                    size = 1 if kind in ("truck", "motorcycle") else rng.choice([1, 1, 2, 2, 3, 4])
                    items.append(
                        {
                            "client_id": str(uuid7()),
                            "checkpoint_id": checkpoint.pk,
                            "at": at.isoformat(),
                            "direction": "in" if rng.random() < 0.6 else "out",
                            "plate": ""
                            if kind == "motorcycle" and rng.random() < 0.3
                            else _plate(rng),
                            "vehicle_kind": kind,
                            "origin": rng.choice(ORIGINS),
                            "destination": rng.choice([community.name, street.name, "市区"]),
                            "people": [_person(rng, codes) for _ in range(size)],
                        }
                    )
    items.sort(key=lambda item: str(item["at"]))
    # Today's alerts: two fevers (one a resident of the community) and a yellow code.
    todays = [item for item in items if str(item["at"]) >= today.isoformat()] or items
    for position, change in (
        (len(todays) // 4, {"temperature": 38.1}),
        (len(todays) // 2, {"temperature": 37.6, "travel_history": "3日前自西安返兰"}),
        (3 * len(todays) // 4, {"health_code": "yellow", "action": "tested"}),
    ):
        people = todays[position]["people"]
        assert isinstance(people, list)  # noqa: S101
        people[0] = {**people[0], **change}
    if codes:
        first = todays[len(todays) // 4]["people"]
        assert isinstance(first, list)  # noqa: S101
        first[0] = {
            **{k: v for k, v in first[0].items() if k not in ("id_number", "phone")},
            "name": codes[0][1],
            "resident_code": codes[0][0],
        }
    stored = 0
    for first_item in range(0, len(items), BATCH):
        batch = [EntryIn.model_validate(item) for item in items[first_item : first_item + BATCH]]
        answers = register_entries(batch, checkpoint_scope=registrar, acting_user=registrar)
        stored += sum(1 for answer in answers.results if answer.status == "accepted")
    return stored
