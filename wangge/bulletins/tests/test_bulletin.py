"""The bulletin itself: what its PDF and its workbook say, read back from the files."""

import datetime as dt
import io
import os

import pypdf
import pytest
from openpyxl import load_workbook

from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.bulletins import storage
from wangge.bulletins.actions import download_bulletin, make_bulletin
from wangge.bulletins.errors import DayNotMade
from wangge.bulletins.models import Bulletin
from wangge.bulletins.tests.factories import figures_for, late_requests
from wangge.core.scoping import OutOfScope
from wangge.snapshots.tests.factories import frozen_day

DAY = dt.date(2026, 3, 1)
PHONE = "13900001234"


@pytest.fixture
def days(tree):
    """Fourteen days of the community (untested falling from 53 to 40), its two grids on
    the last two days, and the last day's lists."""
    community = tree["community"]
    for offset in range(13, 0, -1):
        frozen_day(
            community, DAY - dt.timedelta(days=offset), figures_for(offset, untested=40 + offset)
        )
    for offset in (1, 0):
        day = DAY - dt.timedelta(days=offset)
        frozen_day(tree["grid_a"], day, figures_for(offset, expected=600, untested=30))
        frozen_day(tree["grid_b"], day, figures_for(offset + 1, expected=400, untested=10))
    figures = figures_for(0, untested=40)
    figures.update({"services.late": 5, "incidents.missed": 1, "workforce.gaps": 1})
    requests = late_requests(tree["grid_a"], 2)
    requests[0]["text"] = f"送药上门，联系 {PHONE}"
    lists = {
        "services.late": requests,
        "incidents.missed": [
            {
                "area_id": tree["grid_b"].pk,
                "area": tree["grid_b"].name,
                "ref": "SJ-2026-0007",
                "text": "到场超时",
                "due": "2026-03-01T09:00:00+08:00",
                "url": "/incidents/7/",
            }
        ],
        "workforce.gaps": [
            {
                "area_id": tree["grid_b"].pk,
                "area": tree["grid_b"].name,
                "ref": "",
                "text": "无网格长",
                "due": "",
                "url": "/workforce/",
            }
        ],
    }
    return frozen_day(community, DAY, figures, lists)


