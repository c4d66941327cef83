"""What the testing app tells people, through events: who hears of what, and in which words.

Recording happens in the actions (one `events.record` line each, in their transaction); the
handlers here run in the worker, once per event, and put the message in the inboxes of the
people responsible. Texts name areas, rounds and tube barcodes, never a person.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.core.permissions import ROLE_PERMISSIONS, Perm, Role
from wangge.core.scoping import ancestor_paths
from wangge.events.models import Event
from wangge.events.subscribers import subscribe
from wangge.notifications.actions import Message, notify
from wangge.testing.choices import RecallStatus
from wangge.testing.models import PositiveCase, Recall, Tube

POOL_POSITIVE = "testing.pool_positive"
CASE_POSITIVE = "testing.case_positive"
RECALL_OVERDUE = "testing.recall_overdue"

# The command centre: roles held at the city or district level that launch rounds.
COMMAND_LEVELS = (AreaKind.CITY, AreaKind.DISTRICT)
COMMAND_PERMISSION = Perm.MANAGE_ROUNDS


def _holders(roles: Iterable[str], paths: Iterable[str], **area: object) -> "QuerySet[User]":
    """Active users holding one of `roles` on one of the areas at `paths`."""
    people: QuerySet[User] = User.objects.filter(
        is_active=True,
        role_assignments__role__in=list(roles),
        role_assignments__area__path__in=list(paths),
        **{f"role_assignments__area__{name}": value for name, value in area.items()},
    ).distinct()
    return people


def _above(paths: Iterable[str]) -> set[str]:
    return {ancestor for path in paths for ancestor in ancestor_paths(path)}


def pool_positive(event: Event, now: dt.datetime) -> None:
    """A positive pooled tube: the grid leaders of its members' grids and the community's
    staff learn that these people must be retested alone."""
    tube = Tube.objects.select_related("round", "area").filter(pk=event.payload["tube"]).first()
    if tube is None:
        return  # removed since (a demo reset): nobody to tell
    member_paths = set(Recall.objects.filter(source_tube=tube).values_list("area__path", flat=True))
    people = _holders((Role.GRID_LEADER, Role.COMMUNITY_STAFF), _above(member_paths))
    with translation.override(settings.LANGUAGE_CODE):
        message = Message(
            _("Positive pooled tube %(barcode)s") % {"barcode": tube.barcode},
            _(
                "%(count)d people sampled into tube %(barcode)s in %(area)s must be retested "
                "alone (round: %(round)s)."
            )
            % {
                "count": event.payload["members"],
                "barcode": tube.barcode,
                "area": tube.area.name,
                "round": tube.round.name,
            },
            reverse("testing:recalls", args=[tube.round_id]),
        )
    notify(people, message, area=tube.area, at=now)


def case_positive(event: Event, now: dt.datetime) -> None:
    """A positive individual result: the command centre (roles at the city or district
    level that launch rounds) learns of the case."""
    case = (
        PositiveCase.objects.select_related("round", "area", "tube")
        .filter(pk=event.payload["case"])
        .first()
    )
    if case is None:
        return
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if COMMAND_PERMISSION in perms]
    people = _holders(roles, ancestor_paths(case.area.path), kind__in=COMMAND_LEVELS)
    with translation.override(settings.LANGUAGE_CODE):
        message = Message(
            _("Positive individual result in %(area)s") % {"area": case.area.name},
            _(
                "An individual retest of round %(round)s came back positive (tube "
                "%(barcode)s). Follow the case up."
            )
            % {"round": case.round.name, "barcode": case.tube.barcode},
            reverse("testing:cases", args=[case.round_id]),
        )
    notify(people, message, area=case.area, at=now)


def recall_overdue(event: Event, now: dt.datetime) -> None:
    """A recall open too long: the grid leader of the person's grid is reminded, once."""
    recall = (
        Recall.objects.select_related("round", "area", "source_tube")
        .filter(pk=event.payload["recall"], status=RecallStatus.OPEN)
        .first()
    )
    if recall is None:
        return  # closed (or removed) since it was reported overdue
    people = _holders((Role.GRID_LEADER,), ancestor_paths(recall.area.path))
    with translation.override(settings.LANGUAGE_CODE):
        message = Message(
            _("A recall in %(area)s is still open") % {"area": recall.area.name},
            _(
                "A person of %(area)s recalled from tube %(barcode)s (round %(round)s) has "
                "not been retested alone for more than %(hours)d hours."
            )
            % {
                "area": recall.area.name,
                "barcode": recall.source_tube.barcode,
                "round": recall.round.name,
                "hours": event.payload["hours"],
            },
            reverse("testing:recalls", args=[recall.round_id]),
        )
    notify(people, message, area=recall.area, at=now)


def register() -> None:
    subscribe(POOL_POSITIVE, "testing.notify_pool", pool_positive)
    subscribe(CASE_POSITIVE, "testing.notify_case", case_positive)
    subscribe(RECALL_OVERDUE, "testing.notify_overdue", recall_overdue)
