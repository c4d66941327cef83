"""Pages of key persons (phone first): the list of an area and below, a person with their
timeline, adding one, a daily check, a test, release; the policies.

Every person comes through `get_visible_or_404` with the permission the page needs: what
is out of scope does not exist. State changes go through `actions`, the export through
`exports`."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.keypersons import actions, exports, selectors
from wangge.keypersons.choices import Category, KeyPersonStatus, Measure, Symptom
from wangge.keypersons.errors import KeyPersonError
from wangge.keypersons.forms import (
    HealthCheckForm,
    NamedPersonForm,
    NoteForm,
    PolicyForm,
    ResidentPlacementForm,
    TestForm,
)
from wangge.keypersons.models import KeyPerson, MeasurePolicy
from wangge.lib.excel import XLSX_CONTENT_TYPE
from wangge.residents.actions import find_residents
from wangge.residents.models import Resident

PER_PAGE = 50
SEARCH_MAX = 100
SEARCH_SHOWN = 20
REVEALABLE = {"id_number", "phone"}
STATUS_FILTERS = ("all", *KeyPersonStatus.values)


def _entry_area(request: AuthedRequest, perm: str) -> Area:
    """The area a page is about: `area` of the query (or of the form posted), visible to
    the user with `perm`; else the user's topmost area. Someone who holds `perm` nowhere
    is refused (403) before any area is looked at."""
    if not request.user.has_any_area_permission(perm):
        raise PermissionDenied
    source = request.POST if request.method == "POST" and "area" in request.POST else request.GET
    area_id = params.object_id(source, "area")
    if area_id is not None:
        area: Area = get_visible_or_404(Area.objects.all(), request.user, perm, pk=area_id)
        return area
    paths = request.user.scope_paths(perm)
    top: Area | None
    if paths is None:
        top = Area.objects.filter(depth=1).order_by("path").first()
    else:
        top = Area.objects.filter(path__in=paths).order_by("depth", "path").first()
    if top is None:
        raise PermissionDenied
    return top


def _person(request: AuthedRequest, pk: int, perm: str) -> KeyPerson:
    person: KeyPerson = get_visible_or_404(
        KeyPerson.objects.select_related("area", "resident", "household"),
        request.user,
        perm,
        pk=pk,
    )
    return person


# --- the list ---------------------------------------------------------------------------


def _status_filter(request: AuthedRequest) -> str:
    """Under a measure unless asked otherwise; "all": every status."""
    status = params.choice(request.GET, "status", STATUS_FILTERS, KeyPersonStatus.UNDER_MEASURE)
    return "" if status == "all" else status


@login_required
@require_GET
def key_person_list(request: AuthedRequest) -> HttpResponse:
    """The key persons of an area and below, filtered (category, measure, status,
    overdue), the overdue and flagged first, with the counts by measure."""
    if not request.user.has_any_area_permission(Perm.VIEW_CONTROL):
        raise PermissionDenied
    area = _entry_area(request, Perm.VIEW_CONTROL)
    today = timezone.localdate()
    filters = selectors.ListFilters(
        category=params.choice(request.GET, "category", Category.values, ""),
        measure=params.choice(request.GET, "measure", Measure.values, ""),
        status=_status_filter(request),
        overdue=params.flag(request.GET, "overdue"),
    )
    all_here = selectors.key_persons_under(
        request.user, area.path, selectors.ListFilters(status=""), today
    )
    counts = selectors.counts_by_measure(all_here, today)
    below = selectors.figures_below(all_here, area, today)
    people = selectors.with_flags(
        selectors.key_persons_under(request.user, area.path, filters, today), today
    ).select_related("area")
    people = people.order_by("-test_overdue", "-check_due", "flagged_at", "planned_end_on", "pk")
    page = Paginator(people, PER_PAGE).get_page(params.page(request.GET))
    query = {
        "area": str(area.pk),
        "category": filters.category,
        "measure": filters.measure,
        "status": filters.status or "all",
        "overdue": "1" if filters.overdue else "",
    }
    return render(
        request,
        "keypersons/list.html",
        {
            "area": area,
            "breadcrumbs": area.ancestors_and_self(),
            "page": page,
            "filters": filters,
            "counts": [(m.value, m.label, counts[m.value]) for m in Measure],
            "below": below,
            "overdue_count": counts["overdue"],
            "flagged_count": counts["flagged"],
            "categories": Category.choices,
            "measures": Measure.choices,
            "statuses": [*KeyPersonStatus.choices, ("all", _("All"))],
            "query": urlencode({k: v for k, v in query.items() if v}),
            "can_add": request.user.has_area_permission(Perm.FOLLOW_UP, area),
            "can_manage": request.user.has_any_area_permission(Perm.MANAGE_CONTROL),
            "today": today,
        },
    )


# --- a person -----------------------------------------------------------------------------


def _timeline(person: KeyPerson, checks: list[Any], tests: list[Any]) -> list[dict[str, Any]]:
    """Placed, checks, tests, the open flag and the release, in time order."""
    # Entered after the measure started (a list that came late): the line stands at the
    # start, where the rest of the timeline counts from.
    start = dt.datetime.combine(
        person.started_on, dt.time(), tzinfo=timezone.get_current_timezone()
    )
    placed_at = min(person.created_at, start) if person.created_at else start
    lines: list[dict[str, Any]] = [
        {"at": placed_at, "kind": "placed", "label": _("Placed under a measure")}
    ]
    symptom_labels = dict(Symptom.choices)
    for check in checks:
        named = [str(symptom_labels.get(s, s)) for s in check.symptoms]
        if check.other_symptoms:
            named.append(check.other_symptoms)
        lines.append(
            {
                "at": check.checked_at,
                "kind": "fever" if check.fever else "check",
                "label": _("Health check"),
                "text": f"{check.temperature} °C" + (f" · {'、'.join(named)}" if named else ""),
                "by": check.recorded_by,
            }
        )
    for test in tests:
        if test.sampled_at is None:
            continue
        lines.append(
            {
                "at": test.sampled_at,
                "kind": "positive" if test.result == "positive" else "test",
                "label": _("Test, day %(day)s") % {"day": test.day},
                "text": f"{test.get_result_display()}" + (f" · {test.place}" if test.place else ""),
                "by": test.recorded_by,
            }
        )
    if person.flagged_at is not None:
        lines.append(
            {
                "at": person.flagged_at,
                "kind": "fever",
                "label": _("Flagged"),
                "text": person.flag_reason,
            }
        )
    if person.released_at is not None:
        lines.append(
            {
                "at": person.released_at,
                "kind": "released",
                "label": _("Released"),
                "text": person.release_note,
                "by": person.released_by,
            }
        )
    lines.sort(key=lambda line: line["at"])
    return lines


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Perm.VIEW_CONTROL)
    today = timezone.localdate()
    held = request.user.permissions_at(person.area)
    checks = list(person.health_checks.select_related("recorded_by").order_by("checked_at"))
    tests = list(person.tests.select_related("recorded_by").order_by("day"))
    open_ = person.status == KeyPersonStatus.UNDER_MEASURE
    blockers = actions.release_blockers(person, tests, today) if open_ else []
    identity: KeyPerson | Resident = person
    if person.resident is not None and not person.id_number_masked:
        identity = person.resident
    return render(
        request,
        "keypersons/detail.html",
        {
            "person": person,
            "identity": identity,
            "breadcrumbs": person.area.ancestors_and_self(),
            "tests": tests,
            "timeline": _timeline(person, checks, tests),
            "checked_today": any(c.checked_on == today for c in checks),
            "today": today,
            "day_of_measure": (today - person.started_on).days + 1,
            "open": open_,
            "blockers": blockers,
            "can_follow": open_ and Perm.FOLLOW_UP in held,
            "can_reveal": Perm.REVEAL_PERSONAL in held,
            "can_view_resident": person.resident_id is not None and Perm.VIEW_REGISTRY in held,
        },
    )


@sensitive_variables("value")
@login_required
@require_POST
def reveal(request: AuthedRequest, pk: int, field: str) -> HttpResponse:
    """One person's full ID number or phone, to someone allowed; audited."""
    if field not in REVEALABLE:
        raise Http404
    person = _person(request, pk, Perm.REVEAL_PERSONAL)
    value = actions.reveal_identity(person, field, acting_user=actor_for(request))
    response = render(request, "keypersons/_revealed.html", {"value": value})
    response.headers["Cache-Control"] = "no-store"
    return response


