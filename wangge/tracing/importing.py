"""Reading a list to trace: upload → check every row → report → the uploader confirms.

Lists come down as the sheets people keep: a title row, a "填报单位" line, a header with
one of many names per column, ID numbers that Excel turned into numbers. The register
import's reader (`wangge.lib.spreadsheets`: header matching, title rows, merged cells,
GBK CSV, limits) reads them; this module says which columns a list has and checks each
row. Nothing is written: the checked rows wait, encrypted, in `core.staging` until the
uploader confirms, and a list with any bad row is refused whole.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from wangge.core.staging import Staging
from wangge.lib import idnumbers, phones, spreadsheets
from wangge.lib.idnumbers import IdType
from wangge.lib.spreadsheets import REGISTER_COLUMNS, Cell, Row, SpreadsheetError
from wangge.residents import vocabulary
from wangge.residents.importing import collector_paused
from wangge.tracing.errors import TracingError

# The columns of a list to trace: the register's names for a person, plus its own.
TRACING_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "seq": REGISTER_COLUMNS["seq"],
    "name": (*REGISTER_COLUMNS["name"], "协查对象", "协查对象姓名"),
    "id_type": REGISTER_COLUMNS["id_type"],
    "id_number": REGISTER_COLUMNS["id_number"],
    "phone": REGISTER_COLUMNS["phone"],
    "address": (*REGISTER_COLUMNS["address"], "户籍地址", "现居住地", "居住地", "落脚点"),
    "reason": (
        "原因",
        "协查原因",
        "推送原因",
        "事由",
        "协查事由",
        "风险类型",
        "人员类型",
        "类别",
        "reason",
    ),
    "deadline": (
        "期限",
        "反馈时限",
        "反馈期限",
        "截止时间",
        "完成时限",
        "反馈截止时间",
        "deadline",
        "due",
    ),
}
# The columns a list started by hand gets (and the template to download).
DEFAULT_LAYOUT: tuple[tuple[str, str], ...] = (
    ("seq", "序号"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "联系电话"),
    ("address", "现住址"),
    ("reason", "协查原因"),
    ("deadline", "反馈时限"),
)
SEALED_COLUMNS = ("id_number", "phone")
STAGING = Staging(purpose="tracing", folder="tracing")

JsonCell = str | int | float | bool | None


@dataclass(frozen=True)
class RowError:
    """Why one row is refused: its sheet row, the column's own header text and the reason."""

    row: int
    column: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> list[Any]:
        return [self.row, self.column, self.code, dict(self.params)]

    @classmethod
    def from_json(cls, value: Sequence[Any]) -> "RowError":
        return cls(int(value[0]), str(value[1]), str(value[2]), dict(value[3]))


@dataclass(frozen=True)
class PersonInput:
    """One person to trace as checked input (canonical ID number and phone)."""

    row_number: int
    name: str
    id_type: str = IdType.RESIDENT_CARD
    id_number: str = field(default="", repr=False)
    phone: str = field(default="", repr=False)
    address: str = ""
    reason: str = ""
    deadline: dt.datetime | None = None
    cells: tuple[JsonCell, ...] = ()

    def to_json(self) -> list[Any]:
        due = self.deadline.isoformat() if self.deadline else None
        return [
            self.row_number,
            self.name,
            self.id_type,
            self.id_number,
            self.phone,
            self.address,
            self.reason,
            due,
            list(self.cells),
        ]

    @classmethod
    def from_json(cls, v: Sequence[Any]) -> "PersonInput":
        # Rows come back from our own authenticated, encrypted staging: already checked.
        due = dt.datetime.fromisoformat(v[7]) if v[7] else None
        return cls(v[0], v[1], v[2], v[3], v[4], v[5], v[6], due, tuple(v[8]))


@dataclass
class Analysis:
    """A checked list: its layout, its rows, and every problem found."""

    file_name: str
    sheet_name: str
    preamble: list[list[str]]
    columns: list[str]
    fields: dict[str, int]
    people: list[PersonInput]
    errors: list[RowError]
    rows_skipped: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "sheet_name": self.sheet_name,
            "preamble": self.preamble,
            "columns": self.columns,
            "fields": self.fields,
            "people": [person.to_json() for person in self.people],
            "errors": [error.to_json() for error in self.errors],
            "rows_skipped": self.rows_skipped,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "Analysis":
        return cls(
            file_name=value["file_name"],
            sheet_name=value["sheet_name"],
            preamble=value["preamble"],
            columns=value["columns"],
            fields=value["fields"],
            people=[PersonInput.from_json(row) for row in value["people"]],
            errors=[RowError.from_json(error) for error in value["errors"]],
            rows_skipped=value.get("rows_skipped", 0),
        )


def clean_name(value: object) -> str:
    text = idnumbers.normalise_text(spreadsheets.as_text(value)).strip()  # type: ignore[arg-type]
    text = " ".join(text.split())
    if not text:
        raise TracingError("name_missing", field="name")
    if len(text) > 60:
        raise TracingError("name_too_long", field="name")
    return text


def clean_id(id_type_text: str, cell: Cell) -> tuple[str, str]:
    """(ID type, canonical number) of a cell; ("none", "") when there is no number."""
    if spreadsheets.stored_as_number(cell):
        raise TracingError("id_excel_number", field="id_number")
    text = spreadsheets.as_text(cell)
    id_type = vocabulary.id_type_code(id_type_text) if id_type_text else ""
    if id_type is None:
        raise TracingError("id_type_unknown", field="id_type")
    if not idnumbers.normalise(text):
        return IdType.NONE, ""
    try:
        return (id_type or IdType.RESIDENT_CARD), idnumbers.validate(
            IdType(id_type or IdType.RESIDENT_CARD), text
        )
    except idnumbers.IdNumberError as exc:
        raise TracingError("id_" + exc.code, field="id_number") from exc


