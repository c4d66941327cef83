"""Importing and exporting the area tree: all or nothing, idempotent, scoped, round trips."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tests.factories import UserFactory, grant, make_area
from wangge.areas import actions
from wangge.areas.choices import AreaKind, ImportOutcome
from wangge.areas.exporting import csv_bytes
from wangge.areas.importing import (
    CodeError,
    TreeFileError,
    TreeRow,
    normalise_code,
    parse_kind,
    read_tree_file,
)
from wangge.areas.models import Area
from wangge.areas.selectors import tree_export_rows
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role


def rows(*items):
    """TreeRows from (code, name, kind, parent code) tuples, numbered from row 2."""
    return [TreeRow(index, *item) for index, item in enumerate(items, start=2)]


def codes_in_tree():
    return {a.code: (a.name, a.kind) for a in Area.objects.exclude(code=None)}


def assert_tree_consistent():
    """treebeard's own check: paths, depths and numchild agree."""
    problems = Area.objects.find_problems()
    assert all(not items for items in problems), problems


SHEET = rows(
    # children before their parents, on purpose
    ("620103001001", "西园社区", "社区", "620103001"),
    ("", "民主西路小区", "小区", "620103001001"),
    ("", "一组", "村组", "620103100201"),
    ("620103001", "西园街道", "街道", "620103"),
    ("620103", "七里河区", "区", "620100"),
    ("620100", "兰州市", "市", ""),
    ("620103100", "八里镇", "镇", "620103"),
    ("620103100201", "八里窑村", "村", "620103100"),
)


@pytest.mark.django_db
def test_rows_in_any_order_build_the_tree():
    report = actions.import_tree(SHEET, acting_user=None)
    assert report.created == 8
    district = Area.objects.get(code="620103")
    assert Area.objects.get_parent(district).code == "620100"
    assert Area.objects.get_parent(Area.objects.get(name="民主西路小区")).code == "620103001001"
    assert Area.objects.get(name="一组").kind == AreaKind.VILLAGE_GROUP
    assert_tree_consistent()


@pytest.mark.django_db
def test_reimporting_the_same_sheet_changes_nothing():
    actions.import_tree(SHEET, acting_user=None)
    before = list(Area.objects.values_list("pk", "path", "name", "code", "numchild"))
    report = actions.import_tree(SHEET, acting_user=None)
    assert report.changed == 0
    assert report.unchanged == 8
    assert list(Area.objects.values_list("pk", "path", "name", "code", "numchild")) == before


@pytest.mark.django_db
def test_existing_code_with_a_new_name_is_renamed():
    actions.import_tree(SHEET, acting_user=None)
    changed = [
        r if r.code != "620103001" else TreeRow(r.line, r.code, "西园街道办", r.kind, r.parent_code)
        for r in SHEET
    ]
    report = actions.import_tree(changed, acting_user=None)
    assert (report.renamed, report.created) == (1, 0)
    assert Area.objects.get(code="620103001").name == "西园街道办"


@pytest.mark.django_db
def test_one_audit_entry_per_import_with_counts():
    actions.import_tree(SHEET, acting_user=None, source="tree.xlsx")
    entries = AuditEntry.objects.filter(action="areas.import")
    assert entries.count() == 1
    assert entries.get().details["created"] == 8
    assert entries.get().details["source"] == "tree.xlsx"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (("620103002", "西湖街道", "街道", "999999"), "unknown parent code"),
        (("620103001", "重复街道", "街道", "620103"), "duplicate code"),
        (("620103002", "西湖社区", "社区", "620103"), "cannot be placed under"),
        (("620103002", "西湖", "片区", "620103"), "unknown kind"),
        (("620103002", "西园街道", "街道", "620103"), "same name under the same parent"),
        (("620103002", "", "街道", "620103"), "name is missing"),
        (("6.20103E+11", "西湖街道", "街道", "620103"), "Excel turned this code"),
    ],
)
@pytest.mark.django_db
def test_a_bad_row_is_reported_and_nothing_is_imported(bad_row, message):
    sheet = [*SHEET, TreeRow(99, *bad_row)]
    with pytest.raises(actions.TreeImportError) as caught:
        actions.import_tree(sheet, acting_user=None)
    errors = caught.value.plan.errors
    assert any(error.line == 99 and message in error.message for error in errors), errors
    assert Area.objects.count() == 0
    assert not AuditEntry.objects.filter(action="areas.import").exists()


