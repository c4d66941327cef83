"""The incident pages: report one, follow one (its timeline and next step), the lists and
the figures. Every incident is read through `selectors.get_incident_or_404` (its area in
the viewer's scope, or assigned to them, or reported by them); 404 otherwise."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.incidents import actions, selectors
from wangge.incidents.choices import (
    ACTIVE_STATUSES,
    CLOCK_OF_STATUS,
    IncidentKind,
    IncidentSeverity,
    IncidentStatus,
)
from wangge.incidents.errors import IncidentError
from wangge.incidents.forms import ReassignForm, ReportForm, StepForm
from wangge.incidents.models import Incident

ROWS_PER_PAGE = 50
STATUS_FILTERS = ("active", *IncidentStatus.values, "all")


@login_required
@require_http_methods(["GET", "POST"])
def report(request: AuthedRequest) -> HttpResponse:
    """Report an incident (phone first): where, what, how serious, a photo."""
    if not request.user.has_any_area_permission(Perm.REPORT_INCIDENTS):
        raise PermissionDenied
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            incident = actions.raise_incident(
                data["kind"],
                data["severity"],
                data["area"],
                place=data["place"],
                description=data["description"],
                photo=data["photo"],
                incident_id=data["id"],
                at=timezone.now(),
                acting_user=actor_for(request),
            )
            messages.success(request, _("Reported. The people responsible have been told."))
            return HttpResponseRedirect(reverse("incidents:detail", args=[incident.pk]))
    else:
        form = ReportForm(user=request.user)
    return render(request, "incidents/report.html", {"form": form})


def _next_steps(incident: Incident, can_act: bool) -> list[str]:
    if not can_act:
        return []
    return {
        IncidentStatus.OPEN: ["acknowledge", "arrive", "close"],
        IncidentStatus.ACKNOWLEDGED: ["arrive", "close"],
        IncidentStatus.ON_SITE: ["report_up", "close"],
        IncidentStatus.REPORTED_UP: ["close"],
    }.get(IncidentStatus(incident.status), [])


def _detail_context(request: AuthedRequest, incident: Incident) -> dict[str, Any]:
    user = request.user
    can_act = actions.can_act(user, incident)
    can_reassign = not incident.is_closed and user.has_area_permission(
        Perm.HANDLE_INCIDENTS, incident.area
    )
    choices = selectors.reassign_choices(incident, user) if can_reassign else []
    now = timezone.now()
    return {
        "incident": incident,
        "steps": selectors.timeline(incident),
        "next_steps": _next_steps(incident, can_act),
        "can_note": can_act and not incident.is_closed,
        "reassign_form": ReassignForm(choices=choices) if choices else None,
        "overdue": incident.due_at is not None and incident.due_at <= now,
        "running_clock": CLOCK_OF_STATUS.get(incident.status),
        "now": now,
    }


@login_required
@require_GET
def detail(request: AuthedRequest, pk: str) -> HttpResponse:
    """An incident, its timeline, and the buttons of its next step."""
    incident = selectors.get_incident_or_404(request.user, pk)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


@login_required
@require_POST
def act(request: AuthedRequest, pk: str) -> HttpResponse:
    """Take the next step (acknowledge, arrived, report up, close) or add a note."""
    incident = selectors.get_incident_or_404(request.user, pk)
    if not actions.can_act(request.user, incident):
        raise Http404
    form = StepForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(reverse("incidents:detail", args=[incident.pk]))
    step, note = form.cleaned_data["step"], form.cleaned_data["note"].strip()
    actor, now = actor_for(request), timezone.now()
    try:
        if step == "acknowledge":
            actions.acknowledge(incident, at=now, acting_user=actor)
        elif step == "arrive":
            actions.arrive(incident, at=now, acting_user=actor)
        elif step == "report_up":
            actions.report_up(incident, note=note, at=now, acting_user=actor)
        elif step == "close":
            actions.close(incident, note=note, at=now, acting_user=actor)
        else:
            actions.add_note(incident, note=note, at=now, acting_user=actor)
    except IncidentError as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("incidents:detail", args=[incident.pk]))


@login_required
@require_POST
def reassign(request: AuthedRequest, pk: str) -> HttpResponse:
    """Hand the incident to someone else (HANDLE_INCIDENTS on its area)."""
    incident = selectors.get_incident_or_404(request.user, pk)
    if not request.user.has_area_permission(Perm.HANDLE_INCIDENTS, incident.area):
        raise Http404
    form = ReassignForm(request.POST, choices=selectors.reassign_choices(incident, request.user))
    if form.is_valid():
        try:
            actions.reassign(
                incident,
                form.cleaned_data["worker"],
                note=form.cleaned_data["note"],
                at=timezone.now(),
                acting_user=actor_for(request),
            )
        except IncidentError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose whom to hand it over to."))
    return HttpResponseRedirect(reverse("incidents:detail", args=[incident.pk]))


@login_required
@require_GET
def photo(request: AuthedRequest, pk: str) -> FileResponse:
    """The incident's photo, to those who may see the incident; never cached by others."""
    incident = selectors.get_incident_or_404(request.user, pk)
    if not incident.photo:
        raise Http404
    try:
        handle = incident.photo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


