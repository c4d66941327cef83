"""The demo district's daily docking: the answers of the days whose figures were made.

For every past day that has figures, each unit answered through the action at a time of
that day: most confirmed, about one in ten corrected one or two figures with a reason a
community would give, and one or two a day answered after the deadline. Yesterday one
unit never answered (the worker's late check raises its incident). Today, about half of
the units have answered; the logins' street and community are left open, so that the
`community` login docks the day and the `street` login watches it. A unit's answer is
given by a demo login that answers for it, else by the acting user (the administrator).

With no figures made in the district (the snapshots' history not built), it does nothing.
"""

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.permissions import ROLE_PERMISSIONS, Perm
from wangge.core.scoping import subtree_q
from wangge.docking.actions import CorrectionItem, answer_day
from wangge.docking.deadline import deadline_of
from wangge.docking.models import UNIT_KINDS, Docking
from wangge.snapshots.figures import FIGURE_BY_KEY
from wangge.snapshots.models import DaySnapshot

# Figures a unit corrects in the demo, each with the reasons given for it (and the change).
FIXES: dict[str, list[tuple[str, int]]] = {
    "testing.sampled": [
        ("外出务工人员在外地采样，已取得结果截图，补录", 6),
        ("上门采样 3 户结果当晚才录入系统", 9),
    ],
    "testing.untested": [("2 人已于前日离开本辖区，系统未及时更新", -2)],
    "services.done": [("夜间送药 2 单为电话登记，今日补录", 2)],
    "checkpoints.people": [("卡口纸质登记 12 人未录入", 12)],
    "workforce.on_duty": [("下沉干部 3 人到岗未打卡", 3)],
    "population.households": [("新建小区入住 4 户，待入册", 4)],
}
COMMENTS = ["数据无误", "已核实", "", "", "与网格员逐一核对", ""]
CORRECTED_SHARE = 0.1
ANSWERED_TODAY_SHARE = 0.5


@dataclass(frozen=True)
class DemoDocking:
    days: int
    answers: int
    corrected: int
    late: int


def demo_docking_exists(district: Area) -> bool:
    return Docking.objects.filter(subtree_q([district.path], "area__path")).exists()


def remove_demo_docking(district: Area) -> int:
    """Delete the district's answers (before a reset removes its figures and areas)."""
    _deleted, by_model = Docking.objects.filter(subtree_q([district.path], "area__path")).delete()
    return by_model.get(Docking._meta.label, 0)


def _answerers(units: Sequence[Area], fallback: User | None) -> dict[int, User | None]:
    """Per unit, a login holding a role with DOCK_FIGURES on it (the demo's street and
    community staff), else the fallback."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.DOCK_FIGURES in perms]
    found: dict[int, User | None] = {}
    for assignment in RoleAssignment.objects.filter(
        area__in=units, role__in=roles, user__is_active=True
    ).select_related("user"):
        found.setdefault(assignment.area_id, assignment.user)
    return {unit.pk: found.get(unit.pk, fallback) for unit in units}


def _fixes(rng: random.Random, figures: dict[str, int]) -> list[CorrectionItem]:
    keys = [key for key in FIXES if key in figures and FIGURE_BY_KEY[key].correctable]
    items = []
    for key in rng.sample(keys, k=min(len(keys), rng.choice((1, 1, 2)))):
        reason, change = rng.choice(FIXES[key])
        corrected = max(0, int(figures[key]) + change)
        if corrected == int(figures[key]):
            corrected += 1
        items.append(CorrectionItem(key, corrected, reason))
    return items


def build_demo_docking(
    district: Area,
    acting_user: User | None,
    *,
    seed: int = 1,
    keep_open: Iterable[Area] = (),
    now: dt.datetime | None = None,
) -> DemoDocking:
    """Answer the district's made days as described above; `keep_open` are the units left
    open today (the logins' street and community)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    snapshots = list(
        DaySnapshot.objects.filter(
            subtree_q([district.path], "area__path"),
            area__kind__in=UNIT_KINDS,
            current=True,
            day__lte=today,
        )
        .select_related("area")
        .order_by("day", "area__path")
    )
    if not snapshots:
        return DemoDocking(days=0, answers=0, corrected=0, late=0)
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    units = list({snapshot.area.pk: snapshot.area for snapshot in snapshots}.values())
    who = _answerers(units, acting_user)
    open_today = {area.pk for area in keep_open}
    by_day: dict[dt.date, list[DaySnapshot]] = {}
    for snapshot in snapshots:
        by_day.setdefault(snapshot.day, []).append(snapshot)
    answers = corrected = late = 0
    for day, made in by_day.items():
        is_today = day == today
        deadline = deadline_of(day)
        late_units = (
            set() if is_today else {s.area.pk for s in rng.sample(made, k=min(2, len(made)))}
        )
        # Yesterday one unit (not the logins') never answered: the worker finds it late.
        never = (
            {next(s.area.pk for s in reversed(made) if s.area.pk not in open_today)}
            if day == today - dt.timedelta(days=1) and len(made) > 2
            else set()
        )
        for snapshot in made:
            unit = snapshot.area
            user = who[unit.pk]
            if user is None or unit.pk in never or (is_today and unit.pk in open_today):
                continue
            if is_today and rng.random() > ANSWERED_TODAY_SHARE:
                continue
            if unit.pk in late_units:
                at = deadline + dt.timedelta(minutes=rng.randint(10, 150))
            else:
                at = deadline - dt.timedelta(minutes=rng.randint(5, 115))
            if at > now:
                # Today, before the deadline: answered a little before now.
                at = now - dt.timedelta(minutes=rng.randint(1, 60))
            fixes = _fixes(rng, snapshot.figures) if rng.random() < CORRECTED_SHARE else []
            docking = answer_day(
                unit,
                day,
                corrections=fixes,
                comment="" if fixes else rng.choice(COMMENTS),
                acting_user=Actor(user=user, source="demo", label="wangge demo"),
                at=at,
            )
            answers += 1
            corrected += bool(fixes)
            late += docking.late
    return DemoDocking(days=len(by_day), answers=answers, corrected=corrected, late=late)
