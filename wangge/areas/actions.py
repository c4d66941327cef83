"""State changes of the area tree: create, rename/recode, import a sheet. Atomic and audited.

The tree's rules hold whichever way an area arrives (a form, a sheet, the demo):
a child's kind sits exactly one level below its parent's (`KIND_LEVEL`), codes are
unique, sibling names are unique, and a user changes only what lies below their areas.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry

from wangge.areas import geo
from wangge.areas.boundaries import FeatureRow
from wangge.areas.boundary_plan import BoundaryPlan, plan_boundary_import
from wangge.areas.choices import KIND_LEVEL, AreaKind, BoundaryOutcome, ImportOutcome
from wangge.areas.exporting import tree_file
from wangge.areas.importing import (
    NAME_MAX_LENGTH,
    CodeError,
    TreeRow,
    normalise_code,
    parse_kind,
)
from wangge.areas.models import Area, AreaBoundary
from wangge.areas.selectors import tree_export_rows
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core import bulk
from wangge.core.permissions import Perm
from wangge.core.scoping import in_scope, is_within, subtree_q
from wangge.lib.idnumbers import normalise_text

if TYPE_CHECKING:
    # A name only: areas sit below accounts (docs/architecture.md, "Layers").
    from wangge.accounts.models import User

STEP = Area.steplen
QUERY_CHUNK = 400


class AreaError(ValueError):
    """A change the tree refuses, with a message for the person who asked for it."""


# --- rules shared by every way of changing the tree -------------------------------------


def level_error(parent_kind: str | None, kind: str) -> str | None:
    """Why `kind` may not sit under `parent_kind`, or None when it may (roots: any kind)."""
    if parent_kind is None:
        return None
    if KIND_LEVEL[kind] != KIND_LEVEL[parent_kind] + 1:
        return str(
            _("a %(kind)s cannot be placed under a %(parent)s")
            % {
                "kind": AreaKind(kind).label,
                "parent": AreaKind(parent_kind).label,
            }
        )
    return None


def clean_name(value: str) -> str:
    name = normalise_text(value)
    if not name:
        raise AreaError(_("the name is missing"))
    if len(name) > NAME_MAX_LENGTH:
        raise AreaError(_("the name is longer than 100 characters"))
    return name


def clean_code(value: str | None) -> str | None:
    try:
        return normalise_code(value or "") or None
    except CodeError as exc:
        raise AreaError(str(exc)) from exc


def _scope_of(acting_user: "User | Actor | None") -> list[str] | None:
    """Paths below which the actor may change the tree; None means anywhere (an operator)."""
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    if user is None:
        return None
    return user.scope_paths(Perm.MANAGE_AREAS)


def may_add_below(scope: list[str] | None, parent: Area | None) -> bool:
    """New areas go below an area the actor manages; only operators add roots."""
    if scope is None:
        return True
    return parent is not None and in_scope(scope, parent.path)


def may_change(scope: list[str] | None, area: Area) -> bool:
    """An actor changes areas strictly below the ones they hold, never those themselves."""
    if scope is None:
        return True
    return any(is_within(area.path, path) and area.path != path for path in scope)


def _sibling_exists(parent: Area | None, name: str, exclude_pk: int | None = None) -> bool:
    if parent is None:
        siblings = Area.objects.filter(depth=1)
    else:
        siblings = Area.objects.filter(subtree_q([parent.path]), depth=parent.depth + 1)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    return bool(siblings.filter(name=name).exists())


def lock_tree() -> None:
    """Serialise changes of the tree's paths."""
    bulk.lock_for_writes(Area)


# --- single areas ----------------------------------------------------------------------


