import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import UserFactory, grant, make_area, make_resident
from wangge.areas.choices import AreaKind
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.lib.idnumbers import IdType
from wangge.lib.spreadsheets import Row
from wangge.residents import actions, importing
from wangge.residents.choices import ImportStatus, ResidentStatus, Tag
from wangge.residents.errors import RegistryError
from wangge.residents.models import Household, ImportBatch, Resident
from wangge.residents.tests.sheets import HEADER, number, person, register_csv, register_xlsx

FIRST_DATA_ROW = 4  # two title rows, then the header


def stage(data, area, user, name="底册.xlsx"):
    return actions.stage_import(data, name, area, acting_user=user)


def errors_of(batch):
    return {error.row: error for error in importing.load_plan(batch.storage_key).errors}


def find(id_number):
    return actions.find_by_id_number(IdType.RESIDENT_CARD, id_number)


def test_a_register_as_communities_keep_it_imports(tree, alice):
    grid = tree["grid_a"]
    ids = [number(sex="M"), number(sex="F"), number(sex="M"), number(sex="F")]
    data = register_xlsx(
        [
            person("张伟", ids[0], sex="男", phone="139 0000 1111", category="流动人口"),
            person("李娜", ids[1], phone="13900002222", category="孕妇", building="1栋"),
            None,
            person("王强", ids[2], room="302", status="外出务工", note="长期卧床"),
            None,
            person("赵敏", ids[3], building="2", room="101", status="住院", category="80岁以上"),
        ]
    )
    batch = stage(data, grid, alice)
    assert (batch.rows_total, batch.rows_valid, batch.rows_new, batch.rows_error) == (4, 4, 4, 0)
    assert batch.rows_skipped == 3  # two blank rows and the totals row
    assert batch.header_row == 3
    assert batch.columns["id_number"] == "身份证号码"
    assert Resident.objects.count() == 0  # nothing before the uploader decides

    actions.apply_import(batch, acting_user=alice)
    zhang, li, wang, zhao = (find(n) for n in ids)
    assert zhang.name == "张伟" and zhang.grid == grid
    assert zhang.tags == Tag.FLOATING
    assert zhang.reveal_phone() == "13900001111"
    assert li.sex == "F" and li.birth_year == 1975
    assert li.tags == Tag.PREGNANT
    assert li.household == zhang.household  # 1号楼 and 1栋 are one building
    assert (zhang.household.building, zhang.household.unit, zhang.household.room) == (
        "1",
        "2",
        "301",
    )
    assert wang.status == ResidentStatus.AWAY and wang.tags == Tag.BEDRIDDEN
    assert zhao.status == ResidentStatus.HOSPITALISED and zhao.tags == 0  # age tags are derived
    grid.refresh_from_db()
    assert (grid.resident_count, grid.household_count) == (4, 3)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED


def test_one_audit_entry_with_counts_and_nothing_personal(tree, alice):
    ids = [number(), number()]
    batch = stage(
        register_xlsx([person("张伟", i, phone="13900001111") for i in ids]), tree["grid_a"], alice
    )
    actions.apply_import(batch, acting_user=alice)
    entries = AuditEntry.objects.filter(action__startswith="residents.")
    assert [entry.action for entry in entries] == ["residents.import"]
    entry = entries.get()
    assert entry.details == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0, "errors": 0}
    assert entry.actor == alice and entry.area_path == tree["grid_a"].path
    assert AuditEntry.objects.filter(action="resident.create").count() == 0
    text = json.dumps(entry.details, ensure_ascii=False)
    assert not any(i in text for i in ids) and "13900001111" not in text and "张伟" not in text


def test_gbk_csv_imports(tree, alice):
    ids = [number(), number(sex="F")]
    data = register_csv([person("张伟", ids[0]), person("李娜", ids[1])], encoding="gbk")
    batch = stage(data, tree["grid_a"], alice, name="底册.csv")
    assert (batch.rows_valid, batch.rows_error) == (2, 0)
    actions.apply_import(batch, acting_user=alice)
    assert find(ids[1]).name == "李娜"


