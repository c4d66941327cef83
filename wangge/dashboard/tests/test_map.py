"""The map: the areas below one area, coloured by a figure of a frozen day, with their
outlines; scoped like every page; drawable under the CSP."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory, grant, make_area
from wangge.areas import actions, geo
from wangge.areas.boundaries import read_boundary_file
from wangge.areas.choices import AreaKind
from wangge.areas.models import AreaBoundary
from wangge.areas.selectors import children_outlines
from wangge.areas.tests.geojson import collection, square
from wangge.core.middleware import CONTENT_SECURITY_POLICY
from wangge.core.permissions import Role
from wangge.dashboard.map import COVERAGE, INCIDENTS, RISK, map_payload, read
from wangge.snapshots.tests.factories import frozen_day

DAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def english(settings):
    """The words are checked in English, the source language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


LINEAGE = {
    "district": ("district",),
    "street": ("district", "street"),
    "community": ("district", "street", "community"),
    "grid_a": ("district", "street", "community", "grid_a"),
    "grid_b": ("district", "street", "community", "grid_b"),
}


def outline(tree, key, geometry):
    path = "/".join(tree[step].name for step in LINEAGE[key])
    return {"type": "Feature", "properties": {"path": path}, "geometry": geometry}


def import_outlines(*features):
    actions.import_boundaries(read_boundary_file(collection(*features)), acting_user=None)


@pytest.fixture
def outlined(tree):
    """The community and its two grids outlined; the street has none."""
    import_outlines(
        outline(tree, "community", square(103.0, 36.0, 0.2)),
        outline(tree, "grid_a", square(103.0, 36.0, 0.1)),
        outline(tree, "grid_b", square(103.1, 36.0, 0.1)),
    )
    return tree


def _data(client, **query):
    response = client.get(reverse("dashboard:map_data"), query)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _by_name(payload):
    return {feature["properties"]["name"]: feature["properties"] for feature in payload["features"]}


@pytest.mark.django_db
def test_children_are_coloured_by_their_risk_level_of_the_day(client, alice, outlined):
    tree = outlined
    frozen_day(tree["grid_a"], DAY, {"control.risk_level": 3})
    frozen_day(tree["grid_b"], DAY, {"control.risk_level": 1})
    frozen_day(tree["community"], DAY, {"control.risk_level": 3})
    client.force_login(alice)
    payload = _data(client, area=tree["community"].pk, day=DAY.isoformat(), colour="risk")
    assert payload["type"] == "FeatureCollection"
    areas = _by_name(payload)
    assert areas["一号小区"]["bucket"] == "lockdown" and areas["一号小区"]["colour"] == "#b91c1c"
    assert areas["二号小区"]["bucket"] == "prevention"
    assert areas["一号小区"]["text"] == "Lockdown area"
    # Grids are the last level mapped: their buildings are not, so they do not drill down.
    assert areas["一号小区"]["url"] == ""
    assert payload["area"]["outline"]["type"] == "Polygon"
    assert payload["area"]["bbox"] == pytest.approx([103.0, 36.0, 103.2, 36.2])
    assert payload["missing"] == []


@pytest.mark.django_db
def test_coverage_and_incidents_come_from_the_snapshot(client, alice, outlined):
    tree = outlined
    frozen_day(
        tree["grid_a"],
        DAY,
        {
            "testing.expected": 1000,
            "testing.sampled": 963,
            "incidents.open": 4,
            "incidents.missed": 1,
        },
    )
    frozen_day(tree["grid_b"], DAY, {"testing.expected": 0, "testing.sampled": 0})
    client.force_login(alice)
    coverage = _by_name(
        _data(client, area=tree["community"].pk, day=DAY.isoformat(), colour="coverage")
    )
    assert coverage["一号小区"]["bucket"] == "high"
    assert coverage["一号小区"]["text"] == "96.3% (963 of 1,000)"
    assert coverage["二号小区"]["bucket"] == "no_round"
    incidents = _by_name(
        _data(client, area=tree["community"].pk, day=DAY.isoformat(), colour="incidents")
    )
    assert incidents["一号小区"]["bucket"] == "some"
    assert incidents["一号小区"]["text"] == "4 open, 1 past a time limit"
    assert incidents["二号小区"]["bucket"] == "zero"


