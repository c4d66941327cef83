"""The workforce summary: the seeds' sentence from the records, at any level, in both
languages, scoped, for a fixed number of queries."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import UserFactory, make_area
from wangge.areas.choices import AreaKind
from wangge.workforce.choices import Committee, SentFrom, TeamKind, WorkerKind
from wangge.workforce.summary import Part, part_sentence, workforce_summary
from wangge.workforce.tests.factories import assign, make_team, make_worker

# Per area and page: areas, workers, responsibilities, those based above the streets, teams.
SUMMARY_QUERIES = 5


def _people(tree):
    """A street's workforce on the small tree: staff at every level, two stationed cadres
    from the city and one from the district, a committee member, a veteran, volunteers."""
    street, community = tree["street"], tree["community"]
    grid_a, grid_b = tree["grid_a"], tree["grid_b"]
    make_worker(street, kind=WorkerKind.STREET_STAFF)
    make_worker(community, kind=WorkerKind.COMMUNITY_STAFF)
    make_worker(community, kind=WorkerKind.COMMUNITY_STAFF)
    make_worker(grid_a, kind=WorkerKind.GRID_LEADER)
    make_worker(grid_b, kind=WorkerKind.GRID_MEMBER)
    for grid in (grid_a, grid_b):
        make_worker(grid, kind=WorkerKind.STATIONED_CADRE, sent_from=SentFrom.CITY, sent_down=True)
    make_worker(
        grid_a, kind=WorkerKind.STATIONED_CADRE, sent_from=SentFrom.DISTRICT, sent_down=True
    )
    make_worker(community, kind=WorkerKind.COMMITTEE_MEMBER, committee=Committee.SOCIAL_WORK)
    make_worker(community, kind=WorkerKind.VETERAN)
    make_worker(grid_a, kind=WorkerKind.VOLUNTEER)
    make_worker(grid_b, kind=WorkerKind.VOLUNTEER)
    # Left: not counted.
    make_worker(grid_b, kind=WorkerKind.VOLUNTEER, active=False)


def _say(area, language):
    with translation.override(language):
        return workforce_summary(area).sentences()


def test_a_district_in_the_seeds_form_in_english_and_chinese(tree):
    _people(tree)
    assert _say(tree["district"], "en") == [
        "1 street, 1 community, 5 staff; 2 city-level and 1 district-level stationed cadres, "
        "1 committee member, 1 veteran and 2 volunteers in 2 compounds",
        "3 people sent down to communities and villages",
    ]
    assert _say(tree["district"], "zh-hans") == [
        "1个街道、1个社区的5名工作人员，2名市级、1名区级驻守干部、1名“社工委”委员、"
        "1名退役军人和2名志愿者奋战在2个小区",
        "3人下沉到社区、村组",
    ]


def test_a_community_and_a_grid_say_their_own_figures(tree):
    _people(tree)
    assert _say(tree["community"], "en")[0] == (
        "4 staff; 2 city-level and 1 district-level stationed cadres, 1 committee member, "
        "1 veteran and 2 volunteers in 2 compounds"
    )
    assert _say(tree["grid_b"], "en")[0] == (
        "1 staff; 1 city-level stationed cadre and 1 volunteer in 1 compound"
    )
    assert _say(tree["grid_b"], "zh-hans")[0] == (
        "1名工作人员，1名市级驻守干部和1名志愿者奋战在1个小区"
    )


def test_zero_clauses_are_left_out(tree):
    make_worker(tree["grid_a"], kind=WorkerKind.GRID_LEADER)
    make_worker(tree["grid_a"], kind=WorkerKind.VOLUNTEER)
    assert _say(tree["street"], "en") == ["1 community, 1 staff; 1 volunteer in 1 compound"]
    assert _say(tree["street"], "zh-hans") == ["1个社区的1名工作人员，1名志愿者奋战在1个小区"]


def test_an_area_without_anyone_says_nothing(tree):
    assert _say(tree["district"], "en") == []


def test_the_seeds_figures_read_as_the_seed_with_thousands_grouped_in_english_only():
    part = Part("urban")
    part.places[AreaKind.STREET] = 9
    part.places[AreaKind.COMMUNITY] = 65
    part.grids[AreaKind.COMPOUND] = 638
    part.tally.staff = 1848
    part.tally.cadres.update({SentFrom.CITY: 429, SentFrom.DISTRICT: 790})
    part.tally.committees[Committee.SOCIAL_WORK] = 428
    part.tally.others.update({WorkerKind.VETERAN: 196, WorkerKind.VOLUNTEER: 657})
    with translation.override("en"):
        assert part_sentence(part) == (
            "9 streets, 65 communities, 1,848 staff; 429 city-level and 790 district-level "
            "stationed cadres, 428 committee members, 196 veterans and 657 volunteers in 638 "
            "compounds"
        )
    with translation.override("zh-hans"):
        assert part_sentence(part) == (
            "9个街道、65个社区的1848名工作人员，429名市级、790名区级驻守干部、428名“社工委”委员、"
            "196名退役军人和657名志愿者奋战在638个小区"
        )


def test_several_committees_are_named_and_other_kinds_have_their_clauses(tree):
    community = tree["community"]
    make_worker(community, kind=WorkerKind.COMMITTEE_MEMBER, committee=Committee.SOCIAL_WORK)
    make_worker(community, kind=WorkerKind.COMMITTEE_MEMBER, committee=Committee.PUBLIC_HEALTH)
    make_worker(community, kind=WorkerKind.MEDICAL)
    make_worker(community, kind=WorkerKind.POLICE)
    make_worker(tree["grid_a"], kind=WorkerKind.PROPERTY_STAFF)
    make_worker(tree["grid_a"], kind=WorkerKind.OWNERS_COMMITTEE)
    assert _say(community, "en") == [
        "1 social work committee member, 1 public health committee member, 1 medical worker, "
        "1 police officer, 1 property management worker and 1 owners' committee member "
        "in 1 compound"
    ]


def test_towns_form_the_rural_sentence_and_district_leaders_count_where_they_answer(tree):
    _people(tree)
    town = make_area("阿干镇", AreaKind.TOWN, tree["district"])
    township = make_area("魏岭乡", AreaKind.TOWNSHIP, tree["district"])
    village = make_area("阿干村", AreaKind.VILLAGE, town)
    group = make_area("一组", AreaKind.VILLAGE_GROUP, village)
    make_area("二组", AreaKind.VILLAGE_GROUP, village)  # nobody there: not counted
    make_worker(group, kind=WorkerKind.GRID_LEADER)
    make_worker(village, kind=WorkerKind.MEDICAL)
    leader = make_worker(
        tree["district"], kind=WorkerKind.STATIONED_CADRE, sent_from=SentFrom.DISTRICT
    )
    assign(leader, township, "district_leader_street")
    # Based at the district, answering for nothing below: a sentence of their own.
    make_worker(tree["district"], kind=WorkerKind.STREET_STAFF)
    # An ended responsibility does not count the area.
    other = make_area("西果园镇", AreaKind.TOWN, tree["district"])
    assign(leader, other, "district_leader_street", ended_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
    summary = workforce_summary(tree["district"])
    with translation.override("en"):
        assert [(part.key, part.sentence()) for part in summary.parts] == [
            (
                "urban",
                "1 street, 1 community, 5 staff; 2 city-level and 1 district-level stationed "
                "cadres, 1 committee member, 1 veteran and 2 volunteers in 2 compounds",
            ),
            (
                "rural",
                "2 towns and townships, 1 village, 1 staff; 1 district-level stationed cadre "
                "and 1 medical worker in 1 village group",
            ),
            ("above", "1 staff"),
        ]
    with translation.override("zh-hans"):
        assert summary.parts[1].sentence() == (
            "2个乡镇、1个村的1名工作人员，1名区级驻守干部和1名医务人员奋战在1个村民小组"
        )


def test_teams_by_kind_with_women_and_youth_together(tree):
    community = tree["community"]
    for number in range(3):
        make_team(community, f"党员先锋队{number}", kind=TeamKind.PARTY_VANGUARD)
    make_team(community, "巾帼志愿者服务队", kind=TeamKind.WOMEN_VOLUNTEER)
    make_team(community, "青年先锋队", kind=TeamKind.YOUTH_VANGUARD)
    make_worker(community, kind=WorkerKind.VOLUNTEER, sent_down=True)
    assert _say(community, "en")[-1] == (
        "3 party vanguard teams, 2 women's volunteer and youth vanguard teams; "
        "1 person sent down to communities and villages"
    )
    assert _say(community, "zh-hans")[-1] == (
        "党员先锋队3个，“巾帼志愿者服务队”“青年先锋队”2个，1人下沉到社区、村组"
    )


@pytest.mark.parametrize("where", ["district", "street", "community", "grid_a"])
def test_a_summary_costs_a_fixed_number_of_queries(tree, where, django_assert_num_queries):
    _people(tree)
    with django_assert_num_queries(SUMMARY_QUERIES if where == "district" else SUMMARY_QUERIES - 1):
        workforce_summary(tree[where])
    for grid in (tree["grid_a"], tree["grid_b"]):
        for _ in range(5):
            make_worker(grid, kind=WorkerKind.VOLUNTEER)
        make_team(grid, kind=TeamKind.BLUE_VEST)
    with django_assert_num_queries(SUMMARY_QUERIES if where == "district" else SUMMARY_QUERIES - 1):
        workforce_summary(tree[where])


# --- the page, the card, the command ----------------------------------------------------------


def test_the_page_shows_the_summary_and_the_areas_below(client, tree, alice):
    _people(tree)
    client.force_login(alice)
    response = client.get("/workforce/summary/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["area"] == tree["community"]
    assert "4 staff; 2 city-level and 1 district-level stationed cadres" in page
    assert [row.area for row in response.context["summary"].children] == [
        tree["grid_a"],
        tree["grid_b"],
    ]
    response = client.get(f"/workforce/summary/?area={tree['grid_a'].pk}")
    assert response.status_code == 200
    assert response.context["area"] == tree["grid_a"]


def test_the_page_costs_a_fixed_number_of_queries(client, tree, alice):
    client.force_login(alice)
    url = f"/workforce/summary/?area={tree['community'].pk}"
    client.get(url)
    empty = _queries(client, url)
    _people(tree)
    assert _queries(client, url) == empty


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_charlie_sees_nothing_of_alices_workforce(client, tree, other_tree, alice, charlie):
    _people(tree)
    client.force_login(charlie)
    for area in ("district", "street", "community", "grid_a"):
        assert client.get(f"/workforce/summary/?area={tree[area].pk}").status_code == 404
    response = client.get("/workforce/summary/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["area"] == other_tree["community"]
    assert response.context["summary"].sentences() == []
    assert "Nobody at work is recorded in this area yet." in response.content.decode()


def test_someone_without_the_permission_anywhere_is_refused(client, db):
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/workforce/summary/").status_code == 403


def _card(client, user):
    client.force_login(user)
    cards = {card.key: card for card in client.get("/").context["cards"]}
    return cards.get("workforce.summary")


def test_the_workbench_card_counts_the_users_areas_only(client, tree, other_tree, alice, charlie):
    assert _card(client, alice) is None  # nobody recorded: no card
    _people(tree)
    card = _card(client, alice)
    assert [figure.value for figure in card.figures] == [4, 3, 2, 11]
    assert card.url == "/workforce/summary/"
    assert _card(client, charlie) is None


def test_the_command_prints_the_sentences(tree):
    _people(tree)
    out = io.StringIO()
    call_command("workforce_summary", "--language", "en", stdout=out)
    text = out.getvalue()
    assert "七里河区 (620103)" in text
    assert "1 street, 1 community, 5 staff;" in text
    out = io.StringIO()
    call_command("workforce_summary", "--area", "620103", stdout=out)
    assert "1个街道、1个社区的5名工作人员" in out.getvalue()
