"""The checkpoint device (卡口登记): an installable page that keeps registering vehicles and
their people when the network is down.

It is a `DeviceShell` of the generic offline mechanism (wangge/core/offline.py), like the
sampling station: the shell at /checkpoint-device/ holds no session and no personal data,
its service worker keeps it for offline use, and the device's token, kept in the browser,
authenticates its calls to the checkpoint API (/api/v1/checkpoints/). `setup` is the one
signed-in page: an officer who may register at checkpoints chooses one, and the device gets
a token for that checkpoint's area (it may then register at any checkpoint of that area).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from wangge.accounts.devices import issue_own_station, own_station_hours
from wangge.audit.log import Actor
from wangge.checkpoints.models import Checkpoint
from wangge.core import params
from wangge.core.http import AuthedRequest, client_ip
from wangge.core.offline import DeviceShell, Icon, no_store
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404

SHELL_STATIC = (
    "vendor/pico.min.css",
    "checkpoints/checkpoint.css",
    "checkpoints/checkpoint-db.js",
    "checkpoints/checkpoint-core.js",
    "checkpoints/checkpoint-app.js",
    "checkpoints/icon.svg",
    "checkpoints/icon-192.png",
    "checkpoints/icon-512.png",
)
CHECKPOINT_DEVICE = DeviceShell(
    namespace="checkpoint_device",
    template="checkpoints/device/app.html",
    static=SHELL_STATIC,
    api_path="checkpoints/",
    cache_prefix="wangge-checkpoint-",
    name=gettext_lazy("Wangge checkpoint"),
    short_name=gettext_lazy("Checkpoint"),
    description=gettext_lazy(
        "Register every vehicle and every person at a checkpoint, also without a network."
    ),
    icons=(
        Icon("checkpoints/icon-192.png", "192x192", "image/png"),
        Icon("checkpoints/icon-512.png", "512x512", "image/png", "any maskable"),
        Icon("checkpoints/icon.svg", "any", "image/svg+xml"),
    ),
)
# A district has some dozens of checkpoints; a longer list is no way to choose one.
MAX_SETUP_CHECKPOINTS = 500
LABEL_MAX = 60
SETUP_TEMPLATE = "checkpoints/device/setup.html"


def _setup_checkpoints(request: AuthedRequest) -> list[Checkpoint]:
    return list(
        Checkpoint.objects.visible_to(request.user, Perm.REGISTER_CHECKPOINT)
        .filter(active=True)
        .select_related("area")
        .order_by("area__path", "name")[:MAX_SETUP_CHECKPOINTS]
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: AuthedRequest) -> HttpResponse:
    """Choose the checkpoint and name this device; the page then keeps the token it is
    handed. A checkpoint out of the user's scope is answered like one that does not exist."""
    if request.method == "GET" and not request.user.has_any_area_permission(
        Perm.REGISTER_CHECKPOINT
    ):
        return render(request, SETUP_TEMPLATE, {"checkpoints": []}, status=403)
    error = ""
    label = ""
    if request.method == "POST":
        checkpoint = get_visible_or_404(
            Checkpoint.objects.filter(active=True).select_related("area"),
            request.user,
            Perm.REGISTER_CHECKPOINT,
            pk=params.posted_id(request.POST, "checkpoint"),
        )
        label = params.text(request.POST, "label", max_length=LABEL_MAX)
        if label:
            token, device = issue_own_station(
                request.user,
                checkpoint.area,
                label,
                acting_user=Actor(user=request.user, source=client_ip(request)),
            )
            return no_store(
                render(
                    request,
                    "checkpoints/device/setup_done.html",
                    {
                        "token": token,
                        "device": device,
                        "checkpoint": checkpoint,
                        "app_url": CHECKPOINT_DEVICE.url("app"),
                    },
                )
            )
        error = _("Give this device a name, so that its records can be told apart.")
    return render(
        request,
        SETUP_TEMPLATE,
        {
            "checkpoints": _setup_checkpoints(request),
            "error": error,
            "label": label,
            "selected": params.text(request.POST, "checkpoint", max_length=20),
            "hours": own_station_hours(request.user),
        },
        status=400 if error else 200,
    )