@pytest.mark.django_db
def test_a_loop_of_parent_codes_is_an_error_on_each_row():
    sheet = rows(
        ("A1", "甲", "街道", "B1"),
        ("B1", "乙", "社区", "A1"),
    )
    plan = actions.plan_tree_import(sheet, scope=None)
    assert not plan.ok
    assert {e.line for e in plan.errors if "loop" in e.message} == {2, 3}


@pytest.mark.django_db
def test_a_row_below_a_broken_row_says_so():
    sheet = rows(
        ("620100", "兰州市", "市", ""),
        ("620103", "七里河区", "不知道", "620100"),
        ("620103001", "西园街道", "街道", "620103"),
    )
    plan = actions.plan_tree_import(sheet, scope=None)
    assert [row.outcome for row in plan.rows] == [
        ImportOutcome.CREATE,
        ImportOutcome.ERROR,
        ImportOutcome.CREATE,
    ]


@pytest.mark.django_db
def test_an_error_row_keeps_even_valid_rows_out(tree):
    before = Area.objects.count()
    sheet = rows(
        ("620103009", "新街道", "街道", "620103"),
        ("620103009001", "新社区", "社区", "620103009"),
        ("620103009002", "坏社区", "小区", "620103009"),
    )
    with pytest.raises(actions.TreeImportError):
        actions.import_tree(sheet, acting_user=None)
    assert Area.objects.count() == before


@pytest.mark.django_db
def test_sibling_name_already_in_the_tree_is_a_clash(tree):
    tree["community"].code = "620103001001"
    tree["community"].save()
    sheet = rows(("X1", "一号小区", "小区", "620103001001"))
    plan = actions.plan_tree_import(sheet, scope=None)
    # a code-less 一号小区 exists: the row adopts it and gives it the code
    assert plan.rows[0].outcome == ImportOutcome.SET_CODE
    tree["grid_a"].code = "G1"
    tree["grid_a"].save()
    plan = actions.plan_tree_import(sheet, scope=None)
    assert not plan.ok
    assert "already there" in plan.errors[0].message


@pytest.mark.django_db
def test_renaming_onto_a_sibling_name_is_refused_but_swapping_works(tree):
    tree["grid_a"].code, tree["grid_b"].code = "G1", "G2"
    tree["grid_a"].save()
    tree["grid_b"].save()
    tree["community"].code = "C1"
    tree["community"].save()
    clash = rows(("G1", "二号小区", "小区", "C1"))
    assert not actions.plan_tree_import(clash, scope=None).ok
    swap = rows(("G1", "二号小区", "小区", "C1"), ("G2", "一号小区", "小区", "C1"))
    report = actions.import_tree(swap, acting_user=None)
    assert report.renamed == 2
    assert Area.objects.get(code="G1").name == "二号小区"
    assert Area.objects.get(code="G2").name == "一号小区"


@pytest.mark.django_db
def test_an_import_does_not_move_areas(tree):
    tree["street"].code = "S1"
    tree["street"].save()
    other = make_area("西湖街道", AreaKind.STREET, tree["district"], code="S2")
    tree["community"].code = "C1"
    tree["community"].save()
    plan = actions.plan_tree_import(rows(("C1", "西园社区", "社区", "S2")), scope=None)
    assert not plan.ok
    assert "does not move" in plan.errors[0].message
    assert other.numchild == 0


