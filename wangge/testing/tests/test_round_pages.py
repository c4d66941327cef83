"""The testing pages as people use them: plan, open, watch, knock on doors, recall, pack."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import make_resident
from wangge.audit.models import AuditEntry
from wangge.testing.choices import RecallStatus, RoundStatus, TubeStatus
from wangge.testing.models import Exemption, Recall, Round, SamplingPoint, Shipment, Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.round_world import build_world
from wangge.testing.tests.tube_factories import make_tube


@pytest.fixture(autouse=True)
def english(settings):
    """Pages are checked for English words: the zh-Hans catalogue is filled in later."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world(tree, alice):
    return build_world(tree, alice)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_plan_open_and_close_a_round_through_the_pages(client, tree, world):
    client.force_login(world.manager)
    start = timezone.now() + dt.timedelta(hours=2)
    response = client.post(
        "/testing/new/",
        {
            "name": "第二轮",
            "scope": [tree["grid_a"].pk, tree["grid_b"].pk],
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(hours=24)),
            "pool_size": 20,
            "exempt_infants_under_years": 1,
            "exempt_under_treatment": "on",
        },
    )
    round_ = Round.objects.get(name="第二轮")
    assert response.status_code == 302 and response.headers["Location"] == f"/testing/{round_.pk}/"
    assert round_.status == RoundStatus.PLANNED and round_.pool_size == 20
    assert sorted(round_.scope.values_list("area_id", flat=True)) == [
        tree["grid_a"].pk,
        tree["grid_b"].pk,
    ]
    response = client.post(
        f"/testing/{round_.pk}/edit/",
        {
            "name": "第二轮全员核酸",
            "scope": [tree["community"].pk],
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(hours=12)),
            "pool_size": 10,
            "exempt_infants_under_years": 0,
        },
    )
    round_.refresh_from_db()
    assert (round_.name, round_.pool_size, round_.exempt_under_treatment) == (
        "第二轮全员核酸",
        10,
        False,
    )
    assert list(round_.scope.values_list("area_id", flat=True)) == [tree["community"].pk]
    client.post(f"/testing/{round_.pk}/open/")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    page = client.get(f"/testing/{round_.pk}/").content.decode()
    assert 'hx-trigger="every 10s"' in page and "coverage-data" in page
    client.post(f"/testing/{round_.pk}/close/")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    page = client.get(f"/testing/{round_.pk}/").content.decode()
    assert "hx-trigger" not in page
    assert client.get(f"/testing/{round_.pk}/edit/").status_code == 404


def test_an_open_round_scope_does_not_change(client, tree, world):
    client.force_login(world.manager)
    page = client.get(f"/testing/{world.round.pk}/edit/").content.decode()
    assert 'name="scope"' not in page


def test_round_end_before_start_is_refused(client, tree, world):
    client.force_login(world.manager)
    start = timezone.now()
    response = client.post(
        "/testing/new/",
        {
            "name": "错的",
            "scope": [tree["grid_a"].pk],
            "starts_at": _local(start),
            "ends_at": _local(start - dt.timedelta(hours=1)),
            "pool_size": 10,
            "exempt_infants_under_years": 0,
        },
    )
    assert response.status_code == 200
    assert not Round.objects.filter(name="错的").exists()


def test_a_refused_form_keeps_the_chosen_areas_as_chips(client, tree, world):
    client.force_login(world.manager)
    chosen = [tree["grid_a"].pk, tree["grid_b"].pk]
    response = client.post("/testing/new/", {"name": "", "scope": chosen, "pool_size": 10})
    assert response.status_code == 200
    page = response.content.decode()
    for area in (tree["grid_a"], tree["grid_b"]):
        assert f'<input type="hidden" name="scope" value="{area.pk}">' in page
    assert "/static/areas/picker.js" in page


def test_scope_offered_is_the_managers_own(client, tree, other_tree, world):
    client.force_login(world.manager)
    page = client.get("/testing/new/").content.decode()
    # The picker's tree starts at the manager's street; its branches and search are scoped
    # too (wangge/areas/tests/test_picker.py).
    assert f'data-pick="{tree["street"].pk}"' in page
    assert other_tree["street"].name not in page and tree["district"].name not in page
    start = timezone.now()
    response = client.post(
        "/testing/new/",
        {
            "name": "越界",
            "scope": [other_tree["grid_a"].pk],
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(hours=1)),
            "pool_size": 10,
            "exempt_infants_under_years": 0,
        },
    )
    assert response.status_code == 200 and not Round.objects.filter(name="越界").exists()


