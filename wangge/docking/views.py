"""The docking page (/docking/?area=&day=): for a unit, its figures of the day with the
form to confirm or correct them; for the level above, the units below with their status
and corrections, the deadline and a countdown. Phone first."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope, subtree_q
from wangge.docking import selectors
from wangge.docking.actions import COMMENT_MAX, REASON_MAX, answer_day
from wangge.docking.choices import UnitStatus
from wangge.docking.deadline import deadline_of
from wangge.docking.errors import DockingError
from wangge.docking.forms import CONFIRM, CORRECT, PostedAnswer, fix_name, read_answer, why_name
from wangge.docking.models import UNIT_KINDS, Answer, Docking
from wangge.risk.choices import RiskLevel
from wangge.snapshots import selectors as snapshots
from wangge.snapshots.figures import FIGURES, RISK_ORDER, Section
from wangge.snapshots.models import DaySnapshot

RISK_BY_ORDER = {number: RiskLevel(level).label for level, number in RISK_ORDER.items()}


@dataclass(frozen=True)
class FigureRow:
    """One figure of the unit's day on the page, with what the form holds for it."""

    key: str
    label: Any
    reported: int | str
    correctable: bool
    fix_name: str
    why_name: str
    corrected: str = ""
    reason: str = ""
    error: str = ""

    @property
    def anchor(self) -> str:
        return "fig-" + self.key.replace(".", "-").replace("_", "-")

    @property
    def open(self) -> bool:
        return bool(self.corrected or self.reason or self.error)


@dataclass(frozen=True)
class SectionRows:
    label: Any
    rows: list[FigureRow]


def _shown(key: str, value: Any) -> int | str:
    if key == "control.risk_level":
        return str(RISK_BY_ORDER.get(int(value), value))
    return int(value)


def _figure_rows(
    snapshot: DaySnapshot,
    docking: Docking | None,
    posted: PostedAnswer | None,
    errors: dict[str, str],
) -> list[SectionRows]:
    """The day's figures by section, in the catalogue's order, each correctable one with
    the corrected value and reason the form shows (as typed, else as answered before)."""
    answered = {row.figure: row for row in docking.corrections.all()} if docking else {}
    sections: dict[str, SectionRows] = {}
    for figure in FIGURES:
        if figure.key not in snapshot.figures:
            continue
        corrected, reason = "", ""
        if posted is not None:
            corrected, reason = posted.typed.get(figure.key, ("", ""))
        elif figure.key in answered:
            corrected = str(answered[figure.key].corrected)
            reason = answered[figure.key].reason
        row = FigureRow(
            key=figure.key,
            label=figure.label,
            reported=_shown(figure.key, snapshot.figures[figure.key]),
            correctable=figure.correctable,
            fix_name=fix_name(figure.key),
            why_name=why_name(figure.key),
            corrected=corrected,
            reason=reason,
            error=errors.get(figure.key, ""),
        )
        section = sections.setdefault(
            figure.section, SectionRows(Section(figure.section).label, [])
        )
        section.rows.append(row)
    return list(sections.values())


def _entry_area(request: AuthedRequest, paths: list[str] | None, area_id: int | None) -> Area:
    """The area the page is about: the one asked for if the user may see its docking
    (else 404, as for a missing one), otherwise the user's own (topmost) area."""
    areas = Area.objects.all()
    if paths is not None:
        areas = areas.filter(subtree_q(paths))
    if area_id is not None:
        found: Area | None = areas.filter(pk=area_id).first()
    else:
        found = areas.order_by("depth", "path").first()
    if found is None:
        raise Http404
    return found


