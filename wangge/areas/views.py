"""Pages of the area tree: browse with counts, an area's page, import and export sheets.

Every area is fetched through `get_visible_or_404` with the permission the page needs:
an area outside the user's scope does not exist for them.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.areas import actions, pending
from wangge.areas.boundaries import BoundaryFileError, read_boundary_file
from wangge.areas.boundary_plan import BoundaryPlan, plan_boundary_import
from wangge.areas.choices import KIND_LEVEL, ImportOutcome
from wangge.areas.exporting import FORMATS
from wangge.areas.extensions import (
    AreaAction,
    area_actions,
    area_badges,
    area_sections,
    with_badges,
)
from wangge.areas.forms import AreaCreateForm, AreaEditForm, BoundaryImportForm, TreeImportForm
from wangge.areas.importing import TreeFileError, read_tree_file
from wangge.areas.models import Area
from wangge.areas.selectors import (
    children_with_totals,
    entry_points,
    kind_summary,
    picker_children,
    search_areas,
    with_totals,
)
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import ROLE_PERMISSIONS, Perm
from wangge.core.scoping import get_visible_or_404, in_scope

MAX_LEVEL = max(KIND_LEVEL.values())


def _is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
def tree(request: AuthedRequest) -> HttpResponse:
    """The tree from the user's entry points; branches open on demand (HTMX)."""
    roots = with_badges(
        request, with_totals(entry_points(request.user.scope_paths(Perm.VIEW_AREAS)))
    )
    return render(
        request,
        "areas/tree.html",
        {
            "rows": roots,
            "can_manage": request.user.has_any_area_permission(Perm.MANAGE_AREAS),
        },
    )


@login_required
@require_GET
def branch(request: AuthedRequest, pk: int) -> HttpResponse:
    area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_AREAS, pk=pk)
    indent = params.integer(request.GET, "indent", default=2, minimum=0, maximum=MAX_LEVEL + 1)
    return render(
        request,
        "areas/_branch.html",
        {"rows": with_badges(request, children_with_totals(area)), "indent": indent},
    )


@login_required
@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    """Areas by name, each with where it lies (the tree is deep: 七里河区 has 1,000 grids)."""
    query = params.text(request.GET, "q", max_length=100)
    context = {"query": query, "matches": search_areas(request.user, query)}
    template = "areas/_search_results.html" if _is_htmx(request) else "areas/search.html"
    return render(request, template, context)


# --- the tree picker (a form's choice of areas: see wangge/areas/picker.py) ---------------

PICKER_PAGE = 20
PICKER_PERMISSIONS = sorted(set().union(*ROLE_PERMISSIONS.values()))
# A path is steps of four characters of treebeard's alphabet.
PICKER_PATH = re.compile(r"(?:[0-9A-Z]{4}){1,16}")


@login_required
@require_GET
def picker_branch(request: AuthedRequest) -> HttpResponse:
    """The children of one node of a picker, for HTMX: the areas the user may choose."""
    permission = params.choice(request.GET, "perm", PICKER_PERMISSIONS, "", strict=True)
    path = params.text(request.GET, "path", max_length=64)
    if not permission or not PICKER_PATH.fullmatch(path):
        raise Http404
    nodes = picker_children(request.user, permission, path)
    return render(request, "areas/picker/_nodes.html", {"nodes": nodes, "perm": permission})


@login_required
@require_GET
def picker_search(request: AuthedRequest) -> HttpResponse:
    """Areas the user may choose, by name, a page at a time (a district has 1,000 grids)."""
    permission = params.choice(request.GET, "perm", PICKER_PERMISSIONS, "", strict=True)
    if not permission:
        raise Http404
    query = params.text(request.GET, "q", max_length=100)
    page = params.page(request.GET)
    matches = search_areas(
        request.user,
        query,
        PICKER_PAGE + 1,
        permission=permission,
        offset=(page - 1) * PICKER_PAGE,
        without_buildings=True,
    )
    return render(
        request,
        "areas/picker/_search.html",
        {
            "query": query,
            "perm": permission,
            "matches": matches[:PICKER_PAGE],
            "next_page": page + 1 if len(matches) > PICKER_PAGE else None,
            "first_page": page == 1,
        },
    )