def test_sampling_points_are_numbered_within_the_round(client, tree, world):
    client.force_login(world.manager)
    client.post(
        f"/testing/{world.round.pk}/points/",
        {"area": tree["grid_a"].pk, "desks": 2, "location": "一号楼下"},
    )
    client.post(
        f"/testing/{world.round.pk}/points/",
        {"area": tree["grid_b"].pk, "desks": 4, "name": "二号小区采样点"},
    )
    points = list(SamplingPoint.objects.filter(round=world.round).order_by("number"))
    assert [p.number for p in points] == [1, 2, 3]
    assert points[2].name == "二号小区采样点" and points[2].desks == 4
    assert points[1].name.startswith("Sampling point 2") or "2" in points[1].name
    client.post(f"/testing/{world.round.pk}/points/{points[1].pk}/delete/")
    assert not SamplingPoint.objects.filter(pk=points[1].pk).exists()


def test_door_to_door_team_lists_the_homes_to_visit(client, tree, world):
    client.force_login(world.manager)
    page = client.get(f"/testing/{world.round.pk}/teams/{world.team.pk}/").content.decode()
    assert world.bedridden.name in page
    assert world.people[0].name not in page  # not bedridden, and in another grid


def test_untested_list_shows_masked_phones_and_households(client, tree, world, alice):
    newcomer = make_resident(tree["grid_a"], "未采样", room="909")
    client.force_login(alice)
    page = client.get(
        f"/testing/{world.round.pk}/grids/{tree['grid_a'].pk}/untested/"
    ).content.decode()
    assert "未采样" in page and newcomer.phone_masked in page
    assert newcomer.reveal_phone() not in page and newcomer.reveal_id_number() not in page
    assert world.people[0].name not in page  # sampled
    assert world.people[5].name not in page  # exempt


def test_untested_exports_are_audited_with_the_count_only(client, tree, world, alice):
    make_resident(tree["grid_a"], "=HYPERLINK(1)", room="910")
    client.force_login(alice)
    url = f"/testing/{world.round.pk}/grids/{tree['grid_a'].pk}/untested"
    response = client.get(url + ".xlsx")
    assert response.status_code == 200 and response.streaming
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in names
    entry = AuditEntry.objects.filter(action="testing.export_untested").latest("id")
    assert entry.details == {"grid": tree["grid_a"].pk, "format": "xlsx", "count": 1}
    pdf = client.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="testing.export_untested").count() == 2


def test_exemption_from_the_untested_list_and_back(client, tree, world, bob):
    target = make_resident(tree["grid_a"], "住院者", room="911")
    client.force_login(bob)
    url = f"/testing/{world.round.pk}/grids/{tree['grid_a'].pk}/untested/"
    response = client.post(
        f"/testing/{world.round.pk}/exemptions/add/",
        {"resident": target.pk, "reason": "hospitalised", "note": "市一院", "next": url},
    )
    assert response.status_code == 302 and response.headers["Location"] == url
    exemption = Exemption.objects.get(resident=target)
    assert (exemption.reason, exemption.note, exemption.recorded_by) == (
        "hospitalised",
        "市一院",
        bob,
    )
    assert f"/residents/{target.pk}/" not in client.get(url).content.decode()
    listed = client.get(f"/testing/{world.round.pk}/exemptions/").content.decode()
    assert "住院者" in listed and "市一院" in listed
    client.post(f"/testing/{world.round.pk}/exemptions/{exemption.pk}/remove/")
    assert not Exemption.objects.filter(pk=exemption.pk).exists()
    assert f"/residents/{target.pk}/" in client.get(url).content.decode()


def test_other_reason_needs_a_note(client, tree, world, bob):
    target = make_resident(tree["grid_a"], "某人", room="912")
    client.force_login(bob)
    client.post(
        f"/testing/{world.round.pk}/exemptions/add/", {"resident": target.pk, "reason": "other"}
    )
    assert not Exemption.objects.filter(resident=target).exists()


def test_bob_cannot_exempt_outside_his_grid(client, tree, world, bob):
    other = make_resident(tree["grid_b"], "别的网格", room="913")
    client.force_login(bob)
    response = client.post(
        f"/testing/{world.round.pk}/exemptions/add/", {"resident": other.pk, "reason": "away"}
    )
    assert response.status_code == 404
    assert client.post(
        f"/testing/{world.round.pk}/exemptions/{world.exemption.pk}/remove/"
    ).status_code in (302, 404)


def test_recall_list_names_household_grid_and_leader(client, tree, world, alice):
    client.force_login(alice)
    make_tube(world.round, tree["grid_a"], world.people[0], capacity=1)
    page = client.get(f"/testing/{world.round.pk}/recalls/").content.decode()
    for person in world.people[:3]:
        assert person.name in page and person.household.label in page
    assert "网格长甲" in page and world.pool.barcode in page
    assert "data-print" in page
    # One of the three was sampled alone since: waiting for the laboratory.
    assert page.count(">Retested, awaiting result</span>") == 1
    assert page.count(">To retest</span>") == 2


