"""The demo's workforce: the seeds' figures in the district's summary, the chains with their
deliberate gaps and history, the logins linked to their workers, built once."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.models import Area
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.demo.generator import build_demo, reset_demo
from wangge.demo.logins import places
from wangge.demo.profiles import QILIHE, YUMEN
from wangge.demo.workforce import (
    GAP_COMPOUNDS,
    GAP_VILLAGES,
    build_demo_workforce,
    demo_workforce_exists,
)
from wangge.dispatch.demo import build_demo_boards
from wangge.dispatch.models import Board
from wangge.incidents.demo import build_demo_incidents
from wangge.incidents.models import Incident
from wangge.lib import phones
from wangge.residents.models import Household
from wangge.workforce.choices import WorkerKind
from wangge.workforce.models import Responsibility, Team, Worker
from wangge.workforce.selectors import chain_for_household
from wangge.workforce.summary import workforce_summary

QILIHE_SEED_ZH = (
    "9个街道、65个社区的1848名工作人员，429名市级、790名区级驻守干部、428名“社工委”委员、"
    "196名退役军人和657名志愿者奋战在638个小区"
)
QILIHE_SEED_EN = (
    "9 streets, 65 communities, 1,848 staff; 429 city-level and 790 district-level stationed "
    "cadres, 428 committee members, 196 veterans and 657 volunteers in 638 compounds"
)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _build(profile, residents=400):
    result = build_demo(profile, residents=residents, workers=0)
    build_demo_workforce(result.district, profile, seed=1, acting_user=None)
    return result.district


def _sentences(district, language):
    with translation.override(language):
        summary = workforce_summary(district)
        return [part.sentence() for part in summary.parts], summary.teams_sentence


@pytest.mark.django_db
def test_qilihe_reads_as_the_seed_and_is_built_once():
    district = _build(QILIHE)
    parts, teams = _sentences(district, "zh-hans")
    assert parts[0] == QILIHE_SEED_ZH
    assert parts[1].startswith("6个乡镇、60个村的")
    assert parts[1].endswith("个村民小组")
    assert len(parts) == 2  # nobody is left without a part
    parts, teams = _sentences(district, "en")
    assert parts[0] == QILIHE_SEED_EN
    assert re.fullmatch(
        r"6 towns and townships, 60 villages, [\d,]+ staff; .* in [\d,]+ village groups", parts[1]
    )
    assert teams.startswith("4 party vanguard teams, 3 women's volunteer teams; ")
    out = io.StringIO()
    call_command("workforce_summary", "--area", "620103", stdout=out)
    assert QILIHE_SEED_ZH in out.getvalue()

    counts = (Worker.objects.count(), Responsibility.objects.count(), Team.objects.count())
    assert build_demo_workforce(district, QILIHE, seed=1, acting_user=None) == {}
    assert (Worker.objects.count(), Responsibility.objects.count(), Team.objects.count()) == counts
    assert AuditEntry.objects.filter(action="demo.workforce").count() == 1
    assert _sentences(district, "en")[0][0] == QILIHE_SEED_EN


def _holders(district, duty):
    return set(
        Responsibility.objects.filter(
            duty__code=duty, ended_at__isnull=True, area__path__startswith=district.path
        ).values_list("area_id", flat=True)
    )


@pytest.mark.django_db
def test_qilihe_chains_cover_every_level_but_the_deliberate_gaps():
    district = _build(QILIHE)
    below = Area.objects.within(district)
    grids = set(below.filter(kind__in=GRID_KINDS).values_list("pk", flat=True))
    subdivisions = set(below.filter(depth=district.depth + 1).values_list("pk", flat=True))
    places_ = set(below.filter(depth=district.depth + 2).values_list("pk", flat=True))
    assert _holders(district, "district_leader_street") == subdivisions
    assert _holders(district, "cadre_community") == places_
    assert _holders(district, "grid_leader") == grids
    unled = places_ - _holders(district, "street_leader_community")
    assert len(unled) == GAP_VILLAGES
    assert Area.objects.get(pk=unled.pop()).kind == AreaKind.VILLAGE
    uncovered = grids - _holders(district, "stationed_cadre_grid")
    assert len(uncovered) == GAP_COMPOUNDS
    assert set(Area.objects.filter(pk__in=uncovered).values_list("kind", flat=True)) == {
        AreaKind.COMPOUND
    }
    # History: some responsibilities changed hands; whoever left is not counted any more.
    ended = Responsibility.objects.filter(ended_at__isnull=False)
    assert ended.count() >= 4
    assert not ended.filter(worker__active=True).exists()
    for former in ended:
        assert Responsibility.objects.filter(
            area=former.area, duty=former.duty, started_at=former.ended_at, ended_at=None
        ).exists()


@pytest.mark.django_db
def test_the_logins_are_linked_to_their_workers():
    district = _build(QILIHE)
    where = places(QILIHE, district)
    grid = where["grid"]
    cadre = Worker.objects.get(user__username="cadre")
    assert (cadre.kind, cadre.area) == (WorkerKind.STATIONED_CADRE, grid)
    assert cadre.responsibilities.filter(duty__code="stationed_cadre_grid", ended_at=None).exists()
    # The logins' grid shows its history: the cadre took over from someone who left.
    assert Responsibility.objects.filter(
        area=grid, duty__code="stationed_cadre_grid", ended_at__isnull=False
    ).exists()
    leader = Worker.objects.get(user__username="gridleader")
    assert (leader.kind, leader.area) == (WorkerKind.GRID_LEADER, grid)
    assert leader.responsibilities.filter(duty__code="grid_leader", area=grid).exists()
    member = Worker.objects.get(user__username="gridmember")
    assert (member.kind, member.area) == (WorkerKind.GRID_MEMBER, grid)
    community = Worker.objects.get(user__username="community")
    assert (community.kind, community.area) == (WorkerKind.COMMUNITY_STAFF, where["community"])
    street = Worker.objects.get(user__username="street")
    assert (street.kind, street.area) == (WorkerKind.STREET_STAFF, where["street"])
    # Every grid's grid leader is the grid-leader user of that grid, with their phone.
    users = dict(
        RoleAssignment.objects.filter(role=Role.GRID_LEADER).values_list("area_id", "user_id")
    )
    leaders = Worker.objects.filter(kind=WorkerKind.GRID_LEADER, active=True)
    assert {w.area_id: w.user_id for w in leaders} == users
    some = leaders.exclude(user__username="gridleader").select_related("user").first()
    assert some.name == some.user.display_name
    assert some.phone_masked == some.user.phone_masked
    phone = some.reveal_phone()
    assert phones.validate(phone) == phone and phones.mask(phone) == some.phone_masked
    # Every household of the logins' compound has its representative, first in its chain.
    for household in Household.objects.filter(grid=grid):
        chain = list(chain_for_household(household, cadre.created_at))
        assert chain[0].duty.code == "household_representative"
    volunteer = Worker.objects.get(user__username="volunteer")
    assert (volunteer.kind, volunteer.area) == (WorkerKind.VOLUNTEER, grid)
    # The grid leaders, and the cadre, grid member, community, street and volunteer logins.
    assert User.objects.filter(worker__isnull=False).count() == leaders.count() + 5


@pytest.mark.django_db
def test_yumen_has_its_teams_and_more_than_five_thousand_sent_down():
    district = _build(YUMEN)
    parts, teams = _sentences(district, "en")
    match = re.fullmatch(
        r"85 party vanguard teams, 55 women's volunteer and youth vanguard teams; "
        r"5,0(\d\d) people sent down to communities and villages",
        teams,
    )
    assert match and int(match.group(1)) > 0
    assert parts[0].startswith("2 streets, 15 communities, ")
    assert parts[1].startswith("11 towns and townships, 11 communities, 59 villages, ")
    _parts, teams = _sentences(district, "zh-hans")
    assert re.fullmatch(
        r"党员先锋队85个，“巾帼志愿者服务队”“青年先锋队”55个，50\d\d人下沉到社区、村组", teams
    )
    assert Worker.objects.get(user__username="yumen-cadre").area.name == "巨龙御园小区"


@pytest.mark.django_db
def test_a_reset_removes_the_workforce_with_the_district():
    district = _build(QILIHE, residents=100)
    assert demo_workforce_exists(district)
    # Boards and incidents hold workers and areas: the reset removes them first.
    assert build_demo_boards(district, seed=1, acting_user=None, today=timezone.localdate())
    assert build_demo_incidents(district, seed=1, acting_user=None, at=timezone.now())
    reset_demo(QILIHE)
    assert not Worker.objects.exists() and not Team.objects.exists()
    assert not Responsibility.objects.exists()
    assert not Board.objects.exists() and not Incident.objects.exists()
