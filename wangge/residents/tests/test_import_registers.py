"""Registers as villages keep them: numbers in any digits, status in any column, one grid's
sheet under its own name, and one person at two addresses (issue 9)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from wangge.lib.idnumbers import IdType
from wangge.residents import actions, importing
from wangge.residents.choices import ResidentStatus
from wangge.residents.errors import RegistryError
from wangge.residents.models import Household, ImportBatch, Resident
from wangge.residents.tests.sheets import HEADER, number, person, register_xlsx
from wangge.residents.tests.test_import_views import upload

FIRST_DATA_ROW = 4
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def stage(data, area, user):
    return actions.stage_import(data, "底册.xlsx", area, acting_user=user)


def errors_of(batch):
    return {error.row: error for error in importing.load_plan(batch.storage_key).errors}


def find(id_number):
    return actions.find_by_id_number(IdType.RESIDENT_CARD, id_number)


# --- one number, one person, whatever its digits --------------------------------------------


def test_one_number_in_two_spellings_is_one_person_and_one_household(tree, alice):
    same = number()
    rows = [
        person("张伟", same),
        person("张伟", same.translate(ARABIC_INDIC), room="302"),
        person("张伟", same.translate(FULL_WIDTH)),
    ]
    batch = stage(register_xlsx(rows), tree["grid_a"], alice)
    errors = errors_of(batch)
    assert sorted(errors) == [FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 2]
    assert errors[FIRST_DATA_ROW + 1].code == "two_addresses"
    assert errors[FIRST_DATA_ROW + 2].code == "duplicate_in_sheet"
    actions.apply_import(batch, acting_user=alice)
    assert Resident.objects.count() == 1
    assert find(same).household.room == "301"
    assert not Household.objects.filter(room="302").exists()


def test_a_spelling_of_a_registered_number_finds_that_resident(tree, alice):
    same = number()
    actions.apply_import(
        stage(register_xlsx([person("张伟", same)]), tree["grid_a"], alice), acting_user=alice
    )
    again = stage(
        register_xlsx([person("张伟", same.translate(ARABIC_INDIC), phone="١٣٩٠٠٠٠١١١١")]),
        tree["grid_a"],
        alice,
    )
    assert (again.rows_new, again.rows_updated) == (0, 1)
    actions.apply_import(again, acting_user=alice)
    assert Resident.objects.count() == 1
    assert find(same).reveal_phone() == "13900001111"


# --- one person at two addresses ------------------------------------------------------------


def test_one_person_at_two_addresses_is_a_conflict_naming_both(tree, alice):
    same = number()
    rows = [
        person("张伟", same, building="1", room="301"),
        person("张伟", same, building="5", room="102"),
    ]
    batch = stage(register_xlsx(rows), tree["grid_a"], alice)
    conflict = errors_of(batch)[FIRST_DATA_ROW + 1]
    assert conflict.code == "two_addresses"
    assert conflict.params == {"row": FIRST_DATA_ROW, "first": "1-2-301", "second": "5-2-102"}
    with translation.override("zh-hans"):
        assert "1-2-301" in conflict.message and "5-2-102" in conflict.message
    actions.apply_import(batch, acting_user=alice)
    assert find(same).household.building == "1"
    assert list(Household.objects.values_list("building", flat=True)) == ["1"]


# --- where someone is, in whichever column says it ------------------------------------------


@pytest.mark.parametrize(
    ("status", "category", "note", "expected"),
    [
        ("", "外出务工", "", ResidentStatus.AWAY),
        ("", "", "已于2021年去世", ResidentStatus.DECEASED),
        ("", "", "住院中", ResidentStatus.HOSPITALISED),
        ("", "迁出人员", "", ResidentStatus.MOVED_OUT),
        ("正常", "", "外出打工", ResidentStatus.AWAY),
        ("外出", "", "在兰州住院", ResidentStatus.HOSPITALISED),
        ("", "留守老人", "子女外出务工，独居", ResidentStatus.PRESENT),
        ("", "", "外出已返回", ResidentStatus.PRESENT),
        ("", "流动人口", "", ResidentStatus.PRESENT),
    ],
)
def test_status_is_read_from_the_status_category_or_remarks_column(
    tree, alice, status, category, note, expected
):
    same = number()
    row = person("张伟", same, status=status, category=category, note=note)
    batch = stage(register_xlsx([row]), tree["grid_a"], alice)
    assert batch.rows_error == 0
    actions.apply_import(batch, acting_user=alice)
    assert find(same).status == expected


@pytest.mark.parametrize(
    ("status", "note"), [("在家", "已故"), ("正常", "已去世"), ("在家", "外出务工")]
)
def test_columns_that_contradict_each_other_are_reported_naming_both(tree, alice, status, note):
    batch = stage(
        register_xlsx([person("张伟", number(), status=status, note=note)]), tree["grid_a"], alice
    )
    error = errors_of(batch)[FIRST_DATA_ROW]
    assert error.code == "status_contradiction"
    with translation.override("zh-hans"):
        assert "居住状态" in error.message and "备注" in error.message
        assert status in error.message
    assert batch.rows_valid == 0


def test_remarks_change_the_status_only_of_the_rows_that_state_one(tree, alice):
    away, here = number(), number()
    actions.apply_import(
        stage(
            register_xlsx([person("甲", away, status="外出"), person("乙", here)]),
            tree["grid_a"],
            alice,
        ),
        acting_user=alice,
    )
    header = [name for name in HEADER if name != "居住状态"]
    rows = [
        [name, "", id_number, "", "1号楼", "2", "301", "", note]
        for name, id_number, note in (("甲", away, ""), ("乙", here, "住院"))
    ]
    actions.apply_import(
        stage(register_xlsx(rows, header=header), tree["grid_a"], alice), acting_user=alice
    )
    assert find(away).status == ResidentStatus.AWAY  # the sheet says nothing of 甲's status
    assert find(here).status == ResidentStatus.HOSPITALISED


# --- one grid's register under another name -------------------------------------------------


def grid_sheet(names):
    header = [*HEADER, "所属网格"]
    return register_xlsx(
        [[*person(f"居民{i}", number(), room=str(100 + i)), name] for i, name in enumerate(names)],
        header=header,
    )


def test_a_grid_named_otherwise_in_the_sheet_is_said_once_and_imported_on_confirmation(
    client, tree, alice
):
    grid = tree["grid_a"]
    client.force_login(alice)
    response = upload(client, grid, grid_sheet(["3组"] * 5))
    batch = ImportBatch.objects.get()
    assert (batch.rows_valid, batch.rows_error) == (5, 0)
    assert batch.notices == [["grid_name_differs", {"read": "3组", "grid": grid.name}]]
    body = client.get(response.url).content.decode()
    assert body.count("3组") == 1
    assert 'name="grid_confirmed"' in body

    with pytest.raises(RegistryError) as refused:
        actions.apply_import(batch, acting_user=alice)
    assert refused.value.code == "grid_not_confirmed"
    client.post(reverse("residents:import_apply", args=[batch.pk]), {"grid_confirmed": "yes"})
    assert Resident.objects.filter(grid=grid).count() == 5


def test_rows_of_several_other_grids_are_refused_row_by_row(tree, alice):
    batch = stage(grid_sheet([tree["grid_a"].name, "3组", "4组"]), tree["grid_a"], alice)
    assert batch.notices == []
    assert [e.code for e in errors_of(batch).values()] == ["grid_not_chosen", "grid_not_chosen"]
    assert batch.rows_valid == 1


# --- reasons in the reader's language -------------------------------------------------------

# What may stay Latin in a Chinese page: the names of files and of the software, "ID", Excel,
# column letters and the words of the page's frame that are not the report's.
ALLOWED = {"ID", "Excel", "xlsx", "csv", "CSV", "X", "UTF", "GBK", "MB"}


def latin_words(text):
    return {word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in ALLOWED}


def test_an_import_report_is_chinese_through_and_through(client, tree, alice):
    same = number()
    rows = [
        person("张伟", same),
        person("张伟", same, room="999"),
        person("坏", "12345"),
        person("王五", number(), phone="12"),
        person("赵六", number(), status="在家", note="已故"),
        person("孙七", "6.20103E+17"),
        person("", number()),
    ]
    client.force_login(alice)
    with translation.override("zh-hans"):
        batch = stage(register_xlsx(rows), tree["grid_a"], alice)
        reasons = [error.message for error in errors_of(batch).values()]
    assert len(reasons) == 6
    for reason in reasons:
        assert not latin_words(reason), reason
    page = client.get(
        reverse("residents:import_batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    table = page.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert not latin_words(re.sub(r"<[^>]+>", " ", table))
