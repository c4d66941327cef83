"""The feedback on a list, as an Excel file in the layout the list came in.

Same sheet name, the same rows above the header, the same columns in the same order and
the rows in their original order, with the feedback appended (状态, 反馈说明, 反馈时间,
责任网格). ID numbers and phones are full only for those who may reveal them (REVEAL_PERSONAL
on the person's area), masked for everyone else; every export is audited.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, record
from wangge.core.permissions import Perm
from wangge.core.scoping import in_scope
from wangge.lib.excel import Column, WorkbookBuilder, sheet_title
from wangge.tracing.models import TracedList
from wangge.tracing.selectors import visible_people

FEEDBACK_HEADERS = ("状态", "反馈说明", "反馈时间", "责任网格")


def feedback_xlsx(traced_list: TracedList, user: User, *, acting_user: Actor) -> bytes:
    people = (
        visible_people(user)
        .filter(traced_list=traced_list)
        .select_related("area")
        .order_by("row_number")
    )
    reveal_paths = user.scope_paths(Perm.REVEAL_PERSONAL)
    fields = traced_list.fields
    width = len(traced_list.columns)
    book = WorkbookBuilder()
    preamble = [list(row) for row in traced_list.preamble[:-1]]
    sheet = book.add_sheet(
        sheet_title(traced_list.sheet_name or traced_list.title),
        [Column(name or "") for name in traced_list.columns]
        + [Column(header, 16) for header in FEEDBACK_HEADERS],
        preamble=preamble,
    )
    revealed = 0
    rows = 0
    for person in people.iterator(chunk_size=2000):
        cells = list(person.cells) + [None] * (width - len(person.cells))
        full = in_scope(reveal_paths, person.area.path)
        revealed += full
        if "id_number" in fields:
            cells[fields["id_number"]] = (
                person.reveal_id_number() if full else person.id_number_masked
            )
        if "phone" in fields:
            cells[fields["phone"]] = person.reveal_phone() if full else person.phone_masked
        note = person.feedback_note
        if person.left_to:
            note = f"{_('left for')} {person.left_to}; {note}".strip("; ")
        when = timezone.localtime(person.feedback_at) if person.feedback_at else None
        sheet.append([*cells[:width], person.get_status_display(), note, when, person.area.name])
        rows += 1
    record(
        acting_user,
        AuditEvent.TRACED_LIST_EXPORT,
        obj=traced_list,
        area_path=traced_list.area.path,
        details={"rows": rows, "full_numbers": revealed},
    )
    return book.to_bytes()
