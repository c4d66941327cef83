"""Why an act on a key person is refused: one catalogue of reasons, shown translated."""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: Mapping[str, Promise] = {
    "temperature_format": _("Write the temperature in °C with at most one decimal, e.g. 36.5."),
    "temperature_range": _(
        "A temperature must lie between 34.0 and 43.0 °C: check the thermometer and type it again."
    ),
    "symptom_unknown": _("Unknown symptom."),
    "released": _("This person has been released: nothing more is recorded."),
    "check_future": _("A health check cannot be recorded for a later time."),
    "check_before_start": _("A health check cannot be recorded before the measure started."),
    "test_future": _("A test cannot be sampled in the future."),
    "test_result_unknown": _("Unknown result."),
    "test_before_start": _("A test cannot be sampled before the measure started."),
    "not_flagged": _("This person has no open flag."),
    "note_missing": _("Say why the flag is cleared."),
    "release_end": _("The measure runs until %(date)s."),
    "release_tests": _("Not every scheduled test is negative yet (%(missing)s)."),
    "release_flag": _("An open flag must be cleared first: %(reason)s"),
    "policy_days": _("Test days must be whole days between 1 and the duration, e.g. 1, 4, 7."),
    "policy_duration": _("A measure lasts between 1 and 60 days."),
}


def render(code: str, params: Mapping[str, Any] | None = None) -> str:
    return str(MESSAGES[code]) % dict(params or {}) if params else str(MESSAGES[code])


class KeyPersonError(ValueError):
    """A refusal with its reason's code (MESSAGES) and parameters."""

    def __init__(self, code: str, *, field: str = "", **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        return render(self.code, self.params)