@login_required
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """The running incidents assigned to me, the first limit to run out first."""
    rows = list(selectors.assigned_to(request.user)[:200])
    return render(request, "incidents/mine.html", {"rows": rows, "now": timezone.now()})


def _entry_area(request: AuthedRequest) -> Area | None:
    """The area of a list or figures page: `?area=` (visible), else the user's topmost."""
    area_id = params.object_id(request.GET, "area")
    if area_id is not None:
        area: Area = get_visible_or_404(
            Area.objects.all(), request.user, Perm.VIEW_INCIDENTS, pk=area_id
        )
        return area
    paths = request.user.scope_paths(Perm.VIEW_INCIDENTS)
    top: Area | None
    if paths is None:
        top = Area.objects.filter(depth=1).order_by("path").first()
    else:
        top = Area.objects.filter(path__in=paths).order_by("depth", "path").first()
    return top


@login_required
@require_GET
def incident_list(request: AuthedRequest) -> HttpResponse:
    """Incidents of an area and below (open ones by default), filtered by status, kind and
    severity, the first limit to run out first."""
    if not request.user.has_any_area_permission(Perm.VIEW_INCIDENTS):
        raise PermissionDenied
    area = _entry_area(request)
    status = params.choice(request.GET, "status", STATUS_FILTERS, "active")
    kind = params.choice(request.GET, "kind", IncidentKind.values, "")
    severity = params.choice(request.GET, "severity", IncidentSeverity.values, "")
    rows = Incident.objects.visible_to(request.user, Perm.VIEW_INCIDENTS)
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    if status == "active":
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    elif status != "all":
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if severity:
        rows = rows.filter(severity=severity)
    rows = rows.select_related("area", "assignee").order_by("due_at", "-reported_at")
    page = Paginator(rows, ROWS_PER_PAGE).get_page(params.page(request.GET))
    query = {"status": status, "kind": kind, "severity": severity}
    if area is not None:
        query["area"] = str(area.pk)
    return render(
        request,
        "incidents/list.html",
        {
            "area": area,
            "page": page,
            "rows": page.object_list,
            "status": status,
            "kind": kind,
            "severity": severity,
            "statuses": [
                ("active", _("Open (not closed)")),
                *IncidentStatus.choices,
                ("all", _("All")),
            ],
            "kinds": IncidentKind.choices,
            "severities": IncidentSeverity.choices,
            "query": urlencode({k: v for k, v in query.items() if v}),
            "now": timezone.now(),
            "can_figures": True,
        },
    )


@login_required
@require_GET
def figures(request: AuthedRequest) -> HttpResponse:
    """Time to acknowledge and to arrive, limits missed and open incidents, for an area,
    each area below it and each cadre, over the last `days` days."""
    if not request.user.has_any_area_permission(Perm.VIEW_INCIDENTS):
        raise PermissionDenied
    area = _entry_area(request)
    if area is None:
        raise Http404
    days = params.integer(request.GET, "days", default=30, minimum=1, maximum=366)
    since = timezone.now() - dt.timedelta(days=days)
    return render(
        request,
        "incidents/figures.html",
        {"figures": selectors.figures(area, since), "area": area, "days": days},
    )
