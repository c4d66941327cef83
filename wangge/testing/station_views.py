"""The sampling station: an installable page that keeps registering when the network is down.

The station is one `DeviceShell` of the generic offline mechanism (wangge/core/offline.py):
its shell is the same for everyone and holds no personal data, so the service worker can
cache it and show it again offline; the device authenticates its API calls with a bearer
token, not with the session. `setup` is the station's own page, the one signed in: it
issues that token for an area of the user's scope and hands it to the page once.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from wangge.accounts.devices import issue_own_station, own_station_hours, own_station_is_limited
from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core import params
from wangge.core.http import AuthedRequest, client_ip
from wangge.core.nav import NavGroup, NavItem
from wangge.core.offline import DeviceShell, Icon, no_store
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope
from wangge.testing.models import DoorToDoorTeam, SamplingPoint
from wangge.testing.selectors import station_places

# The station's own files, loaded after the generic offline layer (wangge.core.offline).
SHELL_STATIC = (
    "vendor/pico.min.css",
    "testing/station/station.css",
    "vendor/html5-qrcode.min.js",
    "testing/station/station-core.js",
    "testing/station/station-db.js",
    "testing/station/station-app.js",
    "testing/station/icon.svg",
    "testing/station/icon-192.png",
    "testing/station/icon-512.png",
)
STATION = DeviceShell(
    namespace="station",
    template="testing/station/app.html",
    static=SHELL_STATIC,
    api_path="testing/station/",
    cache_prefix="wangge-station-",
    name=gettext_lazy("Wangge sampling station"),
    short_name=gettext_lazy("Sampling"),
    description=gettext_lazy("Register samples at a sampling desk, also without a network."),
    icons=(
        Icon("testing/station/icon-192.png", "192x192", "image/png"),
        Icon("testing/station/icon-512.png", "512x512", "image/png", "any maskable"),
        Icon("testing/station/icon.svg", "any", "image/svg+xml"),
    ),
)
# A district has some hundreds of grids; a longer list is no way to choose one.
MAX_SETUP_AREAS = 2000
LABEL_MAX = 60


def _setup_areas(request: AuthedRequest) -> list[tuple[Area, str]]:
    """The areas a station may be set up for, as a tree in path order, with an indent."""
    areas = list(
        Area.objects.visible_to(request.user, Perm.REGISTER_SAMPLES)
        .exclude(kind=AreaKind.BUILDING)
        .only("pk", "name", "kind", "depth", "path")
        .order_by("path")[:MAX_SETUP_AREAS]
    )
    top = min((area.depth for area in areas), default=0)
    return [(area, "\u3000" * (area.depth - top)) for area in areas]


def _setup_places(request: AuthedRequest) -> list[tuple[str, list[tuple[str, str]]]]:
    """The points and teams of open rounds a station may be set to, grouped by round, as
    (value, label) options: "point:7", "team:3"."""
    groups: dict[str, list[tuple[str, str]]] = {}
    points = station_places(request.user, SamplingPoint).order_by("round__starts_at", "number")
    for point in points[:MAX_SETUP_AREAS]:
        label = _("No. %(number)s %(name)s") % {"number": point.number, "name": point.name}
        groups.setdefault(point.round.name, []).append((f"point:{point.pk}", label))
    teams = station_places(request.user, DoorToDoorTeam).order_by("round__starts_at", "name")
    for team in teams[:MAX_SETUP_AREAS]:
        label = _("Door to door: %(name)s") % {"name": team.name}
        groups.setdefault(team.round.name, []).append((f"team:{team.pk}", label))
    return list(groups.items())


def _chosen_place(request: AuthedRequest) -> SamplingPoint | DoorToDoorTeam | None:
    """The point or team chosen for the new station (None: the station takes its area's).
    One out of the user's reach is answered like one that does not exist."""
    kind, _sep, pk = params.text(request.POST, "place", max_length=30).partition(":")
    if not kind:
        return None
    place_id = params.read_integer(pk)
    place: SamplingPoint | DoorToDoorTeam | None = None
    if place_id is not None and kind == "point":
        place = station_places(request.user, SamplingPoint).filter(pk=place_id).first()
    elif place_id is not None and kind == "team":
        place = station_places(request.user, DoorToDoorTeam).filter(pk=place_id).first()
    if place is None:
        raise Http404
    return place


def _serves(place: SamplingPoint | DoorToDoorTeam, area: Area) -> bool:
    """Whether a station of `area` works there: the place's area is it, above it or below."""
    return in_scope([place.area.path], area.path) or in_scope([area.path], place.area.path)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: AuthedRequest) -> HttpResponse:
    """Name this device and choose its area; the page then keeps the token it is handed."""
    error = ""
    label = ""
    if request.method == "GET" and not request.user.has_any_area_permission(Perm.REGISTER_SAMPLES):
        return render(request, "testing/station/setup.html", {"areas": []}, status=403)
    if request.method == "POST":
        # An area outside the user's scope is answered like one that does not exist.
        area = get_visible_or_404(
            Area.objects.all(),
            request.user,
            Perm.REGISTER_SAMPLES,
            pk=params.posted_id(request.POST, "area"),
        )
        label = params.text(request.POST, "label", max_length=LABEL_MAX)
        place = _chosen_place(request)
        if place is not None and not _serves(place, area):
            error = _("This sampling point or team does not serve the area chosen.")
        elif label:
            token, device = issue_own_station(
                request.user,
                area,
                label,
                acting_user=Actor(user=request.user, source=client_ip(request)),
            )
            # The token is in this page only: no cache may keep it.
            return no_store(
                render(
                    request,
                    "testing/station/setup_done.html",
                    {
                        "token": token,
                        "device": device,
                        "app_url": reverse("station:app"),
                        "place": place,
                        "door": isinstance(place, DoorToDoorTeam),
                    },
                )
            )
        else:
            error = _("Give this device a name, so that its records can be told apart.")
    return render(
        request,
        "testing/station/setup.html",
        {
            "areas": _setup_areas(request),
            "places": _setup_places(request),
            "error": error,
            "label": label,
            "selected": params.text(request.POST, "area", max_length=20),
            "selected_place": params.text(request.POST, "place", max_length=30),
            "hours": own_station_hours(request.user),
            "limited": own_station_is_limited(request.user),
        },
        status=400 if error else 200,
    )


def station_links(request: HttpRequest) -> list[NavItem]:
    """The station in the top navigation, for those who may register samples
    (registered with `wangge.core.nav.register` in the testing app's ready())."""
    user = request.user
    if isinstance(user, User) and user.has_any_area_permission(Perm.REGISTER_SAMPLES):
        return [
            NavItem(
                reverse("station:app"), gettext_lazy("Sampling station"), group=NavGroup.TESTING
            )
        ]
    return []