def clean_typed_id(id_type: str, text: str) -> tuple[str, str]:
    """(ID type, canonical number) from a form's type code and text."""
    if id_type not in IdType.__members__.values() or not idnumbers.normalise(text):
        return IdType.NONE, ""
    try:
        return id_type, idnumbers.validate(IdType(id_type), text)
    except idnumbers.IdNumberError as exc:
        raise TracingError("id_" + exc.code, field="id_number") from exc


def clean_phone(cell: Cell) -> str:
    try:
        return phones.validate(spreadsheets.as_text(cell))
    except phones.PhoneError as exc:
        raise TracingError("phone_invalid", field="phone") from exc


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline given as a day means the end of that day, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def clean_deadline(cell: Cell) -> dt.datetime | None:
    if isinstance(cell, dt.datetime):
        return cell if timezone.is_aware(cell) else timezone.make_aware(cell)
    try:
        day = spreadsheets.as_date(cell)
    except ValueError as exc:
        raise TracingError("deadline_invalid", field="deadline") from exc
    return end_of_day(day) if day else None


def _json_cell(cell: Cell) -> JsonCell:
    if cell is None or isinstance(cell, bool | int | float | str):
        return cell
    return spreadsheets.as_text(cell)


def check_row(row: Row, fields: Mapping[str, int], width: int) -> PersonInput:
    """One sheet row as a person to trace, or TracingError naming the field at fault."""

    def cell(key: str) -> Cell:
        index = fields.get(key)
        return row.get(index) if index is not None else None

    name = clean_name(cell("name"))
    id_type, number = clean_id(spreadsheets.as_text(cell("id_type")), cell("id_number"))
    phone = clean_phone(cell("phone"))
    if not number and not phone:
        raise TracingError("no_identity", field="id_number")
    address = " ".join(spreadsheets.as_text(cell("address")).split())[:200]
    reason = " ".join(spreadsheets.as_text(cell("reason")).split())[:200]
    deadline = clean_deadline(cell("deadline"))
    sealed = {fields[key] for key in SEALED_COLUMNS if key in fields}
    cells = tuple(None if index in sealed else _json_cell(row.get(index)) for index in range(width))
    return PersonInput(row.number, name, id_type, number, phone, address, reason, deadline, cells)


def identity(person: PersonInput) -> tuple[str, ...]:
    """Who a row is, for finding the same person twice in one list."""
    if person.id_number:
        return (person.id_type, person.id_number)
    return ("phone", person.phone, person.name)


def analyse(data: bytes, file_name: str) -> Analysis:
    """Read and check a list; changes nothing. TracingError for a file that cannot be read
    at all; the problems of single rows are in the result."""
    if not data:
        raise TracingError("file_empty", field="file")
    # The register import's pause of the cyclic collector: the checked rows pile up.
    with collector_paused():
        return _analyse(data, file_name)


def _analyse(data: bytes, file_name: str) -> Analysis:
    try:
        table = spreadsheets.read_table(data, file_name, TRACING_COLUMNS, required=("name",))
        header = table.header
        if "id_number" not in header.fields and "phone" not in header.fields:
            raise TracingError("no_identity_column", field="file")
        width = len(header.names)
        people: list[PersonInput] = []
        problems: list[RowError] = []
        seen: dict[tuple[str, ...], int] = {}
        for row in table.rows():
            try:
                person = check_row(row, header.fields, width)
            except TracingError as exc:
                problems.append(
                    RowError(row.number, header.column_name(exc.field), exc.code, exc.params)
                )
                continue
            first = seen.setdefault(identity(person), row.number)
            if first != row.number:
                column = "id_number" if person.id_number else "phone"
                problems.append(
                    RowError(row.number, header.column_name(column), "duplicate", {"row": first})
                )
                continue
            people.append(person)
    except SpreadsheetError as exc:
        raise TracingError("file_" + exc.code, field="file", **exc.params) from exc
    return Analysis(
        file_name=file_name[:200],
        sheet_name=table.sheet_name,
        preamble=[[spreadsheets.as_text(c) for c in r.cells] for r in table.preamble],
        columns=list(header.names),
        fields=dict(header.fields),
        people=people,
        errors=problems,
        rows_skipped=table.skipped_blank + table.skipped_totals,
    )


def default_fields() -> dict[str, int]:
    return {key: index for index, (key, _name) in enumerate(DEFAULT_LAYOUT)}


def default_cells(person: PersonInput, seq: int) -> tuple[JsonCell, ...]:
    """A row of the default layout (a list started by hand), sealed columns empty."""
    due = timezone.localtime(person.deadline).date().isoformat() if person.deadline else None
    values: dict[str, JsonCell] = {
        "seq": seq,
        "name": person.name,
        "address": person.address,
        "reason": person.reason,
        "deadline": due,
    }
    return tuple(values.get(key) for key, _name in DEFAULT_LAYOUT)


def template_xlsx() -> bytes:
    """An empty list in the default layout, with one example row."""
    from wangge.lib.excel import workbook_bytes

    number = idnumbers.make_resident_card_number("620103", dt.date(1980, 5, 17), 1, "M")
    example = ["1", "张三", number, "13900001234", "西园街道某小区1-1-101"]
    return workbook_bytes(
        "协查名单",
        [name for _key, name in DEFAULT_LAYOUT],
        [[*example, "密接", "2022-04-05"]],
        preamble=[["XX市疫情防控指挥部 协查名单"]],
    )
