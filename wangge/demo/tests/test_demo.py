"""The demo district: the seeds' structure exactly, valid people, counts, determinism, logins."""

import datetime as dt
import io
import statistics
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from stdnum.cn import ric

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.models import Area
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.personal_data import seal_id_number, seal_phone
from wangge.demo import bulk
from wangge.demo.generator import DemoError, build_demo, reset_demo
from wangge.demo.logins import LOGINS, password
from wangge.demo.people import PeopleFactory
from wangge.demo.profiles import QILIHE, YUMEN
from wangge.demo.structure import build_structure, residents_per_grid
from wangge.lib import idnumbers, phones
from wangge.lib.idnumbers import IdType
from wangge.residents.actions import GONE, find_by_id_number
from wangge.residents.choices import Tag
from wangge.residents.models import Household, Resident
from wangge.testing.models import Round
from wangge.testing.selectors import grid_leaders

SMALL = 2000


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def sign_in(client, username, secret):
    """Through the login page, as a person would (django-axes watches that path)."""
    response = client.post(reverse("login"), {"username": username, "password": secret})
    signed_in = response.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    return signed_in


def kinds_below(district):
    return Counter(Area.objects.within(district).values_list("kind", flat=True))


def snapshot():
    """Everything a seed decides about the people, in id order (ciphertexts differ by nonce)."""
    return [
        (
            r.name,
            r.id_type,
            r.reveal_id_number(),
            r.reveal_phone(),
            r.code,
            r.sex,
            r.birth_year,
            r.ethnicity,
            r.status,
            r.tags,
            r.relation,
            r.household.address,
            r.grid.name,
        )
        for r in Resident.objects.select_related("household", "grid").order_by("id")
    ]


# --- the structure, without the database ----------------------------------------------------


def test_qilihe_has_the_seed_figures_exactly():
    structure = build_structure(QILIHE)
    kinds = Counter(row.kind for row in structure.rows)
    assert kinds["街道"] == 9
    assert kinds["镇"] == 4
    assert kinds["乡"] == 2
    assert kinds["社区"] == 65
    assert kinds["小区"] == 638
    assert 55 <= kinds["村"] <= 65
    assert QILIHE.communities == 65
    by_name = {row.name: row for row in structure.rows if row.kind in ("镇", "村")}
    assert by_name["八里窑村"].parent_code == by_name["八里镇"].code


def test_yumen_has_the_seed_figures_exactly():
    structure = build_structure(YUMEN)
    kinds = Counter(row.kind for row in structure.rows)
    assert kinds["社区"] == 26
    assert kinds["村"] == 59
    rows = {row.name: row for row in structure.rows}
    assert rows["巨龙御园小区"].parent_code == rows["迎宾路社区"].code
    assert rows["迎宾路社区"].parent_code == rows["新市区街道"].code
    assert rows["川北镇村"].parent_code == rows["下西号镇"].code


def test_codes_follow_the_statistical_pattern():
    structure = build_structure(QILIHE)
    codes = {row.name: row.code for row in structure.rows}
    assert codes["七里河区"] == "620103"
    assert codes["西园街道"] == "620103001"
    assert codes["西园社区"] == "620103001001"
    assert codes["阿干镇"] == "620103100"
    assert codes["魏岭乡"] == "620103200"
    assert codes["阿干村"] == "620103100201"
    coded = [row.code for row in structure.rows if row.code]
    assert len(coded) == len(set(coded))


def test_the_structure_does_not_depend_on_anything_but_the_profile():
    assert build_structure(QILIHE) == build_structure(QILIHE)


def test_residents_are_spread_exactly():
    structure = build_structure(QILIHE)
    for total in (0, 1, 2000, 100_000):
        counts = residents_per_grid(structure, total)
        assert sum(counts) == total