@transaction.atomic
def create_area(
    *,
    name: str,
    kind: str,
    parent: Area | None,
    code: str | None = None,
    acting_user: "User | Actor | None",
) -> Area:
    """Add one area to the tree, below `parent` (None: a new root, for operators only)."""
    lock_tree()
    scope = _scope_of(acting_user)
    if not may_add_below(scope, parent):
        raise AreaError(_("you may only add areas below your own areas"))
    if kind not in KIND_LEVEL:
        raise AreaError(_("unknown kind of area"))
    if parent is not None:
        parent.refresh_from_db()
    problem = level_error(parent.kind if parent else None, kind)
    if problem:
        raise AreaError(problem)
    name = clean_name(name)
    clean = clean_code(code)
    if clean and Area.objects.filter(code=clean).exists():
        raise AreaError(_("another area already has this code"))
    if _sibling_exists(parent, name):
        raise AreaError(_("an area with this name already exists at this place"))
    node = Area(name=name, kind=kind, code=clean)
    if parent is None:
        area: Area = Area.objects.add_root(instance=node)
    else:
        area = Area.objects.add_child(parent, instance=node)
    log.record(
        acting_user,
        AuditEvent.AREA_CREATE,
        obj=area,
        area_path=area.path,
        details={"name": area.name, "kind": area.kind, "code": area.code or ""},
    )
    return area


@transaction.atomic
def update_area(
    area: Area,
    *,
    name: str | None = None,
    code: str | None = None,
    acting_user: "User | Actor | None",
) -> Area:
    """Rename an area and/or change its division code (an empty code removes it)."""
    scope = _scope_of(acting_user)
    if not may_change(scope, area):
        raise AreaError(_("you may only change areas below your own areas"))
    area.refresh_from_db()
    before = {"name": area.name, "code": area.code or ""}
    if name is not None:
        new_name = clean_name(name)
        parent = Area.objects.get_parent(area) if area.depth > 1 else None
        if new_name != area.name and _sibling_exists(parent, new_name, exclude_pk=area.pk):
            raise AreaError(_("an area with this name already exists at this place"))
        area.name = new_name
    if code is not None:
        new_code = clean_code(code)
        if new_code and Area.objects.filter(code=new_code).exclude(pk=area.pk).exists():
            raise AreaError(_("another area already has this code"))
        area.code = new_code
    after = {"name": area.name, "code": area.code or ""}
    if after == before:
        return area
    area.save(update_fields=["name", "code"])
    log.record(
        acting_user,
        AuditEvent.AREA_UPDATE,
        obj=area,
        area_path=area.path,
        details={"before": before, "after": after},
    )
    return area


# --- importing a sheet ------------------------------------------------------------------


@dataclass
class PlannedRow:
    """One sheet row and what importing it does: create, rename, add a code, or nothing."""

    row: TreeRow
    code: str = ""
    name: str = ""
    kind: str | None = None
    parent_code: str = ""
    errors: list[str] = field(default_factory=list)
    existing: Area | None = None
    parent_row: int | None = None  # index of the parent's row in the sheet
    parent_area: Area | None = None  # the parent, when it is already in the tree
    parent_line: int | None = None  # "#N": the parent is the area on row N of the sheet
    is_root: bool = False
    blocked: bool = False  # names an area the actor may not see: nothing more is checked

    @property
    def outcome(self) -> str:
        if self.errors:
            return ImportOutcome.ERROR
        if self.existing is None:
            return ImportOutcome.CREATE
        if self.existing.name != self.name:
            return ImportOutcome.RENAME
        if self.code and not self.existing.code:
            return ImportOutcome.SET_CODE
        return ImportOutcome.UNCHANGED

    @property
    def outcome_label(self) -> str:
        return str(ImportOutcome(self.outcome).label)

    @property
    def kind_label(self) -> str:
        return str(AreaKind(self.kind).label) if self.kind else self.row.kind


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    renamed: int
    coded: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.created + self.renamed + self.coded


class TreeImportError(AreaError):
    """The sheet has row errors; nothing was imported. `plan` says which rows and why."""

    def __init__(self, plan: "TreePlan") -> None:
        super().__init__(_("The sheet has errors; nothing was imported."))
        self.plan = plan


