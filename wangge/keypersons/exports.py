"""The key persons of an area as an Excel sheet, in the layout of the registry's exports.

Numbers are masked unless the person exporting may reveal them (REVEAL_PERSONAL on the
area); either way the export is audited (how many rows, whether full numbers were in it),
never the numbers themselves."""

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.keypersons import selectors
from wangge.lib.excel import Column, WorkbookBuilder

COLUMNS: Sequence[tuple[Any, float]] = (
    (_("Grid"), 16),
    (_("Name"), 12),
    (_("ID type"), 12),
    (_("ID number"), 22),
    (_("Phone"), 14),
    (_("Address"), 24),
    (_("Category"), 14),
    (_("Measure"), 14),
    (_("Status"), 10),
    (_("Start"), 11),
    (_("Planned end"), 11),
    (_("Overdue"), 8),
    (_("Flag"), 24),
    (_("Released"), 16),
)


def key_persons_xlsx(area: Area, user: User, *, acting_user: "User | Actor") -> bytes:
    today = timezone.localdate()
    full = user.has_area_permission(Perm.REVEAL_PERSONAL, area)
    people = list(
        selectors.with_flags(
            selectors.key_persons_under(user, area.path, selectors.ListFilters(status=""), today),
            today,
        )
        .select_related("area", "resident", "household")
        .order_by("area__path", "status", "started_on", "pk")
    )
    book = WorkbookBuilder()
    sheet = book.add_sheet(
        area.name,
        [Column(header, width) for header, width in COLUMNS],
        preamble=[
            [" › ".join(node.name for node in area.ancestors_and_self())],
            [gettext("Key persons, exported %(date)s") % {"date": today.isoformat()}],
        ],
    )
    yes = gettext("yes")
    for person in people:
        identity: Any = person
        if person.resident is not None and not person.id_number_masked:
            identity = person.resident
        if full:
            number, phone = identity.reveal_id_number(), identity.reveal_phone()
        else:
            number, phone = identity.id_number_masked, identity.phone_masked
        sheet.append(
            [
                person.area.name,
                person.name,
                identity.get_id_type_display(),
                number,
                phone,
                person.address or (person.household.label if person.household else ""),
                person.get_category_display(),
                person.get_measure_display(),
                person.get_status_display(),
                person.started_on,
                person.planned_end_on,
                yes if (person.test_overdue or person.check_due) else "",
                person.flag_reason,
                timezone.localtime(person.released_at) if person.released_at else None,
            ]
        )
    data = book.to_bytes()
    log.record(
        acting_user,
        AuditEvent.KEY_PERSONS_EXPORT,
        obj=area,
        area_path=area.path,
        details={"count": len(people), "full_numbers": full},
    )
    return data
