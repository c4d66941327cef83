"""Overdue people raise one incident per (list, area); the feedback goes back up in the
layout the list came in."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.audit.log import Actor
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.events.worker import Worker
from wangge.incidents.choices import IncidentKind, IncidentSource
from wangge.incidents.models import Incident
from wangge.tracing import actions, exports, importing
from wangge.tracing.choices import TracedStatus
from wangge.tracing.tests.factories import HEADER, SYSTEM, make_list, xlsx

pytestmark = pytest.mark.django_db


def _list_with_two_grids(tree, clock):
    a = make_resident(tree["grid_a"], "甲", room="1")
    b = make_resident(tree["grid_b"], "乙", room="2")
    a2 = make_resident(tree["grid_a"], "丙", room="3")
    return make_list(
        tree["community"],
        [
            [1, "甲", a.reveal_id_number(), "", "", ""],
            [2, "乙", b.reveal_id_number(), "", "", ""],
            [3, "丙", a2.reveal_id_number(), "", "", ""],
            [4, "丁", id_number(), "13900004444", "", ""],
        ],
        deadline=clock.now + dt.timedelta(hours=24),
    )


def test_one_incident_per_list_and_area_with_overdue_people(tree, clock):
    traced_list = _list_with_two_grids(tree, clock)
    assert actions.overdue_incidents(clock.advance(hours=23)) == 0
    b_person = traced_list.people.get(area=tree["grid_b"])
    actions.give_feedback(b_person, status=TracedStatus.NOT_FOUND, acting_user=SYSTEM)
    assert actions.overdue_incidents(clock.advance(hours=2)) == 2  # grid A and the community
    keys = set(Incident.objects.values_list("source_key", flat=True))
    assert keys == {
        f"tracing:{traced_list.pk}:{tree['grid_a'].pk}",
        f"tracing:{traced_list.pk}:{tree['community'].pk}",
    }
    incident = Incident.objects.get(area=tree["grid_a"])
    assert (incident.kind, incident.source) == (
        IncidentKind.TRACING_OVERDUE,
        IncidentSource.TRACING_OVERDUE,
    )
    # Later passes raise nothing twice.
    assert actions.overdue_incidents(clock.advance(hours=1)) == 0
    assert Incident.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between turns
def test_the_worker_runs_the_overdue_check(tree, clock):
    _list_with_two_grids(tree, clock)
    worker = Worker()
    worker.turn()
    assert not Incident.objects.exists()
    clock.advance(hours=25)
    worker.turn()
    worker.turn()
    assert Incident.objects.filter(source=IncidentSource.TRACING_OVERDUE).count() == 3


def _read(data: bytes) -> tuple[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    return sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_comes_back_in_the_layout_it_came_in(tree, alice, bob):
    resident = make_resident(tree["grid_a"], "甲")
    number = resident.reveal_id_number()
    stranger = id_number()
    data = xlsx(
        [
            [1, "甲", number, "13900001234", "密接", "A栋"],
            [2, "乙", stranger, "13900002222", "次密接", "外地"],
        ]
    )
    analysis = importing.analyse(data, "名单.xlsx")
    traced_list = actions.import_list(
        analysis,
        area=tree["community"],
        title="t",
        reason="",
        deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        acting_user=alice,
    )
    first = traced_list.people.get(row_number=4)
    actions.give_feedback(first, status=TracedStatus.LEFT_AREA, left_to="北京", acting_user=bob)

    title, rows = _read(exports.feedback_xlsx(traced_list, alice, acting_user=Actor(user=alice)))
    assert title == "协查名单"
    assert rows[0][0] == "兰州市疫情防控指挥部协查名单"
    assert rows[1][0] == "填报单位：七里河区"
    assert tuple(rows[2][: len(HEADER)]) == HEADER
    assert rows[2][len(HEADER) :] == list(exports.FEEDBACK_HEADERS)
    assert [row[1] for row in rows[3:]] == ["甲", "乙"]
    # The community's staff may reveal: full numbers, as they came.
    assert rows[3][2] == number and rows[3][3] == "13900001234" and rows[3][5] == "A栋"
    assert rows[4][2] == stranger
    assert rows[3][6] == TracedStatus.LEFT_AREA.label and "北京" in rows[3][7]
    assert rows[3][9] == tree["grid_a"].name and rows[4][9] == tree["community"].name
    assert rows[4][6] == TracedStatus.PENDING.label
    assert AuditEntry.objects.filter(action="traced_list.export").exists()

    # A grid member without REVEAL_PERSONAL gets masked numbers, and only their own people.
    _title, masked = _read(exports.feedback_xlsx(traced_list, bob, acting_user=Actor(user=bob)))
    assert [row[1] for row in masked[3:]] == ["甲"]
    assert masked[3][2] == first.id_number_masked and number not in str(masked)
    assert "13900001234" not in str(masked)


def test_a_stranger_exports_nobody(tree, other_tree):
    traced_list = make_list(tree["community"], [[1, "乙", id_number(), "", "", ""]])
    charlie = grant(UserFactory(username="c2"), Role.COMMUNITY_STAFF, other_tree["community"])
    _title, rows = _read(
        exports.feedback_xlsx(traced_list, charlie, acting_user=Actor(user=charlie))
    )
    assert rows[3:] == []


def test_a_person_added_to_an_imported_list_comes_back_in_its_columns(tree, alice):
    from wangge.tracing.importing import PersonInput

    traced_list = make_list(tree["community"], [[1, "甲", id_number(), "", "", "A栋"]])
    added = actions.add_person(
        traced_list,
        PersonInput(0, "乙", "none", "", "13900007777", reason="返乡"),
        acting_user=alice,
    )
    assert added.row_number == 5
    _title, rows = _read(exports.feedback_xlsx(traced_list, alice, acting_user=Actor(user=alice)))
    assert [row[:5] for row in rows[3:]][1] == [2, "乙", None, "13900007777", "返乡"]


def test_a_csv_list_comes_back_as_a_sheet_named_by_its_title(tree, alice):
    from wangge.tracing.tests.factories import csv_gbk

    analysis = importing.analyse(csv_gbk([[1, "甲", id_number(), "", "密接", ""]]), "名单.csv")
    traced_list = actions.import_list(
        analysis,
        area=tree["community"],
        title="市指第3批",
        reason="",
        deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        acting_user=alice,
    )
    title, rows = _read(exports.feedback_xlsx(traced_list, alice, acting_user=Actor(user=alice)))
    assert title == "市指第3批"
    assert rows[0][0] == "协查名单" and tuple(rows[1][: len(HEADER)]) == HEADER
