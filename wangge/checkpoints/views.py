"""The checkpoint pages: the list with today's figures, a checkpoint's day (entries, masked,
and its volumes), volumes of every checkpoint per hour and per day, the entry page
(keyboard and scanner first) and the set-up. Every checkpoint is read through the scope:
VIEW_CONTROL or REGISTER_CHECKPOINT to look, REGISTER_CHECKPOINT to register,
MANAGE_CONTROL to set up; anything else is 404."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as ItemError

from wangge.audit.log import actor_for
from wangge.checkpoints import actions, selectors
from wangge.checkpoints.checkpoint_items import EntryIn
from wangge.checkpoints.forms import CheckpointForm, EntryForm, PeopleFormSet
from wangge.checkpoints.models import Checkpoint, CheckpointPassenger
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.lib import idnumbers, plates
from wangge.lib.uuid7 import uuid7
from wangge.residents.models import RESIDENT_CODE_LENGTH, Resident

ROWS_PER_PAGE = 30
RECENT = 8


def _readable(request: AuthedRequest, pk: int) -> Checkpoint:
    checkpoint: Checkpoint = get_object_or_404(
        selectors.visible_checkpoints(request.user).select_related("area"), pk=pk
    )
    return checkpoint


def _day(request: AuthedRequest) -> dt.date:
    today = timezone.localdate()
    day = params.date(request.GET, "day") or today
    return min(max(day, dt.date(2000, 1, 1)), today + dt.timedelta(days=1))


@login_required
@require_GET
def checkpoint_list(request: AuthedRequest) -> HttpResponse:
    """The checkpoints I see, with today's vehicles, people and alerts at each."""
    if not selectors.can_read(request.user):
        raise PermissionDenied
    checkpoints = list(
        selectors.visible_checkpoints(request.user)
        .select_related("area")
        .order_by("-active", "name")
    )
    today = timezone.localdate()
    rows = selectors.hourly_volumes(checkpoints, today)
    registrable = {
        c.pk
        for c in Checkpoint.objects.visible_to(request.user, Perm.REGISTER_CHECKPOINT).filter(
            pk__in=[c.pk for c in checkpoints]
        )
    }
    return render(
        request,
        "checkpoints/list.html",
        {
            "rows": rows,
            "registrable": registrable,
            "can_manage": request.user.has_any_area_permission(Perm.MANAGE_CONTROL),
            "today": today,
        },
    )


@login_required
@require_GET
def volumes(request: AuthedRequest) -> HttpResponse:
    """Vehicles and people of every checkpoint I see, per hour of a day and per day of the
    last two weeks."""
    if not selectors.can_read(request.user):
        raise PermissionDenied
    day = _day(request)
    checkpoints = list(selectors.visible_checkpoints(request.user).order_by("-active", "name"))
    dates, daily = selectors.daily_volumes(checkpoints, timezone.localdate())
    return render(
        request,
        "checkpoints/volumes.html",
        {
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
            "hours": range(24),
            "hourly": selectors.hourly_volumes(checkpoints, day),
            "dates": dates,
            "daily": daily,
        },
    )


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A checkpoint's day: its volumes per hour and its entries, masked, latest first."""
    checkpoint = _readable(request, pk)
    day = _day(request)
    page = Paginator(selectors.day_entries(checkpoint, day), ROWS_PER_PAGE).get_page(
        params.page(request.GET)
    )
    return render(
        request,
        "checkpoints/detail.html",
        {
            "checkpoint": checkpoint,
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
            "hours": range(24),
            "hourly": selectors.hourly_volumes([checkpoint], day)[0],
            "page": page,
            "can_register": request.user.has_area_permission(
                Perm.REGISTER_CHECKPOINT, checkpoint.area
            ),
            "can_reveal": request.user.has_area_permission(Perm.REVEAL_PERSONAL, checkpoint.area),
            "can_manage": request.user.has_area_permission(Perm.MANAGE_CONTROL, checkpoint.area),
        },
    )


def _person_data(form: Any) -> tuple[dict[str, Any], str]:
    """A people row as the API's person, and the form field of its document ("" when the
    row names none)."""
    data = form.cleaned_data
    document = idnumbers.normalise(data["document"])
    person: dict[str, Any] = {
        "name": data["name"].strip(),
        "phone": data["phone"],
        "temperature": data["temperature"],
        "health_code": data["health_code"],
        "travel_history": data["travel_history"],
        "action": data["action"],
    }
    if len(document) == RESIDENT_CODE_LENGTH:
        person["resident_code"] = document
    else:
        person["id_number"] = document
    return person, document