def test_ids_excel_turned_into_numbers_are_refused(tree, alice):
    good = number()
    digits = next(n for n in iter(number, None) if n.isdigit())  # no X: it must fit a number
    rows = [
        person("甲", int(digits)),  # an integer cell
        person("乙", float(digits)),  # a float cell
        person("丙", "6.20103E+17"),  # the text Excel shows and a CSV keeps
        person("丁", good),
    ]
    batch = stage(register_xlsx(rows), tree["grid_a"], alice)
    errors = errors_of(batch)
    assert sorted(errors) == [FIRST_DATA_ROW, FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 2]
    for error in errors.values():
        assert error.code == "id_excel_number"
        assert error.column == "身份证号码"
        assert "Excel" in error.message
    actions.apply_import(batch, acting_user=alice)
    assert Resident.objects.count() == 1
    assert find(good).name == "丁"


def test_scientific_ids_in_a_csv_are_refused(tree, alice):
    batch = stage(register_csv([person("丙", "6.20103E+17")]), tree["grid_a"], alice, "x.csv")
    assert [e.code for e in errors_of(batch).values()] == ["id_excel_number"]


def test_a_duplicate_in_the_sheet_is_an_error_on_its_second_row(tree, alice):
    same = number()
    rows = [person("张伟", same), person("李四", number()), person("张伟", same.lower())]
    batch = stage(register_xlsx(rows), tree["grid_a"], alice)
    errors = errors_of(batch)
    assert list(errors) == [FIRST_DATA_ROW + 2]
    duplicate = errors[FIRST_DATA_ROW + 2]
    assert (duplicate.code, duplicate.params) == ("duplicate_in_sheet", {"row": FIRST_DATA_ROW})
    assert str(FIRST_DATA_ROW) in duplicate.message


def test_checksum_errors_say_why(tree, alice):
    valid = number()
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    zeroed = next(z for z in (number()[:15] + "000" for _ in range(50)) if not is_valid(z))
    batch = stage(
        register_xlsx([person("甲", wrong_check), person("乙", zeroed)]), tree["grid_a"], alice
    )
    errors = errors_of(batch)
    assert errors[FIRST_DATA_ROW].code == "id_checksum"
    assert errors[FIRST_DATA_ROW + 1].code == "id_checksum_zeros"
    assert "Excel" in errors[FIRST_DATA_ROW + 1].message


def is_valid(text):
    try:
        actions.ResidentData.clean(name="x", id_number=text)
    except RegistryError:
        return False
    return True


def test_a_sheet_sex_that_contradicts_the_id_is_an_error(tree, alice):
    batch = stage(register_xlsx([person("李娜", number(sex="F"), sex="男")]), tree["grid_a"], alice)
    error = errors_of(batch)[FIRST_DATA_ROW]
    assert (error.code, error.column) == ("sex_mismatch", "性别")


def test_import_nothing_leaves_the_registry_untouched(
    tree, alice, import_dir, django_capture_on_commit_callbacks
):
    make_resident(tree["grid_a"], "原有")
    before = (Resident.objects.count(), Household.objects.count())
    batch = stage(register_xlsx([person("张伟", number())]), tree["grid_a"], alice)
    assert any(import_dir.iterdir())
    with django_capture_on_commit_callbacks(execute=True):
        actions.discard_import(batch)
    assert (Resident.objects.count(), Household.objects.count()) == before
    assert not any(import_dir.iterdir())
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    assert not AuditEntry.objects.filter(action="residents.import").exists()
    with pytest.raises(RegistryError) as again:
        actions.apply_import(batch, acting_user=alice)
    assert again.value.code == "import_not_pending"


