"""The testing pages read right in Chinese: a name of a thing is 名称 (姓名 is a person's),
and a count of people recalled is a number, not a time."""

import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from wangge.testing.tests.round_world import build_world


@pytest.fixture
def world(tree, alice):
    return build_world(tree, alice)


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "url", ["/testing/new/", "/testing/{r}/points/", "/testing/{r}/teams/", "/testing/{r}/edit/"]
)
def test_names_of_rounds_points_and_teams_are_labelled_as_names_of_things(client, world, url):
    page = _page(client, world.manager, url.format(r=world.round.pk))
    assert "名称" in page
    assert "姓名" not in page


def test_the_recall_list_counts_people_recalled(client, world):
    page = _page(client, world.manager, f"/testing/{world.round.pk}/recalls/")
    assert "应复核人数" in page
    assert "复核时间" not in page


def test_the_untested_export_is_named_and_titled_in_chinese(client, tree, world):
    client.force_login(world.manager)
    url = f"/testing/{world.round.pk}/grids/{tree['grid_a'].pk}/untested.xlsx"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "一号小区-未检人员名单-" in unquote(response["Content-Disposition"])
    assert response.streaming
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "未检居民" and rows[2][:2] == ("序号", "姓名")