@pytest.mark.django_db
def test_kind_of_an_existing_area_cannot_change(tree):
    tree["grid_a"].code = "G1"
    tree["grid_a"].save()
    tree["community"].code = "C1"
    tree["community"].save()
    plan = actions.plan_tree_import(rows(("G1", "一号小区", "网格", "C1")), scope=None)
    assert "already exists as" in plan.errors[0].message


@pytest.mark.django_db
def test_new_children_get_paths_after_existing_ones(tree):
    tree["community"].code = "C1"
    tree["community"].save()
    actions.import_tree(
        rows(("", "三号小区", "小区", "C1"), ("", "四号小区", "小区", "C1")), acting_user=None
    )
    community = Area.objects.get(code="C1")
    assert community.numchild == 4
    names = [a.name for a in Area.objects.get_children(community)]
    assert names == ["一号小区", "二号小区", "三号小区", "四号小区"]
    assert_tree_consistent()


# --- scope ---------------------------------------------------------------------------


@pytest.fixture
def command(tree):
    tree["district"].refresh_from_db()
    return grant(UserFactory(username="command"), Role.COMMAND_CENTRE, tree["district"])


@pytest.mark.django_db
def test_a_user_imports_only_below_their_own_areas(tree, other_tree, command):
    other_tree["street"].code = "OS1"
    other_tree["street"].save()
    tree["street"].code = "S1"
    tree["street"].save()
    inside = rows(("S1001", "新社区", "社区", "S1"))
    outside = rows(("OS1001", "别人的社区", "社区", "OS1"))
    root = rows(("900000", "新的市", "市", ""))
    assert actions.import_tree(inside, acting_user=command).created == 1
    for sheet, message in [(outside, "unknown parent code"), (root, "parent code is missing")]:
        with pytest.raises(actions.TreeImportError) as caught:
            actions.import_tree(sheet, acting_user=command)
        assert message in caught.value.plan.errors[0].message
    assert not Area.objects.filter(code="OS1001").exists()


@pytest.mark.django_db
def test_an_out_of_scope_code_is_not_revealed_beyond_being_taken(other_tree, command):
    other_tree["community"].code = "OC1"
    other_tree["community"].save()
    plan = actions.plan_tree_import(
        rows(("OC1", "换个名字", "社区", "")), scope=command.scope_paths("areas.manage")
    )
    assert "outside your areas" in plan.errors[0].message
    assert Area.objects.get(code="OC1").name == "外西园社区"


@pytest.mark.django_db
def test_a_user_cannot_rename_the_area_they_hold(tree, command):
    tree["district"].refresh_from_db()
    plan = actions.plan_tree_import(
        rows(("620103", "改名区", "区", "")), scope=command.scope_paths("areas.manage")
    )
    assert "may not rename" in plan.errors[0].message


# --- export and round trip ----------------------------------------------------------------


@pytest.mark.django_db
def test_export_then_import_round_trips_the_whole_tree():
    actions.import_tree(SHEET, acting_user=None)
    before = {a.path: (a.name, a.kind, a.code) for a in Area.objects.all()}
    for fmt in ("csv", "xlsx"):
        data = actions.export_tree(list(Area.objects.filter(depth=1)), fmt=fmt, acting_user=None)
        Area.objects.all().delete()
        report = actions.import_tree(read_tree_file(data, f"tree.{fmt}"), acting_user=None)
        assert report.created == len(before)
        assert {a.path: (a.name, a.kind, a.code) for a in Area.objects.all()} == before
        assert_tree_consistent()


@pytest.mark.django_db
def test_a_subtree_export_imports_back_unchanged(tree, command):
    data = actions.export_tree([tree["street"]], fmt="xlsx", acting_user=command)
    parsed = read_tree_file(data, "street.xlsx")
    assert [r.name for r in parsed] == ["西园街道", "西园社区", "一号小区", "二号小区"]
    report = actions.import_tree(parsed, acting_user=command, within=tree["street"])
    assert report.changed == 0


