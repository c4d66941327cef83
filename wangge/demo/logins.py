"""The demo's accounts: one user per role, on the areas the role is meant for.

Passwords follow one documented pattern, Wangge-<profile>-<year>-<nn> (nn: the login's
number in the table), long enough and unlike the user names, so Django's validators
accept them. They are printed after every run and written to var/demo-logins.txt: the
demo is for showing, never for real data.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Role
from wangge.demo.people import PeopleFactory
from wangge.demo.profiles import Profile
from wangge.lib import phones
from wangge.lib.private_files import write_private


@dataclass(frozen=True)
class LoginSpec:
    name: str
    role: Role
    place: str  # city, district, street, community or grid
    superuser: bool = False


LOGINS: tuple[LoginSpec, ...] = (
    LoginSpec("admin", Role.ADMINISTRATOR, "city", superuser=True),
    LoginSpec("command", Role.COMMAND_CENTRE, "district"),
    LoginSpec("street", Role.STREET_STAFF, "street"),
    LoginSpec("community", Role.COMMUNITY_STAFF, "community"),
    LoginSpec("gridleader", Role.GRID_LEADER, "grid"),
    LoginSpec("gridmember", Role.GRID_MEMBER, "grid"),
    LoginSpec("cadre", Role.STATIONED_CADRE, "grid"),
    LoginSpec("sampler", Role.SAMPLER, "community"),
    LoginSpec("volunteer", Role.VOLUNTEER, "community"),
    LoginSpec("checkpoint", Role.CHECKPOINT_OFFICER, "district"),
    LoginSpec("lab", Role.LAB_LIAISON, "district"),
)


@dataclass(frozen=True)
class DemoLogin:
    """A row of the printed table."""

    username: str
    role: str
    area: str
    password: str


def username(profile: Profile, spec: LoginSpec) -> str:
    return profile.login_prefix + spec.name


def password(profile: Profile, number: int) -> str:
    return f"Wangge-{profile.key}-{profile.seed_year}-{number:02d}"


def _state_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-state.json"


def _known_hashes() -> dict[str, str]:
    """The password hashes the demo set last time: unchanged ones need no re-hashing."""
    try:
        data = json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.get("password_hashes", {}).items()}


def _remember_hashes(hashes: dict[str, str]) -> None:
    data = {"password_hashes": {**_known_hashes(), **hashes}}
    write_private(_state_file(), json.dumps(data, indent=1))


def places(profile: Profile, district: Area) -> dict[str, Area]:
    """The areas the logins hold their roles on."""
    city = Area.objects.get_parent(district)
    street = Area.objects.within(district).get(name=profile.street, depth=district.depth + 1)
    community = Area.objects.within(street).get(name=profile.community, depth=street.depth + 1)
    compounds = Area.objects.within(community).filter(depth=community.depth + 1)
    grid = compounds.filter(name=profile.compound).first() if profile.compound else None
    return {
        "city": city,
        "district": district,
        "street": street,
        "community": community,
        "grid": grid or compounds.order_by("path").first(),
    }


def passwords_to_set(profile: Profile) -> dict[str, str]:
    """The logins whose stored password is not the documented one (or who do not exist)."""
    known = _known_hashes()
    stored = dict(
        User.objects.filter(username__in=[username(profile, spec) for spec in LOGINS]).values_list(
            "username", "password"
        )
    )
    wanted = {}
    for number, spec in enumerate(LOGINS, start=1):
        name = username(profile, spec)
        if not stored.get(name) or known.get(name) != stored[name]:
            wanted[name] = password(profile, number)
    return wanted


def ensure_logins(
    profile: Profile, district: Area, hashed: dict[str, str] | None = None
) -> list[DemoLogin]:
    """Create or repair the demo users, their roles and their documented passwords.

    `hashed` may bring hashes computed ahead (username → hash of its documented password).
    """
    where = places(profile, district)
    known = _known_hashes()
    wanted: dict[str, str] = {}
    users: dict[str, User] = {}
    table: list[DemoLogin] = []
    for number, spec in enumerate(LOGINS, start=1):
        name = username(profile, spec)
        secret = password(profile, number)
        area = where[spec.place]
        user, _created = User.objects.get_or_create(username=name)
        validate_password(secret, user)
        user.is_superuser = user.is_staff = spec.superuser
        user.is_active = True
        user.display_name = f"{area.name} · {Role(spec.role).label}"[:60]
        users[name] = user
        if not user.password or known.get(name) != user.password:
            wanted[name] = secret
        RoleAssignment.objects.get_or_create(user=user, role=spec.role, area=area)
        table.append(DemoLogin(name, str(Role(spec.role).label), area.name, secret))
    ready = {name: value for name, value in (hashed or {}).items() if name in wanted}
    hashes = {
        **ready,
        **{name: make_password(secret) for name, secret in wanted.items() if name not in ready},
    }
    for name, user in users.items():
        if name in hashes:
            user.password = hashes[name]
        user.save()
    if hashes:
        _remember_hashes(hashes)
    return table


@transaction.atomic
def ensure_grid_leaders(
    profile: Profile, district: Area, *, seed: int, acting_user: "User | Actor | None"
) -> int:
    """Give every grid of the district that has no grid leader one, as every real grid has.

    The recall and case lists name the grid leader to call; without one on the grids a
    positive pool reaches, the demo showed an empty column. These people cannot sign in
    (no usable password). Returns how many grids got one.
    """
    grids = Area.objects.within(district).filter(kind__in=GRID_KINDS).order_by("path")
    led = set(
        RoleAssignment.objects.filter(role=Role.GRID_LEADER, area__in=grids).values_list(
            "area_id", flat=True
        )
    )
    # Numbered in the tree's order over all the district's grids: the same on a rebuild.
    names = {
        pk: f"{profile.login_prefix}grid{number:04d}"
        for number, pk in enumerate(grids.values_list("pk", flat=True), start=1)
        if pk not in led
    }
    if not names:
        return 0
    people = PeopleFactory(profile, seed)
    staff = []
    for username in names.values():
        name, phone = people.staff_member()
        staff.append(
            User(
                username=username,
                display_name=name,
                phone_masked=phones.mask(phone),
                password=make_password(None),
            )
        )
    User.objects.bulk_create(staff, ignore_conflicts=True, batch_size=500)
    users = dict(User.objects.filter(username__in=names.values()).values_list("username", "pk"))
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user_id=users[username], role=Role.GRID_LEADER, area_id=pk)
            for pk, username in names.items()
        ],
        batch_size=500,
    )
    log.record(
        acting_user,
        AuditEvent.DEMO_GRID_LEADERS,
        obj=district,
        area_path=district.path,
        details={"grids": len(names)},
    )
    return len(names)


def hash_passwords(secrets: list[str]) -> list[str]:
    """Django's password hashes (slow on purpose: a worker process computes them)."""
    return [make_password(secret) for secret in secrets]


def write_table(table: list[DemoLogin], path: Path) -> None:
    """The demo's passwords, for their owner's eyes only (0600)."""
    write_private(path, format_table(table) + "\n")


def format_table(table: list[DemoLogin]) -> str:
    headers = ("username", "role", "area", "password")
    rows = [headers, *((d.username, d.role, d.area, d.password) for d in table)]
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
