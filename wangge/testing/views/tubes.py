"""Tubes and shipments (boxes) between stations and the laboratory."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.testing import exports
from wangge.testing.actions import shipments as shipment_actions
from wangge.testing.choices import RoundStatus, TubeStatus
from wangge.testing.errors import RoundError
from wangge.testing.forms import ShipmentForm
from wangge.testing.models import Shipment, Tube
from wangge.testing.selectors import tube_counts, visible_any
from wangge.testing.views.base import ROWS_PER_PAGE, download, get_round

# Who may see tubes and boxes, and who packs and ships them: those who register samples
# (the laboratory receives them: LOAD_RESULTS).
TUBE_READERS = (Perm.VIEW_TESTING, Perm.REGISTER_SAMPLES, Perm.LOAD_RESULTS)
PACKERS = (Perm.REGISTER_SAMPLES,)


def _tube_readers(request: AuthedRequest) -> QuerySet[Tube]:
    return visible_any(Tube.objects.all(), request.user, *TUBE_READERS)


@login_required
@require_http_methods(["GET", "POST"])
def tube_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round's tubes by stage; sealed tubes not yet packed can go into a box."""
    round_ = get_round(request, pk, *TUBE_READERS)
    status = params.choice(request.GET, "status", TubeStatus.values, "")
    query = params.text(request.GET, "q", max_length=40)
    tubes = (
        _tube_readers(request)
        .filter(round=round_)
        .select_related("area", "sampling_point", "shipment")
        .order_by("-opened_at", "-pk")
    )
    counts = tube_counts(tubes)
    if status in TubeStatus.values:
        tubes = tubes.filter(status=status)
    if query:
        tubes = tubes.filter(barcode__startswith=query)
    page = Paginator(tubes, ROWS_PER_PAGE).get_page(params.page(request.GET))
    packable = visible_any(Tube.objects.all(), request.user, *PACKERS).filter(
        round=round_, status=TubeStatus.SEALED, shipment__isnull=True
    )
    can_pack = round_.status != RoundStatus.PLANNED and any(
        request.user.has_any_area_permission(p) for p in PACKERS
    )
    packable_ids = set(packable.values_list("pk", flat=True)[:5000]) if can_pack else set()
    form = ShipmentForm(request.POST or None, tube_ids=sorted(packable_ids))
    if request.method == "POST":
        if not can_pack:
            raise Http404
        if form.is_valid():
            chosen = list(packable.filter(pk__in=form.cleaned_data["tubes"]).select_related("area"))
            try:
                shipment = shipment_actions.create_shipment(
                    round_,
                    chosen,
                    laboratory=form.cleaned_data["laboratory"],
                    box_code=form.cleaned_data["box_code"],
                    acting_user=actor_for(request),
                )
            except RoundError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Box %(box)s is packed.") % {"box": shipment.box_code})
                return redirect("testing:shipment", shipment_pk=shipment.pk)
        else:
            messages.error(request, _("Choose sealed tubes that are not packed yet."))
    return render(
        request,
        "testing/tubes.html",
        {
            "round": round_,
            "page": page,
            "counts": counts,
            "status": status,
            "statuses": TubeStatus.choices,
            "q": query,
            "query": urlencode(
                {key: value for key, value in (("status", status), ("q", query)) if value}
            ),
            "packable_ids": packable_ids,
            "can_pack": can_pack,
            "form": form,
        },
    )


def _shipments(request: AuthedRequest) -> QuerySet[Shipment]:
    return visible_any(Shipment.objects.all(), request.user, *TUBE_READERS)


@login_required
@require_GET
def shipment_list(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = get_round(request, pk, *TUBE_READERS)
    shipments = (
        _shipments(request)
        .filter(round=round_)
        .select_related("origin")
        .annotate(tube_count=Count("tubes"), people=Sum("tubes__filled"))
        .order_by("-pk")
    )
    page = Paginator(shipments, ROWS_PER_PAGE).get_page(params.page(request.GET))
    return render(request, "testing/shipments.html", {"round": round_, "page": page})


def _shipment(request: AuthedRequest, shipment_pk: int, *permissions: str) -> Shipment:
    shipments = visible_any(
        Shipment.objects.select_related("round", "origin"),
        request.user,
        *(permissions or TUBE_READERS),
    )
    try:
        shipment: Shipment = shipments.get(pk=shipment_pk)
    except Shipment.DoesNotExist as exc:
        raise Http404 from exc
    return shipment


@login_required
@require_GET
def shipment_detail(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    """A transport box: its manifest of tubes, and where it is on its way."""
    shipment = _shipment(request, shipment_pk)
    tubes = shipment.tubes.select_related("sampling_point").order_by("barcode")
    user = request.user
    return render(
        request,
        "testing/shipment_detail.html",
        {
            "shipment": shipment,
            "round": shipment.round,
            "tubes": tubes,
            "people": sum(tube.filled for tube in tubes),
            "can_ship": shipment.shipped_at is None
            and any(user.has_area_permission(p, shipment.origin) for p in PACKERS),
            "can_receive": shipment.shipped_at is not None
            and shipment.received_at is None
            and user.has_area_permission(Perm.LOAD_RESULTS, shipment.origin),
        },
    )


@login_required
@require_POST
def shipment_ship(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    shipment = _shipment(request, shipment_pk, *PACKERS)
    try:
        shipment_actions.ship(shipment, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The box is on its way to the laboratory."))
    return redirect("testing:shipment", shipment_pk=shipment.pk)


@login_required
@require_POST
def shipment_receive(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    shipment = _shipment(request, shipment_pk, Perm.LOAD_RESULTS)
    try:
        shipment_actions.receive(shipment, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The laboratory has the box."))
    return redirect("testing:shipment", shipment_pk=shipment.pk)


@login_required
@require_POST
def shipment_unpack(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    shipment = _shipment(request, shipment_pk, *PACKERS)
    round_id = shipment.round_id
    try:
        shipment_actions.unpack(shipment, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
        return redirect("testing:shipment", shipment_pk=shipment.pk)
    messages.success(request, _("The box was unpacked; its tubes wait to be packed again."))
    return redirect("testing:tubes", pk=round_id)


@login_required
@require_GET
def shipment_manifest(request: AuthedRequest, shipment_pk: int, fmt: str) -> HttpResponseBase:
    """The box's manifest as a PDF to print and sign, or as Excel for the laboratory."""
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    shipment = _shipment(request, shipment_pk)
    tubes = list(shipment.tubes.select_related("sampling_point").order_by("barcode"))
    data = exports.export_manifest(shipment, tubes, fmt=fmt)
    content_type = exports.XLSX if fmt == "xlsx" else exports.PDF
    return download(data, content_type, f"{shipment.box_code}.{fmt}")
