"""The one access choke point: every list, page, export and API route reads through here.

A user holds roles on areas; a role grants permissions. `visible_to(user, permission)`
keeps the rows whose area lies in a subtree where the user holds that permission.
"Not in your scope" and "does not exist" must look the same, so `get_visible_or_404`
answers 404 for both.
"""

from typing import Any, Protocol, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404


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
        lookup = f"{self.model.scope_path_lookup}__startswith"  # type: ignore[attr-defined]
        condition = Q()
        for path in paths:
            condition |= Q(**{lookup: path})
        return self.filter(condition)


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
