"""The testing app's cards on the workbench: each round's coverage in the user's areas and
the work a round leaves waiting (untested people, recalls, tubes to ship, boxes at the lab,
results for unknown barcodes).

Each provider asks one permission, reads through `visible_to` and costs one or two
grouped queries whatever the number of rounds, tubes or people.
"""

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm
from wangge.testing.choices import RecallStatus, RoundStatus, TubeStatus
from wangge.testing.models import Recall, Round, Shipment, Tube
from wangge.testing.selectors import (
    figures_in_my_areas,
    my_grids_in_rounds,
    open_unknown_results,
)

# Open rounds shown: a district runs one or two at once; older ones stay on the rounds page.
MAX_ROUNDS = 3
# Further links on a card (grids, rounds): the rest are one click away on the linked page.
MAX_LINKS = 6


def _user(request: HttpRequest, permission: str) -> User | None:
    user = request.user
    if isinstance(user, User) and user.has_any_area_permission(permission):
        return user
    return None


def _per_round(
    rows: "QuerySet[Tube] | QuerySet[Recall] | QuerySet[Shipment]",
) -> list[tuple[int, str, int]]:
    """(round id, round name, count) of the rows, most first: one grouped query."""
    return list(
        rows.order_by()
        .values("round_id", "round__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "round_id")
        .values_list("round_id", "round__name", "n")
    )


def _round_links(
    counts: list[tuple[int, str, int]], url_name: str, query: str = ""
) -> tuple[NavItem, ...]:
    """A link per round when the work lies in more than one."""
    if len(counts) < 2:
        return ()
    return tuple(
        NavItem(reverse(url_name, args=[round_id]) + query, name)
        for round_id, name, _count in counts[:MAX_LINKS]
    )


def round_cards(request: HttpRequest) -> list[Card]:
    """Each open round in the user's areas: their coverage, and their untested people with
    the untested list of each of their grids."""
    user = _user(request, Perm.VIEW_TESTING)
    if user is None:
        return []
    rounds = list(
        Round.objects.visible_to(user, Perm.VIEW_TESTING)
        .filter(status=RoundStatus.OPEN)
        .order_by("-starts_at", "-id")[:MAX_ROUNDS]
    )
    if not rounds:
        return []
    figures = figures_in_my_areas(rounds, user)
    finds_people = user.has_any_area_permission(Perm.VIEW_REGISTRY)
    grids = my_grids_in_rounds(rounds, user) if finds_people else {}
    cards = []
    for position, round_ in enumerate(rounds):
        mine = figures[round_.pk]
        round_url = reverse("testing:round", args=[round_.pk])
        cards.append(
            Card(
                key=f"testing.round.{round_.pk}",
                title=round_.name,
                url=round_url,
                figures=(
                    Figure(f"{mine.coverage_percent}%", _("coverage")),
                    Figure(mine.sampled, _("people sampled")),
                    Figure(mine.expected, _("people expected")),
                ),
                order=500 + position,
                note=_("Round in progress, in my areas"),
            )
        )
        if finds_people and mine.untested:
            links = tuple(
                NavItem(reverse("testing:untested", args=[round_.pk, grid.pk]), grid.name)
                for grid in grids.get(round_.pk, [])[:MAX_LINKS]
            )
            cards.append(
                Card(
                    key=f"testing.untested.{round_.pk}",
                    title=_("Untested: %(round)s") % {"round": round_.name},
                    url=links[0].url if len(links) == 1 else round_url,
                    figures=(Figure(mine.untested, _("people not sampled yet")),),
                    severity=Severity.WAITING,
                    order=100 + position,
                    links=links if len(links) > 1 else (),
                )
            )
    return cards


def recall_cards(request: HttpRequest) -> list[Card]:
    """People of positive or invalid pools still to be retested alone, in the user's areas."""
    user = _user(request, Perm.VIEW_REGISTRY)
    if user is None:
        return []
    counts = _per_round(
        Recall.objects.visible_to(user, Perm.VIEW_REGISTRY).filter(status=RecallStatus.OPEN)
    )
    if not counts:
        return []
    return [
        Card(
            key="testing.recalls",
            title=_("Recalls waiting"),
            url=reverse("testing:recalls", args=[counts[0][0]]),
            figures=(Figure(sum(n for *_rest, n in counts), _("people to retest alone")),),
            severity=Severity.WAITING,
            order=50,
            links=_round_links(counts, "testing:recalls"),
        )
    ]


def tube_cards(request: HttpRequest) -> list[Card]:
    """Sealed tubes that have not left for the laboratory, for those who pack and ship."""
    user = _user(request, Perm.REGISTER_SAMPLES)
    if user is None:
        return []
    counts = _per_round(
        Tube.objects.visible_to(user, Perm.REGISTER_SAMPLES).filter(status=TubeStatus.SEALED)
    )
    if not counts:
        return []
    query = f"?status={TubeStatus.SEALED}"
    return [
        Card(
            key="testing.tubes",
            title=_("Tubes sealed, not shipped"),
            url=reverse("testing:tubes", args=[counts[0][0]]) + query,
            figures=(Figure(sum(n for *_rest, n in counts), _("tubes")),),
            severity=Severity.WAITING,
            order=200,
            links=_round_links(counts, "testing:tubes", query),
        )
    ]


def lab_cards(request: HttpRequest) -> list[Card]:
    """Boxes shipped to the laboratory and not received yet, and tubes received there
    without a result: the lab liaison's queue."""
    user = _user(request, Perm.LOAD_RESULTS)
    if user is None:
        return []
    boxes = _per_round(
        Shipment.objects.visible_to(user, Perm.LOAD_RESULTS).filter(
            shipped_at__isnull=False, received_at__isnull=True
        )
    )
    awaiting = _per_round(
        Tube.objects.visible_to(user, Perm.LOAD_RESULTS).filter(status=TubeStatus.RECEIVED)
    )
    if not boxes and not awaiting:
        return []
    first_round = (boxes or awaiting)[0][0]
    return [
        Card(
            key="testing.lab",
            title=_("Boxes waiting at the lab"),
            url=reverse("testing:shipments", args=[first_round]),
            figures=(
                Figure(sum(n for *_rest, n in boxes), _("boxes to receive")),
                Figure(sum(n for *_rest, n in awaiting), _("tubes awaiting a result")),
            ),
            severity=Severity.WAITING,
            order=300,
            links=_round_links(boxes, "testing:shipments"),
        )
    ]


def unknown_result_cards(request: HttpRequest) -> list[Card]:
    """The open alarms for positive or invalid results whose barcode no tube has."""
    user = _user(request, Perm.VIEW_TESTING)
    if user is None:
        return []
    count = open_unknown_results(user).count()
    if not count:
        return []
    return [
        Card(
            key="testing.unknown_results",
            title=_("Results for unknown barcodes"),
            url=reverse("testing:unknown_results"),
            figures=(Figure(count, _("alarms open")),),
            severity=Severity.ALARM,
            order=0,
        )
    ]
