"""Lists to trace for tests: sheets as bytes, and lists imported through the actions."""

import datetime as dt
import io
from collections.abc import Sequence

from django.utils import timezone
from openpyxl import Workbook

from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.tracing import actions, importing
from wangge.tracing.models import TracedList

SYSTEM = Actor(user=None, label="test")
HEADER = ("序号", "姓名", "身份证号", "联系电话", "协查原因", "备注")


def xlsx(
    rows: Sequence[Sequence[object]],
    *,
    header: Sequence[str] = HEADER,
    title: str = "兰州市疫情防控指挥部协查名单",
    sheet: str = "协查名单",
) -> bytes:
    """A list as the command centre sends it: a title row, a unit line, the header, rows."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(["填报单位：七里河区"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_gbk(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    lines = ["协查名单", ",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def make_list(
    area: Area,
    rows: Sequence[Sequence[object]],
    *,
    title: str = "协查名单",
    deadline: dt.datetime | None = None,
    acting_user: object = SYSTEM,
) -> TracedList:
    analysis = importing.analyse(xlsx(rows), "名单.xlsx")
    assert not analysis.errors, analysis.errors
    return actions.import_list(
        analysis,
        area=area,
        title=title,
        reason="密接",
        deadline=deadline or timezone.now() + dt.timedelta(days=1),
        acting_user=acting_user,  # type: ignore[arg-type]
    )
