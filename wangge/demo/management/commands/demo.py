"""`wangge demo`: build (or find) a demo district and print its logins."""

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from wangge.accounts.models import User
from wangge.audit.log import Actor
from wangge.checkpoints.demo import build_demo_checkpoints, demo_checkpoints_exist
from wangge.core.permissions import Role
from wangge.demo.generator import DemoError, build_demo, get_profile
from wangge.demo.logins import LOGINS, format_table, places, username, write_table
from wangge.demo.profiles import PROFILES
from wangge.demo.workforce import build_demo_workforce, demo_workforce_exists
from wangge.dispatch.demo import build_demo_boards, demo_boards_exist
from wangge.duty.demo import build_demo_duty, demo_duty_exist
from wangge.incidents.demo import build_demo_incidents, demo_incidents_exist
from wangge.keypersons.demo import build_demo_keypersons, demo_keypersons_exist
from wangge.risk.demo import build_demo_risk, demo_risk_exist
from wangge.services.demo import build_demo_services, demo_services_exist
from wangge.snapshots.demo import build_demo_history, demo_history_exists
from wangge.testing.demo import build_demo_rounds, demo_rounds_exist
from wangge.tracing.demo import build_demo_tracing, demo_tracing_exist


class Command(BaseCommand):
    help = (
        "Build a demo district from a profile (qilihe: Qilihe District, Lanzhou; yumen: "
        "Yumen City, Jiuquan) with synthetic residents and one login per role. Running it "
        "again reuses what exists; --reset deletes the demo district and builds it anew. "
        "By default qilihe gets 100,000 residents and yumen 60,000 so that the demo starts "
        "fast; Qilihe's real population is about 571,000: ask for it with --residents 571000."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", choices=sorted(PROFILES), default="qilihe")
        parser.add_argument(
            "--seed", type=int, default=1, help="Same seed, same people (default 1)."
        )
        parser.add_argument(
            "--residents",
            type=int,
            default=None,
            help="How many residents (default: 100000 for qilihe, 60000 for yumen).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo district and build it again."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes that seal ID numbers and phones (default: one per core).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError(
                "The demo creates logins with published passwords. Run it only in a demo "
                "installation (WANGGE_DEMO=true, as `make demo` does)."
            )
        try:
            profile = get_profile(options["profile"])
            wanted = options["residents"]
            total = profile.default_residents if wanted is None else wanted
            with tqdm(
                total=total, unit=" residents", unit_scale=True, disable=None, leave=False
            ) as bar:
                result = build_demo(
                    profile,
                    seed=options["seed"],
                    residents=wanted,
                    reset=options["reset"],
                    acting_user=Actor(user=None, label="wangge demo"),
                    workers=options["workers"],
                    progress=bar.update,
                )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        name = f"{result.district.name} ({profile.key})"
        if result.already_built:
            self.stdout.write(
                f"{name} is already built: {result.residents:,} residents in "
                f"{result.households:,} households (seed {result.seed}). "
                "Use --reset to build it again."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Built {name}: {result.areas:,} areas, {result.households:,} households, "
                    f"{result.residents:,} residents (seed {result.seed}) "
                    f"in {result.seconds:.1f} s."
                )
            )
        if not demo_workforce_exists(result.district):
            self.stdout.write("Adding the workforce (staff, cadres, teams, responsibilities)…")
            build_demo_workforce(
                result.district,
                profile,
                seed=result.seed or options["seed"],
                acting_user=Actor(user=None, label="wangge demo"),
            )
        if not demo_rounds_exist(result.district):
            self.stdout.write("Adding the testing rounds (one finished, one in progress)…")
            # Rounds are run by someone: the demo's administrator.
            admin = User.objects.get(username=username(profile, LOGINS[0]))
            # The positive pools fall in the logins' community, whose staff are notified.
            build_demo_rounds(
                result.district,
                seed=options["seed"],
                acting_user=admin,
                favour=places(profile, result.district)["community"],
            )
        if not demo_boards_exist(result.district):
            self.stdout.write("Adding the dispatch boards of yesterday and today…")
            build_demo_boards(
                result.district,
                seed=options["seed"],
                acting_user=None,
                today=timezone.localdate(),
            )
        if not demo_incidents_exist(result.district):
            self.stdout.write("Adding incidents in every state…")
            build_demo_incidents(
                result.district, seed=options["seed"], acting_user=None, at=timezone.now()
            )
        if not demo_risk_exist(result.district):
            self.stdout.write("Adding risk levels (a lockdown compound, a control community)…")
            where = places(profile, result.district)
            build_demo_risk(
                result.district,
                street=where["street"],
                community=where["community"],
                compound=where["grid"],
                at=timezone.now(),
                acting_user=Actor(user=None, label="wangge demo"),
            )
        if not demo_keypersons_exist(result.district):
            self.stdout.write("Adding key persons (checks, tests, one overdue, one to release)…")
            kp_places = build_demo_keypersons(
                result.district,
                seed=options["seed"],
                today=timezone.localdate(),
                favour=places(profile, result.district)["grid"],
            )
            if not kp_places.from_risk_levels:
                self.stdout.write(
                    "  No lockdown and control areas are set yet: key persons are in "
                    f"{kp_places.lockdown.name} (for the lockdown compound) and "
                    f"{kp_places.control.name} (for the control area)."
                )
        if not demo_tracing_exist(result.district):
            self.stdout.write("Adding a list to trace in progress…")
            build_demo_tracing(
                result.district,
                places(profile, result.district)["community"],
                seed=options["seed"],
                at=timezone.now(),
            )
        if not demo_checkpoints_exist(result.district):
            self.stdout.write("Adding two checkpoints and their traffic of yesterday and today…")
            officer = next(spec for spec in LOGINS if spec.role == Role.CHECKPOINT_OFFICER)
            build_demo_checkpoints(
                result.district,
                seed=options["seed"],
                registrar=User.objects.get(username=username(profile, officer)),
                now=timezone.now(),
            )
        if not demo_duty_exist(result.district):
            self.stdout.write("Adding duty posts, their rosters and scheduled tasks…")
            build_demo_duty(
                result.district,
                seed=options["seed"],
                acting_user=None,
                at=timezone.now(),
                favour=places(profile, result.district)["grid"],
                # The grid member and the volunteer find a shift running on their phone.
                favour_users=list(
                    User.objects.filter(
                        username__in=[
                            username(profile, spec)
                            for spec in LOGINS
                            if spec.name in ("gridmember", "volunteer")
                        ]
                    ).values_list("pk", flat=True)
                ),
            )
        if not demo_services_exist(result.district):
            self.stdout.write("Adding door-to-door service requests…")
            services = build_demo_services(
                result.district,
                seed=options["seed"],
                acting_user=None,
                at=timezone.now(),
                favour=places(profile, result.district)["grid"],
            )
            self.stdout.write(
                f"  {services.requests} requests ({services.late} late, "
                f"{services.handouts} supplies handed out) from {services.source}"
            )
        if not demo_history_exists(result.district):
            self.stdout.write("Making the daily figures of the last 14 days…")
            officer = next(spec for spec in LOGINS if spec.role == Role.CHECKPOINT_OFFICER)
            started = time.perf_counter()
            written = build_demo_history(
                result.district,
                Actor(user=None, label="wangge demo"),
                registrar=User.objects.get(username=username(profile, officer)),
                seed=options["seed"],
            )
            self.stdout.write(f"  {written:,} snapshots in {time.perf_counter() - started:.1f} s")
        path = Path(settings.VAR_DIR) / "demo-logins.txt"
        write_table(result.logins, path)
        self.stdout.write("")
        self.stdout.write(format_table(result.logins))
        self.stdout.write("")
        self.stdout.write(f"(also written to {path})")
