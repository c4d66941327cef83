"""The one access choke point: every list, page, export and API route reads through here.

A user holds roles on areas; a role grants permissions. `visible_to(user, permission)`
keeps the rows whose area lies in a subtree where the user holds that permission.
"Not in your scope" and "does not exist" must look the same, so `get_visible_or_404`
answers 404 for both.

Writes are checked here too: an action calls `require_in_scope` for every object it
touches, with the permission it needs, so that the web, the API and the commands share one
check and a view that forgot to scope its lookup still changes nothing out of scope.
"""

from collections.abc import Collection, Iterable
from typing import Any, Protocol, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

# The materialised path's step (Area.steplen; core imports no app, a test checks they agree).
STEPLEN = 4


class ScopedUser(Protocol):
    """What the scoping needs of a user (accounts.User provides it)."""

    @property
    def is_authenticated(self) -> bool: ...

    def scope_paths(self, permission: str) -> list[str] | None:
        """Area paths where the user holds `permission`; None means everywhere."""
        ...


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset whose model names the lookup from a row to its area's tree path."""

    def visible_to(self, user: ScopedUser, permission: str) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths(permission)
        if paths is None:
            return self
        if not paths:
            return self.none()
        return self.under_paths(paths)

    def under_paths(self, paths: Iterable[str]) -> Self:
        """The rows under any of these paths; a model whose rows reach the tree another way
        (a round's scope overlaps it) says so by overriding this, never `visible_to`."""
        return self.filter(subtree_q(paths, self.model.scope_path_lookup))  # type: ignore[attr-defined]


_M = TypeVar("_M", bound=models.Model)


def get_visible_or_404(
    queryset: "models.QuerySet[_M]", user: ScopedUser, permission: str, **lookup: Any
) -> _M:
    """One object the user may see with `permission`, else 404 whether missing or not theirs."""
    scoped = queryset.visible_to(user, permission)  # type: ignore[attr-defined]
    try:
        obj: _M = scoped.get(**lookup)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404 from exc
    return obj


class OutOfScope(Http404):
    """A write names an object outside the actor's scope: answered like a missing object
    (404 for a whole request, "not found" for an item of a batch), never as forbidden."""


class HasPath(Protocol):
    """An area (or anything placed in the tree by its materialised path)."""

    path: str


# The tree's vocabulary. An area's materialised path starts with the path of every area
# above it, so "below" is a prefix test (in SQL, an indexed range); these are the only
# places that say so: every app asks them instead of writing `startswith` itself.


def is_within(path: str, ancestor: str) -> bool:
    """Whether `path` is `ancestor` or lies below it."""
    return path.startswith(ancestor)


def in_scope(paths: Collection[str] | None, path: str) -> bool:
    """Whether `path` lies in one of the subtrees `paths` (None: everywhere)."""
    return paths is None or path.startswith(tuple(paths))


def subtree_q(paths: Iterable[str], lookup: str = "path") -> Q:
    """The rows whose area (`lookup`, a path) lies in one of these subtrees (none: no row)."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def subtree_sql(column: str, count: int) -> str:
    """`subtree_q` for a hand-written statement: the rows whose `column` (a path) lies in
    one of `count` subtrees, whose `subtree_params` follow in the parameters."""
    if count < 1:
        raise ValueError("no subtree: the statement would read no row (ask before writing it)")
    return "(" + " OR ".join([f"{column} LIKE %s"] * count) + ")"


def subtree_params(paths: Iterable[str]) -> list[str]:
    # A path is made of digits and capital letters only (Area.alphabet): nothing to escape.
    return [f"{path}%" for path in paths]


def ancestor_paths(path: str) -> list[str]:
    """The paths of the areas above `path` and of itself, from the root down."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def topmost(paths: Iterable[str]) -> list[str]:
    """The paths not below another of them, sorted: the same subtrees, without overlap."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        # Sorted, an area comes right after the areas above it: one look back suffices.
        if not kept or not is_within(path, kept[-1]):
            kept.append(path)
    return kept


def overlap(paths: Iterable[str], others: Iterable[str] | None) -> list[str]:
    """The subtrees that lie in both sets (None: everywhere), as topmost paths: where two
    subtrees meet, the lower of the two is what they share."""
    if others is None:
        return topmost(paths)
    others = list(others)
    shared = set()
    for path in paths:
        for other in others:
            if is_within(other, path):
                shared.add(other)
            elif is_within(path, other):
                shared.add(path)
    return topmost(shared)


def overlapping(paths: Iterable[str], lookup: str) -> Q:
    """The rows whose area (`lookup`, a path) lies in one of these subtrees or above one of
    them: a sampling point serving the whole community is one a grid's station works at."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path}) | Q(
            **{f"{lookup}__in": ancestor_paths(path)}
        )
    return condition


def require_in_scope(holder: ScopedUser | None, permission: str, areas: Iterable[HasPath]) -> None:
    """Raise OutOfScope unless every area lies where `holder` holds `permission`.

    `holder` is the user or device that acts; None is the system itself (a command run by
    an operator, the demo), which acts everywhere.
    """
    if holder is None:
        return
    paths = holder.scope_paths(permission)
    if not all(in_scope(paths, area.path) for area in areas):
        raise OutOfScope
