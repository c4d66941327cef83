from typing import Any


class IncidentError(Exception):
    """A step that cannot be taken now (the incident moved on meanwhile): said to the user."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
