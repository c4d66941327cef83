"""The worker list as Excel and the printable roster of an area, both audited.

Every export reads through `visible_to(user, Perm.VIEW_WORKFORCE)` and shows phones
masked. Full phones are for someone who holds REVEAL_PERSONAL and asks for them, and
only on the workers of the areas where they hold it; the audit entry ("workers.export")
says how many lines and how many full phones, never whose. Excel cells go through
`wangge.lib.excel`, so a name such as "=HYPERLINK(…)" stays text.
"""

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.pdf import render_pdf
from wangge.core.permissions import Perm
from wangge.core.scoping import in_scope, subtree_q
from wangge.lib.excel import Column, WorkbookBuilder
from wangge.workforce.filters import visible_teams
from wangge.workforce.models import Worker

LIST_COLUMNS: Sequence[tuple[Any, float]] = (
    (_("Name"), 12),
    (_("Kind"), 16),
    (_("Sent from"), 10),
    (_("Committee"), 14),
    (_("Party member"), 8),
    (_("Sent down"), 8),
    (pgettext_lazy("employer", "Unit"), 20),
    (_("Phone"), 14),
    (_("Based in"), 36),
    (_("Teams"), 24),
    (_("Active"), 6),
)


def _yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _area_labels(workers: Sequence[Worker]) -> dict[str, str]:
    """Each worker's area as a path of names (one query for all the areas above them)."""
    paths = {w.area.path for w in workers}
    above = {p[:i] for p in paths for i in range(Area.steplen, len(p) + 1, Area.steplen)}
    names = dict(Area.objects.filter(path__in=above).values_list("path", "name"))
    return {
        path: " › ".join(
            names.get(path[:i], "") for i in range(Area.steplen, len(path) + 1, Area.steplen)
        )
        for path in paths
    }


def _audit_path(user: User, paths: Iterable[str]) -> str:
    """Where an export is recorded: the area chosen, else the top of the user's scope."""
    chosen = list(paths) or user.scope_paths(Perm.VIEW_WORKFORCE) or [""]
    common = os.path.commonprefix(chosen)
    return common[: len(common) - len(common) % Area.steplen]


def workers_xlsx(
    workers: Any,
    user: User,
    *,
    full_phones: bool,
    area_paths: Sequence[str] = (),
    acting_user: User | Actor,
) -> bytes:
    """The worker list (the filtered queryset of `filters.worker_list`) as a sheet, audited.

    With `full_phones`, the phones of workers in areas where `user` holds REVEAL_PERSONAL
    are written in full, the others masked.
    """
    people: list[Worker] = list(workers)
    reveal_paths = user.scope_paths(Perm.REVEAL_PERSONAL) if full_phones else []
    labels = _area_labels(people)
    book = WorkbookBuilder()
    today = timezone.localdate()
    sheet = book.add_sheet(
        gettext("Workforce"),
        [Column(header, width) for header, width in LIST_COLUMNS],
        preamble=[[gettext("Workforce list, exported %(date)s") % {"date": today.isoformat()}]],
    )
    revealed = 0
    for worker in people:
        phone = worker.phone_masked
        if full_phones and worker.phone_masked and in_scope(reveal_paths, worker.area.path):
            phone = worker.reveal_phone()
            revealed += 1
        sheet.append(
            [
                worker.name,
                worker.get_kind_display(),
                worker.get_sent_from_display(),
                worker.get_committee_display(),
                _yes_no(worker.party_member),
                _yes_no(worker.sent_down),
                worker.unit,
                phone,
                labels[worker.area.path],
                "、".join(team.name for team in worker.teams.all()),
                _yes_no(worker.active),
            ]
        )
    data = book.to_bytes()
    log.record(
        acting_user,
        AuditEvent.WORKERS_EXPORT,
        area_path=_audit_path(user, area_paths),
        details={"format": "xlsx", "count": len(people), "full_phones": revealed},
    )
    return data


@dataclass(frozen=True)
class RosterGroup:
    """The workers based in one area, under its path of names."""

    area: Area
    label: str
    workers: list[Worker]


def roster_groups(area: Area, user: User) -> list[RosterGroup]:
    """The active workers of an area's subtree that the user sees, grouped by the area they
    are based in, in tree order."""
    workers = list(
        Worker.objects.visible_to(user, Perm.VIEW_WORKFORCE)
        .filter(subtree_q([area.path], "area__path"), active=True)
        .select_related("area")
        .prefetch_related(Prefetch("teams", queryset=visible_teams(user).order_by("name")))
        .order_by("area__path", "kind", "name", "id")
    )
    labels = _area_labels(workers)
    groups: list[RosterGroup] = []
    for worker in workers:
        if not groups or groups[-1].area.pk != worker.area_id:
            groups.append(RosterGroup(worker.area, labels[worker.area.path], []))
        groups[-1].workers.append(worker)
    return groups


def roster_pdf(area: Area, user: User, *, acting_user: User | Actor) -> bytes:
    """The printable roster of an area (A4, a table grouped by area: name, kind, unit,
    masked phone, teams), audited."""
    groups = roster_groups(area, user)
    count = sum(len(group.workers) for group in groups)
    pdf = render_pdf(
        "workforce/roster_pdf.html",
        {
            "area": area,
            "path": " › ".join(node.name for node in area.ancestors_and_self()),
            "today": timezone.localdate(),
            "groups": groups,
            "count": count,
        },
        stylesheets=["workforce/roster_print.css"],
    )
    log.record(
        acting_user,
        AuditEvent.WORKERS_EXPORT,
        obj=area,
        area_path=area.path,
        details={"format": "pdf", "count": count, "full_phones": 0},
    )
    return pdf