def test_people_look_like_a_chinese_district():
    structure = build_structure(QILIHE)
    factory = PeopleFactory(QILIHE, seed=7)
    sizes, people = [], []
    for grid, count in zip(structure.grids, residents_per_grid(structure, 30_000), strict=True):
        for home in factory.homes(grid, count):
            sizes.append(len(home.members))
            people.extend(home.members)
    assert len(people) == 30_000
    assert 2.55 <= statistics.mean(sizes) <= 2.9
    assert set(sizes) <= {1, 2, 3, 4, 5, 6}
    reference = QILIHE.reference_date.toordinal()
    ages = [(reference - p.birth_ordinal) / 365.2425 for p in people]
    share = lambda test: sum(1 for a in ages if test(a)) / len(ages)  # noqa: E731
    assert 0.13 <= share(lambda a: a < 15) <= 0.22
    assert 0.15 <= share(lambda a: a >= 60) <= 0.25
    assert 0.49 <= sum(p.sex == "M" for p in people) / len(people) <= 0.53
    assert 0.9 <= sum(p.ethnicity == "汉族" for p in people) / len(people) <= 0.96
    assert 0.9 <= sum(p.status == "present" for p in people) / len(people) < 0.99
    floating = [p for p in people if p.tags & Tag.FLOATING]
    assert 0.05 <= len(floating) / len(people) <= 0.16
    assert all(p.region != QILIHE.region for p in floating)
    assert any(p.tags & Tag.BEDRIDDEN for p in people)
    assert any(p.tags & Tag.PREGNANT for p in people)
    assert {p.relation for p in people} >= {"户主", "配偶", "子", "女"}


# --- the build ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_qilihe_build_has_the_profile_structure_and_valid_people():
    result = build_demo(QILIHE, residents=SMALL, workers=0)
    assert not result.already_built
    district = Area.objects.get(code="620103")
    assert Area.objects.get_parent(district).name == "兰州市"
    kinds = kinds_below(district)
    assert kinds[AreaKind.STREET] == 9
    assert kinds[AreaKind.TOWN] == 4
    assert kinds[AreaKind.TOWNSHIP] == 2
    assert kinds[AreaKind.COMMUNITY] == 65
    assert kinds[AreaKind.COMPOUND] == 638
    assert kinds[AreaKind.VILLAGE] == 60
    assert Area.objects.get(name="八里窑村").path.startswith(Area.objects.get(name="八里镇").path)
    assert Area.objects.find_problems() == ([], [], [], [], [])

    assert Resident.objects.count() == SMALL
    allowed = {QILIHE.region, *QILIHE.floating_regions}
    for resident in Resident.objects.all():
        number = resident.reveal_id_number()
        if resident.id_type == IdType.NONE:
            assert (
                number == ""
                and resident.birth_year >= (QILIHE.reference_date - dt.timedelta(days=366)).year
            )
            continue
        assert ric.calc_check_digit(number) == number[-1], number
        assert idnumbers.validate(IdType.RESIDENT_CARD, number) == number
        region = number[:6]
        assert region in allowed
        assert (region != QILIHE.region) == bool(resident.tags & Tag.FLOATING) or (
            resident.relation == "配偶"
        )
        facts = idnumbers.resident_card_facts(number)
        assert (facts.sex, facts.birth_date.year) == (resident.sex, resident.birth_year)
        assert resident.id_number_masked == idnumbers.mask(IdType.RESIDENT_CARD, number)
        phone = resident.reveal_phone()
        if phone:
            assert phones.validate(phone) == phone
            assert resident.phone_masked == phones.mask(phone)


@pytest.mark.django_db
def test_sealed_exactly_as_personal_identity_does():
    build_demo(QILIHE, residents=300, workers=0)
    resident = Resident.objects.exclude(id_number_index=None).exclude(phone_index=None).first()
    number, phone = resident.reveal_id_number(), resident.reveal_phone()
    assert resident.id_number_index == seal_id_number(IdType.RESIDENT_CARD, number).index
    assert resident.phone_index == seal_phone(phone).index
    assert find_by_id_number(IdType.RESIDENT_CARD, number) == resident
    twin = Resident(household=resident.household, grid=resident.grid)
    twin.set_id_number(IdType.RESIDENT_CARD, number)
    twin.set_phone(phone)
    assert (twin.id_number_index, twin.id_number_masked) == (
        resident.id_number_index,
        resident.id_number_masked,
    )
    assert (twin.phone_index, twin.phone_masked) == (resident.phone_index, resident.phone_masked)


@pytest.mark.django_db
def test_counts_roll_up_from_the_grids():
    build_demo(QILIHE, residents=SMALL, workers=0)
    district = Area.objects.get(code="620103")
    living = Resident.objects.exclude(status__in=GONE)
    totals = district.subtree_totals()
    assert totals["residents"] == living.count()
    assert (
        totals["households"] == Household.objects.filter(members__isnull=False).distinct().count()
    )
    assert totals["grids"] == 638 + Area.objects.filter(kind=AreaKind.VILLAGE_GROUP).count()
    grid = Area.objects.filter(kind__in=GRID_KINDS, resident_count__gt=0).first()
    assert grid.resident_count == living.filter(grid=grid).count()
    street = Area.objects.get(name="西园街道")
    assert (
        street.subtree_totals()["residents"]
        == living.filter(grid__path__startswith=street.path).count()
    )


