"""Test helpers for rounds: a round over an area, and marking people sampled."""

import datetime as dt

from django.utils import timezone

from wangge.testing.actions import rounds as actions
from wangge.testing.models import Round, RoundSample


def make_round(area, *, user=None, open_it=True, **options):
    """A round set up by the system (tests build their world as it; the actions check who
    may do what), recorded as created by `user` if given."""
    now = timezone.now()
    round_ = actions.create_round(
        name=options.pop("name", "第一轮全员核酸"),
        scope=[area],
        starts_at=options.pop("starts_at", now - dt.timedelta(hours=1)),
        ends_at=options.pop("ends_at", now + dt.timedelta(hours=23)),
        acting_user=None,
        **options,
    )
    if user is not None:
        Round.objects.filter(pk=round_.pk).update(created_by=user)
        round_.created_by = user
    if open_it:
        actions.open_round(round_, acting_user=None)
    return round_


def mark_sampled(round_, *residents):
    """Record residents as sampled the way ingestion does (first registration in the round)."""
    from wangge.testing.expectation import ExpectationRules

    rules = ExpectationRules.for_round(round_)
    for resident in residents:
        RoundSample.objects.get_or_create(
            round=round_,
            resident=resident,
            defaults={
                "grid": resident.grid,
                "counted": rules.expects(
                    resident,
                    resident.grid.path,
                    exempted=resident.exemptions.filter(round=round_).exists(),
                ),
                "home_visit": resident.needs_home_visit,
                "first_sampled_at": timezone.now(),
            },
        )