# --- adding --------------------------------------------------------------------------------


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def add(request: AuthedRequest) -> HttpResponse:
    """Add a key person: a resident found through the registry's search, or someone named
    here (their document and phone sealed) followed in the area of the page."""
    area = _entry_area(request, Perm.FOLLOW_UP)
    query = params.text(request.GET, "q", max_length=SEARCH_MAX)
    found: list[Resident] = []
    if query and request.user.has_any_area_permission(Perm.VIEW_REGISTRY):
        found = list(
            find_residents(request.user, query, acting_user=actor_for(request))
            .filter(grid__path__startswith=area.path)
            .select_related("household", "grid")
            .order_by("name", "id")[:SEARCH_SHOWN]
        )
    resident_form = ResidentPlacementForm(prefix="r")
    named_form = NamedPersonForm(prefix="n")
    chosen: Resident | None = None
    if request.method == "POST":
        actor = actor_for(request)
        if "r-resident" in request.POST:
            resident_form = ResidentPlacementForm(request.POST, prefix="r")
            if resident_form.is_valid():
                data = resident_form.cleaned_data
                chosen = get_visible_or_404(
                    Resident.objects.select_related("grid", "household"),
                    request.user,
                    Perm.FOLLOW_UP,
                    pk=data["resident"],
                    grid__path__startswith=area.path,
                )
                person = actions.place_under_measure(
                    chosen,
                    category=data["category"],
                    measure=data["measure"],
                    started_on=data["started_on"],
                    note=data["note"],
                    acting_user=actor,
                )
                messages.success(request, _("Placed under the measure."))
                return HttpResponseRedirect(reverse("keypersons:detail", args=[person.pk]))
        else:
            named_form = NamedPersonForm(request.POST, prefix="n")
            if named_form.is_valid():
                data = named_form.cleaned_data
                person = actions.place_under_measure(
                    named_form.person(),
                    category=data["category"],
                    measure=data["measure"],
                    started_on=data["started_on"],
                    area=area,
                    note=data["note"],
                    acting_user=actor,
                )
                messages.success(request, _("Placed under the measure."))
                return HttpResponseRedirect(reverse("keypersons:detail", args=[person.pk]))
    return render(
        request,
        "keypersons/add.html",
        {
            "area": area,
            "breadcrumbs": area.ancestors_and_self(),
            "query": query,
            "found": found,
            "resident_form": resident_form,
            "named_form": named_form,
            "can_search": request.user.has_any_area_permission(Perm.VIEW_REGISTRY),
        },
    )


