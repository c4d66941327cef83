"""Changes to the dispatch boards: a leader's morning assignments (a whole board at once,
or yesterday's copied forward), a worker's check in and out, and by evening done or not
done. Each is atomic and audited; who may do what is `dispatch.access`."""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.batch import ItemStatus, Tally, item_answer
from wangge.core.scoping import OutOfScope
from wangge.dispatch.access import may_act_on, may_dispatch
from wangge.dispatch.choices import TaskKind, TaskStatus
from wangge.dispatch.errors import DispatchError
from wangge.dispatch.models import Board, Task
from wangge.workforce.models import Team, Worker

# A board may be prepared this many days ahead; past days are the record and stay as they are.
DAYS_AHEAD = 7
NOTE_LENGTH = 200


def place_choices(team: Team) -> "Any":
    """The areas a team's tasks may be placed in: its own area and every area below it,
    down to the grids (a building is too fine for a day's assignment)."""
    return Area.objects.within(team.area).exclude(kind=AreaKind.BUILDING)


def current_members(team: Team) -> "Any":
    """The team's active members, the workers its board has a line for."""
    return Worker.objects.filter(memberships__team=team, active=True)


@dataclass(frozen=True)
class TaskLine:
    """One member's line of a board as the leader saves it. An empty kind takes the
    member off today's board; `task_id` is the client's id for a new task."""

    worker_id: Any
    kind: str
    place_id: int | None
    note: str = ""
    task_id: Any = None


@dataclass
class BoardSave(Tally):
    """What a save did: the board, and an answer per line in the lines' order."""

    board: Board
    answers: list[dict[str, Any]] = field(default_factory=list)

    def statuses(self) -> Iterable[str]:
        return (answer["status"] for answer in self.answers)


@dataclass(frozen=True)
class BoardCopy:
    """What copying the last board forward did."""

    board: Board
    from_day: dt.date
    copied: int
    kept: int
    left_team: int


def _require_dispatcher(acting_user: User | Actor | None, team: Team) -> None:
    if not may_dispatch(acting_user, team):
        raise OutOfScope


def _require_open_day(day: dt.date) -> None:
    today = timezone.localdate()
    if day < today:
        raise DispatchError(_("a past day's board can no longer change"))
    if day > today + dt.timedelta(days=DAYS_AHEAD):
        raise DispatchError(_("a board can be prepared at most a week ahead"))


def _as_uuid(value: Any) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _rejected(code: str, reason: str, field_name: str, worker: Any) -> dict[str, Any]:
    return item_answer(ItemStatus.REJECTED, code, reason, field_name, worker=str(worker), task="")


