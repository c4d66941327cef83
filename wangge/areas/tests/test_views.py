"""The area pages: counts without N+1 queries, scoping (404 out of scope), import and export."""

import io
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory, grant, make_area, make_resident
from wangge.areas.choices import AreaKind
from wangge.areas.extensions import AreaAction, area_actions
from wangge.areas.models import Area
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.WANGGE_IMPORT_DIR = tmp_path


@pytest.fixture
def command(tree):
    return grant(UserFactory(username="command"), Role.COMMAND_CENTRE, tree["district"])


@pytest.fixture
def other_command(other_tree):
    return grant(UserFactory(username="dana"), Role.COMMAND_CENTRE, other_tree["district"])


def login(client, user):
    client.force_login(user)
    return client


def csv_upload(text, name="tree.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# --- browsing -----------------------------------------------------------------------------


def test_tree_page_shows_the_entry_points_with_totals(client, alice, tree):
    make_resident(tree["grid_a"], "甲")
    response = login(client, alice).get(reverse("areas:tree"))
    assert response.status_code == 200
    assert "西园社区" in response.content.decode()
    assert "七里河区" not in response.content.decode()  # above alice's area


def test_branch_and_detail_are_404_out_of_scope(client, charlie, tree):
    login(client, charlie)
    for name in ("areas:detail", "areas:branch", "areas:add", "areas:edit"):
        assert client.get(reverse(name, args=[tree["community"].pk])).status_code == 404


def test_search_finds_only_visible_areas(client, charlie, alice, tree, other_tree):
    response = login(client, charlie).get(reverse("areas:search"), {"q": "一号"})
    assert "外一号小区" in response.content.decode()
    assert ">一号小区<" not in response.content.decode()
    response = login(client, alice).get(
        reverse("areas:search"), {"q": "一号"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert ">一号小区<" in body and "外一号小区" not in body
    assert "西园社区" in body  # where it lies


def test_detail_page_queries_do_not_grow_with_children(
    client, command, tree, django_assert_max_num_queries
):
    login(client, command)
    url = reverse("areas:detail", args=[tree["district"].pk])
    client.get(url)
    # Fourteen: one of them is the header's count of unread notifications, four the
    # responsibility chain's section (its holders, and its gaps in three). Risk adds
    # three: the level's badge in the title, the badges of the areas below, its section.
    with django_assert_max_num_queries(17) as few:
        client.get(url)
    for index in range(12):
        street = make_area(f"街道{index}", AreaKind.STREET, tree["district"])
        make_area(f"社区{index}", AreaKind.COMMUNITY, street)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert [count for _label, count in response.context["kinds"]] == [13]
    assert len(response.context["children"]) == 13


def test_tree_and_branch_queries_are_fixed(client, command, tree, django_assert_max_num_queries):
    login(client, command)
    for index in range(10):
        make_area(f"网格{index}", AreaKind.GRID, tree["community"])
    # Seven: one of them the risk levels' badges of the rows (areas.extensions.area_badges).
    with django_assert_max_num_queries(7):
        response = client.get(reverse("areas:branch", args=[tree["community"].pk]))
    assert response.content.decode().count("tree-row") == 12
    with django_assert_max_num_queries(7):
        client.get(reverse("areas:tree"))


def test_grid_page_lists_its_residents_in_a_fixed_number_of_queries(
    client, alice, tree, django_assert_max_num_queries
):
    for index in range(8):
        make_resident(tree["grid_a"], f"居民{index}", room=str(100 + index))
    login(client, alice)
    # Four of them: the responsibility chain's section; two the risk level (the title's
    # badge, the section).
    with django_assert_max_num_queries(16):
        response = client.get(reverse("areas:detail", args=[tree["grid_a"].pk]))
    assert response.context["page"].paginator.count == 8
    assert "居民7" in response.content.decode()


def test_detail_counts_roll_up(client, alice, tree):
    make_resident(tree["grid_a"], "甲", room="1")
    make_resident(tree["grid_b"], "乙", room="2")
    response = login(client, alice).get(reverse("areas:detail", args=[tree["community"].pk]))
    assert response.context["totals"] == {"residents": 2, "households": 2, "grids": 2}


def test_area_actions_come_from_the_area_and_from_other_apps(
    client, command, alice, tree, monkeypatch
):
    monkeypatch.setattr(area_actions, "_providers", [])

    def provider(request, area):
        return [AreaAction("/testing/", "Round")] if area.is_grid else []

    area_actions.register(provider)
    response = login(client, command).get(reverse("areas:detail", args=[tree["grid_a"].pk]))
    actions = response.context["area_actions"]
    assert [action.url for action in actions] == [
        reverse("areas:add", args=[tree["grid_a"].pk]),
        reverse("areas:import_within", args=[tree["grid_a"].pk]),
        reverse("areas:export_within", args=[tree["grid_a"].pk]),
        reverse("areas:edit", args=[tree["grid_a"].pk]),
        "/testing/",
    ]
    response = login(client, alice).get(reverse("areas:detail", args=[tree["community"].pk]))
    assert [str(a.label) for a in response.context["area_actions"]] == []


# --- adding and editing ---------------------------------------------------------------


def test_add_offers_only_the_next_level_and_creates_the_area(client, command, tree):
    login(client, command)
    url = reverse("areas:add", args=[tree["street"].pk])
    form = client.get(url).context["form"]
    assert {value for value, _label in form.fields["kind"].choices} == {
        AreaKind.COMMUNITY,
        AreaKind.VILLAGE,
    }
    response = client.post(url, {"name": "新社区", "kind": AreaKind.COMMUNITY, "code": ""})
    assert response.status_code == 302
    assert Area.objects.get(name="新社区").depth == tree["street"].depth + 1
    assert AuditEntry.objects.filter(action="area.create").count() == 1


def test_edit_renames_but_not_the_users_own_area(client, command, tree):
    login(client, command)
    response = client.post(
        reverse("areas:edit", args=[tree["street"].pk]), {"name": "西园街道办", "code": "620103001"}
    )
    assert response.status_code == 302
    tree["street"].refresh_from_db()
    assert (tree["street"].name, tree["street"].code) == ("西园街道办", "620103001")
    assert client.get(reverse("areas:edit", args=[tree["district"].pk])).status_code == 404


def test_manage_pages_are_404_without_the_permission(client, alice, tree):
    login(client, alice)
    for url in (
        reverse("areas:add", args=[tree["community"].pk]),
        reverse("areas:import_within", args=[tree["community"].pk]),
        reverse("areas:export_within", args=[tree["community"].pk]) + "?format=xlsx",
        reverse("areas:import"),
        reverse("areas:export") + "?format=csv",
    ):
        assert client.get(url).status_code == 404, url


# --- import and export pages -----------------------------------------------------------------


SHEET = "区划代码,名称,类型,上级代码\n620103001,西园街道,街道,620103\n620103001001,新社区,社区,620103001\n"


def test_upload_shows_the_report_then_apply_imports(client, command, tree):
    login(client, command)
    url = reverse("areas:import_within", args=[tree["district"].pk])
    response = client.post(url, {"sheet": csv_upload(SHEET)})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.ok
    assert [row.outcome for row in plan.rows] == ["set_code", "create"]
    assert not Area.objects.filter(name="新社区").exists()  # only checked so far
    token = response.context["token"]
    response = client.post(reverse("areas:import_apply", args=[token]))
    assert response.status_code == 302
    assert Area.objects.get(code="620103001001").name == "新社区"
    assert AuditEntry.objects.filter(action="areas.import").count() == 1
    # the token is used up
    assert client.post(reverse("areas:import_apply", args=[token])).status_code == 404


def test_upload_with_errors_offers_nothing_to_apply(client, command, tree):
    login(client, command)
    sheet = SHEET + "620103009,坏街道,社区,620103\n"
    response = client.post(reverse("areas:import"), {"sheet": csv_upload(sheet)})
    assert not response.context["plan"].ok
    assert "token" not in response.context
    assert [error.line for error in response.context["plan"].errors] == [4]
    assert Area.objects.filter(name="新社区").count() == 0


def test_unreadable_upload_is_a_form_error(client, command):
    login(client, command)
    response = client.post(reverse("areas:import"), {"sheet": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert response.context["form"].errors


def test_another_users_pending_import_is_404(client, command, tree):
    login(client, command)
    response = client.post(
        reverse("areas:import_within", args=[tree["district"].pk]), {"sheet": csv_upload(SHEET)}
    )
    token = response.context["token"]
    other = grant(UserFactory(username="eve"), Role.COMMAND_CENTRE, tree["district"])
    login(client, other)
    assert client.post(reverse("areas:import_apply", args=[token])).status_code == 404
    assert not Area.objects.filter(name="新社区").exists()


def test_out_of_scope_import_and_export_are_404(client, charlie, other_command, tree):
    for user in (charlie, other_command):
        login(client, user)
        for url in (
            reverse("areas:import_within", args=[tree["district"].pk]),
            reverse("areas:export_within", args=[tree["district"].pk]) + "?format=xlsx",
            reverse("areas:export_within", args=[tree["community"].pk]) + "?format=csv",
        ):
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            reverse("areas:import_within", args=[tree["district"].pk]),
            {"sheet": csv_upload(SHEET)},
        )
        assert response.status_code == 404


def test_out_of_scope_rows_in_an_own_import_are_unknown(client, other_command, tree):
    login(client, other_command)
    response = client.post(reverse("areas:import"), {"sheet": csv_upload(SHEET)})
    plan = response.context["plan"]
    assert not plan.ok
    assert "unknown parent code 620103" in plan.errors[0].message


def test_export_is_the_users_subtree_as_excel(client, command, other_tree, tree):
    login(client, command)
    response = client.get(reverse("areas:export") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["七里河区", "西园街道", "西园社区", "一号小区", "二号小区"]
    assert AuditEntry.objects.filter(action="areas.export").count() == 1
    response = client.get(reverse("areas:export_within", args=[tree["street"].pk]) + "?format=csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "区划代码,名称,类型,上级代码"
    assert ",西园社区,社区,#2" in text  # a parent without a code: its row
    # A download's format says what is asked for: one that does not exist is a 400.
    assert client.get(reverse("areas:export") + "?format=pdf").status_code == 400


def test_apply_after_the_tree_changed_imports_nothing(client, command, tree):
    login(client, command)
    response = client.post(
        reverse("areas:import_within", args=[tree["district"].pk]), {"sheet": csv_upload(SHEET)}
    )
    token = response.context["token"]
    # meanwhile someone gives the street's code to the community
    Area.objects.filter(pk=tree["community"].pk).update(code="620103001")
    response = client.post(reverse("areas:import_apply", args=[token]))
    assert response.status_code == 200
    assert response.context["stale"]
    assert not response.context["plan"].ok
    assert not Area.objects.filter(name="新社区").exists()
    assert Area.objects.get(name="西园街道").code is None  # the whole sheet, or nothing
    assert AuditEntry.objects.filter(action="areas.import").count() == 0


def test_old_pending_imports_expire(client, command, tree, settings):
    import os
    import time

    from wangge.areas import pending

    login(client, command)
    response = client.post(
        reverse("areas:import_within", args=[tree["district"].pk]), {"sheet": csv_upload(SHEET)}
    )
    token = response.context["token"]
    stored = settings.WANGGE_IMPORT_DIR / "areas" / f"{token}.data"
    old = time.time() - pending.STAGING.max_age_seconds - 10
    os.utime(stored, (old, old))
    assert client.post(reverse("areas:import_apply", args=[token])).status_code == 404
    assert client.post(reverse("areas:import_apply", args=["..%2Fetc"])).status_code == 404


def test_an_export_of_several_areas_is_named_in_chinese(client, tree, other_tree):
    holder = grant(UserFactory(username="both"), Role.COMMAND_CENTRE, tree["district"])
    grant(holder, Role.COMMAND_CENTRE, other_tree["district"])
    login(client, holder)
    response = client.get(reverse("areas:export") + "?format=csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert f"区域树-{stamp}.csv" in unquote(response["Content-Disposition"])
