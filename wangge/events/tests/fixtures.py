"""A fake clock for driving the worker without sleeping, and a job to schedule."""

import datetime as dt

from django_tasks import task


class FakeClock:
    """`timezone.now` for a test: it moves only when the test moves it."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


RUNS: list[dt.datetime] = []


@task()
def note_the_time() -> None:
    """A periodic job for the tests: writes down when it ran."""
    from django.utils import timezone

    RUNS.append(timezone.now())
