"""The supplies handed out, as Excel: one line per handout (household, grid, item,
quantity, unit, when, by whom, the request it delivered), audited with the count only.
Cells go through `wangge.lib.excel`, so a note such as "=HYPERLINK(…)" stays text."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.lib.excel import Column, workbook_bytes

COLUMNS = (
    Column(_("Handed out"), 16),
    Column(_("Grid"), 16),
    Column(_("Household"), 14),
    Column(_("Item"), 12),
    Column(_("Quantity"), 10),
    Column(_("Unit"), 8),
    Column(_("Request"), 14),
    Column(_("By"), 12),
    Column(_("Note"), 24),
)
# One export carries at most this many lines (a district's month).
MAX_LINES = 100_000


def handouts_xlsx(
    handouts: Any,
    *,
    area: Area | None,
    since: dt.date,
    until: dt.date,
    acting_user: Actor,
) -> bytes:
    """The handouts (a scoped queryset) as a sheet, audited (`supplies.export`)."""
    rows = list(
        handouts.select_related("area", "household", "handed_by", "request").order_by(
            "handed_at", "pk"
        )[:MAX_LINES]
    )
    data = workbook_bytes(
        gettext("Supplies handed out"),
        COLUMNS,
        (
            [
                timezone.localtime(row.handed_at).strftime("%Y-%m-%d %H:%M"),
                row.area.name,
                row.household.label,
                row.get_item_display(),
                float(row.quantity),
                row.unit,
                row.request.get_kind_display() if row.request else "",
                str(row.handed_by) if row.handed_by else "",
                row.note,
            ]
            for row in rows
        ),
        preamble=[
            [
                gettext("Supplies handed out in %(area)s, %(since)s to %(until)s")
                % {
                    "area": area.name if area else "",
                    "since": since.isoformat(),
                    "until": until.isoformat(),
                }
            ]
        ],
    )
    log.record(
        acting_user,
        AuditEvent.SUPPLIES_EXPORT,
        area_path=area.path if area else "",
        details={"format": "xlsx", "count": len(rows), "since": since, "until": until},
    )
    return data
