class DispatchError(Exception):
    """A dispatch action refused for a reason the person can act on (shown as said)."""
