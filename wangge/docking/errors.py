from collections.abc import Mapping
from typing import Any


class DockingError(Exception):
    """An answer refused for a reason the person can act on (shown as said).

    `fields` maps a form field (a figure's key, "comment", or "" for the whole answer) to
    its message, so a page puts each next to what it is about; all the problems of an
    answer are said at once.
    """

    def __init__(self, message: Any, field: str = "", *, fields: Mapping[str, Any] | None = None):
        self.fields: dict[str, Any] = dict(fields) if fields else {field: message}
        first = message if message else next(iter(self.fields.values()))
        super().__init__(first)
        self.message = first

    def __str__(self) -> str:
        return str(self.message)
