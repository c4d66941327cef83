"""The error every testing action raises for input its rules refuse."""


class RoundError(ValueError):
    """A request the testing rules refuse, with a message for the person who made it."""
