"""The error the workforce's actions raise for input their rules refuse."""

from typing import Any


class WorkforceError(ValueError):
    """A request the workforce's rules refuse: `field` names the input at fault (a form
    field or an import column), `str()` is a message for the person who made it."""

    def __init__(self, message: Any, *, field: str = "") -> None:
        super().__init__(str(message))
        self.field = field
        self.message = str(message)
