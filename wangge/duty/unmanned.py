"""Unmanned posts raise incidents (the worker's periodic job `duty.unmanned`).

A post is unmanned when a shift running now has a worker who has not checked in
WANGGE_DUTY_LATE_MINUTES (default 15) after its start, or when no shift covers now at all
(a gap in the day's roster). Each raises one incident through `incidents.raise_incident`
(kind UNMANNED_POST, source POST_UNMANNED) under the key "duty:<post>:<shift>" or
"duty:<post>:gap:<start of the gap>", so checking again raises nothing twice. The query
count is fixed: the active posts, today's shifts, the keys already raised.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from wangge.audit.log import Actor
from wangge.duty.models import Post, Shift
from wangge.duty.selectors import late_after, overlapping
from wangge.duty.timing import day_bounds, gaps
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.incidents.models import Incident

SYSTEM = Actor(user=None, source="worker", label="worker")


def shift_key(post: Post, shift: Shift) -> str:
    return f"duty:{post.pk}:{shift.pk}"


def gap_key(post: Post, start: dt.datetime) -> str:
    return f"duty:{post.pk}:gap:{start.astimezone(dt.UTC):%Y%m%dT%H%M}"


def _clock(moment: dt.datetime) -> str:
    """A time of day as HH:MM, midnight at the end of a stretch as 24:00."""
    text = timezone.localtime(moment).strftime("%H:%M")
    return "24:00" if text == "00:00" else text


def find_unmanned(now: dt.datetime) -> list[tuple[Post, str, str]]:
    """(post, source key, description) for every post unmanned now."""
    start, end = day_bounds(timezone.localdate(now))
    posts = list(Post.objects.filter(active=True).select_related("area"))
    by_post: dict[int, list[Shift]] = defaultdict(list)
    for shift in Shift.objects.filter(overlapping(start, end), post__active=True).select_related(
        "worker"
    ):
        by_post[shift.post_id].append(shift)
    found = []
    with translation.override(settings.LANGUAGE_CODE):
        for post in posts:
            shifts = by_post[post.pk]
            running = [s for s in shifts if s.starts_at <= now < s.ends_at]
            for shift in running:
                if shift.checked_in_at is None and now - shift.starts_at >= late_after():
                    text = gettext(
                        "%(worker)s has not checked in for the shift from %(start)s at %(post)s."
                    ) % {
                        "worker": shift.worker.name,
                        "start": timezone.localtime(shift.starts_at).strftime("%H:%M"),
                        "post": post.name,
                    }
                    found.append((post, shift_key(post, shift), text))
            if running:
                continue
            for begins, ends in gaps([(s.starts_at, s.ends_at) for s in shifts], start, end):
                if begins <= now < ends:
                    text = gettext(
                        "Nobody is on the roster of %(post)s from %(start)s to %(end)s."
                    ) % {
                        "post": post.name,
                        "start": timezone.localtime(begins).strftime("%H:%M"),
                        "end": _clock(ends),
                    }
                    found.append((post, gap_key(post, begins), text))
    return found


def raise_unmanned(now: dt.datetime) -> int:
    """Raise an incident for each post unmanned now that has none yet; how many."""
    found = find_unmanned(now)
    keys = [key for _post, key, _text in found]
    known = set(Incident.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    raised = 0
    for post, key, text in found:
        if key in known:
            continue
        with transaction.atomic():
            raise_incident(
                IncidentKind.UNMANNED_POST,
                IncidentSeverity.HIGH,
                post.area,
                place=post.name,
                description=text,
                source=IncidentSource.POST_UNMANNED,
                source_key=key,
                at=now,
                acting_user=SYSTEM,
            )
        raised += 1
    return raised
