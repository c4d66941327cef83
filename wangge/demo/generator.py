"""Building a demo district: areas, households, residents, logins — idempotently.

`build_demo(profile, …)` is what `wangge demo` runs. A second run finds the district it
built (by the audit entry of the build) and only makes sure the logins work; `reset=True`
deletes that district first. The whole build is one transaction: a district is there
completely or not at all.

Speed: a million residents must be written in well under two minutes on two cores.
People are generated in this process's one thread (one seeded random source, so a seed
always gives the same people), sealed in worker processes (AES-GCM and HMAC are the
costly part), and written with the database's bulk path between two batches. When most
of the registry is new, its secondary indexes are dropped and built again at the end
(sorting once beats a million random inserts into indexes on sealed values), and SQLite
gets a large page cache meanwhile.
"""

import multiprocessing
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.actions import apply_tree_plan, lock_tree, plan_tree_import
from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.audit.models import AuditEntry
from wangge.checkpoints.demo import remove_demo_checkpoints
from wangge.core import bulk as core_bulk
from wangge.dashboard.demo_boundaries import build_demo_boundaries, demo_boundaries_exist
from wangge.demo import bulk
from wangge.demo.logins import (
    DemoLogin,
    ensure_grid_leaders,
    ensure_logins,
    hash_passwords,
    passwords_to_set,
)
from wangge.demo.people import PeopleFactory
from wangge.demo.profiles import PROFILES, Profile
from wangge.demo.structure import Structure, build_structure, residents_per_grid
from wangge.demo.workers import Workers
from wangge.demo.workforce import remove_demo_workforce
from wangge.dispatch.demo import remove_demo_boards
from wangge.docking.demo import remove_demo_docking
from wangge.duty.demo import remove_demo_duty
from wangge.incidents.demo import remove_demo_incidents
from wangge.keypersons.demo import remove_demo_keypersons
from wangge.residents.actions import refresh_area_counts
from wangge.residents.models import Household, Resident
from wangge.risk.demo import remove_demo_risk
from wangge.services.demo import remove_demo_services
from wangge.snapshots.demo import remove_demo_snapshots
from wangge.testing.demo import remove_demo_rounds
from wangge.tracing.demo import remove_demo_tracing

BATCH_RESIDENTS = 20_000
# Below this many residents the workers' start-up costs more than they save.
PARALLEL_FROM = 40_000
SQLITE_BUILD_CACHE_KIB = 1_048_576  # 1 GiB of page cache while building
BUILD_ACTION = AuditEvent.DEMO_BUILD


class DemoError(Exception):
    """The demo cannot be built as asked; the message says why and what to do."""


