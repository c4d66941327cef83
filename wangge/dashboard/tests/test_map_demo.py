"""The demo's outlines: every area down to the grids, children covering their parent
without gaps or overlaps and inside it, the same shapes on every build, gone on reset."""

import pytest
from shapely.ops import unary_union

from wangge.areas import geo
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area, AreaBoundary
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.dashboard.demo_boundaries import build_demo_boundaries, district_outline
from wangge.demo.generator import build_demo, reset_demo
from wangge.demo.profiles import QILIHE


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def district(db):
    return build_demo(QILIHE, residents=200, workers=0).district


def _outlines(district):
    return {
        boundary.area.path: (boundary.area, geo.from_geojson(boundary.geometry))
        for boundary in AreaBoundary.objects.filter(
            area__path__startswith=district.path
        ).select_related("area")
    }


@pytest.mark.django_db
def test_the_demo_outlines_every_area_down_to_the_grids(district):
    outlines = _outlines(district)
    areas = Area.objects.within(district).exclude(kind=AreaKind.BUILDING)
    assert set(outlines) == set(areas.values_list("path", flat=True))
    entry = AuditEntry.objects.get(action=AuditEvent.DEMO_BOUNDARIES)
    assert entry.details["areas"] == len(outlines)
    # Qilihe lies in Lanzhou, south of the Yellow River.
    west, south, east, north = geo.bounds(outlines[district.path][1])
    assert 103.5 < west < east < 104.0 and 35.7 < south < north < 36.2
    for _area, shape in outlines.values():
        assert shape.is_valid and shape.area > 0


@pytest.mark.django_db
def test_children_cover_their_parent_without_gaps_or_overlaps(district):
    outlines = _outlines(district)
    children: dict[str, list] = {}
    for path, (_area, shape) in outlines.items():
        if path != district.path:
            children.setdefault(path[: -Area.steplen], []).append(shape)
    assert children
    for parent_path, shapes in children.items():
        parent = outlines[parent_path][1]
        union = unary_union(shapes)
        # No gap: the children's union is the parent (snapped to the storage's sixth decimal, which moves an edge by under 0.1 m).
        assert union.symmetric_difference(parent).area <= parent.area * 1e-3
        # No overlap: their areas add up to the union's.
        assert sum(shape.area for shape in shapes) == pytest.approx(union.area, rel=1e-3)
        for shape in shapes:
            # Inside it, far below the import's tolerance (1 %).
            assert geo.share_outside(shape, parent) < 1e-3


@pytest.mark.django_db
def test_the_shapes_depend_on_the_district_only(district):
    before = {path: shape.wkb for path, (_a, shape) in _outlines(district).items()}
    build_demo_boundaries(district)
    after = {path: shape.wkb for path, (_a, shape) in _outlines(district).items()}
    assert before == after
    assert district_outline("620103").equals(district_outline("620103"))


@pytest.mark.django_db
def test_a_reset_removes_the_outlines(district):
    assert AreaBoundary.objects.exists()
    reset_demo(QILIHE)
    assert not AreaBoundary.objects.exists()