def test_import_the_valid_rows_imports_exactly_them(tree, alice):
    valid = [number(), number(sex="F"), number()]
    rows = [
        person("甲", valid[0]),
        person("乙", "62010319750309"),  # too short
        person("丙", valid[1]),
        person("", number()),  # no name
        person("丁", valid[2]),
        person("戊", valid[2][:17] + "Y"),  # not a digit or X
        person("己", number(), phone="12345"),  # not a phone
    ]
    batch = stage(register_xlsx(rows), tree["grid_a"], alice)
    assert (batch.rows_valid, batch.rows_error) == (3, 4)
    actions.apply_import(batch, acting_user=alice)
    stored = {r.reveal_id_number() for r in Resident.objects.all()}
    assert stored == set(valid)
    codes = {e.code for e in errors_of_applied(batch)}
    assert codes == {"id_length", "name_missing", "phone_invalid", "id_characters"}


def errors_of_applied(batch):
    return [importing.RowError.from_json(item) for item in batch.first_errors]


def test_importing_the_same_sheet_again_changes_nothing(tree, alice):
    data = register_xlsx(
        [person("张伟", number(), phone="13900001111"), person("李娜", number(sex="F"))]
    )
    first = stage(data, tree["grid_a"], alice)
    actions.apply_import(first, acting_user=alice)
    stamps = dict(Resident.objects.values_list("pk", "updated_at"))
    households = Household.objects.count()

    second = stage(data, tree["grid_a"], alice)
    assert (second.rows_new, second.rows_updated, second.rows_unchanged) == (0, 0, 2)
    actions.apply_import(second, acting_user=alice)
    assert dict(Resident.objects.values_list("pk", "updated_at")) == stamps
    assert Household.objects.count() == households
    entry = AuditEntry.objects.filter(action="residents.import").order_by("-id").first()
    assert entry.details["unchanged"] == 2 and entry.details["new"] == 0


def test_a_changed_row_updates_the_person_only_in_the_columns_given(tree, alice):
    ids = [number(), number()]
    actions.apply_import(
        stage(
            register_xlsx([person("张伟", ids[0], phone="13900001111"), person("李四", ids[1])]),
            tree["grid_a"],
            alice,
        ),
        acting_user=alice,
    )
    zhang = find(ids[0])
    actions.update_resident(
        zhang,
        actions.ResidentData.clean(
            name="张伟", id_number=ids[0], phone="13900001111", ethnicity="回族"
        ),
        acting_user=alice,
    )
    changed = register_xlsx(
        [
            person("张伟", ids[0], phone="13700009999", status="外出", room="302"),
            person("李四", ids[1]),
        ]
    )
    batch = stage(changed, tree["grid_a"], alice)
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 1, 1)
    actions.apply_import(batch, acting_user=alice)
    zhang.refresh_from_db()
    assert zhang.reveal_phone() == "13700009999"
    assert zhang.status == ResidentStatus.AWAY
    assert zhang.household.room == "302"
    assert zhang.ethnicity == "回族"  # the sheet has no 民族 column: kept


def test_people_without_a_number_are_matched_by_name_and_household(tree, alice):
    header = [*HEADER, "证件类型", "出生日期"]
    born = timezone.localdate() - dt.timedelta(days=30)
    baby = [*person("宝宝", "", category=""), "无", born.isoformat()]
    data = register_xlsx([baby], header=header)
    for _ in range(2):
        actions.apply_import(stage(data, tree["grid_a"], alice), acting_user=alice)
    newborn = Resident.objects.get()
    assert (newborn.id_type, newborn.id_number_index, newborn.birth_year) == (
        IdType.NONE,
        None,
        born.year,
    )
    # Later the child gets a number: the same person, now with it.
    given = number(birth=born)
    later = register_xlsx([[*person("宝宝", given), "居民身份证", born.isoformat()]], header=header)
    batch = stage(later, tree["grid_a"], alice)
    assert (batch.rows_new, batch.rows_updated) == (0, 1)
    actions.apply_import(batch, acting_user=alice)
    assert Resident.objects.get().reveal_id_number() == given


def test_a_person_registered_outside_the_area_is_not_taken(tree, other_tree, alice):
    elsewhere = make_resident(other_tree["grid_a"], "外地人")
    batch = stage(
        register_xlsx([person("外地人", elsewhere.reveal_id_number())]), tree["grid_a"], alice
    )
    assert [e.code for e in errors_of(batch).values()] == ["registered_elsewhere"]
    assert batch.rows_valid == 0
    elsewhere.refresh_from_db()
    assert elsewhere.grid == other_tree["grid_a"]