@dataclass
class Timings:
    """Seconds spent in each step of a build (the benchmark reports them)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def measure(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - started


@dataclass
class DemoResult:
    """What a run built or found."""

    profile: Profile
    already_built: bool
    district: Area
    seed: int
    residents: int
    households: int
    areas: int
    seconds: float
    logins: list[DemoLogin] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)


@dataclass(frozen=True)
class ExistingBuild:
    district: Area
    details: dict[str, Any]


def get_profile(key: str) -> Profile:
    try:
        return PROFILES[key]
    except KeyError as exc:
        raise DemoError(f"unknown profile {key!r}; choose one of {', '.join(PROFILES)}") from exc


def find_build(profile: Profile) -> ExistingBuild | None:
    """The district this profile built earlier, if it is still there."""
    district = Area.objects.filter(code=profile.district[1]).first()
    if district is None:
        return None
    entry = (
        AuditEntry.objects.filter(
            action=BUILD_ACTION, object_type="areas.area", object_id=str(district.pk)
        )
        .order_by("-id")
        .first()
    )
    if entry is None:
        raise DemoError(
            str(
                _(
                    "An area with the code %(code)s exists but the demo did not build it. "
                    "Use an empty database for the demo."
                )
            )
            % {"code": profile.district[1]}
        )
    return ExistingBuild(district, dict(entry.details))


# --- the pieces -----------------------------------------------------------------------------


def _grid_ids(district: Area, structure: Structure) -> list[int]:
    """The database ids of the structure's grids, in the structure's order."""
    parents = dict(
        Area.objects.within(district)
        .filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE])
        .values_list("path", "code")
    )
    ids = {
        (parents.get(path[: -Area.steplen]), name): pk
        for pk, path, name in Area.objects.within(district)
        .filter(kind__in=GRID_KINDS)
        .values_list("pk", "path", "name")
    }
    return [ids[(grid.parent_code, grid.name)] for grid in structure.grids]


def _build_areas(profile: Profile, structure: Structure) -> Area:
    lock_tree()
    plan = plan_tree_import(structure.rows, scope=None)
    if not plan.ok:
        first = "; ".join(f"row {e.line}: {e.message}" for e in plan.errors[:3])
        raise DemoError(f"the demo's areas do not fit the tree in this database: {first}")
    apply_tree_plan(plan)
    district: Area = Area.objects.get(code=profile.district[1])
    return district


def generate_batches(
    profile: Profile,
    structure: Structure,
    grid_ids: list[int],
    residents: int,
    seed: int,
    first_ids: tuple[int, int],
) -> Iterator[tuple[list[bulk.HouseholdRow], list[bulk.PersonRow]]]:
    """Households and people, grid by grid, in batches of about BATCH_RESIDENTS."""
    factory = PeopleFactory(profile, seed)
    household_id, resident_id = first_ids
    households: list[bulk.HouseholdRow] = []
    people: list[bulk.PersonRow] = []
    counts = residents_per_grid(structure, residents)
    for spec, count, grid_id in zip(structure.grids, counts, grid_ids, strict=True):
        for home in factory.homes(spec, count):
            households.append(
                (household_id, grid_id, home.building, home.unit, home.room, home.address)
            )
            for person in home.members:
                people.append((resident_id, household_id, grid_id, person))
                resident_id += 1
            household_id += 1
            if len(people) >= BATCH_RESIDENTS:
                yield households, people
                households, people = [], []
    if households:
        yield households, people


def _prepare_pair(
    layouts: tuple[bulk.Layout, bulk.Layout],
    pair: tuple[list[bulk.HouseholdRow], list[bulk.PersonRow]],
) -> bulk.Batch:
    return bulk.prepare(layouts[0], layouts[1], pair[0], pair[1])


def worker_count(residents: int, workers: int | None) -> int:
    if workers is not None:
        return max(0, workers)
    if residents < PARALLEL_FROM:
        return 0
    return max(1, min(multiprocessing.cpu_count(), 4))


@contextmanager
def worker_processes(count: int) -> Iterator[Workers | None]:
    """Worker processes forked from this one (they inherit the settings and keys)."""
    if count <= 0:
        yield None
        return
    workers = Workers(count)
    try:
        yield workers
    finally:
        workers.close()


def _hash_ahead(profile: Profile, processes: int) -> tuple[dict[str, str], Workers | None]:
    """Start hashing the passwords that need it (PBKDF2 takes a second each) elsewhere."""
    to_hash = passwords_to_set(profile)
    if processes <= 0 or not to_hash:
        return to_hash, None
    names = list(to_hash)
    hasher = Workers(min(processes, len(names)))
    for worker in range(len(hasher)):
        secrets = [to_hash[name] for name in names[worker :: len(hasher)]]
        hasher.send(worker, hash_passwords, secrets)
    return to_hash, hasher


def _hashed(to_hash: dict[str, str], hasher: Workers | None) -> dict[str, str] | None:
    if hasher is None:
        return None
    names = list(to_hash)
    hashes: dict[str, str] = {}
    try:
        for worker in range(len(hasher)):
            hashes.update(zip(names[worker :: len(hasher)], hasher.receive(worker), strict=True))
    finally:
        hasher.close()
    return hashes


def write_people(
    profile: Profile,
    structure: Structure,
    grid_ids: list[int],
    residents: int,
    seed: int,
    workers: Workers | None,
    progress: Callable[[int], object] | None = None,
    keep: list[bulk.Batch] | None = None,
    timings: "Timings | None" = None,
) -> tuple[int, int]:
    """Generate, seal and write the residents; returns (residents, households) written."""
    clock = timings or Timings()
    layouts = bulk.layouts(timezone.now())
    first_ids = bulk.next_ids()
    # Most of the registry is new: build its indexes once at the end.
    mostly_new = first_ids[1] - 1 < residents
    pairs = generate_batches(profile, structure, grid_ids, residents, seed, first_ids)
    prepare = partial(_prepare_pair, layouts)
    written = [0, 0]
    dropped = core_bulk.drop_secondary_indexes([Household, Resident]) if mostly_new else []

    def write(batch: bulk.Batch) -> None:
        with clock.measure("writing rows"):
            bulk.write_batch(layouts[0], layouts[1], batch)
        written[0] += len(batch.residents)
        written[1] += len(batch.households)
        if keep is not None:
            keep.append(batch)
        if progress is not None:
            progress(len(batch.residents))

    # This one thread generates and writes; the workers seal meanwhile.
    sealed = map(prepare, pairs) if workers is None else workers.map_ordered(prepare, pairs)
    while True:
        with clock.measure("generating and waiting for sealed rows"):
            batch = next(sealed, None)
        if batch is None:
            break
        write(batch)
    with clock.measure("building indexes"):
        core_bulk.create_indexes(dropped)
    bulk.reset_sequences()
    return written[0], written[1]


# --- the whole build --------------------------------------------------------------------------


def build_demo(
    profile: Profile,
    *,
    seed: int = 1,
    residents: int | None = None,
    reset: bool = False,
    acting_user: "User | Actor | None" = None,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
    keep: list[bulk.Batch] | None = None,
) -> DemoResult:
    """Build the profile's district, or find it built; `reset` rebuilds it from scratch.

    `keep` collects the prepared rows (the benchmark writes them again to measure the
    database's own speed); `progress` is called with the number of residents written.
    """
    started = time.perf_counter()
    wanted = profile.default_residents if residents is None else residents
    if wanted < 0:
        raise DemoError("the number of residents cannot be negative")
    existing = find_build(profile)
    count = worker_count(wanted, workers)
    if existing is not None and not reset:
        to_hash, hasher = _hash_ahead(profile, 2 if count else 0)
        logins = ensure_logins(profile, existing.district, _hashed(to_hash, hasher))
        ensure_grid_leaders(
            profile,
            existing.district,
            seed=int(existing.details.get("seed", seed)),
            acting_user=acting_user,
        )
        if not demo_boundaries_exist(existing.district):
            # A demo built before the map had outlines gets them now.
            build_demo_boundaries(existing.district, acting_user=acting_user)
        return DemoResult(
            profile=profile,
            already_built=True,
            district=existing.district,
            seed=int(existing.details.get("seed", 0)),
            residents=int(existing.details.get("residents", 0)),
            households=int(existing.details.get("households", 0)),
            areas=Area.objects.within(
                Area.objects.get_parent(existing.district) or existing.district
            ).count(),
            seconds=time.perf_counter() - started,
            logins=logins,
        )
    clock = Timings()
    # Password hashing is slow on purpose: one more process does it meanwhile.
    to_hash, hasher = _hash_ahead(profile, 1 if count else 0)
    try:
        with (
            worker_processes(count) as sealers,
            clock.measure("total"),
            core_bulk.bulk_load_cache(SQLITE_BUILD_CACHE_KIB),
            transaction.atomic(),
        ):
            if existing is not None:
                with clock.measure("reset"):
                    reset_demo(profile, acting_user=acting_user)
            with clock.measure("areas"):
                structure = build_structure(profile)
                district = _build_areas(profile, structure)
                grid_ids = _grid_ids(district, structure)
            with clock.measure("outlines"):
                build_demo_boundaries(district, acting_user=acting_user)
            written, households = write_people(
                profile, structure, grid_ids, wanted, seed, sealers, progress, keep, clock
            )
            with clock.measure("counts"):
                refresh_area_counts(grid_ids)
                core_bulk.analyze([Area, Household, Resident])
            with clock.measure("logins"):
                logins = ensure_logins(profile, district, _hashed(to_hash, hasher))
                hasher = None
                ensure_grid_leaders(profile, district, seed=seed, acting_user=acting_user)
            areas = Area.objects.within(Area.objects.get_parent(district)).count()
            log.record(
                acting_user,
                BUILD_ACTION,
                obj=district,
                area_path=district.path,
                details={
                    "profile": profile.key,
                    "seed": seed,
                    "residents": written,
                    "households": households,
                    "areas": areas,
                },
            )
    finally:
        if hasher is not None:
            hasher.close()
    return DemoResult(
        profile=profile,
        already_built=False,
        district=district,
        seed=seed,
        residents=written,
        households=households,
        areas=areas,
        seconds=time.perf_counter() - started,
        logins=logins,
        timings=clock,
    )


@transaction.atomic
def reset_demo(profile: Profile, *, acting_user: "User | Actor | None" = None) -> int:
    """Delete the district the demo built (its city, areas, households and residents).

    The demo users stay (the audit log names them); their roles go with the areas.
    Returns the number of residents deleted. Refuses areas the demo did not build.
    """
    existing = find_build(profile)
    if existing is None:
        return 0
    city = Area.objects.get_parent(existing.district) or existing.district
    if city.code != profile.city[1]:
        city = existing.district
    # Outlines go with their areas (AreaBoundary cascades).
    # Incidents, boards, testing rounds and the workforce use the district's areas (and
    # incidents and boards the workers): they go first, in that order, after closed-loop
    # control's service requests, duty posts, checkpoints (their alerts raised incidents),
    # lists, key persons and the risk levels set on the areas.
    # The units' answers name the days' figures: they go before the figures and the areas.
    remove_demo_docking(existing.district)
    # The frozen figures name every area of the city (the demo's history): first of all.
    remove_demo_snapshots(city)
    remove_demo_services(existing.district)
    remove_demo_duty(existing.district)
    remove_demo_checkpoints(existing.district)
    remove_demo_tracing(existing.district)
    remove_demo_keypersons(existing.district)
    remove_demo_risk(existing.district)
    remove_demo_incidents(existing.district)
    remove_demo_boards(existing.district)
    remove_demo_rounds(existing.district, acting_user=acting_user)
    remove_demo_workforce(existing.district)
    grids = list(Area.objects.within(city).filter(kind__in=GRID_KINDS).values_list("pk", flat=True))
    deleted = 0
    try:
        for start in range(0, len(grids), 50):
            chunk = grids[start : start + 50]
            deleted += (
                Resident.objects.filter(grid_id__in=chunk).delete()[1].get(Resident._meta.label, 0)
            )
            Household.objects.filter(grid_id__in=chunk).delete()
        Area.objects.within(city).delete()
    except ProtectedError as exc:
        raise _still_used(exc.protected_objects) from exc
    except RestrictedError as exc:
        raise _still_used(exc.restricted_objects) from exc
    log.record(
        acting_user,
        AuditEvent.DEMO_RESET,
        object_type="areas.area",
        object_id=str(existing.district.pk),
        details={"profile": profile.key, "residents": deleted},
    )
    return deleted


def _still_used(objects: Any) -> DemoError:
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
    return DemoError(
        str(_("The demo district is still used by: %(what)s. Use a fresh database instead."))
        % {"what": ", ".join(kinds)}
    )
