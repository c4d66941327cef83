"""Recount a round's expected figures per grid from the registry.

The live coverage recounts grids whose registry changed by itself; this command is for an
operator who changed the registry outside the actions (a database restore, a bulk fix).
With --in-background it only queues the recount for the worker (`wangge worker`).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.audit.log import Actor
from wangge.testing.actions.rounds import recount_round
from wangge.testing.choices import RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.models import Round
from wangge.testing.selectors import grid_figures
from wangge.testing.tasks import recount_round_task


class Command(BaseCommand):
    help = "Recount the expected residents of every grid of an open round (or a closed one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", type=int, help="The round's id.")
        parser.add_argument(
            "--closed",
            action="store_true",
            help="Allow recounting a closed round (its recorded figures change).",
        )
        parser.add_argument(
            "--in-background", action="store_true", help="Queue the recount for the worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        round_ = Round.objects.filter(pk=options["round"]).first()
        if round_ is None:
            raise CommandError(f"no round {options['round']}")
        if round_.status == RoundStatus.CLOSED and not options["closed"]:
            raise CommandError("the round is closed; pass --closed to recount it anyway")
        if options["in_background"]:
            result = recount_round_task.enqueue(round_.pk)
            self.stdout.write(f"Round {round_.pk}: recount queued as task {result.id}.")
            return
        before = _expected(round_)
        try:
            grids = recount_round(
                round_, acting_user=Actor(user=None, source="command", label="recount_round")
            )
        except RoundError as exc:
            raise CommandError(str(exc)) from exc
        after = _expected(round_)
        self.stdout.write(
            f"Round {round_.pk}: {grids} grids recounted; expected {before} → {after}."
        )


def _expected(round_: Round) -> int:
    areas = [scope.area for scope in round_.scope.select_related("area")]
    return sum(f.expected for area in areas for f in grid_figures(round_, area).values())
