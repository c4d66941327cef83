"""What a sampling station reads from the registry, recorded like a reveal.

A station holds its area's roster without any key to the ID numbers in it (testing/roster.py),
so the two ways it learns about people leave a trace: each full roster download (who took
which area's roster, from which device) and each lookup of a typed or scanned ID number
(who, which device, found or not; never the number).
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.devices import VOLUNTEER_LOOKUPS_PER_HOUR
from wangge.accounts.models import DeviceToken
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.audit.models import AuditEntry
from wangge.residents.models import Resident
from wangge.testing import roster
from wangge.testing.roster import RosterAnswer

LOOKUP = AuditEvent.STATION_LOOKUP
ROSTER_DOWNLOAD = AuditEvent.STATION_ROSTER
_HOUR = dt.timedelta(hours=1)


class LookupLimited(Exception):  # noqa: N818 - reads as what happened
    """A volunteer's own device asked for more lookups than a desk needs."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This station has looked up more ID numbers in the last hour than a desk "
                "needs. Confirm people by their resident code or from the roster's list."
            )
        )


def download_roster(
    device: DeviceToken, cursor: str | None, limit: int | None, *, acting_user: Actor
) -> RosterAnswer:
    """A page of the device's roster; the first page of a full download is audited (once
    per download, not per page: the change downloads every minute are not)."""
    answer = roster.roster_page(device, cursor, limit)
    if answer.full_start:
        log.record(
            acting_user,
            ROSTER_DOWNLOAD,
            obj=device.area,
            area_path=device.area.path,
            details={"device": device.pk, "area": device.area.name, "reset": answer.reset},
        )
    return answer


def look_up_resident(
    device: DeviceToken, id_type: str, number: str, *, acting_user: Actor
) -> dict[str, Any] | None:
    """The roster item of the device's resident with this ID number, or None (not in the
    registry and not in the device's area answer alike); audited either way.

    Raises LookupLimited past a volunteer device's hourly allowance, and
    idnumbers.IdNumberError for a number that cannot be valid (nothing to look up).
    """
    if device.limited:
        recent = AuditEntry.objects.filter(
            action=LOOKUP, at__gte=timezone.now() - _HOUR, details__device=device.pk
        ).count()
        if recent >= VOLUNTEER_LOOKUPS_PER_HOUR:
            _record_lookup(device, id_type, acting_user, "over_limit")
            raise LookupLimited
    resident = roster.lookup(device, id_type, number)
    _record_lookup(device, id_type, acting_user, "found" if resident else "not_found", resident)
    if resident is None:
        return None
    return roster.roster_items([resident], limited=device.limited)[0]


def _record_lookup(
    device: DeviceToken,
    id_type: str,
    acting_user: Actor,
    result: str,
    resident: Resident | None = None,
) -> None:
    log.record(
        acting_user,
        LOOKUP,
        obj=resident,
        area_path=device.area.path,
        details={"device": device.pk, "kind": "id_number", "id_type": id_type, "result": result},
    )