@transaction.atomic
def assign_board(
    team: Team,
    day: dt.date,
    lines: Sequence[TaskLine],
    *,
    acting_user: User | Actor | None,
) -> BoardSave:
    """Save a team's board of a day in one go: a line per member (kind, place, note).

    Each line is answered on its own (core/batch.py): accepted, duplicate (nothing to
    change: a retried save) or rejected with the field that is wrong, so that a bad line
    never loses the others. A task already checked in or closed keeps its kind and place.
    """
    _require_dispatcher(acting_user, team)
    _require_open_day(day)
    board, _created = Board.objects.get_or_create(team=team, day=day)
    members = {worker.pk: worker for worker in current_members(team)}
    place_ids = {line.place_id for line in lines if line.place_id is not None}
    places = {area.pk: area for area in place_choices(team).filter(pk__in=place_ids)}
    existing = {task.worker_id: task for task in Task.objects.filter(board=board)}
    client_ids = {found for line in lines if (found := _as_uuid(line.task_id)) is not None}
    taken = {task.pk: task for task in Task.objects.filter(pk__in=client_ids).exclude(board=board)}
    now = timezone.now()
    result = BoardSave(board=board)
    seen: set[Any] = set()
    to_create: list[Task] = []
    to_update: list[Task] = []
    to_delete: list[Task] = []
    for line in lines:
        worker_id = _as_uuid(line.worker_id)
        worker = members.get(worker_id) if worker_id is not None else None
        if worker is None:
            result.answers.append(
                _rejected("not_member", _("not a member of this team"), "worker", line.worker_id)
            )
            continue
        if worker.pk in seen:
            result.answers.append(
                _rejected("repeated", _("this member has two lines"), "worker", worker.pk)
            )
            continue
        seen.add(worker.pk)
        task = existing.get(worker.pk)
        if not line.kind:
            if task is None:
                result.answers.append(
                    item_answer(ItemStatus.DUPLICATE, worker=str(worker.pk), task="")
                )
            elif task.status != TaskStatus.ASSIGNED:
                result.answers.append(
                    _rejected("started", _("the task is under way"), "kind", worker.pk)
                )
            else:
                to_delete.append(task)
                result.answers.append(
                    item_answer(ItemStatus.ACCEPTED, worker=str(worker.pk), task="")
                )
            continue
        if line.kind not in TaskKind.values:
            result.answers.append(_rejected("bad_kind", _("unknown task"), "kind", worker.pk))
            continue
        place = places.get(line.place_id) if line.place_id is not None else None
        if place is None:
            result.answers.append(
                _rejected("bad_place", _("choose a place in the team's area"), "place", worker.pk)
            )
            continue
        client_id = _as_uuid(line.task_id)
        if client_id is not None and client_id in taken:
            result.answers.append(
                _rejected("id_taken", _("this task id belongs to another task"), "id", worker.pk)
            )
            continue
        note = line.note.strip()[:NOTE_LENGTH]
        if task is not None:
            if (task.kind, task.place_id, task.note) == (line.kind, place.pk, note):
                result.answers.append(
                    item_answer(ItemStatus.DUPLICATE, worker=str(worker.pk), task=str(task.pk))
                )
                continue
            if task.status != TaskStatus.ASSIGNED:
                result.answers.append(
                    _rejected("started", _("the task is under way"), "kind", worker.pk)
                )
                continue
            task.kind, task.place, task.note, task.assigned_at = line.kind, place, note, now
            to_update.append(task)
        else:
            task = Task(
                id=client_id or uuid.uuid4(),
                board=board,
                worker=worker,
                kind=line.kind,
                place=place,
                note=note,
                assigned_at=now,
            )
            to_create.append(task)
        result.answers.append(
            item_answer(ItemStatus.ACCEPTED, worker=str(worker.pk), task=str(task.pk))
        )
    if to_delete:
        Task.objects.filter(pk__in=[task.pk for task in to_delete]).delete()
    if to_update:
        Task.objects.bulk_update(to_update, ["kind", "place", "note", "assigned_at"])
    if to_create:
        Task.objects.bulk_create(to_create)
    if to_create or to_update or to_delete:
        board.save(update_fields=["updated_at"])
    log.record(
        acting_user,
        AuditEvent.DISPATCH_ASSIGN,
        obj=board,
        area_path=team.area.path,
        details={
            "team": team.pk,
            "day": day,
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
            "removed": len(to_delete),
        },
    )
    return result


@transaction.atomic
def copy_board_forward(team: Team, day: dt.date, *, acting_user: User | Actor | None) -> BoardCopy:
    """Copy the team's last board before `day` (yesterday's, as a rule) onto `day`: the
    same kind and place for every member still in the team. Members who left are skipped,
    and a member already assigned on `day` keeps their task: copying never overwrites."""
    _require_dispatcher(acting_user, team)
    _require_open_day(day)
    source = (
        Board.objects.filter(team=team, day__lt=day, tasks__isnull=False)
        .order_by("-day")
        .distinct()
        .first()
    )
    if source is None:
        raise DispatchError(_("this team has no earlier board to copy"))
    board, _created = Board.objects.get_or_create(team=team, day=day)
    members = set(current_members(team).values_list("pk", flat=True))
    allowed = set(place_choices(team).values_list("pk", flat=True))
    assigned = set(Task.objects.filter(board=board).values_list("worker_id", flat=True))
    now = timezone.now()
    new, left, kept = [], 0, 0
    for task in Task.objects.filter(board=source).order_by("worker__name", "worker_id"):
        if task.worker_id not in members or task.place_id not in allowed:
            left += 1
        elif task.worker_id in assigned:
            kept += 1
        else:
            new.append(
                Task(
                    board=board,
                    worker_id=task.worker_id,
                    kind=task.kind,
                    place_id=task.place_id,
                    note=task.note,
                    assigned_at=now,
                )
            )
    Task.objects.bulk_create(new)
    if new:
        board.save(update_fields=["updated_at"])
    log.record(
        acting_user,
        AuditEvent.DISPATCH_COPY,
        obj=board,
        area_path=team.area.path,
        details={
            "team": team.pk,
            "day": day,
            "from_day": source.day,
            "copied": len(new),
            "kept": kept,
            "left_team": left,
        },
    )
    return BoardCopy(board, source.day, len(new), kept, left)


