"""Why the registry refuses an input: one catalogue of reasons, translated when shown.

A reason is stored as a code and its parameters (an import keeps the reasons of its
rows until the uploader decides), so that it is shown in the reader's language and never
carries the refused value itself: a reason must not echo an ID number or a phone.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.lib import spreadsheets

MESSAGES: Mapping[str, Promise] = {
    "name_missing": _("The name is missing."),
    "name_too_long": _("The name is longer than 60 characters."),
    "id_type_unknown": _("Unknown ID type: use 居民身份证, 港澳通行证, 台胞证, 护照 or 无."),
    "id_excel_number": _(
        "Excel stored this ID number as a number and lost its last digits: format the column "
        "as text, type the number again and import the sheet again."
    ),
    "id_unexpected": _("A person without a document has no number."),
    "id_missing": _(
        "The ID number is missing. For a person without a document (a newborn) write 无 as "
        "the ID type, or give the birth date."
    ),
    "id_old_format": _("15-digit ID numbers are no longer valid: use the 18-digit number."),
    "id_length": _("A resident ID number has 18 characters."),
    "id_characters": _("A resident ID number is 17 digits followed by a digit or X."),
    "id_birth_date": _(
        "The birth date inside the ID number is not a real date or is in the future."
    ),
    "id_checksum": _("The check digit of the ID number is wrong."),
    "id_checksum_zeros": _(
        "The check digit of the ID number is wrong (Excel may have replaced its last digits "
        "with zeros)."
    ),
    "id_format": _("The document number does not have the form of its type."),
    "phone_invalid": _("Not a valid mobile (11 digits starting with 1) or landline number."),
    "sex_unknown": _("Unknown sex: use 男 or 女."),
    "sex_mismatch": _("The sex given does not match the ID number."),
    "birth_date_invalid": _("The birth date is not a date (write it as 1980-05-17)."),
    "birth_date_mismatch": _("The birth date given does not match the ID number."),
    "birth_date_future": _("The birth date is in the future."),
    "status_unknown": _("Unknown status: use 在住, 外出, 住院, 迁出 or 死亡."),
    "status_contradiction": _(
        "The column “%(first)s” says “%(first_word)s” but the column “%(second)s” says "
        "“%(second_word)s”: correct the one that is wrong."
    ),
    "grid_missing": _("The grid is missing."),
    "grid_unknown": _("No grid of this name in the chosen area."),
    "grid_ambiguous": _("Several grids of this name in the chosen area: choose a smaller area."),
    "grid_not_chosen": _(
        "This row belongs to another grid than “%(grid)s”, the grid you chose: import it "
        "into its own grid, or choose their community."
    ),
    "grid_name_differs": _(
        "The sheet's grid column says “%(read)s”, but you chose the grid “%(grid)s”: if you "
        "confirm, its rows are imported into “%(grid)s”."
    ),
    "grid_not_confirmed": _("Confirm that the rows go into the grid you chose, then import them."),
    "not_a_grid": _("Households belong to grids: choose a grid."),
    "household_missing": _("The household's address is missing (building, unit, room or address)."),
    "household_exists": _("This household already exists."),
    "duplicate_in_sheet": _("The same person is already on row %(row)s of this sheet."),
    "two_addresses": _(
        "The same person is already on row %(row)s at %(first)s, and this row puts them at "
        "%(second)s: only row %(row)s is imported. Correct the row that is wrong."
    ),
    "already_registered": _("A resident with this ID number is already registered."),
    "registered_elsewhere": _(
        "This person is registered outside the chosen area: they must be moved here first."
    ),
    "value_too_long": _("The text is too long."),
    "control_characters": _(
        "The text contains invisible control characters; type it again without them."
    ),
    "tags_invalid": _("The tags are not valid."),
    # About a whole file rather than a row: the reader's reasons (file_unreadable,
    # file_too_large …), and the register's own way of saying what its header needs.
    **{"file_" + code: message for code, message in spreadsheets.MESSAGES.items()},
    "file_no_header": _(
        "No header row found: the sheet needs column names such as 姓名 and 身份证号 in one row."
    ),
    "file_empty": _("The file is empty."),
    "file_too_large": _("The file is missing or larger than the upload limit."),
    "no_id_column": _("The sheet has no ID number column (身份证号, 证件号码 …)."),
    "no_household_columns": _(
        "The sheet has no household columns: give 楼栋, 单元 and 门牌号, or an address."
    ),
    "grid_column_needed": _(
        "The chosen area is not a grid: choose a grid, or add a grid column (网格 / 小区 / 村组)."
    ),
    "no_phone": _("No phone number is registered for this person."),
    "call_limit": _("Too many calls in a short time: wait a few minutes and call again."),
    "import_not_pending": _("This import has already been applied or discarded."),
    "import_expired": _("This upload is no longer kept: upload the file again."),
    "import_stale": _(
        "The registry changed since the sheet was checked: it has been checked again, "
        "please look at the new report."
    ),
}


def render(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The reason in the active language."""
    template = MESSAGES.get(code)
    message = str(template) if template is not None else code
    if params:
        return message % dict(params)
    return message


class RegistryError(ValueError):
    """Input the registry refuses: a reason code, the field at fault and the reason's parameters."""

    def __init__(self, code: str, *, field: str = "", **params: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown registry error code {code!r}")
        self.code = code
        self.field = field
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return render(self.code, self.params)

    def __str__(self) -> str:
        return self.message
