"""Why a list, a row or a feedback is refused: one catalogue of reasons, shown translated.

A reason is kept as a code and parameters (a checked list waits for its uploader's
decision), never with the refused value itself: a reason must not echo an ID number.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.lib import idnumbers, spreadsheets

_OWN: Mapping[str, Promise] = {
    "file_empty": _("The file is empty."),
    "no_name_column": _("The sheet has no name column (姓名)."),
    "no_identity_column": _(
        "The sheet has neither an ID number column (身份证号 / 证件号码) nor a phone column "
        "(手机号 / 联系电话)."
    ),
    "name_missing": _("The name is missing."),
    "name_too_long": _("The name is longer than 60 characters."),
    "id_type_unknown": _("Unknown ID type: use 居民身份证, 港澳通行证, 台胞证, 护照 or 无."),
    "no_identity": _("Neither an ID number nor a phone: the person cannot be traced."),
    "phone_invalid": _("Not a valid mobile (11 digits starting with 1) or landline number."),
    "deadline_invalid": _("The deadline is not a date (write it as 2022-04-05)."),
    "duplicate": _("The same person as on row %(row)s."),
    "control_characters": _("The text holds control characters."),
    "has_errors": _(
        "A list is imported whole or not at all: correct the rows named in the report and "
        "upload the file again."
    ),
    "expired": _("This upload has expired or was discarded: upload the file again."),
    "status_invalid": _("Choose what the feedback is."),
    "left_to_missing": _("Say where the person went."),
    "measure_missing": _("Choose the measure and the category."),
    "not_pending": _("Only a person still waiting for feedback can be assigned."),
    "assign_area": _("Assign to a community or a grid below the list's area."),
    "deadline_past": _("The deadline is in the past."),
}
# With the ID number's own reasons (wangge.lib.idnumbers) as "id_<code>" and the
# spreadsheet reader's as "file_<code>".
MESSAGES: Mapping[str, Promise] = {
    **_OWN,
    **{f"id_{code}": message for code, message in idnumbers.MESSAGES.items()},
    **{f"file_{code}": message for code, message in spreadsheets.MESSAGES.items()},
}


def render(code: str, params: Mapping[str, Any] | None = None) -> str:
    message = str(MESSAGES.get(code, MESSAGES["has_errors"]))
    return message % dict(params) if params else message


class TracingError(ValueError):
    """A refusal with its reason's code (and the field at fault, for forms)."""

    def __init__(self, code: str, *, field: str = "", **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        return render(self.code, self.params)