def _area_actions(request: AuthedRequest, area: Area) -> list[AreaAction]:
    scope = request.user.scope_paths(Perm.MANAGE_AREAS)
    items: list[AreaAction] = []
    if actions.may_add_below(scope, area):
        if area.level < MAX_LEVEL:
            items.append(AreaAction(reverse("areas:add", args=[area.pk]), _("Add an area below")))
        items.append(AreaAction(reverse("areas:import_within", args=[area.pk]), _("Import")))
        items.append(AreaAction(reverse("areas:export_within", args=[area.pk]), _("Export Excel")))
    if actions.may_change(scope, area):
        items.append(AreaAction(reverse("areas:edit", args=[area.pk]), _("Edit")))
    return items + area_actions.collect(request, area)


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An area: its totals, the areas below with theirs, and what other apps add (on a grid,
    the registry adds its residents)."""
    area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_AREAS, pk=pk)
    visible_roots = request.user.scope_paths(Perm.VIEW_AREAS)
    breadcrumbs = [node for node in area.ancestors_and_self() if in_scope(visible_roots, node.path)]
    children = with_badges(request, children_with_totals(area))
    context = {
        "area": area,
        "breadcrumbs": breadcrumbs,
        "totals": area.subtree_totals(),
        "children": children,
        "kinds": kind_summary(children),
        "largest": max((row.residents for row in children), default=0),
        "area_actions": _area_actions(request, area),
        "area_sections": area_sections.collect(request, area),
        "title_row": {"badges": area_badges.collect(request, [area])},
    }
    return render(request, "areas/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add one area below this one (a compound, a new grid …)."""
    parent = get_visible_or_404(Area.objects.all(), request.user, Perm.MANAGE_AREAS, pk=pk)
    if parent.level >= MAX_LEVEL:
        raise Http404
    form = AreaCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            area = actions.create_area(
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                code=form.cleaned_data["code"],
                parent=parent,
                acting_user=actor_for(request),
            )
        except actions.AreaError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": area.name})
            return redirect("areas:detail", pk=parent.pk)
    return render(request, "areas/form.html", {"form": form, "area": parent, "adding": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Rename an area or change its code."""
    area = get_visible_or_404(Area.objects.all(), request.user, Perm.MANAGE_AREAS, pk=pk)
    if not actions.may_change(request.user.scope_paths(Perm.MANAGE_AREAS), area):
        raise Http404
    form = AreaEditForm(request.POST or None, initial={"name": area.name, "code": area.code})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_area(
                area,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                acting_user=actor_for(request),
            )
        except actions.AreaError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The area was saved."))
            return redirect("areas:detail", pk=area.pk)
    return render(request, "areas/form.html", {"form": form, "area": area, "adding": False})


def _import_target(request: AuthedRequest, pk: int | None) -> Area | None:
    """The area an import is limited to (None: all of the user's areas); 404 if not theirs."""
    if pk is not None:
        area: Area = get_visible_or_404(Area.objects.all(), request.user, Perm.MANAGE_AREAS, pk=pk)
        return area
    if not request.user.has_any_area_permission(Perm.MANAGE_AREAS):
        raise Http404
    return None


REPORT_ROWS = 1000


def _report(plan: actions.TreePlan) -> dict[str, object]:
    """The rows worth showing (errors first, then changes), at most REPORT_ROWS of them."""
    worth = sorted(
        (row for row in plan.rows if row.errors or row.outcome != ImportOutcome.UNCHANGED),
        key=lambda row: (not row.errors, row.row.line),
    )
    return {
        "plan": plan,
        "counts": plan.counts(),
        "listed": worth[:REPORT_ROWS],
        "not_listed": max(0, len(worth) - REPORT_ROWS),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_tree(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Upload a sheet and see, row by row, what importing it would do; nothing is written."""
    within = _import_target(request, pk)
    form = TreeImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "within": within}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["sheet"]
        try:
            rows = read_tree_file(upload.read(), upload.name or "")
        except TreeFileError as exc:
            form.add_error("sheet", str(exc))
        else:
            if not rows:
                form.add_error("sheet", _("The sheet has no rows below its header."))
            else:
                plan = actions.plan_tree_import(
                    rows, scope=request.user.scope_paths(Perm.MANAGE_AREAS), within=within
                )
                context.update(_report(plan), source=upload.name)
                changes = sum(n for outcome, n in plan.counts().items() if outcome != "unchanged")
                if plan.ok and changes:
                    context["token"] = pending.save(
                        request.user.pk, within.pk if within else None, upload.name or "", rows
                    )
    return render(request, "areas/import.html", context)


@login_required
@require_POST
def import_apply(request: AuthedRequest, token: str) -> HttpResponse:
    """Apply a checked upload: every row or, if anything changed meanwhile, none."""
    upload = pending.load(token, request.user.pk)
    if upload is None:
        raise Http404
    within = _import_target(request, upload.within_id)
    try:
        report = actions.import_tree(
            upload.rows, acting_user=actor_for(request), within=within, source=upload.source
        )
    except actions.TreeImportError as exc:
        pending.discard(token)
        return render(
            request,
            "areas/import.html",
            {
                "form": TreeImportForm(),
                "within": within,
                **_report(exc.plan),
                "source": upload.source,
                "stale": True,
            },
        )
    pending.discard(token)
    messages.success(
        request,
        _("Imported: %(created)s new, %(renamed)s renamed, %(coded)s codes added.")
        % {"created": report.created, "renamed": report.renamed, "coded": report.coded},
    )
    if within is not None:
        return redirect("areas:detail", pk=within.pk)
    return redirect("areas:tree")


@login_required
@require_GET
def export_tree(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """The tree (or one subtree) as the sheet the importer reads back (?format=xlsx|csv)."""
    fmt = params.choice(request.GET, "format", FORMATS, "xlsx", strict=True)
    if pk is not None:
        roots = [get_visible_or_404(Area.objects.all(), request.user, Perm.MANAGE_AREAS, pk=pk)]
    else:
        paths = request.user.scope_paths(Perm.MANAGE_AREAS)
        if paths == []:
            raise Http404
        roots = entry_points(paths)
    data = actions.export_tree(roots, fmt=fmt, acting_user=actor_for(request))
    # Several roots (a user holding several areas): the file says what it is, in Chinese.
    label = roots[0].name if len(roots) == 1 else str(_("Area tree"))
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{label}-{stamp}.{fmt}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- outlines for the map (GeoJSON) -------------------------------------------------------


def _boundary_report(plan: BoundaryPlan) -> dict[str, object]:
    """Errors first, then the rest in file order, at most REPORT_ROWS of them."""
    rows = sorted(plan.rows, key=lambda row: (not row.errors, row.feature.index))
    return {
        "plan": plan,
        "counts": plan.counts(),
        "listed": rows[:REPORT_ROWS],
        "not_listed": max(0, len(rows) - REPORT_ROWS),
    }


@login_required
@require_http_methods(["GET", "POST"])
def boundaries_import(request: AuthedRequest) -> HttpResponse:
    """Upload a GeoJSON file and see, feature by feature, what importing it would do."""
    if not request.user.has_any_area_permission(Perm.MANAGE_AREAS):
        raise PermissionDenied
    form = BoundaryImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["outlines"]
        data = upload.read()
        try:
            features = read_boundary_file(data)
        except BoundaryFileError as exc:
            form.add_error("outlines", str(exc))
        else:
            plan = plan_boundary_import(features, scope=request.user.scope_paths(Perm.MANAGE_AREAS))
            context.update(_boundary_report(plan), source=upload.name)
            if plan.ok:
                context["token"] = pending.save_boundaries(request.user.pk, upload.name or "", data)
    return render(request, "areas/boundaries_import.html", context)


@login_required
@require_POST
def boundaries_apply(request: AuthedRequest, token: str) -> HttpResponse:
    """Apply a checked file: every outline or, if anything changed meanwhile, none."""
    upload = pending.load_boundaries(token, request.user.pk)
    if upload is None or not request.user.has_any_area_permission(Perm.MANAGE_AREAS):
        raise Http404
    try:
        features = read_boundary_file(upload.data)
        report = actions.import_boundaries(
            features, acting_user=actor_for(request), source=upload.source
        )
    except actions.BoundaryImportError as exc:
        pending.discard_boundaries(token)
        return render(
            request,
            "areas/boundaries_import.html",
            {
                "form": BoundaryImportForm(),
                **_boundary_report(exc.plan),
                "source": upload.source,
                "stale": True,
            },
        )
    except BoundaryFileError as exc:  # the staged copy no longer reads (an old format)
        pending.discard_boundaries(token)
        raise Http404 from exc
    pending.discard_boundaries(token)
    messages.success(
        request,
        _("Imported %(count)s outlines: %(new)s new, %(replaced)s replaced.")
        % {"count": report.features, "new": report.new, "replaced": report.replaced},
    )
    return redirect("areas:tree")