@pytest.mark.django_db
def test_export_defuses_formulas_and_keeps_codes_as_text(tree):
    tree["grid_a"].name = "=HYPERLINK(1)"
    tree["grid_a"].save()
    tree["community"].code = "620103001001"
    tree["community"].save()
    data = actions.export_tree([tree["city"]], fmt="xlsx", acting_user=None)
    sheet = load_workbook(io.BytesIO(data)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "'=HYPERLINK(1)" in values
    assert "620103001001" in values
    assert tree_export_rows([tree["city"]], None)[0][2] == "市"
    # and the defused name reads back as the name itself
    names = [r.name for r in read_tree_file(data, "t.xlsx")]
    assert "=HYPERLINK(1)" in names


# --- reading files ------------------------------------------------------------------------


def test_csv_in_gbk_with_a_title_row_and_chinese_headers():
    text = "七里河区区划表\n上级代码,区划代码,名称,级别\n620100,620103,七里河区,区\n\n,620100,兰州市,市\n"
    parsed = read_tree_file(text.encode("gbk"), "区划.csv")
    assert [(r.line, r.code, r.name, r.kind, r.parent_code) for r in parsed] == [
        (3, "620103", "七里河区", "区", "620100"),
        (5, "620100", "兰州市", "市", ""),
    ]


def test_xlsx_with_codes_excel_stored_as_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "parent code"])
    sheet.append([620103001001, "西园社区", "community", 620103001])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_tree_file(buffer.getvalue(), "tree.xlsx")
    assert (parsed[0].code, parsed[0].parent_code) == ("620103001001", "620103001")


def test_a_file_without_a_header_is_refused():
    with pytest.raises(TreeFileError):
        read_tree_file(b"a,b,c\n1,2,3\n", "x.csv")
    with pytest.raises(TreeFileError):
        read_tree_file(b"whatever", "x.xls")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("市", AreaKind.CITY),
        ("县", AreaKind.DISTRICT),
        ("区", AreaKind.DISTRICT),
        ("街道", AreaKind.STREET),
        ("镇", AreaKind.TOWN),
        ("乡", AreaKind.TOWNSHIP),
        ("社区", AreaKind.COMMUNITY),
        ("村", AreaKind.VILLAGE),
        ("网格", AreaKind.GRID),
        ("小区", AreaKind.COMPOUND),
        ("村组", AreaKind.VILLAGE_GROUP),
        ("楼栋", AreaKind.BUILDING),
        ("Village group", AreaKind.VILLAGE_GROUP),
        ("village_group", AreaKind.VILLAGE_GROUP),
        (" Compound ", AreaKind.COMPOUND),
        ("片区", None),
    ],
)
def test_kind_names(text, kind):
    assert parse_kind(text) == kind


@given(st.text(max_size=30))
def test_normalise_code_accepts_only_short_alphanumeric_codes(text):
    try:
        code = normalise_code(text)
    except CodeError:
        return
    assert code == "" or (code.isalnum() and code.isascii() and len(code) <= 12)


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="0123456789", min_size=0, max_size=12),
            # control characters are dropped on export (Excel cannot hold them)
            st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
            st.sampled_from(["市", "区", "街道", "社区", "小区", "??"]),
            st.text(alphabet="0123456789", min_size=0, max_size=12),
        ),
        max_size=8,
    )
)
def test_any_csv_sheet_reads_back_as_its_rows(items):
    data = csv_bytes([list(item) for item in items])
    parsed = read_tree_file(data, "t.csv")
    expected = [
        tuple(normalise_cell(part) for part in item)
        for item in items
        if any(normalise_cell(part) for part in item)
    ]
    assert [(r.code, r.name, r.kind, r.parent_code) for r in parsed] == expected


def normalise_cell(text):
    import unicodedata

    return unicodedata.normalize("NFKC", text).strip()


def test_tab_separated_text_from_excel():
    text = "区划代码\t名称\t类型\t上级代码\n620103\t七里河区\t区\t620100\n"
    parsed = read_tree_file(text.encode("utf-8"), "t.txt")
    assert (parsed[0].code, parsed[0].name) == ("620103", "七里河区")
