"""Files of a round: the untested list of a grid (Excel, printable PDF) and a box's manifest.

Excel goes through `wangge.lib.excel` (every text cell defused against formula injection);
PDFs are rendered from templates under testing/pdf/ by `wangge.core.pdf`. Lists show masked numbers only, and exporting
people is audited (with the count, never the people).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.pdf import PDF_CONTENT_TYPE, render_pdf
from wangge.lib.excel import XLSX_CONTENT_TYPE, Column, workbook_bytes, workbook_file
from wangge.residents.models import Resident
from wangge.testing.choices import FollowUpOutcome
from wangge.testing.models import Round, Shipment, Tube

XLSX = XLSX_CONTENT_TYPE
PDF = PDF_CONTENT_TYPE


def _tags(resident: Resident) -> str:
    return "、".join(str(label) for label in resident.tag_labels())


def last_followup(resident: Resident) -> str:
    """The latest follow-up's outcome of a resident of `selectors.untested_residents`."""
    outcome: str | None = getattr(resident, "last_outcome", None)
    if outcome is None:
        return ""
    come_at: dt.datetime | None = getattr(resident, "last_come_at", None)
    if come_at is not None:
        return _("Will come at %(time)s") % {"time": _local(come_at)}
    return str(FollowUpOutcome(outcome).label)


def untested_xlsx(round_: Round, grid: Area, residents: Sequence[Resident]) -> bytes:
    """The untested list as Excel bytes (a short list; `untested_xlsx_file` streams)."""
    with untested_xlsx_file(round_, grid, residents, len(residents)) as handle:
        return handle.read()


def untested_xlsx_file(
    round_: Round, grid: Area, residents: Iterable[Resident], count: int
) -> BinaryIO:
    """The untested list as an open, unlinked Excel file, written row by row as the
    residents come (a queryset's iterator): memory stays flat however long the list."""
    now = timezone.localtime()
    columns = [
        Column(_("No."), 6),
        Column(_("Name"), 12),
        Column(_("ID number"), 22),
        Column(_("Sex"), 6),
        Column(_("Age"), 6),
        Column(_("Phone"), 14),
        Column(_("Household"), 14),
        Column(_("Address"), 24),
        Column(_("Tags"), 16),
        Column(_("Last follow-up"), 20),
        Column(_("Outcome"), 14),
    ]
    rows = (
        [
            index,
            resident.name,
            resident.id_number_masked,
            resident.get_sex_display(),
            resident.age(),
            resident.phone_masked,
            resident.household.label,
            resident.household.address,
            _tags(resident),
            last_followup(resident),
            "",
        ]
        for index, resident in enumerate(residents, start=1)
    )
    preamble: list[list[object]] = [
        [_("Untested residents"), round_.name, grid.name],
        [
            _("As of"),
            now.strftime("%Y-%m-%d %H:%M"),
            _("%(count)d people") % {"count": count},
        ],
    ]
    return workbook_file(grid.name, columns, rows, preamble=preamble)


def untested_pdf(round_: Round, grid: Area, residents: Sequence[Resident]) -> bytes:
    return render_pdf(
        "testing/pdf/untested.html",
        {
            "round": round_,
            "grid": grid,
            "path": " › ".join(node.name for node in grid.ancestors_and_self()[1:]),
            "rows": [(resident, last_followup(resident)) for resident in residents],
            "printed_at": timezone.localtime(),
        },
    )


# Residents fetched at a time by the streamed Excel list.
EXPORT_CHUNK = 2000


def export_untested(
    round_: Round,
    grid: Area,
    residents: "QuerySet[Resident]",
    *,
    fmt: str,
    acting_user: Actor,
) -> bytes | BinaryIO:
    """The door-knocking list as a file, audited with its size only. Excel is streamed
    (an open, unlinked file, the residents read EXPORT_CHUNK at a time); the PDF is
    laid out whole."""
    data: bytes | BinaryIO
    if fmt == "xlsx":
        count = residents.count()
        data = untested_xlsx_file(round_, grid, residents.iterator(chunk_size=EXPORT_CHUNK), count)
    else:
        people = list(residents)
        count = len(people)
        data = untested_pdf(round_, grid, people)
    log.record(
        acting_user,
        AuditEvent.TESTING_EXPORT_UNTESTED,
        obj=round_,
        area_path=grid.path,
        details={"grid": grid.pk, "format": fmt, "count": count},
    )
    return data


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def manifest_xlsx(shipment: Shipment, tubes: Sequence[Tube]) -> bytes:
    columns = [
        Column(_("No."), 6),
        Column(_("Barcode"), 18),
        Column(_("Capacity"), 10),
        Column(_("People"), 8),
        Column(_("Sampling point"), 18),
        Column(_("Sealed"), 18),
        Column(_("Received"), 10),
    ]
    rows = (
        [
            index,
            tube.barcode,
            tube.capacity,
            tube.filled,
            tube.sampling_point.name if tube.sampling_point else "",
            _local(tube.sealed_at),
            "",
        ]
        for index, tube in enumerate(tubes, start=1)
    )
    preamble: list[list[object]] = [
        [_("Transport box"), shipment.box_code, shipment.round.name],
        [pgettext("shipment", "From"), shipment.origin.name, _("Laboratory"), shipment.laboratory],
        [
            _("Tubes"),
            len(tubes),
            _("People"),
            sum(tube.filled for tube in tubes),
            _("Shipped"),
            _local(shipment.shipped_at),
        ],
    ]
    return workbook_bytes(shipment.box_code, columns, rows, preamble=preamble)


def manifest_pdf(shipment: Shipment, tubes: Sequence[Tube]) -> bytes:
    return render_pdf(
        "testing/pdf/manifest.html",
        {
            "shipment": shipment,
            "tubes": tubes,
            "people": sum(tube.filled for tube in tubes),
            "printed_at": timezone.localtime(),
        },
    )


def export_manifest(shipment: Shipment, tubes: Sequence[Tube], *, fmt: str) -> bytes:
    """A box's manifest (barcodes and counts, nobody's name: not audited as personal data)."""
    return manifest_xlsx(shipment, tubes) if fmt == "xlsx" else manifest_pdf(shipment, tubes)
