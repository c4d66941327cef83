from django.utils.translation import gettext_lazy as _


class DayNotMade(Exception):
    """The area's day (or the version asked for) has no frozen figures: no bulletin."""

    message = _("The figures of this day have not been made for this area.")
