class DutyError(Exception):
    """A duty change that cannot be made, with the reason to show."""