# --- checks, tests, flags, release -----------------------------------------------------------


def _open_person(request: AuthedRequest, pk: int) -> KeyPerson:
    person = _person(request, pk, Perm.FOLLOW_UP)
    if person.status != KeyPersonStatus.UNDER_MEASURE:
        messages.error(request, KeyPersonError("released").message)
        raise _Redirect(person)
    return person


class _Redirect(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, person: KeyPerson) -> None:
        self.person = person


def _to_detail(person: KeyPerson) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("keypersons:detail", args=[person.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def check(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record today's health check: temperature and symptoms."""
    try:
        person = _open_person(request, pk)
    except _Redirect as redirect:
        return _to_detail(redirect.person)
    form = HealthCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = actions.record_health_check(
                person,
                temperature=data["temperature"],
                symptoms=data["symptoms"],
                other_symptoms=data["other_symptoms"],
                acting_user=actor_for(request),
            )
        except KeyPersonError as exc:
            form.add_error(exc.field or None, exc.message)
        else:
            if made.fever:
                messages.warning(
                    request, _("Temperature at or above 37.3 °C: the person is flagged.")
                )
            else:
                messages.success(request, _("Health check recorded."))
            return _to_detail(person)
    return render(
        request,
        "keypersons/check.html",
        {"person": person, "form": form, "breadcrumbs": person.area.ancestors_and_self()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def test(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a scheduled test: when and where it was sampled, its result."""
    try:
        person = _open_person(request, pk)
    except _Redirect as redirect:
        return _to_detail(redirect.person)
    tests = list(person.tests.order_by("day"))
    form = TestForm(request.POST or None, tests=tests)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next(t for t in tests if t.day == data["day"])
        chosen.key_person = person
        try:
            actions.record_test(
                chosen,
                result=data["result"],
                sampled_at=data["sampled_at"],
                place=data["place"],
                acting_user=actor_for(request),
            )
        except KeyPersonError as exc:
            form.add_error(exc.field or None, exc.message)
        else:
            messages.success(request, _("Test recorded."))
            return _to_detail(person)
    return render(
        request,
        "keypersons/test.html",
        {"person": person, "form": form, "breadcrumbs": person.area.ancestors_and_self()},
    )


@login_required
@require_POST
def clear_flag(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        person = _open_person(request, pk)
    except _Redirect as redirect:
        return _to_detail(redirect.person)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.clear_flag(person, note=note, acting_user=actor_for(request))
    except KeyPersonError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Flag cleared."))
    return _to_detail(person)


@login_required
@require_POST
def release(request: AuthedRequest, pk: int) -> HttpResponse:
    """Release when the policy is met; otherwise say why not."""
    try:
        person = _open_person(request, pk)
    except _Redirect as redirect:
        return _to_detail(redirect.person)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.release(person, note=note, acting_user=actor_for(request))
    except actions.ReleaseRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
    except KeyPersonError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Released."))
    return _to_detail(person)


# --- export --------------------------------------------------------------------------------


@login_required
@require_GET
def export(request: AuthedRequest) -> HttpResponse:
    """The key persons of an area as an Excel sheet (audited; full numbers only for those
    who may reveal them)."""
    area = _entry_area(request, Perm.VIEW_CONTROL)
    data = exports.key_persons_xlsx(area, request.user, acting_user=actor_for(request))
    name = f"key-persons-{area.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(True, name)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- policies --------------------------------------------------------------------------------


@login_required
@require_GET
def policies(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_any_area_permission(Perm.VIEW_CONTROL):
        raise PermissionDenied
    return render(
        request,
        "keypersons/policies.html",
        {
            "policies": list(MeasurePolicy.objects.select_related("updated_by")),
            "can_manage": request.user.has_any_area_permission(Perm.MANAGE_CONTROL),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthedRequest) -> HttpResponse:
    """Change a measure's policy (`?measure=`), for people placed from now on."""
    if not request.user.has_any_area_permission(Perm.MANAGE_CONTROL):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    measure = params.choice(source, "measure", Measure.values, "", strict=True)
    policy = MeasurePolicy.objects.filter(measure=measure).first()
    if policy is None:
        raise Http404
    form = PolicyForm.for_policy(policy, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_policy(
                policy,
                duration_days=data["duration_days"],
                test_days=data["test_days"],
                daily_checks=data["daily_checks"],
                acting_user=actor_for(request),
            )
        except KeyPersonError as exc:
            form.add_error(exc.field or None, exc.message)
        else:
            messages.success(request, _("Policy saved. It applies to people placed from now on."))
            return HttpResponseRedirect(reverse("keypersons:policies"))
    return render(request, "keypersons/policy_edit.html", {"policy": policy, "form": form})
