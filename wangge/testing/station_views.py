"""The sampling station: an installable page that keeps registering when the network is down.

Three kinds of page live here. The station shell (`app`) is the same for everyone and holds
no personal data, so the service worker can cache it and show it again offline; the device
authenticates its API calls with a bearer token, not with the session. `setup` is the one
signed-in page: it issues that token for an area of the user's scope and hands it to the
page once. The service worker and the web manifest are served by views so that they name
the static files by their deployed (hashed) URLs.
"""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wangge.accounts.devices import issue_own_station, own_station_hours, own_station_is_limited
from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core import params
from wangge.core.http import AuthedRequest, client_ip
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope
from wangge.testing.models import DoorToDoorTeam, SamplingPoint
from wangge.testing.selectors import station_places

# The files the station needs to start with no network: cached by the service worker.
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
SHELL_TEMPLATE = "testing/station/app.html"
SW_TEMPLATE = "testing/station/sw.js"
# A district has some hundreds of grids; a longer list is no way to choose one.
MAX_SETUP_AREAS = 2000
LABEL_MAX = 60


def _shell_urls() -> list[str]:
    return [
        reverse("station:app"),
        reverse("javascript-catalog"),
        reverse("station:manifest"),
        *(static(name) for name in SHELL_STATIC),
    ]


def _api_root() -> str:
    """/api/v1/, wherever the API is mounted."""
    return reverse("api-v1:openapi-json").rsplit("/", 1)[0] + "/"


def _compute_shell_version() -> str:
    """A digest of the shell's files: a new deployment gives a new service worker."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        digest.update(static(name).encode())
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
    for template in (SHELL_TEMPLATE, SW_TEMPLATE):
        with open(get_template(template).origin.name, "rb") as handle:  # type: ignore[attr-defined]
            digest.update(handle.read())
    return digest.hexdigest()[:16]


_cached_shell_version = cache(_compute_shell_version)


def shell_version() -> str:
    # Files do not change under a running production server; in development they do.
    return _compute_shell_version() if settings.DEBUG else _cached_shell_version()


def _no_cache(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-cache"
    return response


@require_GET
def app(request: HttpRequest) -> HttpResponse:
    """The station shell. No session needed: the device's token, kept in the browser, is."""
    return _no_cache(
        render(
            request,
            SHELL_TEMPLATE,
            {
                "version": shell_version(),
                "setup_url": reverse("station:setup"),
                "api_prefix": _api_root() + "testing/station/",
            },
        )
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /station/ so that its scope is the station."""
    response = render(
        request,
        SW_TEMPLATE,
        {
            "config_json": json.dumps(
                {
                    "version": shell_version(),
                    "shell": _shell_urls(),
                    "app_url": reverse("station:app"),
                    "catalog_url": reverse("javascript-catalog"),
                    "api_prefix": _api_root(),
                }
            )
        },
        content_type="text/javascript; charset=utf-8",
    )
    response.headers["Service-Worker-Allowed"] = reverse("station:app")
    return _no_cache(response)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest that makes the station installable on a phone or a PC."""
    start = reverse("station:app")
    document = {
        "name": _("Wangge sampling station"),
        "short_name": _("Sampling"),
        "description": _("Register samples at a sampling desk, also without a network."),
        "lang": get_language(),
        "start_url": start,
        "scope": start,
        "id": start,
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#14355e",
        "icons": [
            {
                "src": static("testing/station/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("testing/station/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
            {
                "src": static("testing/station/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False),
        content_type="application/manifest+json; charset=utf-8",
    )
    return _no_cache(response)


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
            response = render(
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
            # The token is in this page only: no cache may keep it.
            response.headers["Cache-Control"] = "no-store"
            return response
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
        return [NavItem(reverse("station:app"), gettext_lazy("Sampling station"))]
    return []