@pytest.mark.parametrize("probes_per_read", [0, 1_000_000], ids=["probed", "read-in-a-pass"])
def test_matching_by_a_pass_over_the_area_or_by_probes_finds_the_same_people(
    tree, other_tree, alice, monkeypatch, probes_per_read
):
    """A register of most of the area is matched by reading the area once, a short one by
    probing the index: both plan the same changes."""
    monkeypatch.setattr(importing, "_PROBES_PER_READ", probes_per_read)
    kept, moved = number(), number(sex="F")
    actions.apply_import(
        stage(register_xlsx([person("张伟", kept), person("李娜", moved)]), tree["grid_a"], alice),
        acting_user=alice,
    )
    make_resident(tree["grid_a"], "王五")  # in the area, not in the sheet
    elsewhere = make_resident(other_tree["grid_a"], "外地人")
    sheet = register_xlsx(
        [
            person("张伟", kept),
            person("李娜", moved, room="909"),
            person("新人", number()),
            person("外地人", elsewhere.reveal_id_number()),
        ]
    )
    monkeypatch.setattr(importing, "_LOOKUP_CHUNK", 1)  # a statement per probed number
    with CaptureQueriesContext(connection) as queries:
        batch = stage(sheet, tree["grid_a"], alice)
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (1, 1, 1)
    assert [e.code for e in errors_of(batch).values()] == ["registered_elsewhere"]
    probes = [q for q in queries if '"id_number_index" IN (' in q["sql"]]
    # The pass finds the area's two; only the new person and the one from elsewhere remain.
    assert len(probes) == (4 if probes_per_read == 0 else 2)


def test_a_grid_column_is_resolved_inside_the_chosen_area(tree, alice):
    header = [*HEADER, "所属网格"]
    ids = [number(), number()]
    rows = [
        [*person("甲", ids[0]), "一号小区"],
        [*person("乙", ids[1]), " 二号小区 "],
        [*person("丙", number()), "三号小区"],
        [*person("丁", number()), ""],
    ]
    batch = stage(register_xlsx(rows, header=header), tree["community"], alice)
    errors = errors_of(batch)
    assert errors[FIRST_DATA_ROW + 2].code == "grid_unknown"
    assert errors[FIRST_DATA_ROW + 2].column == "所属网格"
    assert errors[FIRST_DATA_ROW + 3].code == "grid_missing"
    actions.apply_import(batch, acting_user=alice)
    assert find(ids[0]).grid == tree["grid_a"]
    assert find(ids[1]).grid == tree["grid_b"]


def test_a_grid_name_found_twice_in_the_area_is_ambiguous(tree):
    other_community = make_area("东园社区", AreaKind.COMMUNITY, tree["street"])
    make_area("一号小区", AreaKind.COMPOUND, other_community)
    rows = [[*person("甲", number()), "一号小区"]]
    street = grant(UserFactory(username="street"), Role.STREET_STAFF, tree["street"])
    batch = stage(register_xlsx(rows, header=[*HEADER, "小区"]), tree["street"], street)
    assert [e.code for e in errors_of(batch).values()] == ["grid_ambiguous"]


def test_without_a_grid_column_the_area_must_be_a_grid(tree, alice):
    with pytest.raises(RegistryError) as refused:
        stage(register_xlsx([person("甲", number())]), tree["community"], alice)
    assert refused.value.code == "grid_column_needed"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (["姓名", "性别", "楼栋", "房号"], "no_id_column"),
        (["姓名", "身份证号", "性别"], "no_household_columns"),
    ],
)
def test_sheets_that_cannot_be_imported_say_why(tree, alice, header, code):
    with pytest.raises(RegistryError) as refused:
        stage(
            register_xlsx([["张三", number(), "男", "1"]], header=header, numbered=False),
            tree["grid_a"],
            alice,
        )
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"PK\x03\x04broken", "file_unreadable"),
        (b"a,b\n1,2\n", "file_no_header"),
    ],
)
def test_unreadable_files_are_refused(tree, alice, data, code):
    with pytest.raises(RegistryError) as refused:
        stage(data, tree["grid_a"], alice, "register.csv")
    assert refused.value.code == code
    assert not ImportBatch.objects.exists()


