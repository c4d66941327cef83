"""The demo district's list to trace: a list from above, in progress.

Generated from the demo registry: people of the logins' community (matched, so assigned to
their grids) and a few strangers (unmatched, waiting at the community), read through the
real importer from a sheet laid out as the command centre sends it. Some people have
feedback (placed under a measure, not found, left the area, already under control), the
rest wait; a few rows carry an earlier deadline and are overdue, and the overdue pass
raises their incidents. Nothing is typed: the figures come from the registry drawn.
"""

import datetime as dt
import io
import random

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.scoping import subtree_q
from wangge.keypersons.choices import Category, KeyPersonSource, Measure
from wangge.keypersons.models import KeyPerson
from wangge.lib.idnumbers import make_resident_card_number
from wangge.residents.models import Resident
from wangge.tracing import actions, importing
from wangge.tracing.choices import TracedStatus
from wangge.tracing.models import TracedList

DEMO_FILE = "演示-协查名单.xlsx"
ACTOR = Actor(user=None, label="wangge demo")
MATCHED = 36
STRANGERS = 8
OVERDUE = 5
HEADER = ["序号", "姓名", "身份证号", "联系电话", "协查原因", "反馈时限", "备注"]
REASONS = ["密接", "次密接", "涉疫场所暴露", "中高风险地区返回"]


def _lists(district: Area) -> "QuerySet[TracedList]":
    return TracedList.objects.filter(subtree_q([district.path], "area__path"), file_name=DEMO_FILE)


def demo_tracing_exist(district: Area) -> bool:
    return _lists(district).exists()


def remove_demo_tracing(district: Area) -> int:
    """Delete the district's lists to trace and the key persons their feedback placed
    (before a reset removes the areas and the incidents); how many lists."""
    KeyPerson.objects.filter(
        subtree_q([district.path], "area__path"), source=KeyPersonSource.TRACING
    ).delete()
    lists = TracedList.objects.filter(subtree_q([district.path], "area__path"))
    _deleted, by_model = lists.delete()
    return by_model.get(TracedList._meta.label, 0)


def _sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook has its sheet)
    sheet.title = "协查名单"
    sheet.append(["疫情防控指挥部 第12批协查名单（请于时限内反馈）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(["下发单位：区指挥部流调溯源组"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def build_demo_tracing(
    district: Area, community: Area, *, seed: int, at: dt.datetime | None = None
) -> TracedList | None:
    """One list received by `community`, in progress. Idempotent: a district that has
    the demo list keeps it."""
    if demo_tracing_exist(district):
        return None
    at = at or timezone.now()
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    residents = list(
        Resident.objects.filter(
            subtree_q([community.path], "grid__path"), id_number_index__isnull=False
        )
        .order_by("pk")
        .only("pk", "name", "id_type", "id_number_cipher", "phone_cipher")[:2000]
    )
    chosen = rng.sample(residents, min(MATCHED, len(residents)))
    today = timezone.localdate(at)
    late = (today - dt.timedelta(days=1)).isoformat()
    rows: list[list[object]] = []
    for resident in chosen:
        rows.append([resident.name, resident.reveal_id_number(), resident.reveal_phone()])
    for index in range(STRANGERS):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 20000))
        number = make_resident_card_number("620103", birth, rng.randrange(1, 499), "MF"[index % 2])
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        rows.append(
            [f"{rng.choice('王李张刘陈杨赵黄')}{rng.choice('伟芳娜敏静丽强磊军洋')}", number, phone]
        )
    rng.shuffle(rows)
    sheet_rows = [
        [
            index,
            name,
            number,
            phone,
            rng.choice(REASONS),
            late if index <= OVERDUE else None,
            "",
        ]
        for index, (name, number, phone) in enumerate(rows, start=1)
    ]
    analysis = importing.analyse(_sheet(sheet_rows), DEMO_FILE)
    traced_list = actions.import_list(
        analysis,
        area=community,
        title="第12批协查名单",
        reason="密接、次密接排查",
        deadline=importing.end_of_day(today + dt.timedelta(days=1)),
        acting_user=ACTOR,
    )
    # Feedback on about half of the people with a grid, one of each kind first.
    people = list(
        traced_list.people.exclude(area=community)
        .filter(row_number__gt=OVERDUE + len(analysis.preamble))
        .order_by("row_number")
    )
    outcomes = [
        TracedStatus.FOUND_PLACED,
        TracedStatus.NOT_FOUND,
        TracedStatus.LEFT_AREA,
        TracedStatus.ALREADY_CONTROLLED,
    ]
    for index, person in enumerate(people[: len(people) // 2]):
        status = outcomes[index % len(outcomes)]
        actions.give_feedback(
            person,
            status=status,
            category=Category.CLOSE_CONTACT if status == TracedStatus.FOUND_PLACED else "",
            measure=Measure.HOME_QUARANTINE if status == TracedStatus.FOUND_PLACED else "",
            left_to="兰州新区" if status == TracedStatus.LEFT_AREA else "",
            note="已电话核实" if status != TracedStatus.NOT_FOUND else "查无此人，已报社区",
            acting_user=ACTOR,
            at=at,
        )
    actions.overdue_incidents(at)
    return traced_list
