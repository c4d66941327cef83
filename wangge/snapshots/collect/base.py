"""What every collector shares: the day being made, the branch's areas, and the tally of
each area's own figures and list items before the roll-up.

A collector reads the rows of one domain for the whole branch with a fixed number of
grouped queries (GROUP BY area — never one query per area) and adds each group to the
tally under the area the rows sit on. The roll-up (`roll_up`) then gives every area the
figures of its whole branch: the sum of its own and its children's, or the highest for a
figure the catalogue rolls up with MAX.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import timezone

from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.models import Area
from wangge.core.scoping import subtree_q
from wangge.snapshots.figures import FIGURE_BY_KEY, FIGURES, LIST_LIMIT, LISTS, Rollup

Item = dict[str, Any]


@dataclass(frozen=True)
class Day:
    """The local day being made: its bounds, and the time its state figures are read at
    (the end of the day, or now while the day is not over)."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    today: bool

    @classmethod
    def of(cls, day: dt.date, now: dt.datetime) -> "Day":
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return cls(day=day, start=start, end=end, as_of=min(end, now), today=now < end)

    @property
    def state_at(self) -> dt.datetime | None:
        """The time to pass a selector's `as_of` (None: now, its cheaper path)."""
        return None if self.today else self.as_of


@dataclass(frozen=True)
class Node:
    """An area of the branch, as a light row (a district has thousands)."""

    pk: int
    name: str
    kind: str
    path: str
    depth: int

    @property
    def is_grid(self) -> bool:
        return self.kind in GRID_KINDS

    @property
    def has_snapshot(self) -> bool:
        # A building's rows count in its grid: it gets no figures of its own.
        return self.kind != AreaKind.BUILDING

    def as_area(self) -> Area:
        """An unsaved stand-in for the selectors that read only an area's id and path."""
        return Area(pk=self.pk, name=self.name, kind=self.kind, path=self.path, depth=self.depth)


class Branch:
    """The areas of `top` and below it (one query), by id and by path."""

    def __init__(self, top: Area, nodes: Iterable[Node]) -> None:
        self.top = top
        self.nodes = sorted(nodes, key=lambda node: node.path)
        self.by_id = {node.pk: node for node in self.nodes}
        self.by_path = {node.path: node for node in self.nodes}

    @classmethod
    def load(cls, top: Area) -> "Branch":
        rows = (
            Area.objects.filter(subtree_q([top.path]))
            .order_by()
            .values_list("pk", "name", "kind", "path", "depth")
        )
        return cls(top, (Node(*row) for row in rows))

    def grids(self) -> Iterator[Node]:
        return (node for node in self.nodes if node.is_grid)

    def path_of(self, area_id: int) -> str | None:
        node = self.by_id.get(area_id)
        return node.path if node is not None else None


@dataclass
class Tally:
    """Each area's own figures and list items (by path), before the roll-up."""

    figures: dict[str, dict[str, int]] = field(default_factory=dict)
    items: dict[str, dict[str, list[Item]]] = field(default_factory=dict)

    def add(self, path: str | None, key: str, value: int) -> None:
        """Add to an area's own figure (or raise it, for a MAX figure)."""
        if path is None or not value:
            return
        own = self.figures.setdefault(path, {})
        if FIGURE_BY_KEY[key].rollup == Rollup.MAX:
            own[key] = max(own.get(key, 0), value)
        else:
            own[key] = own.get(key, 0) + value

    def item(self, path: str, key: str, item: Item) -> None:
        self.items.setdefault(path, {}).setdefault(key, []).append(item)


class Named(Protocol):
    """Where an item lies: an area, a light row of one."""

    @property
    def pk(self) -> Any: ...

    @property
    def name(self) -> str: ...


def item(area: Named, ref: str, text: str, due: dt.datetime | None, url: str) -> Item:
    """A list item in the catalogue's shape (figures.ActionList)."""
    return {
        "area_id": area.pk,
        "area": area.name,
        "ref": ref,
        "text": text,
        "due": timezone.localtime(due).isoformat(timespec="minutes") if due else "",
        "url": url,
    }


def item_order(entry: Item) -> tuple[bool, str, str, str]:
    """Items that need action first: the longest overdue, then by area and number."""
    due = str(entry.get("due") or "")
    return (not due, due, str(entry.get("area", "")), str(entry.get("ref", "")))


def merge_items(lists: Iterable[list[Item]]) -> list[Item]:
    """Several areas' items as one list, in order, cut to LIST_LIMIT."""
    return sorted((entry for found in lists for entry in found), key=item_order)[:LIST_LIMIT]


def empty_figures() -> dict[str, int]:
    return {figure.key: 0 for figure in FIGURES}


def combine(into: dict[str, int], other: Mapping[str, int]) -> None:
    """Add (or take the highest of, per the catalogue) `other`'s figures into `into`."""
    for figure in FIGURES:
        value = int(other.get(figure.key) or 0)
        if figure.rollup == Rollup.MAX:
            into[figure.key] = max(into.get(figure.key, 0), value)
        else:
            into[figure.key] = into.get(figure.key, 0) + value


@dataclass(frozen=True)
class Made:
    """An area's figures and lists of a day, for its whole branch."""

    node: Node
    figures: dict[str, int]
    lists: dict[str, list[Item]]


def roll_up(branch: Branch, tally: Tally) -> dict[str, Made]:
    """Every area's figures from its own and its children's, deepest first: sums, or the
    highest for MAX figures; each list the branch's items in order, cut to LIST_LIMIT."""
    figures: dict[str, dict[str, int]] = {}
    lists: dict[str, dict[str, list[Item]]] = {}
    children: dict[str, list[str]] = {}
    for node in branch.nodes:
        parent = node.path[: -Area.steplen]
        if node.path != branch.top.path and parent in branch.by_path:
            children.setdefault(parent, []).append(node.path)
    for node in sorted(branch.nodes, key=lambda node: -node.depth):
        own = empty_figures()
        combine(own, tally.figures.get(node.path, {}))
        kids = children.get(node.path, [])
        for kid in kids:
            combine(own, figures[kid])
        figures[node.path] = own
        own_items = tally.items.get(node.path, {})
        lists[node.path] = {
            entry.key: merge_items(
                [own_items.get(entry.key, [])] + [lists[kid][entry.key] for kid in kids]
            )
            for entry in LISTS
        }
    return {
        node.path: Made(node, figures[node.path], lists[node.path])
        for node in branch.nodes
        if node.has_snapshot
    }