@pytest.mark.django_db
def test_households_have_addresses_in_their_grids():
    build_demo(QILIHE, residents=SMALL, workers=0)
    compound_home = Household.objects.filter(grid__kind=AreaKind.COMPOUND).first()
    assert compound_home.building and compound_home.unit and compound_home.room
    assert compound_home.address.startswith(compound_home.grid.name)
    group_home = Household.objects.filter(grid__kind=AreaKind.VILLAGE_GROUP).first()
    assert group_home.room.endswith("号") and not group_home.building
    sizes = Counter(Resident.objects.values_list("household_id", flat=True))
    assert max(sizes.values()) <= 6


@pytest.mark.django_db
def test_same_seed_same_people_and_another_seed_other_people():
    build_demo(QILIHE, residents=600, seed=5, workers=0)
    first = snapshot()
    build_demo(QILIHE, residents=600, seed=5, workers=0, reset=True)
    assert snapshot() == first
    build_demo(QILIHE, residents=600, seed=6, workers=0, reset=True)
    assert snapshot() != first


@pytest.mark.django_db
def test_worker_processes_make_the_same_people():
    build_demo(QILIHE, residents=700, seed=3, workers=0)
    alone = snapshot()
    result = build_demo(QILIHE, residents=700, seed=3, workers=2, reset=True)
    assert result.residents == 700
    assert snapshot() == alone


@pytest.mark.django_db
def test_a_second_run_reuses_what_exists():
    first = build_demo(QILIHE, residents=SMALL, workers=0)
    areas, people = Area.objects.count(), Resident.objects.count()
    second = build_demo(QILIHE, residents=SMALL * 2, workers=0)
    assert second.already_built
    assert (Area.objects.count(), Resident.objects.count()) == (areas, people)
    assert second.district.pk == first.district.pk
    assert (second.residents, second.households, second.areas) == (
        first.residents,
        first.households,
        first.areas,
    )
    assert [(d.username, d.password) for d in second.logins] == [
        (d.username, d.password) for d in first.logins
    ]
    assert AuditEntry.objects.filter(action="demo.build").count() == 1


@pytest.mark.django_db
def test_reset_rebuilds_and_keeps_the_users():
    build_demo(QILIHE, residents=500, workers=0)
    users = set(User.objects.values_list("pk", flat=True))
    result = build_demo(QILIHE, residents=800, workers=0, reset=True)
    assert not result.already_built
    assert Resident.objects.count() == 800
    assert Area.objects.filter(code="620103").count() == 1
    assert set(User.objects.values_list("pk", flat=True)) == users
    assert AuditEntry.objects.filter(action="demo.reset").count() == 1


@pytest.mark.django_db
def test_areas_the_demo_did_not_build_are_left_alone(tree):
    with pytest.raises(DemoError):
        build_demo(QILIHE, residents=10, workers=0)
    with pytest.raises(DemoError):
        reset_demo(QILIHE)
    assert Area.objects.filter(code="620103").exists()


@pytest.mark.django_db
def test_every_login_works_and_holds_its_role(client):
    result = build_demo(QILIHE, residents=300, workers=0)
    assert len(result.logins) == len(LOGINS) == len(Role)
    for number, login in enumerate(result.logins, start=1):
        assert login.password == password(QILIHE, number)
        assert sign_in(client, login.username, login.password), login.username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    roles = dict(RoleAssignment.objects.values_list("user__username", "role"))
    assert roles["command"] == Role.COMMAND_CENTRE
    assert RoleAssignment.objects.get(user__username="street").area.name == "西园街道"
    assert RoleAssignment.objects.get(user__username="gridmember").area.kind == AreaKind.COMPOUND