def _page(
    request: AuthedRequest,
    area: Area,
    day: dt.date,
    *,
    paths: list[str] | None,
    posted: PostedAnswer | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    errors = errors or {}
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    deadline = deadline_of(day)
    context: dict[str, Any] = {
        "area": area,
        "day": day,
        "today": today,
        "deadline": deadline,
        "deadline_passed": now > deadline,
        "now": now,
        "days": _day_choices(area, day),
        "is_unit": area.kind in UNIT_KINDS,
        "statuses": UnitStatus,
        "CONFIRM": CONFIRM,
        "CORRECT": CORRECT,
        "comment_max": COMMENT_MAX,
        "reason_max": REASON_MAX,
        "errors": errors,
        "form_error": errors.get("", ""),
        "comment_error": errors.get("comment", ""),
    }
    parent_path = area.path[: -Area.steplen]
    if parent_path and in_scope(paths, parent_path):
        context["parent"] = Area.objects.filter(path=parent_path).first()
    if context["is_unit"]:
        snapshot = snapshots.current(area, day)
        docking = selectors.unit_answer(area, day)
        can_dock = in_scope(user.scope_paths(Perm.DOCK_FIGURES), area.path)
        context.update(
            snapshot=snapshot,
            docking=docking,
            stale=docking is not None
            and snapshot is not None
            and docking.snapshot_id != snapshot.pk,
            can_answer=bool(
                snapshot is not None and can_dock and selectors.may_answer(docking, snapshot, now)
            ),
            sections=_figure_rows(snapshot, docking, posted, errors) if snapshot else [],
            comment=(
                posted.comment if posted is not None else (docking.comment if docking else "")
            ),
            status=selectors.status_of(docking, snapshot is not None, day, now),
            Answer=Answer,
        )
    below = selectors.units_below(area, day, now)
    if below:
        summary = selectors.docking_summary(area, day)
        unit_self = 1 if context["is_unit"] else 0
        own = context.get("docking")
        context.update(
            below=below,
            summary_units=summary.units - unit_self,
            summary_confirmed=summary.confirmed - (own is not None and own.answer == "confirmed"),
            summary_corrected=summary.corrected - (own is not None and own.answer == "corrected"),
            corrections=selectors.corrections_below(area, day),
            corrections_limit=selectors.CORRECTIONS_SHOWN,
        )
        context["summary_missing"] = (
            context["summary_units"] - context["summary_confirmed"] - context["summary_corrected"]
        )
    return context


def _day_choices(area: Area, day: dt.date) -> list[dt.date]:
    days = selectors.days_made(area)
    if day not in days:
        days = sorted([*days, day], reverse=True)
    return days


def _viewer_paths(request: AuthedRequest) -> list[str] | None:
    paths = selectors.viewer_paths(request.user)
    if paths is not None and not paths:
        raise PermissionDenied
    return paths


@login_required
@require_GET
def day_page(request: AuthedRequest) -> HttpResponse:
    """/docking/?area=&day=: the area defaults to the user's own, the day to the latest
    made."""
    paths = _viewer_paths(request)
    area = _entry_area(request, paths, params.object_id(request.GET, "area"))
    day = params.date(request.GET, "day") or selectors.default_day(area, timezone.localdate())
    return render(request, "docking/day.html", _page(request, area, day, paths=paths))


def _day_url(area: Area, day: dt.date) -> str:
    return f"{reverse('docking:day')}?{urlencode({'area': area.pk, 'day': day.isoformat()})}"


@login_required
@require_POST
def answer(request: AuthedRequest) -> HttpResponse:
    """The unit's answer (area, day, the corrections, a comment), then back to its page."""
    unit: Area = get_visible_or_404(
        Area.objects.all(),
        request.user,
        Perm.DOCK_FIGURES,
        pk=params.posted_id(request.POST, "area"),
    )
    day = params.date(request.POST, "day")
    if day is None:
        raise params.BadParameter("day")
    posted = read_answer(request.POST)
    errors = dict(posted.errors)
    if not errors:
        try:
            docking = answer_day(
                unit,
                day,
                corrections=posted.corrections,
                comment=posted.comment,
                acting_user=actor_for(request),
            )
        except DockingError as exc:
            errors = {key: str(message) for key, message in exc.fields.items()}
        else:
            if docking.answer == Answer.CORRECTED:
                messages.success(
                    request,
                    _("Figures corrected: %(count)d correction(s) sent with their reasons.")
                    % {"count": len(posted.corrections)},
                )
            else:
                messages.success(request, _("Figures confirmed."))
            if docking.late:
                messages.warning(request, _("The answer came after the deadline: it is late."))
            return HttpResponseRedirect(_day_url(unit, day))
    paths = _viewer_paths(request)
    context = _page(request, unit, day, paths=paths, posted=posted, errors=errors)
    return render(request, "docking/day.html", context, status=400)