def test_the_upload_is_kept_only_encrypted_and_deleted_after_apply(
    tree, alice, import_dir, django_capture_on_commit_callbacks
):
    ids = [number(), number()]
    data = register_csv([person("张伟", ids[0], phone="13900001111"), person("李娜", ids[1])])
    batch = stage(data, tree["grid_a"], alice, "x.csv")
    files = list(import_dir.iterdir())
    assert len(files) == 2
    assert all(batch.storage_key in path.name for path in files)
    for path in files:
        content = path.read_bytes()
        assert path.stat().st_mode & 0o077 == 0
        for secret in [*ids, "13900001111", "张伟"]:
            assert secret.encode() not in content
            assert secret.encode("gbk") not in content
    with django_capture_on_commit_callbacks(execute=True):
        actions.apply_import(batch, acting_user=alice)
    assert not any(import_dir.iterdir())


def test_a_registry_changed_since_the_check_is_not_half_imported(tree, other_tree, alice):
    ids = [number(), number()]
    batch = stage(
        register_xlsx([person("甲", ids[0]), person("乙", ids[1])]), tree["grid_a"], alice
    )
    make_resident(other_tree["grid_a"], "乙", number=ids[1])  # registered elsewhere meanwhile
    with pytest.raises(RegistryError) as stale:
        actions.apply_import(batch, acting_user=alice)
    assert stale.value.code == "import_stale"
    assert find(ids[0]) is None
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PENDING
    actions.recheck_import(batch)
    assert (batch.rows_valid, batch.rows_error) == (1, 1)
    actions.apply_import(batch, acting_user=alice)
    assert find(ids[0]).name == "甲"


def test_rows_keep_their_numbers_in_the_report(tree, alice):
    from io import BytesIO

    from openpyxl import load_workbook

    from wangge.residents import exports

    rows = [person("甲", number()), None, person("乙", "123")]
    data = register_xlsx(rows)
    batch = stage(data, tree["grid_a"], alice)
    report = exports.import_report_xlsx(batch, acting_user=alice)
    sheet = load_workbook(BytesIO(report)).worksheets[0]
    assert sheet.cell(1, 1).value == "西园社区一号小区居民户口底册"
    assert sheet.cell(3, 2).value == "姓名"
    problem_column = len(HEADER) + 1
    assert sheet.cell(FIRST_DATA_ROW, 2).value == "甲"
    assert sheet.cell(FIRST_DATA_ROW, problem_column).value is None
    assert sheet.cell(FIRST_DATA_ROW + 2, 2).value == "乙"
    assert sheet.cell(FIRST_DATA_ROW + 2, problem_column).value.startswith("身份证号码")
    assert AuditEntry.objects.filter(action="residents.import_report").count() == 1
    # The report is itself a register: importing it reads the same rows.
    again = stage(report, tree["grid_a"], alice, "report.xlsx")
    assert (again.rows_valid, again.rows_error) == (1, 1)


def test_a_rows_cells_are_named_in_the_order_of_the_fields():
    assert importing._Cells._fields == tuple(importing.FIELD_LABELS)


@given(
    st.dictionaries(st.sampled_from(list(importing.FIELD_LABELS)), st.integers(0, 12)),
    st.lists(st.one_of(st.none(), st.text(max_size=3), st.integers()), max_size=16),
)
def test_each_field_reads_its_own_column_or_nothing(fields, cells):
    picked = importing._Columns(fields).cells(Row(1, tuple(cells)))
    for key in importing.FIELD_LABELS:
        index = fields.get(key)
        expected = cells[index] if index is not None and index < len(cells) else None
        assert getattr(picked, key) == expected
