"""Reading a unit's answer from the docking page's form.

Each correctable figure of the catalogue is a row with two fields: `fix-<key>` (the
corrected value, blank when the figure is right) and `why-<key>` (its reason). Two buttons
say what the unit means (`answer` = confirm / correct), so that a figure typed by mistake is
never confirmed as corrected, nor a correction lost by pressing "confirm".
"""

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from wangge.core import params
from wangge.docking.actions import COMMENT_MAX, REASON_MAX, CorrectionItem
from wangge.snapshots.figures import FIGURES

CONFIRM = "confirm"
CORRECT = "correct"
# Read a little beyond the limits, so that the action can say a text is too long.
_SLACK = 20


def fix_name(key: str) -> str:
    return f"fix-{key}"


def why_name(key: str) -> str:
    return f"why-{key}"


@dataclass
class PostedAnswer:
    """What the form said: the button, the corrections, the comment, the values as typed
    (to show them again) and the problems found before the action sees them."""

    answer: str
    corrections: list[CorrectionItem]
    comment: str
    typed: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_answer(data: QueryDict) -> PostedAnswer:
    answer = params.choice(data, "answer", [CONFIRM, CORRECT], CONFIRM)
    comment = params.text(data, "comment", max_length=COMMENT_MAX + _SLACK)
    posted = PostedAnswer(answer=answer, corrections=[], comment=comment)
    for figure in FIGURES:
        if not figure.correctable:
            continue
        value = params.text(data, fix_name(figure.key), max_length=40)
        reason = params.text(data, why_name(figure.key), max_length=REASON_MAX + _SLACK)
        if not value and not reason:
            continue
        posted.typed[figure.key] = (value, reason)
        if not value:
            posted.errors[figure.key] = _("Enter the corrected figure, or clear the reason.")
            continue
        number = params.read_integer(value)
        if number is None or number < 0:
            posted.errors[figure.key] = _("Enter a whole number, 0 or more.")
            continue
        posted.corrections.append(CorrectionItem(figure.key, number, reason))
    if answer == CONFIRM and posted.typed:
        posted.errors[""] = _(
            "You entered corrections: submit them as corrections, or clear them to confirm."
        )
    if answer == CORRECT and not posted.typed:
        posted.errors[""] = _("Enter at least one corrected figure, with its reason.")
    return posted
