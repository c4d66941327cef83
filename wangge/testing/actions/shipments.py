"""Transport boxes: sealed tubes packed with a manifest, shipped, received by the laboratory.

The life of a tube is open → sealed (at its station) → shipped → received → resulted.
A box groups sealed tubes of one round from one area; its manifest is what the courier
carries and the laboratory checks on arrival.
"""

import datetime as dt
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import is_within, require_in_scope
from wangge.testing.choices import RoundStatus, TubeStatus
from wangge.testing.errors import RoundError
from wangge.testing.models import Round, Shipment, Tube

Acting = User | Actor | None
# A box holds at most this many tubes (a transport box of pooled samples holds about 100).
MAX_TUBES_PER_BOX = 500


def new_box_code(round_: Round) -> str:
    """A readable, unguessable box code, unique with overwhelming probability."""
    return f"BOX-{round_.pk}-{secrets.token_hex(3).upper()}"


def common_area(tubes: Sequence[Tube]) -> Area:
    """The deepest area that holds every tube's area: the box's origin."""
    paths = sorted(tube.area.path for tube in tubes)
    first, last = paths[0], paths[-1]
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    common = first[: length - length % Area.steplen]
    area: Area = Area.objects.get(path=common)
    return area


@transaction.atomic
def create_shipment(
    round_: Round,
    tubes: Sequence[Tube],
    *,
    laboratory: str = "",
    box_code: str = "",
    origin: Area | None = None,
    acting_user: Acting,
) -> Shipment:
    """Pack sealed tubes of a round into a transport box, with its manifest.

    Every tube must be sealed and not already packed; the tubes are locked so two people
    packing at once never put one tube into two boxes.
    """
    if round_.status == RoundStatus.PLANNED:
        raise RoundError(_("the round has not started"))
    if not tubes:
        raise RoundError(_("choose the sealed tubes to pack"))
    if len(tubes) > MAX_TUBES_PER_BOX:
        raise RoundError(_("a box holds at most %(count)d tubes") % {"count": MAX_TUBES_PER_BOX})
    locked = list(
        Tube.objects.select_for_update(of=("self",))
        .select_related("area")
        .filter(pk__in=[tube.pk for tube in tubes])
        .order_by("barcode")
    )
    for tube in locked:
        if tube.round_id != round_.pk:
            raise RoundError(
                _("tube %(barcode)s belongs to another round") % {"barcode": tube.barcode}
            )
        if tube.status != TubeStatus.SEALED or tube.shipment_id is not None:
            raise RoundError(
                _("tube %(barcode)s is not a sealed tube waiting to be packed")
                % {"barcode": tube.barcode}
            )
    # Those who pack are those who register samples: every tube from where they may.
    require_in_scope(
        log.scope_holder(acting_user), Perm.REGISTER_SAMPLES, [tube.area for tube in locked]
    )
    origin = origin or common_area(locked)
    if any(not is_within(tube.area.path, origin.path) for tube in locked):
        raise RoundError(_("every tube must come from the box's area"))
    code = box_code.strip()[:40] or new_box_code(round_)
    if Shipment.objects.filter(box_code=code).exists():
        raise RoundError(_("this box code is already used"))
    shipment = Shipment.objects.create(
        round=round_, box_code=code, origin=origin, laboratory=laboratory.strip()[:100]
    )
    Tube.objects.filter(pk__in=[tube.pk for tube in locked]).update(shipment=shipment)
    log.record(
        acting_user,
        AuditEvent.SHIPMENT_CREATE,
        obj=shipment,
        area_path=origin.path,
        details={"round": round_.pk, "box": code, "tubes": len(locked)},
    )
    return shipment


def _locked(shipment: Shipment, acting_user: Acting, permission: str) -> Shipment:
    """The box's row, locked, if it left from where the actor holds `permission`."""
    locked: Shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("origin")
        .get(pk=shipment.pk)
    )
    require_in_scope(log.scope_holder(acting_user), permission, [locked.origin])
    return locked


@transaction.atomic
def ship(shipment: Shipment, *, at: dt.datetime | None = None, acting_user: Acting) -> Shipment:
    """Hand the box to the courier: its tubes are on their way to the laboratory."""
    shipment = _locked(shipment, acting_user, Perm.REGISTER_SAMPLES)
    if shipment.shipped_at is not None:
        raise RoundError(_("this box has already left"))
    if not shipment.tubes.exists():
        raise RoundError(_("an empty box cannot be shipped"))
    shipment.shipped_at = at or timezone.now()
    shipment.save(update_fields=["shipped_at"])
    moved = shipment.tubes.filter(status=TubeStatus.SEALED).update(status=TubeStatus.SHIPPED)
    log.record(
        acting_user,
        AuditEvent.SHIPMENT_SHIP,
        obj=shipment,
        area_path=shipment.origin.path,
        details={"box": shipment.box_code, "tubes": moved},
    )
    return shipment


@transaction.atomic
def receive(shipment: Shipment, *, at: dt.datetime | None = None, acting_user: Acting) -> Shipment:
    """The laboratory has the box: its tubes are received (results may already be in)."""
    shipment = _locked(shipment, acting_user, Perm.LOAD_RESULTS)
    if shipment.shipped_at is None:
        raise RoundError(_("the box has not been shipped yet"))
    if shipment.received_at is not None:
        raise RoundError(_("this box has already been received"))
    shipment.received_at = at or timezone.now()
    shipment.save(update_fields=["received_at"])
    moved = shipment.tubes.filter(status=TubeStatus.SHIPPED).update(status=TubeStatus.RECEIVED)
    log.record(
        acting_user,
        AuditEvent.SHIPMENT_RECEIVE,
        obj=shipment,
        area_path=shipment.origin.path,
        details={"box": shipment.box_code, "tubes": moved},
    )
    return shipment


@transaction.atomic
def unpack(shipment: Shipment, *, acting_user: Acting) -> None:
    """Undo a box packed by mistake, before it leaves: its tubes wait to be packed again."""
    shipment = _locked(shipment, acting_user, Perm.REGISTER_SAMPLES)
    if shipment.shipped_at is not None:
        raise RoundError(_("this box has already left"))
    details = {"box": shipment.box_code, "tubes": shipment.tubes.count()}
    area_path, shipment_id = shipment.origin.path, shipment.pk
    shipment.tubes.update(shipment=None)
    shipment.delete()
    log.record(
        acting_user,
        AuditEvent.SHIPMENT_UNPACK,
        object_type="testing.shipment",
        object_id=str(shipment_id),
        area_path=area_path,
        details=details,
    )
