"""What people are told about incidents, in the site's language. Texts name the kind, the
area and the place, never a resident."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wangge.incidents.choices import Clock, IncidentKind, IncidentSeverity
from wangge.notifications.actions import Message


def incident_link(incident_id: object) -> str:
    return reverse("incidents:detail", args=[str(incident_id)])


def routed(*, incident_id: object, kind: str, severity: str, area: str, place: str) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        return Message(
            _("Incident in %(area)s: %(kind)s") % {"area": area, "kind": IncidentKind(kind).label},
            _("Severity %(severity)s. %(place)s Acknowledge it on its page.")
            % {"severity": IncidentSeverity(severity).label, "place": place},
            incident_link(incident_id),
        )


def escalated(*, incident_id: object, kind: str, area: str, clock: str, place: str) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        return Message(
            _("Incident escalated to you: %(kind)s in %(area)s")
            % {"kind": IncidentKind(kind).label, "area": area},
            _("The limit to %(clock)s ran out. %(place)s Take it over on its page.")
            % {"clock": Clock(clock).label, "place": place},
            incident_link(incident_id),
        )


def reassigned(*, incident_id: object, kind: str, area: str) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        return Message(
            _("Incident assigned to you: %(kind)s in %(area)s")
            % {"kind": IncidentKind(kind).label, "area": area},
            _("It was handed over to you. Open it to take the next step."),
            incident_link(incident_id),
        )


def escalated_many(count: int) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        return Message(
            ngettext(
                "%(count)d incident escalated to you",
                "%(count)d incidents escalated to you",
                count,
            )
            % {"count": count},
            _("Their limits ran out. Take them over from your list."),
            reverse("incidents:mine"),
        )
