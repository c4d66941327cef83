from typing import Any


class ServiceError(Exception):
    """A service action refused for a reason the person can act on (shown as said)."""

    def __init__(self, message: Any, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