def _chunks(items: Sequence[Any], size: int = QUERY_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Children:
    """Children of tree nodes by name, loaded once per parent (key None: the roots)."""

    def __init__(self) -> None:
        self._by_parent: dict[str | None, dict[str, Area]] = {}

    def prefetch(self, parents: Iterable[Area]) -> None:
        wanted = {p.path: p for p in parents if p.path not in self._by_parent}
        for chunk in _chunks(list(wanted.values())):
            condition = Q(pk__in=[])
            for parent in chunk:
                self._by_parent[parent.path] = {}
                condition |= subtree_q([parent.path]) & Q(depth=parent.depth + 1)
            for child in Area.objects.filter(condition).order_by("path"):
                self._by_parent[child.path[:-STEP]][child.name] = child

    def of(self, parent: Area | None) -> dict[str, Area]:
        key = parent.path if parent is not None else None
        if key not in self._by_parent:
            if parent is None:
                self._by_parent[None] = {a.name: a for a in Area.objects.filter(depth=1)}
            else:
                self.prefetch([parent])
        return self._by_parent[key]

    def last_step(self, parent: Area | None) -> int:
        steps = [Area._str2int(child.path[-STEP:]) for child in self.of(parent).values()]
        return max(steps, default=0)


# Where a row ends up: under an area already in the tree, under a new row of the
# sheet (its index), or at the top.
_Placement = tuple[str, Any]


def _placement_key(place: _Placement) -> tuple[str, Any]:
    kind, ref = place
    return (kind, ref.path if isinstance(ref, Area) else ref)


@dataclass
class TreePlan:
    """The whole sheet, row by row, as the tree stands now. Applied only if it has no error."""

    rows: list[PlannedRow]
    order: list[int] = field(default_factory=list)  # rows whose parents come first
    placement: dict[int, _Placement] = field(default_factory=dict)
    children: _Children = field(default_factory=_Children)

    @property
    def ok(self) -> bool:
        return not any(row.errors for row in self.rows)

    @property
    def errors(self) -> list[RowError]:
        return [RowError(row.row.line, message) for row in self.rows for message in row.errors]

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(ImportOutcome.values, 0)
        for row in self.rows:
            totals[row.outcome] += 1
        return totals


_ROW_REFERENCE = re.compile(r"^#(\d{1,7})$")


@dataclass(frozen=True)
class _Rules:
    """Who may do what in one import: the actor's scope, narrowed to `within` if given."""

    scope: list[str] | None
    within: Area | None

    def _inside(self, area: Area) -> bool:
        return self.within is None or is_within(area.path, self.within.path)

    def visible(self, area: Area) -> bool:
        """Areas the actor may name (as a parent, or to match a row): anywhere in scope."""
        return in_scope(self.scope, area.path)

    def changeable(self, area: Area) -> bool:
        return may_change(self.scope, area) and self._inside(area)

    def may_add_under(self, parent: Area | None) -> bool:
        if parent is None:
            return self.scope is None and self.within is None
        return may_add_below(self.scope, parent) and self._inside(parent)


def _normalise(row: TreeRow) -> PlannedRow:
    planned = PlannedRow(row=row)
    try:
        planned.code = normalise_code(row.code)
    except CodeError as exc:
        planned.errors.append(str(_("code: %(problem)s") % {"problem": exc}))
    reference = _ROW_REFERENCE.match(normalise_text(row.parent_code))
    if reference:
        planned.parent_code = reference.group(0)
        planned.parent_line = int(reference.group(1))
    else:
        try:
            planned.parent_code = normalise_code(row.parent_code)
        except CodeError as exc:
            planned.errors.append(str(_("parent code: %(problem)s") % {"problem": exc}))
    planned.name = normalise_text(row.name)
    if not planned.name:
        planned.errors.append(str(_("the name is missing")))
    elif len(planned.name) > NAME_MAX_LENGTH:
        planned.errors.append(str(_("the name is longer than 100 characters")))
    planned.kind = parse_kind(row.kind)
    if planned.kind is None:
        planned.errors.append(
            str(_("unknown kind “%(kind)s” (use 市, 区, 街道, 镇, 乡, 社区, 村, 小区, 村组 …)"))
            % {"kind": row.kind}
        )
    if planned.code and planned.code == planned.parent_code:
        planned.errors.append(str(_("an area cannot be its own parent")))
    return planned


def _order_parents_first(rows: list[PlannedRow]) -> list[int]:
    """Every row, each after the sheet row that is its parent; loops get an error."""
    on_chain, done = 1, 2
    state: dict[int, int] = {}
    order: list[int] = []
    for start in range(len(rows)):
        chain: list[int] = []
        index: int | None = start
        while index is not None and index not in state:
            state[index] = on_chain
            chain.append(index)
            index = rows[index].parent_row
        if index is not None and state[index] == on_chain:
            loop = chain[chain.index(index) :]
            text = " → ".join(rows[i].code or f"#{rows[i].row.line}" for i in [*loop, index])
            for i in loop:
                rows[i].errors.append(
                    str(_("the parent codes form a loop: %(loop)s")) % {"loop": text}
                )
        for i in reversed(chain):
            state[i] = done
            order.append(i)
    return order


def plan_tree_import(
    rows: Sequence[TreeRow], *, scope: list[str] | None, within: Area | None = None
) -> TreePlan:
    """Decide, without writing, what each row does; collect every row-level error.

    Rows may come in any order: a parent is found by its code in the sheet or in the
    tree, or by "#N" (the area on row N of the sheet, for a parent without a code).
    Existing codes are matched (and renamed if the name changed); a row without a code
    is matched by its parent and name. `scope` is the actor's MANAGE_AREAS paths (None:
    anywhere); `within` narrows the changes to one subtree (the page it came from). An
    area outside the scope is treated as unknown, as everywhere else in Wangge.
    """
    rules = _Rules(scope, within)
    planned = [_normalise(row) for row in rows]
    plan = TreePlan(planned)
    index_by_line = {row.row.line: index for index, row in enumerate(planned)}

    first_by_code: dict[str, int] = {}
    for index, row in enumerate(planned):
        if not row.code:
            continue
        if row.code in first_by_code:
            row.errors.append(
                str(_("duplicate code %(code)s (also on row %(line)s)"))
                % {"code": row.code, "line": planned[first_by_code[row.code]].row.line}
            )
        else:
            first_by_code[row.code] = index

    codes = {r.code for r in planned} | {r.parent_code for r in planned if r.parent_line is None}
    in_tree: dict[str, Area] = {}
    for chunk in _chunks(sorted(code for code in codes if code)):
        in_tree.update({a.code: a for a in Area.objects.filter(code__in=chunk)})
    # The actual parents of the areas the sheet names by code, to compare with the sheet.
    parent_paths = {in_tree[r.code].path[:-STEP] for r in planned if r.code in in_tree}
    actual_parents: dict[str, Area] = {}
    for chunk in _chunks(sorted(path for path in parent_paths if path)):
        actual_parents.update({a.path: a for a in Area.objects.filter(path__in=chunk)})

    for index, row in enumerate(planned):
        if row.code in in_tree and first_by_code.get(row.code) == index:
            if rules.visible(in_tree[row.code]):
                row.existing = in_tree[row.code]
            else:
                row.errors.append(
                    str(_("the code %(code)s is already used by an area outside your areas"))
                    % {"code": row.code}
                )
                row.blocked = True
                continue
        if row.parent_line is not None:
            if row.parent_line in index_by_line and row.parent_line != row.row.line:
                row.parent_row = index_by_line[row.parent_line]
            else:
                row.errors.append(
                    str(_("the parent %(reference)s names no other row of the sheet"))
                    % {"reference": row.parent_code}
                )
        elif row.parent_code in first_by_code and row.parent_code != row.code:
            row.parent_row = first_by_code[row.parent_code]
        elif row.parent_code:
            parent = in_tree.get(row.parent_code)
            if parent is not None and rules.visible(parent):
                row.parent_area = parent
            elif row.existing is None:
                row.errors.append(
                    str(
                        _(
                            "unknown parent code %(code)s: it is neither in the sheet "
                            "nor in your areas"
                        )
                    )
                    % {"code": row.parent_code}
                )
        else:
            row.is_root = True

    plan.order = _order_parents_first(planned)
    plan.children.prefetch(
        [r.parent_area for r in planned if r.parent_area is not None]
        + [r.existing for r in planned if r.existing is not None and r.existing.numchild]
    )
    for index in plan.order:
        row = planned[index]
        if row.blocked:
            continue
        place: _Placement | None
        if row.existing is not None:
            place = _check_existing(row, planned, actual_parents, rules)
        else:
            place = _place_new_row(row, planned, plan, rules)
        if place is not None:
            plan.placement[index] = place

    _check_sibling_names(plan)
    return plan


def _check_existing(
    row: PlannedRow, planned: list[PlannedRow], actual_parents: dict[str, Area], rules: _Rules
) -> _Placement:
    """A row naming an area already in the tree by its code: same parent, same kind."""
    existing = row.existing
    assert existing is not None  # noqa: S101 - the caller checked
    actual_parent = actual_parents.get(existing.path[:-STEP])
    # An empty parent code leaves an existing area where it is (exports write none for a
    # parent the user may not see).
    if row.parent_row is not None:
        named = planned[row.parent_row].existing
        moved = named is None or named.path != existing.path[:-STEP]
    else:
        actual_code = actual_parent.code if actual_parent is not None else None
        moved = bool(row.parent_code) and (actual_code or "") != row.parent_code
    if moved:
        where = actual_parent.name if actual_parent is not None else str(_("the top level"))
        row.errors.append(
            str(_("this area already exists under %(parent)s; an import does not move areas"))
            % {"parent": where}
        )
    if row.kind is not None and row.kind != existing.kind:
        row.errors.append(
            str(_("this area already exists as a %(kind)s"))
            % {"kind": AreaKind(existing.kind).label}
        )
    if row.name and row.name != existing.name and not rules.changeable(existing):
        row.errors.append(str(_("you may not rename this area")))
    if actual_parent is None:
        return ("root", None)
    return ("db", actual_parent)


def _place_new_row(
    row: PlannedRow, planned: list[PlannedRow], plan: TreePlan, rules: _Rules
) -> _Placement | None:
    """Where a row without a known code goes; a same-named sibling there is the same area."""
    parent_kind: str | None = None
    db_parent: Area | None = None
    if row.parent_row is not None:
        parent_row = planned[row.parent_row]
        if parent_row.existing is not None:
            db_parent = parent_row.existing
        elif row.parent_row not in plan.placement:
            row.errors.append(
                str(_("its parent (row %(line)s) has an error")) % {"line": parent_row.row.line}
            )
            return None
        parent_kind = db_parent.kind if db_parent is not None else parent_row.kind
        if parent_kind is None:
            return ("row", row.parent_row)
    elif row.parent_area is not None:
        db_parent = row.parent_area
        parent_kind = db_parent.kind
    elif not row.is_root:
        return None  # an unknown parent, already reported
    if row.kind is not None:
        problem = level_error(parent_kind, row.kind)
        if problem:
            row.errors.append(problem)
    if db_parent is None and not row.is_root:
        return ("row", row.parent_row)
    place: _Placement = ("db", db_parent) if db_parent is not None else ("root", None)
    same_name = plan.children.of(db_parent).get(row.name)
    if same_name is not None and rules.visible(same_name):
        if same_name.code and row.code and same_name.code != row.code:
            row.errors.append(
                str(_("another area named %(name)s (code %(code)s) is already there"))
                % {"name": row.name, "code": same_name.code}
            )
        elif row.kind is not None and same_name.kind != row.kind:
            row.errors.append(
                str(_("an area named %(name)s is already there as a %(kind)s"))
                % {"name": row.name, "kind": AreaKind(same_name.kind).label}
            )
        elif row.code and not same_name.code and not rules.changeable(same_name):
            row.errors.append(str(_("you may not change this area")))
        else:
            row.existing = same_name
        return place
    if not rules.may_add_under(db_parent):
        if db_parent is None:
            row.errors.append(str(_("the parent code is missing")))
        else:
            row.errors.append(str(_("you may only add areas below your own areas")))
        return None
    if same_name is not None:
        row.errors.append(str(_("an area named %(name)s is already there")) % {"name": row.name})
        return None
    return place


def _check_sibling_names(plan: TreePlan) -> None:
    """Two rows may not end with one name under one parent, nor rename onto a taken name."""
    renamed_to = {
        row.existing.pk: row.name for row in plan.rows if row.existing is not None and row.name
    }
    seen: dict[tuple[tuple[str, Any], str], int] = {}
    claimed: dict[int, int] = {}
    for index, row in enumerate(plan.rows):
        if row.existing is not None:
            if row.existing.pk in claimed:
                row.errors.append(
                    str(_("row %(line)s already stands for the same area"))
                    % {"line": plan.rows[claimed[row.existing.pk]].row.line}
                )
                continue
            claimed[row.existing.pk] = index
        place = plan.placement.get(index)
        if place is None or not row.name:
            continue
        key = (_placement_key(place), row.name)
        if key in seen:
            row.errors.append(
                str(_("row %(line)s has the same name under the same parent"))
                % {"line": plan.rows[seen[key]].row.line}
            )
            continue
        seen[key] = index
        if row.existing is None or row.existing.name == row.name:
            continue
        parent = place[1] if place[0] == "db" else None
        holder = plan.children.of(parent).get(row.name)
        if holder is None or holder.pk == row.existing.pk:
            continue
        if renamed_to.get(holder.pk, holder.name) != row.name:
            continue  # the holder is renamed away by this same sheet
        row.errors.append(str(_("an area named %(name)s is already there")) % {"name": row.name})


def apply_tree_plan(plan: TreePlan) -> ImportReport:
    """Write a checked plan: renames, new codes, then new areas with their tree paths.

    Callers hold a transaction (and the tree lock) and audit the change. New areas are
    inserted in bulk with paths computed here, as treebeard would number them.
    """
    if not plan.ok:
        raise TreeImportError(plan)
    counts = plan.counts()
    renames = [row for row in plan.rows if row.outcome == ImportOutcome.RENAME]
    if len(renames) > 1:
        # Two steps, so that siblings may swap names without a moment of duplicates.
        for row in renames:
            assert row.existing is not None  # noqa: S101
            Area.objects.filter(pk=row.existing.pk).update(name=f"~{row.existing.pk}~")
    for row in renames:
        assert row.existing is not None  # noqa: S101
        Area.objects.filter(pk=row.existing.pk).update(name=row.name)
    for row in plan.rows:
        if row.outcome == ImportOutcome.SET_CODE and row.existing is not None:
            Area.objects.filter(pk=row.existing.pk).update(code=row.code)

    next_step: dict[str, int] = {}
    new_nodes: dict[int, Area] = {}
    grown: dict[int, int] = defaultdict(int)  # pk of an existing parent → new children
    for index in plan.order:
        row = plan.rows[index]
        if row.outcome != ImportOutcome.CREATE:
            continue
        kind, ref = plan.placement[index]
        if kind == "row":
            parent_node: Area | None = new_nodes[ref]
            parent_node.numchild += 1  # type: ignore[union-attr]
        else:
            parent_node = ref
            if parent_node is not None:
                grown[parent_node.pk] += 1
        base = parent_node.path if parent_node is not None else ""
        if base not in next_step:
            next_step[base] = 0 if kind == "row" else plan.children.last_step(parent_node)
        next_step[base] += 1
        depth = (parent_node.depth + 1) if parent_node is not None else 1
        new_nodes[index] = Area(
            name=row.name,
            kind=row.kind,
            code=row.code or None,
            depth=depth,
            numchild=0,
            path=base + Area._get_path("", 1, next_step[base]),
        )
    Area.objects.bulk_create(sorted(new_nodes.values(), key=lambda node: node.path), batch_size=500)
    for pk, added in grown.items():
        Area.objects.filter(pk=pk).update(numchild=F("numchild") + added)
    return ImportReport(
        created=counts[ImportOutcome.CREATE],
        renamed=counts[ImportOutcome.RENAME],
        coded=counts[ImportOutcome.SET_CODE],
        unchanged=counts[ImportOutcome.UNCHANGED],
    )


@transaction.atomic
def import_tree(
    rows: Sequence[TreeRow],
    *,
    acting_user: "User | Actor | None",
    within: Area | None = None,
    source: str = "",
) -> ImportReport:
    """Import an area-tree sheet: all rows or none, one audit entry with the counts.

    Re-importing the same sheet changes nothing. A user imports only below their own
    areas (and below `within`, when the import was started from an area's page).
    """
    lock_tree()
    plan = plan_tree_import(rows, scope=_scope_of(acting_user), within=within)
    if not plan.ok:
        raise TreeImportError(plan)
    report = apply_tree_plan(plan)
    log.record(
        acting_user,
        AuditEvent.AREAS_IMPORT,
        obj=within,
        area_path=within.path if within is not None else "",
        details={
            "rows": len(rows),
            "created": report.created,
            "renamed": report.renamed,
            "coded": report.coded,
            "unchanged": report.unchanged,
            "source": source[:200],
        },
    )
    return report


@transaction.atomic
def export_tree(roots: list[Area], *, fmt: str, acting_user: "User | Actor | None") -> bytes:
    """The subtrees below `roots` as a CSV or Excel file, in the importer's columns; audited."""
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    rows = tree_export_rows(roots, user)
    data = tree_file(rows, fmt)
    log.record(
        acting_user,
        AuditEvent.AREAS_EXPORT,
        obj=roots[0] if len(roots) == 1 else None,
        area_path=roots[0].path if len(roots) == 1 else "",
        details={"format": fmt, "rows": len(rows)},
    )
    return data


# --- outlines (the map's boundaries) -------------------------------------------------------


@dataclass(frozen=True)
class BoundaryReport:
    features: int
    new: int
    replaced: int


class BoundaryImportError(AreaError):
    """The file has feature errors; nothing was imported. `plan` says which and why."""

    def __init__(self, plan: "BoundaryPlan") -> None:
        super().__init__(_("The file has errors; nothing was imported."))
        self.plan = plan


def _common_path(paths: Iterable[str]) -> str:
    """The deepest area above (or at) all these paths: where an import's audit entry lies."""
    common = ""
    for index, path in enumerate(paths):
        if index == 0:
            common = path
            continue
        length = 0
        while length < min(len(common), len(path)) and common[length] == path[length]:
            length += 1
        common = common[: length - length % STEP]
    return common


def write_boundaries(
    outlines: Sequence[tuple[Area, BaseGeometry]],
    *,
    imported_by: "User | None",
    source: str,
) -> None:
    """Store checked outlines, replacing the areas' old ones. Callers hold a transaction
    and audit the change."""
    now = timezone.now()
    rows = []
    for area, shape in outlines:
        west, south, east, north = geo.bounds(shape)
        rows.append(
            AreaBoundary(
                area=area,
                geometry=geo.as_geojson(shape),
                min_lon=west,
                min_lat=south,
                max_lon=east,
                max_lat=north,
                points=geo.count_points(shape),
                imported_at=now,
                imported_by=imported_by,
                source=source[:200],
            )
        )
    pks = [area.pk for area, _shape in outlines]
    for chunk in _chunks(pks):
        AreaBoundary.objects.filter(area_id__in=chunk).delete()
    AreaBoundary.objects.bulk_create(rows, batch_size=200)


@transaction.atomic
def import_boundaries(
    features: Sequence[FeatureRow],
    *,
    acting_user: "User | Actor | None",
    source: str = "",
) -> BoundaryReport:
    """Import the outlines of a GeoJSON file: every feature or, if any has an error, none.

    Checked again here, under the lock, whatever was checked at upload: the tree or the
    outlines may have changed since. One audit entry with the counts.
    """
    bulk.lock_for_writes(AreaBoundary)
    plan = plan_boundary_import(features, scope=_scope_of(acting_user))
    if not plan.ok:
        raise BoundaryImportError(plan)
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    outlines = []
    for row in plan.rows:
        assert row.area is not None and row.feature.shape is not None  # noqa: S101
        outlines.append((row.area, row.feature.shape))
    write_boundaries(outlines, imported_by=user, source=source)
    counts = plan.counts()
    report = BoundaryReport(
        features=len(plan.rows),
        new=counts[BoundaryOutcome.NEW],
        replaced=counts[BoundaryOutcome.REPLACE],
    )
    log.record(
        acting_user,
        AuditEvent.BOUNDARIES_IMPORT,
        area_path=_common_path(area.path for area, _shape in outlines),
        details={
            "features": report.features,
            "new": report.new,
            "replaced": report.replaced,
            "source": source[:200],
        },
    )
    return report