@pytest.mark.django_db
def test_every_grid_has_a_grid_leader_for_the_recall_and_case_lists_to_name():
    result = build_demo(QILIHE, residents=SMALL, workers=0)
    grids = Area.objects.within(result.district).filter(kind__in=GRID_KINDS)
    leaders = grid_leaders(set(grids.values_list("pk", flat=True)))
    assert len(leaders) == grids.count()
    # Each with a name and a number to call (but the demo's own grid-leader login).
    assert all(leader.name for led in leaders.values() for leader in led)
    assert sum(1 for led in leaders.values() if led[0].phone) == grids.count() - 1
    assigned = RoleAssignment.objects.count()
    build_demo(QILIHE, residents=SMALL, workers=0)  # found built: nobody added twice
    assert RoleAssignment.objects.count() == assigned


@pytest.mark.django_db
def test_a_changed_password_is_set_back(client):
    build_demo(QILIHE, residents=100, workers=0)
    user = User.objects.get(username="lab")
    user.set_password("something-else-entirely")
    user.save()
    result = build_demo(QILIHE, residents=100, workers=0)
    lab = next(login for login in result.logins if login.username == "lab")
    assert sign_in(client, "lab", lab.password)


@pytest.mark.django_db
def test_yumen_build_and_its_logins(client):
    result = build_demo(YUMEN, residents=SMALL, workers=0)
    district = Area.objects.get(code="620981")
    kinds = kinds_below(district)
    assert kinds[AreaKind.COMMUNITY] == 26
    assert kinds[AreaKind.VILLAGE] == 59
    assert Area.objects.get(name="巨龙御园小区").path.startswith(
        Area.objects.get(name="迎宾路社区").path
    )
    numbers = [r.reveal_id_number() for r in Resident.objects.exclude(id_type=IdType.NONE)]
    assert Counter(n[:6] for n in numbers).most_common(1)[0][0] == "620981"
    assert all(idnumbers.validate(IdType.RESIDENT_CARD, n) == n for n in numbers)
    assert all(n[:6] in {YUMEN.region, *YUMEN.floating_regions} for n in numbers)
    dongxiang = Resident.objects.filter(
        grid__path__startswith=Area.objects.get(name="小金湾东乡族乡").path
    )
    assert dongxiang.exists()
    ethnicities = Counter(dongxiang.values_list("ethnicity", flat=True))
    assert ethnicities.most_common(1)[0][0] == "东乡族"
    assert RoleAssignment.objects.get(user__username="yumen-gridleader").area.name == "巨龙御园小区"
    login = result.logins[1]
    assert sign_in(client, login.username, login.password)
    assert not sign_in(client, login.username, "Wangge-yumen-2021-99")


@pytest.mark.django_db
def test_both_profiles_fit_in_one_database():
    build_demo(QILIHE, residents=800, workers=0)
    build_demo(YUMEN, residents=800, workers=0)
    assert Resident.objects.count() == 1600


@pytest.mark.django_db
def test_the_writer_knows_every_column():
    household_layout, resident_layout = bulk.layouts(dt.datetime.now(dt.UTC))
    assert set(resident_layout.columns) == {f.column for f in Resident._meta.concrete_fields}
    assert set(household_layout.columns) == {f.column for f in Household._meta.concrete_fields}


def test_check_digits_and_codes():
    for body in ("62010319900517001", "62098120120101123", "62010219991231998"):
        number = body + bulk.check_digit(body)
        assert ric.is_valid(number)  # stdnum's full check: checksum, date, place then
        assert ric.calc_check_digit(number) == number[-1]
    assert bulk.resident_code(0) == "0000000000"
    assert bulk.resident_code((1 << 50) - 1) == "ZZZZZZZZZZ"


# --- the command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_builds_then_says_already_built(settings, tmp_path):
    settings.DEMO = True
    out = io.StringIO()
    call_command("demo", "--residents", "300", "--workers", "0", stdout=out)
    text = out.getvalue()
    assert "Built 七里河区" in text
    assert "Wangge-qilihe-2022-01" in text
    assert "gridmember" in (tmp_path / "demo-logins.txt").read_text()
    assert Round.objects.count() == 2  # the demo's finished round and its round in progress
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "already built" in out.getvalue()
    assert "Wangge-qilihe-2022-10" in out.getvalue()
    assert Round.objects.count() == 2
    call_command("demo", "--reset", "--residents", "200", "--workers", "0", stdout=io.StringIO())
    assert Round.objects.count() == 2
    assert Resident.objects.count() == 200


@pytest.mark.django_db
def test_command_refuses_outside_a_demo_installation(settings):
    settings.DEMO = False
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo", "--residents", "10")
    assert not Area.objects.exists()