def _locked_task(task: Task, acting_user: User | Actor | None) -> Task:
    """The task, locked for this change, once the actor is known to be allowed."""
    locked: Task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("board__team__area", "board__team__leader", "worker", "place")
        .get(pk=task.pk)
    )
    if not may_act_on(acting_user, locked):
        raise OutOfScope
    return locked


def _audit_task(
    acting_user: User | Actor | None, event: AuditEvent, task: Task, **more: Any
) -> None:
    log.record(
        acting_user,
        event,
        obj=task,
        area_path=task.board.team.area.path,
        details={
            "board": task.board_id,
            "day": task.board.day,
            "worker": str(task.worker_id),
            "kind": task.kind,
            "place": task.place_id,
            **more,
        },
    )


@transaction.atomic
def check_in(task: Task, *, acting_user: User | Actor | None) -> Task:
    """The worker is on site for their task (they, or their leader for someone without a
    phone). Only on the board's day; a second check in changes nothing (a retry)."""
    task = _locked_task(task, acting_user)
    if task.board.day != timezone.localdate():
        raise DispatchError(_("check in only on the task's day"))
    if task.status == TaskStatus.CHECKED_IN:
        return task
    if task.status != TaskStatus.ASSIGNED:
        raise DispatchError(_("the task is already closed"))
    task.status = TaskStatus.CHECKED_IN
    task.checked_in_at = timezone.now()
    task.save(update_fields=["status", "checked_in_at"])
    _audit_task(acting_user, AuditEvent.DISPATCH_CHECK_IN, task)
    return task


@transaction.atomic
def check_out(task: Task, *, acting_user: User | Actor | None) -> Task:
    """The worker leaves the task's place. Needs a check in first; a second check out
    changes nothing. Closing (done or not done) is a separate step."""
    task = _locked_task(task, acting_user)
    if task.checked_in_at is None:
        raise DispatchError(_("check in first"))
    if task.checked_out_at is not None:
        return task
    task.checked_out_at = timezone.now()
    task.save(update_fields=["checked_out_at"])
    _audit_task(acting_user, AuditEvent.DISPATCH_CHECK_OUT, task)
    return task


@transaction.atomic
def close_task(
    task: Task, *, done: bool, reason: str = "", acting_user: User | Actor | None
) -> Task:
    """Done, or not done with the reason, by evening (or the next morning at the latest):
    what the board at every level counts as left undone. A closed task stays closed; the
    same answer again is a retry and changes nothing."""
    task = _locked_task(task, acting_user)
    outcome = TaskStatus.DONE if done else TaskStatus.NOT_DONE
    if task.status == outcome:
        return task
    if task.status in (TaskStatus.DONE, TaskStatus.NOT_DONE):
        raise DispatchError(_("the task is already closed"))
    today = timezone.localdate()
    if task.board.day > today:
        raise DispatchError(_("the task's day has not come yet"))
    if task.board.day < today - dt.timedelta(days=1):
        raise DispatchError(_("a task is closed by the next day at the latest"))
    reason = reason.strip()[:NOTE_LENGTH]
    if not done and not reason:
        raise DispatchError(_("say why the task was not done"))
    task.status = outcome
    task.reason = "" if done else reason
    task.closed_at = timezone.now()
    task.save(update_fields=["status", "reason", "closed_at"])
    # The reason is free text: kept out of the audit log (people type numbers into it).
    _audit_task(acting_user, AuditEvent.DISPATCH_CLOSE, task, outcome=outcome)
    return task