def _attach(form: EntryForm, rows: list[Any], field: str, reason: str) -> None:
    """Put an action's refusal next to the field it names (people[1].phone …)."""
    if field.startswith("people[") and "]" in field:
        position, _sep, name = field[len("people[") :].partition("]")
        name = name.lstrip(".")
        index = int(position) if position.isdigit() else 0
        if index < len(rows):
            row = rows[index]
            target = {"resident_code": "document", "id_number": "document"}.get(name, name)
            row.add_error(target if target in row.fields else None, reason)
            return
    form.add_error(field if field in form.fields else None, reason)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: AuthedRequest, pk: int) -> HttpResponse:
    """Register one vehicle and its people, through the devices' own action."""
    checkpoint: Checkpoint = get_visible_or_404(
        Checkpoint.objects.select_related("area"),
        request.user,
        Perm.REGISTER_CHECKPOINT,
        pk=pk,
    )
    if request.method == "POST":
        form = EntryForm(request.POST)
        people = PeopleFormSet(request.POST, prefix="people")
        if form.is_valid() and people.is_valid() and _store(request, checkpoint, form, people):
            return HttpResponseRedirect(reverse("checkpoints:register", args=[checkpoint.pk]))
    else:
        form = EntryForm(initial={"client_id": uuid7()})
        people = PeopleFormSet(prefix="people")
    recent = selectors.day_entries(checkpoint, timezone.localdate())[:RECENT]
    return render(
        request,
        "checkpoints/register.html",
        {
            "checkpoint": checkpoint,
            "form": form,
            "people": people,
            "recent": recent,
            "threshold": actions.fever_threshold(),
        },
    )


def _store(request: AuthedRequest, checkpoint: Checkpoint, form: EntryForm, people: Any) -> bool:
    # Rows left empty (added, then not used) are skipped.
    rows = [row for row in people.forms if row.cleaned_data]
    persons = []
    codes = {}
    for position, row in enumerate(rows):
        person, document = _person_data(row)
        if "resident_code" in person:
            codes[position] = document
        persons.append(person)
    if codes:
        # A scanned resident code fills the name the officer did not type.
        names = dict(
            Resident.objects.filter(code__in=set(codes.values())).values_list("code", "name")
        )
        for position, code in codes.items():
            if not persons[position]["name"] and code in names:
                persons[position]["name"] = names[code]
    missing = False
    for position, person in enumerate(persons):
        if not person["name"]:
            rows[position].add_error("name", _("Type the person's name or scan their code."))
            missing = True
    if missing:
        return False
    data = form.cleaned_data
    try:
        item = EntryIn(
            client_id=data["client_id"],
            checkpoint_id=checkpoint.pk,
            at=timezone.now(),
            direction=data["direction"],
            plate=data["plate"],
            vehicle_kind=data["vehicle_kind"],
            origin=data["origin"],
            destination=data["destination"],
            people=persons,  # type: ignore[arg-type]
        )
    except ItemError as exc:
        form.add_error(None, str(exc.errors(include_url=False)[0].get("msg", "")))
        return False
    batch = actions.register_entries(
        [item], checkpoint_scope=request.user, acting_user=actor_for(request)
    )
    result = batch.results[0]
    if result.status == actions.REJECTED:
        _attach(form, rows, result.field, result.reason)
        return False
    what = plates.normalise(item.plate) if item.plate else _("on foot")
    messages.success(
        request,
        ngettext(
            "Registered %(what)s with %(count)d person.",
            "Registered %(what)s with %(count)d people.",
            len(persons),
        )
        % {"what": what, "count": len(persons)},
    )
    if result.alerts:
        messages.warning(
            request,
            ngettext(
                "%(count)d person raised an alert: placed under a measure, and the people "
                "responsible are told.",
                "%(count)d people raised an alert: placed under a measure, and the people "
                "responsible are told.",
                result.alerts,
            )
            % {"count": result.alerts},
        )
    return True


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_any_area_permission(Perm.MANAGE_CONTROL):
        raise PermissionDenied
    form = CheckpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        return _save(request, None, form)
    return render(request, "checkpoints/form.html", {"form": form, "checkpoint": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    checkpoint: Checkpoint = get_visible_or_404(
        Checkpoint.objects.select_related("area"), request.user, Perm.MANAGE_CONTROL, pk=pk
    )
    initial = {
        "name": checkpoint.name,
        "kind": checkpoint.kind,
        "active": checkpoint.active,
        "area": [checkpoint.area_id],
    }
    form = CheckpointForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(request, checkpoint, form)
    return render(request, "checkpoints/form.html", {"form": form, "checkpoint": checkpoint})


def _save(
    request: AuthedRequest, checkpoint: Checkpoint | None, form: CheckpointForm
) -> HttpResponse:
    data = form.cleaned_data
    try:
        saved = actions.save_checkpoint(
            checkpoint,
            area=data["area"],
            name=data["name"].strip(),
            kind=data["kind"],
            active=data["active"],
            acting_user=actor_for(request),
        )
    except ValidationError as exc:
        for error in exc.messages:
            form.add_error(None, error)
        return render(request, "checkpoints/form.html", {"form": form, "checkpoint": checkpoint})
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse("checkpoints:detail", args=[saved.pk]))


@login_required
@require_POST
def reveal(request: AuthedRequest, pk: int, field: str) -> HttpResponse:
    """A person checked's full ID number or phone (audited), as an HTMX fragment."""
    if field not in ("id_number", "phone"):
        raise Http404
    passenger: CheckpointPassenger = get_visible_or_404(
        CheckpointPassenger.objects.select_related("entry__checkpoint__area"),
        request.user,
        Perm.REVEAL_PERSONAL,
        pk=pk,
    )
    value = actions.reveal_passenger(passenger, field, acting_user=actor_for(request))
    return render(request, "checkpoints/_revealed.html", {"value": value or "—"})