def test_tubes_packed_shipped_and_received(client, tree, world):
    client.force_login(world.sampler)
    page = client.get(f"/testing/{world.round.pk}/tubes/").content.decode()
    assert world.waiting.barcode in page
    response = client.post(
        f"/testing/{world.round.pk}/tubes/",
        {"tubes": [world.waiting.pk], "laboratory": "市疾控", "box_code": "BOX-A1"},
    )
    shipment = Shipment.objects.get(box_code="BOX-A1")
    assert response.headers["Location"] == f"/testing/shipments/{shipment.pk}/"
    client.post(f"/testing/shipments/{shipment.pk}/ship/")
    assert Tube.objects.get(pk=world.waiting.pk).status == TubeStatus.SHIPPED
    # The sampler may not receive at the laboratory; the lab liaison does.
    assert client.post(f"/testing/shipments/{shipment.pk}/receive/").status_code == 404
    client.force_login(world.lab)
    client.post(f"/testing/shipments/{shipment.pk}/receive/")
    assert Tube.objects.get(pk=world.waiting.pk).status == TubeStatus.RECEIVED
    manifest = client.get(f"/testing/shipments/{shipment.pk}/manifest.xlsx")
    sheet = load_workbook(io.BytesIO(manifest.content)).active
    assert world.waiting.barcode in [row[1] for row in sheet.iter_rows(values_only=True)]


def test_a_tube_cannot_go_into_two_boxes(client, tree, world):
    client.force_login(world.sampler)
    client.post(f"/testing/{world.round.pk}/tubes/", {"tubes": [world.packed.pk]})
    assert Shipment.objects.count() == 1


def test_planner_page_computes_from_the_round(client, tree, world):
    client.force_login(world.manager)
    page = client.get(
        f"/testing/planner/?round={world.round.pk}&population=100000&prevalence_percent=1"
    ).content.decode()
    assert "0.196" in page and "0.249" in page and "0.232" in page
    page = client.get("/testing/planner/?population=100000&desks=100").content.decode()
    assert "8.3" in page


def test_the_planner_of_a_round_in_progress_plans_what_is_left(client, tree, world):
    """Six expected, five sampled: one person left, in the hours left of the round; the
    advised pool and the figures beside it are one computation."""
    client.force_login(world.manager)
    response = client.get(f"/testing/planner/?round={world.round.pk}")
    form = response.context["form"]
    assert form["population"].value() == "1"
    hours = float(form["window_hours"].value())
    left = (world.round.ends_at - timezone.now()).total_seconds() / 3600
    assert left <= hours <= left + 0.2
    options = {option.pool: option for option in response.context["options"]}
    best = options[response.context["best"]]
    assert best.tests == min(option.tests for option in options.values())
    # One person needs one tube whatever its size: no pool saves anything.
    assert best.pool == 1 and best.saving_percent == 0.0
    plan = response.context["plan"]
    assert plan.enough and plan.desks == 3  # the desks of the round's point


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("/testing/", 8),
        ("/testing/{r}/", 26),  # two for the risk levels in scope (settings, policies)
        ("/testing/{r}/coverage/", 20),
        ("/testing/{r}/recalls/", 10),  # the header's unread count is one of them
        ("/testing/{r}/grids/{g}/untested/", 25),  # with its follow-ups and progress
        ("/testing/{r}/teams/{t}/", 11),
        ("/testing/{r}/tubes/", 9),
        ("/testing/{r}/points/", 12),
        ("/testing/{r}/teams/", 12),
        ("/testing/{r}/exemptions/", 7),
        ("/testing/{r}/cases/", 6),
        ("/testing/{r}/shipments/", 7),
    ],
)
def test_list_pages_take_a_fixed_number_of_queries(
    client, tree, alice, django_assert_max_num_queries, url, limit
):
    world = build_world(tree, alice, people=40)
    for i in range(12):
        make_round(tree["community"], user=world.manager, name=f"轮次{i}", open_it=False)
    client.force_login(world.manager)
    url = url.format(r=world.round.pk, g=tree["grid_a"].pk, t=world.team.pk)
    client.get(url)
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_coverage_fragment_follows_new_samples(client, tree, world):
    from wangge.testing.tests.tube_factories import make_tube

    client.force_login(world.manager)
    url = f"/testing/{world.round.pk}/coverage/?area={tree['grid_b'].pk}"
    assert '>0</div><div class="label">Sampled' in client.get(url).content.decode().replace(
        "\n", ""
    )
    make_tube(world.round, tree["grid_b"], world.bedridden)
    body = client.get(url).content.decode().replace("\n", "")
    assert '>1</div><div class="label">Sampled' in body
    assert Recall.objects.filter(status=RecallStatus.OPEN).count() == 3