@pytest.mark.django_db
def test_a_new_version_of_the_day_is_what_the_map_shows(client, alice, outlined):
    tree = outlined
    frozen_day(tree["grid_a"], DAY, {"control.risk_level": 0})
    frozen_day(tree["grid_a"], DAY, {"control.risk_level": 2})
    client.force_login(alice)
    areas = _by_name(_data(client, area=tree["community"].pk, day=DAY.isoformat()))
    assert areas["一号小区"]["bucket"] == "control"


@pytest.mark.django_db
def test_an_area_without_figures_or_without_an_outline_is_shown_as_such(client, alice, outlined):
    tree = outlined
    make_area("三号小区", AreaKind.COMPOUND, tree["community"])
    frozen_day(tree["grid_a"], DAY, {"control.risk_level": 1})
    client.force_login(alice)
    payload = _data(client, area=tree["community"].pk, day=DAY.isoformat())
    areas = _by_name(payload)
    assert areas["二号小区"]["bucket"] == "none"
    assert areas["二号小区"]["text"] == "No figures for the day"
    assert [item["name"] for item in payload["missing"]] == ["三号小区"]
    assert "none" in [item["key"] for item in payload["legend"]]


@pytest.mark.django_db
def test_the_day_defaults_to_the_last_day_made(client, alice, outlined):
    tree = outlined
    frozen_day(tree["community"], DAY - dt.timedelta(days=1), {"control.risk_level": 0})
    frozen_day(tree["community"], DAY, {"control.risk_level": 2})
    frozen_day(tree["grid_a"], DAY, {"control.risk_level": 2})
    client.force_login(alice)
    payload = _data(client, area=tree["community"].pk)
    assert payload["day"] == DAY.isoformat()
    assert payload["area"]["text"] == "Control area"


@pytest.mark.django_db
def test_without_an_area_the_map_is_of_the_users_topmost_area(client, alice, outlined):
    client.force_login(alice)
    assert _data(client)["area"]["name"] == outlined["community"].name


@pytest.mark.django_db
def test_a_street_drills_down_to_its_community(client, tree):
    leader = grant(UserFactory(username="streetlead"), Role.STREET_STAFF, tree["street"])
    import_outlines(
        outline(tree, "street", square(103.0, 36.0, 0.5)),
        outline(tree, "community", square(103.0, 36.0, 0.2)),
    )
    client.force_login(leader)
    payload = _data(client, area=tree["street"].pk, day=DAY.isoformat(), colour="coverage")
    [community] = payload["features"]
    assert community["properties"]["url"] == (
        f"{reverse('dashboard:map')}?area={tree['community'].pk}&day={DAY.isoformat()}"
        "&colour=coverage"
    )
    # Few areas: each is labelled at a point inside it.
    lat, lon = community["properties"]["label_at"]
    assert 103.0 < lon < 103.2 and 36.0 < lat < 36.2


@pytest.mark.django_db
def test_another_districts_area_is_not_found(client, alice, other_tree):
    client.force_login(alice)
    for name in ("dashboard:map", "dashboard:map_data"):
        response = client.get(reverse(name), {"area": other_tree["community"].pk})
        assert response.status_code == 404


@pytest.mark.django_db
def test_someone_who_may_not_read_the_analysis_is_refused(client, bob):
    client.force_login(bob)
    assert client.get(reverse("dashboard:map")).status_code == 403
    assert client.get(reverse("dashboard:map"), {"area": 1}).status_code == 404


@pytest.mark.django_db
def test_a_bad_day_is_a_bad_request(client, alice, tree):
    client.force_login(alice)
    assert client.get(reverse("dashboard:map"), {"day": "2026-02-30"}).status_code == 400


