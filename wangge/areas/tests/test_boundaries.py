"""Importing area outlines from GeoJSON: every feature checked, all or nothing, scoped,
audited; children inside their parents."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import UserFactory, grant
from wangge.areas import actions, geo
from wangge.areas.boundaries import (
    BoundaryFileError,
    read_boundary_file,
    read_feature,
    read_path,
)
from wangge.areas.boundary_plan import plan_boundary_import
from wangge.areas.choices import BoundaryOutcome
from wangge.areas.models import AreaBoundary
from wangge.areas.tests.geojson import collection, feature, square
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role

# The test tree (tests.factories.make_tree): 兰州市 › 七里河区 (620103) › 西园街道 › 西园社区 ›
# 一号小区, 二号小区. Outlines nest: the district is a 1° square, the street a quarter of it …
DISTRICT = feature(square(103.0, 36.0, 1.0), code="620103")
STREET = feature(square(103.0, 36.0, 0.5), path="七里河区/西园街道")
COMMUNITY = feature(square(103.0, 36.0, 0.25), path="七里河区/西园街道/西园社区")
GRID_A = feature(square(103.0, 36.0, 0.1), path="七里河区/西园街道/西园社区/一号小区")
GRID_B = feature(square(103.1, 36.1, 0.1), path="七里河区/西园街道/西园社区/二号小区")
WHOLE = collection(DISTRICT, STREET, COMMUNITY, GRID_A, GRID_B)


def plan_of(data, scope=None):
    return plan_boundary_import(read_boundary_file(data), scope=scope)


def errors_of(plan):
    return [message for _index, message in plan.errors]


@pytest.mark.django_db
def test_a_nested_file_imports_every_outline_and_is_audited(tree):
    report = actions.import_boundaries(
        read_boundary_file(WHOLE), acting_user=None, source="qilihe.geojson"
    )
    assert (report.features, report.new, report.replaced) == (5, 5, 0)
    grid = AreaBoundary.objects.get(area=tree["grid_b"])
    assert grid.bbox == pytest.approx((103.1, 36.1, 103.2, 36.2))
    assert grid.points == 5
    assert grid.geometry["type"] == "Polygon"
    entry = AuditEntry.objects.get(action=AuditEvent.BOUNDARIES_IMPORT)
    assert entry.details["features"] == 5 and entry.details["source"] == "qilihe.geojson"
    # The entry lies at the district, the deepest area above every outline imported.
    assert entry.area_path == tree["district"].path


@pytest.mark.django_db
def test_importing_again_replaces_the_outlines(tree):
    actions.import_boundaries(read_boundary_file(WHOLE), acting_user=None)
    report = actions.import_boundaries(read_boundary_file(WHOLE), acting_user=None)
    assert (report.new, report.replaced) == (0, 5)
    assert AreaBoundary.objects.count() == 5


@pytest.mark.django_db
def test_a_feature_crossing_itself_is_reported_with_where(tree):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[103.0, 36.0], [103.1, 36.1], [103.1, 36.0], [103.0, 36.1], [103.0, 36.0]]
        ],
    }
    plan = plan_of(collection(DISTRICT, feature(bowtie, path="七里河区/西园街道")))
    assert not plan.ok
    [(index, message)] = plan.errors
    assert index == 2
    assert "crosses itself near 103.05" in message


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (None, "no geometry"),
        ({"type": "Point", "coordinates": [103, 36]}, "is a Point"),
        ({"type": "Polygon", "coordinates": []}, "no rings"),
        ({"type": "Polygon", "coordinates": [[[103, 36], [104, 36], [103, 36]]]}, "fewer"),
        (
            {"type": "Polygon", "coordinates": [[[103, 36], [104, 36], [104, 37], [103, 37]]]},
            "does not end where it starts",
        ),
        (square(450000.0, 4000000.0, 100.0), "not a longitude and latitude"),
        (
            {"type": "Polygon", "coordinates": [[["a", 36], [104, 36], [104, 37], ["a", 36]]]},
            "pair",
        ),
        (
            # A flat ring folds back on itself.
            {"type": "Polygon", "coordinates": [[[103, 36], [104, 36], [105, 36], [103, 36]]]},
            "crosses itself",
        ),
    ],
)
def test_bad_geometry_is_reported(geometry, expected):
    row = read_feature(1, feature(geometry, code="620103"))
    assert row.shape is None
    assert expected in " ".join(row.errors)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[1, 2]", "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "no features"),
        (b'{"type": "FeatureCollection", "features": {}}', "no list"),
        (b'{"type": "Topology"}', "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": [NaN]}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (
            b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
            b'{"name": "urn:ogc:def:crs:EPSG::3857"}}, "features": []}',
            "not WGS84",
        ),
    ],
)
def test_a_file_that_is_no_geojson_is_refused_as_a_whole(data, expected):
    with pytest.raises(BoundaryFileError, match=expected):
        read_boundary_file(data)


def test_too_big_a_file_is_refused(monkeypatch):
    monkeypatch.setattr("wangge.areas.boundaries.MAX_FILE_BYTES", 100)
    with pytest.raises(BoundaryFileError, match="larger than"):
        read_boundary_file(WHOLE)


@pytest.mark.django_db
def test_unknown_areas_are_reported(tree):
    plan = plan_of(
        collection(
            feature(square(103.0, 36.0, 0.1), code="999999"),
            feature(square(103.0, 36.0, 0.1), path="七里河区/东园街道"),
            feature(square(103.0, 36.0, 0.1), path="没有区"),
            feature(square(103.0, 36.0, 0.1), note="nothing names it"),
        )
    )
    assert errors_of(plan) == [
        "no area has the code 999999 among your areas",
        "七里河区 has no area named 东园街道",
        "no area named 没有区 among your areas",
        "the feature names no area: give it a code or a path property (区划代码 / 路径)",
    ]


@pytest.mark.django_db
def test_a_code_and_a_path_must_name_the_same_area(tree):
    plan = plan_of(
        collection(feature(square(103.0, 36.0, 0.5), code="620103", path="七里河区/西园街道"))
    )
    assert errors_of(plan) == ["the code names 七里河区 but the path names another area"]


@pytest.mark.django_db
def test_two_features_for_one_area_are_both_reported(tree):
    plan = plan_of(collection(DISTRICT, feature(square(103.0, 36.0, 0.5), path="七里河区")))
    assert errors_of(plan) == ["features #1, #2 are all for 七里河区; keep one"] * 2


@pytest.mark.django_db
def test_a_grid_outside_its_community_in_the_file_is_reported(tree):
    astray = feature(square(103.2, 36.2, 0.1), path="七里河区/西园街道/西园社区/二号小区")
    plan = plan_of(collection(COMMUNITY, GRID_A, astray))
    assert errors_of(plan) == ["75.0% of it lies outside 西园社区"]


@pytest.mark.django_db
def test_a_grid_outside_its_stored_community_is_reported(tree):
    actions.import_boundaries(read_boundary_file(collection(COMMUNITY)), acting_user=None)
    astray = feature(square(104.0, 37.0, 0.1), path="七里河区/西园街道/西园社区/二号小区")
    assert errors_of(plan_of(collection(astray))) == ["100.0% of it lies outside 西园社区"]


@pytest.mark.django_db
def test_a_sliver_outside_within_the_tolerance_is_accepted(tree, settings):
    settings.WANGGE_BOUNDARY_TOLERANCE_PERCENT = 1
    # 0.5 % of the grid's area lies beyond the community's edge.
    sliver = feature(square(103.1505, 36.1, 0.1), path="七里河区/西园街道/西园社区/二号小区")
    assert plan_of(collection(COMMUNITY, sliver)).ok
    settings.WANGGE_BOUNDARY_TOLERANCE_PERCENT = 0
    assert not plan_of(collection(COMMUNITY, sliver)).ok


@pytest.mark.django_db
def test_a_new_parent_outline_leaving_a_stored_child_outside_is_reported(tree):
    actions.import_boundaries(read_boundary_file(collection(GRID_B)), acting_user=None)
    smaller = feature(square(103.0, 36.0, 0.1), path="七里河区/西园街道/西园社区")
    assert errors_of(plan_of(collection(smaller))) == [
        "100.0% of 二号小区 (below it, already imported) would lie outside it"
    ]
    actions.import_boundaries(read_boundary_file(collection(GRID_A)), acting_user=None)
    far = feature(square(104.0, 37.0, 0.1), path="七里河区/西园街道/西园社区")
    assert errors_of(plan_of(collection(far))) == [
        "2 areas below it (already imported) would lie outside it: 一号小区、二号小区"
    ]


@pytest.mark.django_db
def test_nothing_is_imported_when_one_feature_is_wrong(tree):
    bad = feature(square(103.0, 36.0, 0.1), code="999999")
    features = read_boundary_file(collection(DISTRICT, STREET, bad))
    with pytest.raises(actions.BoundaryImportError) as caught:
        actions.import_boundaries(features, acting_user=None)
    assert caught.value.plan.counts()[BoundaryOutcome.ERROR] == 1
    assert not AreaBoundary.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEvent.BOUNDARIES_IMPORT).exists()


@pytest.mark.django_db
def test_an_importer_outlines_only_below_their_own_areas(tree, other_tree):
    admin = grant(UserFactory(username="streetadmin"), Role.ADMINISTRATOR, tree["street"])
    scope = admin.scope_paths("areas.manage")
    foreign = feature(square(103.0, 36.0, 0.1), path="外七里河区/外西园街道/外西园社区")
    foreign_code = feature(square(103.0, 36.0, 0.1), code="620981")
    plan = plan_of(collection(STREET, COMMUNITY, GRID_A, foreign, foreign_code), scope=scope)
    assert errors_of(plan) == [
        "the outline of 西园街道 is set by the level above you",
        # Another district's areas read as missing, not as forbidden.
        "no area named 外七里河区 among your areas",
        "no area has the code 620981 among your areas",
    ]
    with pytest.raises(actions.BoundaryImportError):
        actions.import_boundaries(
            read_boundary_file(collection(COMMUNITY, foreign)), acting_user=admin
        )
    report = actions.import_boundaries(
        read_boundary_file(collection(COMMUNITY, GRID_A)), acting_user=admin
    )
    assert report.new == 2
    assert AreaBoundary.objects.get(area=tree["grid_a"]).imported_by == admin


def test_a_path_is_names_split_by_slashes():
    assert read_path(" 七里河区 / 西园街道/西园社区 ") == ("七里河区", "西园街道", "西园社区")
    assert read_path("/七里河区/") == ("七里河区",)


def test_codes_written_as_numbers_are_read_as_text():
    row = read_feature(1, feature(square(103.0, 36.0, 1.0), adcode=620103))
    assert row.code == "620103" and not row.errors


# --- the command --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_dry_run_writes_nothing(tree, tmp_path):
    path = tmp_path / "outlines.geojson"
    path.write_bytes(WHOLE)
    out = StringIO()
    call_command("import_boundaries", str(path), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not AreaBoundary.objects.exists()
    call_command("import_boundaries", str(path), stdout=out)
    assert AreaBoundary.objects.count() == 5
    assert AuditEntry.objects.filter(action=AuditEvent.BOUNDARIES_IMPORT).count() == 1


@pytest.mark.django_db
def test_the_command_reports_feature_errors_and_imports_nothing(tree, tmp_path):
    path = tmp_path / "outlines.geojson"
    path.write_bytes(collection(DISTRICT, feature(square(103.0, 36.0, 1.0), code="999999")))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_boundaries", str(path), stdout=StringIO(), stderr=err)
    assert "feature 2: no area has the code 999999" in err.getvalue()
    assert not AreaBoundary.objects.exists()


# --- the page -----------------------------------------------------------------------------


@pytest.fixture
def district_admin(tree):
    return grant(UserFactory(username="districtadmin"), Role.ADMINISTRATOR, tree["district"])


def _upload(data, name="outlines.geojson"):
    return {"outlines": SimpleUploadedFile(name, data, content_type="application/geo+json")}


@pytest.mark.django_db
def test_the_page_checks_then_applies(client, district_admin, tree):
    client.force_login(district_admin)
    body = collection(STREET, COMMUNITY, GRID_A, GRID_B)
    page = client.post(reverse("areas:boundaries_import"), _upload(body))
    assert page.status_code == 200
    assert not AreaBoundary.objects.exists()
    token = page.context["token"]
    done = client.post(reverse("areas:boundaries_apply", args=[token]))
    assert done.status_code == 302
    assert AreaBoundary.objects.count() == 4
    # The token is spent.
    again = client.post(reverse("areas:boundaries_apply", args=[token]))
    assert again.status_code == 404


@pytest.mark.django_db
def test_the_page_lists_errors_and_offers_no_apply(client, district_admin, tree):
    client.force_login(district_admin)
    page = client.post(
        reverse("areas:boundaries_import"),
        _upload(collection(STREET, feature(square(103.0, 36.0, 0.1), code="999999"))),
    )
    assert page.status_code == 200
    assert "token" not in page.context
    assert "no area has the code 999999" in page.content.decode()


@pytest.mark.django_db
def test_the_page_refuses_a_file_that_is_not_geojson(client, district_admin):
    client.force_login(district_admin)
    page = client.post(reverse("areas:boundaries_import"), _upload(b"{oops"))
    assert page.status_code == 200
    assert "not valid JSON" in page.content.decode()


@pytest.mark.django_db
def test_apply_checks_again_and_applies_nothing_when_the_tree_changed(client, district_admin, tree):
    client.force_login(district_admin)
    page = client.post(reverse("areas:boundaries_import"), _upload(collection(STREET, GRID_A)))
    token = page.context["token"]
    # Meanwhile someone stores a street outline that leaves the grid outside.
    far = feature(square(104.0, 37.0, 0.1), path="七里河区/西园街道/西园社区")
    actions.import_boundaries(read_boundary_file(collection(far)), acting_user=None)
    done = client.post(reverse("areas:boundaries_apply", args=[token]))
    assert done.status_code == 200
    assert done.context["stale"]
    assert AreaBoundary.objects.count() == 1


@pytest.mark.django_db
def test_someone_who_manages_no_area_may_not_import(client, alice):
    client.force_login(alice)
    assert client.get(reverse("areas:boundaries_import")).status_code == 403


# --- properties ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(["type", "coordinates", "x"]), children, max_size=3)
    ),
    max_leaves=30,
)


@given(json_values)
def test_reading_any_geometry_gives_a_shape_or_a_reason(value):
    try:
        shape = geo.read_geometry(value)
    except geo.GeometryError as exc:
        assert str(exc)
    else:
        assert shape.is_valid and shape.area > 0


@given(st.binary(max_size=300))
def test_reading_any_bytes_gives_features_or_a_reason(data):
    try:
        rows = read_boundary_file(data)
    except BoundaryFileError as exc:
        assert str(exc)
    else:
        assert rows and all(row.shape is not None or row.errors for row in rows)


@given(
    st.floats(min_value=-179, max_value=178),
    st.floats(min_value=-89, max_value=88),
    st.floats(min_value=1e-4, max_value=1.0),
)
def test_any_square_in_range_is_read_back_as_drawn(west, south, size):
    shape = geo.read_geometry(square(west, south, size))
    assert geo.bounds(shape) == pytest.approx((west, south, west + size, south + size))
    stored = geo.as_geojson(shape)
    assert geo.from_geojson(stored).area == pytest.approx(size * size, rel=1e-3)


@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_the_share_outside_is_what_lies_beyond_the_parent(dx, dy):
    parent = geo.read_geometry(square(103.0, 36.0, 1.0))
    child = geo.read_geometry(square(103.0 + dx, 36.0 + dy, 1.0))
    inside = (1.0 - dx) * (1.0 - dy)
    assert geo.share_outside(child, parent) == pytest.approx(1.0 - inside, abs=1e-6)
