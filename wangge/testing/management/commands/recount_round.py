"""Recount a round's expected figures per grid from the registry.

The live coverage recounts grids whose registry changed by itself; this command is for an
operator who changed the registry outside the actions (a database restore, a bulk fix).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.scoping import subtree_q
from wangge.testing.actions.rounds import recount_grids
from wangge.testing.choices import RoundStatus
from wangge.testing.expectation import ExpectationRules
from wangge.testing.models import Round
from wangge.testing.selectors import frozen_sampled, grid_figures


class Command(BaseCommand):
    help = "Recount the expected residents of every grid of an open round (or a closed one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", type=int, help="The round's id.")
        parser.add_argument(
            "--closed",
            action="store_true",
            help="Allow recounting a closed round (its recorded figures change).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        round_ = Round.objects.filter(pk=options["round"]).first()
        if round_ is None:
            raise CommandError(f"no round {options['round']}")
        if round_.status == RoundStatus.PLANNED:
            raise CommandError("the round is not open yet: it counts when it opens")
        if round_.status == RoundStatus.CLOSED:
            if not options["closed"]:
                raise CommandError("the round is closed; pass --closed to recount it anyway")
            if frozen_sampled(round_) is not None:
                raise CommandError("the round's records were purged: its figures are final")
        rules = ExpectationRules.for_round(round_)
        grids = list(
            Area.objects.filter(subtree_q(rules.paths), kind__in=GRID_KINDS).values_list(
                "pk", flat=True
            )
        )
        before = _expected(round_)
        with transaction.atomic():
            recount_grids(round_, grids, rules)
            log.record(
                Actor(user=None, source="command", label="recount_round"),
                AuditEvent.ROUND_RECOUNT,
                obj=round_,
                details={"grids": len(grids)},
            )
        after = _expected(round_)
        self.stdout.write(
            f"Round {round_.pk}: {len(grids)} grids recounted; expected {before} → {after}."
        )


def _expected(round_: Round) -> int:
    areas = [scope.area for scope in round_.scope.select_related("area")]
    return sum(f.expected for area in areas for f in grid_figures(round_, area).values())