@pytest.mark.django_db
def test_the_page_draws_from_data_beside_it_under_the_csp(client, alice, outlined):
    client.force_login(alice)
    response = client.get(
        reverse("dashboard:map"), {"area": outlined["community"].pk, "day": DAY.isoformat()}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-data" type="application/json"' in html
    assert "vendor/leaflet.js" in html and "dashboard/map.js" in html
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_a_tile_server_is_allowed_for_images_only_when_configured(
    client, alice, outlined, settings
):
    settings.WANGGE_MAP_TILE_URL = "https://{s}.tiles.example.cn/{z}/{x}/{y}.png"
    settings.WANGGE_MAP_TILE_ATTRIBUTION = "© 示例地图"
    client.force_login(alice)
    response = client.get(reverse("dashboard:map"), {"area": outlined["community"].pk})
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tiles.example.cn" in policy
    assert "script-src 'self';" in policy
    payload = response.context["payload"]
    assert payload["tiles"] == {
        "url": "https://{s}.tiles.example.cn/{z}/{x}/{y}.png",
        "attribution": "© 示例地图",
    }


@pytest.mark.django_db
def test_area_names_reach_the_page_as_data_not_markup(client, alice, tree):
    make_area("<img src=x>小区", AreaKind.COMPOUND, tree["community"])
    client.force_login(alice)
    html = client.get(reverse("dashboard:map"), {"area": tree["community"].pk}).content.decode()
    assert "<img src=x>" not in html


@pytest.mark.django_db
def test_the_map_costs_a_fixed_number_of_queries(outlined):
    tree = outlined

    def count():
        with CaptureQueriesContext(connection) as queries:
            map_payload(tree["community"], DAY, "risk")
        return len(queries)

    before = count()
    for number in range(5):
        grid = make_area(f"新{number}号小区", AreaKind.COMPOUND, tree["community"])
        frozen_day(grid, DAY, {"control.risk_level": 1})
    assert count() == before


@pytest.mark.django_db
def test_large_outlines_are_simplified_for_the_screen_and_cached(outlined, monkeypatch):
    tree = outlined
    # A grid drawn with a thousand positions along its southern edge.
    edge = [[103.1 + i * 0.0001, 36.0] for i in range(1000)]
    ring = [*edge, [103.2, 36.0], [103.2, 36.1], [103.1, 36.1], [103.1, 36.0]]
    import_outlines(outline(tree, "grid_b", {"type": "Polygon", "coordinates": [ring]}))
    monkeypatch.setattr("wangge.areas.selectors.MAP_POINTS_BUDGET", 100)
    shapes = children_outlines(tree["community"])
    simplified = shapes[tree["grid_b"].pk]
    assert geo.count_points(geo.from_geojson(simplified)) == 5
    assert geo.from_geojson(simplified).area == pytest.approx(0.01)
    with CaptureQueriesContext(connection) as queries:
        assert children_outlines(tree["community"]) == shapes
    assert len(queries) == 1  # the outlines' facts; the simplified shapes come from the cache
    assert AreaBoundary.objects.get(area=tree["grid_b"]).points == 1004


@pytest.mark.django_db
def test_incident_classes_fit_the_counts_of_the_areas_shown(client, alice, outlined):
    tree = outlined
    frozen_day(tree["grid_a"], DAY, {"incidents.open": 30})
    frozen_day(tree["grid_b"], DAY, {"incidents.open": 12})
    client.force_login(alice)
    payload = _data(client, area=tree["community"].pk, day=DAY.isoformat(), colour="incidents")
    assert [item["label"] for item in payload["legend"]] == [
        "None open",
        "1 to 10 open",
        "11 to 20 open",
        "21 or more open",
    ]
    areas = _by_name(payload)
    assert (areas["一号小区"]["bucket"], areas["二号小区"]["bucket"]) == ("many", "some")


def test_each_measure_reads_its_figure():
    assert read(RISK, None).bucket.key == "none"
    assert read(RISK, {}).bucket.key == "normal"
    assert read(COVERAGE, {"testing.expected": 10, "testing.sampled": 7}).bucket.key == "low"
    assert read(COVERAGE, {"testing.expected": 10, "testing.sampled": 8}).bucket.key == "mid"
    assert read(COVERAGE, {"testing.expected": 20, "testing.sampled": 19}).bucket.key == "high"
    assert read(INCIDENTS, {"incidents.open": 2}).bucket.key == "few"
    assert read(INCIDENTS, {"incidents.open": 10}).bucket.key == "many"
