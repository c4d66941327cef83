"""A grid's register as Excel and as the printed PDF volunteers carry; the import report.

Every export reads through `visible_to(user, Perm.EXPORT_REGISTRY)`, shows ID numbers
and phones masked and a birth year and age, never a birth date, and writes one audit entry ("residents.export") with what was
exported and how many people, never who. Excel cells go through `wangge.lib.excel`, so
a name such as "=HYPERLINK(…)" stays text.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO

import segno
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.pdf import render_pdf
from wangge.core.permissions import Perm
from wangge.lib import spreadsheets
from wangge.lib.excel import Column, WorkbookBuilder
from wangge.residents import importing
from wangge.residents.actions import GONE
from wangge.residents.models import Household, ImportBatch, Resident


def grid_residents_query(user: User, grid: Area, *, include_gone: bool = True) -> Any:
    """The residents of one grid the user may export, by household in address order, the
    head of each household first: ordered by the database, so that an export can stream
    them (`.iterator()`) instead of holding them all."""
    residents = (
        Resident.objects.visible_to(user, Perm.EXPORT_REGISTRY)
        .filter(grid=grid)
        .select_related("household")
        .order_by(
            "household__sort_key",
            "household_id",
            Case(When(relation="户主", then=Value(0)), default=Value(1)),
            "id",
        )
    )
    if not include_gone:
        residents = residents.exclude(status__in=GONE)
    return residents


def grid_residents(user: User, grid: Area, *, include_gone: bool = True) -> list[Resident]:
    """`grid_residents_query` as a list (the printed register, which groups them)."""
    return list(grid_residents_query(user, grid, include_gone=include_gone))


# Rows fetched at a time by a streaming export (PostgreSQL: a server-side cursor).
EXPORT_CHUNK = 2000


def _path_label(grid: Area) -> str:
    return " › ".join(node.name for node in grid.ancestors_and_self())


def _record_export(acting_user: "User | Actor", grid: Area, kind: str, count: int) -> None:
    log.record(
        acting_user,
        AuditEvent.RESIDENTS_EXPORT,
        obj=grid,
        area_path=grid.path,
        details={"format": kind, "count": count},
    )


REGISTER_COLUMNS: Sequence[tuple[Any, float]] = (
    (_("Building"), 8),
    (_("Unit"), 6),
    (_("Room"), 8),
    (_("Name"), 12),
    (_("Sex"), 6),
    (_("Birth year"), 10),
    (_("Age"), 6),
    (_("ID type"), 12),
    (_("ID number"), 22),
    (_("Phone"), 14),
    (_("Ethnicity"), 8),
    (_("Relation to head"), 10),
    (_("Status"), 8),
    (_("Tags"), 16),
    (_("Resident code"), 13),
    (_("Note"), 24),
)


def grid_register_xlsx(grid: Area, user: User, *, acting_user: "User | Actor") -> BinaryIO:
    """The grid's register as an Excel file to stream (masked numbers), audited.

    People are read EXPORT_CHUNK at a time and written as they come: memory stays the
    same whatever the grid's size (bench/export_memory.py).
    """
    people = grid_residents_query(user, grid).iterator(chunk_size=EXPORT_CHUNK)
    count = 0
    today = timezone.localdate()
    book = WorkbookBuilder()
    sheet = book.add_sheet(
        grid.name,
        [Column(header, width) for header, width in REGISTER_COLUMNS],
        preamble=[
            [_path_label(grid)],
            [gettext("Household register, exported %(date)s") % {"date": today.isoformat()}],
        ],
    )
    for person in people:
        count += 1
        home = person.household
        sheet.append(
            [
                home.building,
                home.unit,
                home.room,
                person.name,
                person.get_sex_display(),
                person.birth_year,
                person.age(today),
                person.get_id_type_display(),
                person.id_number_masked,
                person.phone_masked,
                person.ethnicity,
                person.relation,
                person.get_status_display(),
                "、".join(str(label) for label in person.tag_labels()),
                person.code,
                person.note,
            ]
        )
    data = book.to_file()
    _record_export(acting_user, grid, "xlsx", count)
    return data


@lru_cache(maxsize=8192)
def qr_data_uri(code: str) -> str:
    """The resident code as a QR code, an SVG data URI the PDF embeds (no file, no network)."""
    return str(segno.make_qr(code, error="m").svg_data_uri(scale=1, border=1))


@dataclass(frozen=True)
class RegisterLine:
    """One person's line on the printed register."""

    resident: Resident
    qr: str
    age: int | None
    tags: list[Any]


@dataclass(frozen=True)
class HouseholdGroup:
    household: Household
    lines: list[RegisterLine]


def grid_register_pdf(grid: Area, user: User, *, acting_user: "User | Actor") -> bytes:
    """The printable register of a grid (A4, by household, a QR code per person), audited.

    People who moved out or died are left off: this is the list volunteers take door to
    door.
    """
    people = grid_residents(user, grid, include_gone=False)
    today = timezone.localdate()
    groups: list[HouseholdGroup] = []
    for person in people:
        if not groups or groups[-1].household.pk != person.household_id:
            groups.append(HouseholdGroup(person.household, []))
        line = RegisterLine(
            person, qr_data_uri(person.code), person.age(today), person.tag_labels()
        )
        groups[-1].lines.append(line)
    pdf = render_pdf(
        "residents/register_pdf.html",
        {
            "grid": grid,
            "path": _path_label(grid),
            "today": today,
            "groups": groups,
            "count": len(people),
        },
        stylesheets=["residents/register_print.css"],
    )
    _record_export(acting_user, grid, "pdf", len(people))
    return pdf


def report_workbook(source: bytes, file_name: str, errors: Sequence[importing.RowError]) -> bytes:
    """The uploaded sheet as it came, row for row, with a column saying what is wrong.

    Row numbers match the original (title rows and blank rows are kept), so a person
    can correct the rows in this file and import it again: the extra column is ignored.
    """
    problems: dict[int, list[str]] = {}
    for error in errors:
        text = f"{error.column}: {error.message}" if error.column else error.message
        problems.setdefault(error.row, []).append(text)
    table = spreadsheets.read_table(source, file_name)
    width = max((len(row.cells) for row in table.preamble), default=0)
    width = max(width, len(table.header.names))
    header_cells = list(table.preamble[-1].cells) + [None] * width
    columns = [Column(cell if cell is not None else "", 14) for cell in header_cells[:width]]
    columns.append(Column(_("Problem"), 60))
    book = WorkbookBuilder()
    sheet = book.add_sheet(
        _("Import report"),
        columns,
        preamble=[list(row.cells) for row in table.preamble[:-1]],
    )
    for row in table.rows(skip=False):
        cells: list[Any] = list(row.cells) + [None] * (width - len(row.cells))
        cells.append("；".join(problems.get(row.number, [])) or None)
        sheet.append(cells)
    return book.to_bytes()


def import_report_xlsx(batch: ImportBatch, *, acting_user: "User | Actor") -> bytes:
    """A pending import's report file. It holds the uploader's own rows in full, so its
    download is audited."""
    kept = importing.load_plan(batch.storage_key)
    data = report_workbook(importing.load_source(batch.storage_key), batch.file_name, kept.errors)
    log.record(
        acting_user,
        AuditEvent.RESIDENTS_IMPORT_REPORT,
        obj=batch,
        area_path=batch.area.path,
        details={"rows": batch.rows_total, "errors": batch.rows_error},
    )
    return data