def _pdf_text(data: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def _read(bulletin: Bulletin, kind: str = "pdf") -> bytes:
    name, sha = (
        (bulletin.pdf_name, bulletin.pdf_sha256)
        if kind == "pdf"
        else (bulletin.xlsx_name, bulletin.xlsx_sha256)
    )
    data = storage.read(name, sha)
    assert data is not None
    return data


def test_the_pdf_says_the_day_in_chinese_with_changes_children_and_lists(tree, days):
    bulletin = make_bulletin(tree["community"], DAY, acting_user=None)
    text, reader = _pdf_text(_read(bulletin))
    flat = text.replace("\n", " ")
    assert "西园社区疫情防控工作日报" in flat
    assert "2026年3月1日" in flat and "第1版" in flat
    # Headline figures with their change since the day before (41 → 40 untested: better).
    assert "未检 40 ↓ 1" in flat
    assert "覆盖率 96.0%" in flat
    assert "最高风险等级 管控区" in flat
    # The children, their coverage, and the untested by area, most first.
    assert "一号小区" in flat and "二号小区" in flat
    assert flat.index("一号小区 30") < flat.index("二号小区 10")
    # The snapshot's lists, the count of all beside the first items, no phone.
    assert "超时诉求" in flat and "FW-2026-0000" in flat and "FW-2026-0001" in flat
    assert "共5项" in flat.replace(" ", "")
    assert "SJ-2026-0007" in flat and "无网格长" in flat
    assert PHONE not in flat
    # Page numbers, and the charts drawn into the pages (the trend's days on their axes).
    assert "1 / " in flat
    assert "02-16" in flat and "02-28" in flat
    assert "近14日趋势" in flat
    forms = sum(len(page["/Resources"].get("/XObject", {})) for page in reader.pages)
    assert forms >= 7  # six trends and the children's coverage


def test_the_english_bulletin_is_in_english(tree, days):
    bulletin = make_bulletin(tree["community"], DAY, acting_user=None, language="en-us")
    assert bulletin.language == "en"
    text, _reader = _pdf_text(_read(bulletin))
    flat = text.replace("\n", " ")
    assert "西园社区 epidemic prevention and control daily bulletin" in flat
    assert "Untested 40 ↓ 1" in flat
    assert "Late service requests" in flat


def test_the_workbook_holds_the_same_figures_as_numbers(tree, days):
    bulletin = make_bulletin(tree["community"], DAY, acting_user=None)
    book = load_workbook(io.BytesIO(_read(bulletin, "xlsx")))
    assert book.sheetnames[:2] == ["主要数据", "下级区域"]
    headline = book["主要数据"]
    rows = {row[1]: row for row in headline.iter_rows(values_only=True) if row[1]}
    assert rows["未检"][2:5] == (40, 41, -1)
    assert rows["覆盖率"][2] == pytest.approx(0.96)
    assert headline.freeze_panes is not None
    children = book["下级区域"]
    kids = {row[0]: row for row in children.iter_rows(min_row=2, values_only=True)}
    assert kids["一号小区"][2] == pytest.approx(0.95)
    assert kids["二号小区"][2] == pytest.approx(0.975)
    late = book["超时的上门服务诉求"]
    refs = [row[1] for row in late.iter_rows(values_only=True)]
    assert "FW-2026-0001" in refs
    assert not any(PHONE in str(cell) for row in late.iter_rows(values_only=True) for cell in row)
    trend = book["近14日趋势"]
    days = [row[0] for row in trend.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(days) == 14 and days[-1].date() == DAY
    untested_column = [cell.value for cell in trend[1]].index("未检")
    assert [row[untested_column] for row in trend.iter_rows(min_row=2, values_only=True)][-2:] == [
        41,
        40,
    ]


def test_the_same_version_is_made_once_and_a_new_version_makes_a_new_bulletin(tree, days):
    first = make_bulletin(tree["community"], DAY, acting_user=None)
    again = make_bulletin(tree["community"], DAY, acting_user=None)
    assert again.pk == first.pk
    assert AuditEntry.objects.filter(action=AuditEvent.BULLETIN_MAKE).count() == 1
    frozen_day(tree["community"], DAY, figures_for(0, untested=12))
    second = make_bulletin(tree["community"], DAY, acting_user=None)
    assert (first.version, second.version) == (1, 2)
    assert Bulletin.objects.filter(area=tree["community"], day=DAY).count() == 2
    assert "未检 12" in _pdf_text(_read(second))[0]
    assert "未检 40" in _pdf_text(_read(first))[0]  # the old one kept as it was


def test_files_are_private_and_a_lost_file_is_made_again(tree, days, alice, bulletin_files):
    bulletin = make_bulletin(tree["community"], DAY, acting_user=None)
    path = bulletin_files / bulletin.pdf_name
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    path.unlink()
    found, data = download_bulletin(tree["community"], DAY, "pdf", acting_user=alice)
    assert found.pk == bulletin.pk
    assert data.startswith(b"%PDF")
    assert os.path.exists(path)
    made = AuditEntry.objects.filter(action=AuditEvent.BULLETIN_MAKE).order_by("pk")
    assert [entry.details["again"] for entry in made] == [False, True]


def test_making_and_downloading_are_held_to_the_users_areas(tree, other_tree, days, charlie):
    with pytest.raises(OutOfScope):
        make_bulletin(tree["community"], DAY, acting_user=charlie)
    with pytest.raises(OutOfScope):
        download_bulletin(tree["community"], DAY, "xlsx", acting_user=charlie)
    assert not Bulletin.objects.exists()


def test_a_day_never_made_has_no_bulletin(tree, days, alice):
    with pytest.raises(DayNotMade):
        download_bulletin(tree["community"], DAY + dt.timedelta(days=1), "pdf", acting_user=alice)
    with pytest.raises(DayNotMade):
        download_bulletin(tree["community"], DAY, "pdf", acting_user=alice, version=9)
