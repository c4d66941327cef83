import datetime as dt
import io
import zipfile
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import id_number, make_resident
from wangge.audit.models import AuditEntry
from wangge.lib.idnumbers import IdType
from wangge.residents import actions
from wangge.residents.choices import ResidentStatus


@pytest.fixture
def people(tree):
    grid = tree["grid_a"]
    return [
        make_resident(grid, "张伟", room="301", phone="13912345678"),
        make_resident(grid, '=HYPERLINK("http://x","y")', room="301", phone=""),
        make_resident(grid, "李娜", room="1202", phone="13800001111"),
        make_resident(tree["grid_b"], "另一个网格", room="101"),
    ]


def body(response):
    """A download's bytes, streamed (an Excel export) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_text(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


def test_excel_register_is_masked_audited_and_formula_safe(client, tree, alice, people):
    client.force_login(alice)
    response = client.get(reverse("residents:export_grid_xlsx", args=[tree["grid_a"].pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.streaming  # from a file, block by block, not held in memory
    data = body(response)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert "一号小区" in sheet.cell(1, 1).value
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [row[3] for row in rows] == ["张伟", '\'=HYPERLINK("http://x","y")', "李娜"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    zhang = rows[0]
    assert zhang[8] == people[0].id_number_masked and zhang[9] == "139****5678"
    assert zhang[14] == people[0].code
    text = xlsx_text(data)
    for person in people:
        assert person.reveal_id_number() not in text
    assert "13912345678" not in text and "另一个网格" not in text
    entry = AuditEntry.objects.get(action="residents.export")
    assert entry.details == {"format": "xlsx", "count": 3}
    assert (entry.actor, entry.area_path) == (alice, tree["grid_a"].path)


def test_pdf_register_renders_the_residents(client, tree, alice, people):
    actions.update_resident(
        people[2],
        actions.ResidentData.clean(
            name="李娜", id_number=people[2].reveal_id_number(), status=ResidentStatus.MOVED_OUT
        ),
        acting_user=alice,
    )
    client.force_login(alice)
    response = client.get(reverse("residents:export_grid_pdf", args=[tree["grid_a"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595  # A4
    text = "".join(p.extract_text() for p in reader.pages)
    assert "张伟" in text and "一号小区" in text
    assert people[0].id_number_masked in text and people[0].code in text
    assert "李娜" not in text  # moved out: not on the list volunteers carry
    assert people[0].reveal_id_number() not in text
    assert AuditEntry.objects.get(action="residents.export").details == {
        "format": "pdf",
        "count": 2,
    }


def test_exports_out_of_scope_or_without_permission_are_404(client, tree, bob, charlie, people):
    for user in (charlie, bob):  # bob is a grid member: no export permission
        client.force_login(user)
        for name in ("residents:export_grid_xlsx", "residents:export_grid_pdf"):
            assert client.get(reverse(name, args=[tree["grid_a"].pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="residents.export").exists()


def test_only_grids_are_exported(client, tree, alice):
    client.force_login(alice)
    url = reverse("residents:export_grid_xlsx", args=[tree["community"].pk])
    assert client.get(url).status_code == 404


def test_export_queries_do_not_grow_with_the_grid(
    client, tree, alice, django_assert_max_num_queries
):
    for index in range(30):
        make_resident(tree["grid_a"], f"居民{index}", room=str(index))
    client.force_login(alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("residents:export_grid_xlsx", args=[tree["grid_a"].pk]))
    assert response.status_code == 200


def test_grid_pages_offer_the_exports(client, tree, alice, bob):
    client.force_login(alice)
    page = client.get(reverse("areas:detail", args=[tree["grid_a"].pk])).content.decode()
    assert reverse("residents:export_grid_pdf", args=[tree["grid_a"].pk]) in page
    assert reverse("residents:household_create", args=[tree["grid_a"].pk]) in page
    client.force_login(bob)
    page = client.get(reverse("areas:detail", args=[tree["grid_a"].pk])).content.decode()
    assert reverse("residents:export_grid_pdf", args=[tree["grid_a"].pk]) not in page


def date_spellings(day):
    """The ways a page, a sheet or a PDF could write a full date (or its month and day)."""
    return {
        day.isoformat(),
        f"{day:%Y%m%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}年{day.month}月",
        f"{day.month}月{day.day}日",
        f"{day:%b}. {day.day}, {day.year}",
        f"{day:%B} {day.day}, {day.year}",
    }


def test_pages_and_exports_show_a_birth_year_never_a_birth_date(client, tree, alice):
    card_birth = dt.date(1990, 2, 3)
    card = make_resident(tree["grid_a"], "王芳", number=id_number(birth=card_birth, sex="F"))
    passport_birth = dt.date(1985, 11, 23)
    passport = actions.register_resident(
        card.household,
        actions.ResidentData.clean(
            name="Anna", id_type=IdType.PASSPORT, id_number="E12345678", birth_date=passport_birth
        ),
        acting_user=alice,
    )
    assert (card.birth_year, passport.birth_year) == (1990, 1985)
    client.force_login(alice)
    texts = {
        url: client.get(url).content.decode()
        for url in (
            reverse("residents:detail", args=[card.pk]),
            reverse("residents:detail", args=[passport.pk]),
            reverse("residents:edit", args=[passport.pk]),
            reverse("residents:household", args=[card.household_id]),
            reverse("residents:search") + "?q=王",
            f"/areas/{tree['grid_a'].pk}/",
        )
    }
    xlsx = body(client.get(reverse("residents:export_grid_xlsx", args=[tree["grid_a"].pk])))
    cells = [
        cell
        for row in load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows(values_only=True)
        for cell in row
    ]
    assert not any(isinstance(cell, dt.date) for cell in cells)
    texts["xlsx"] = " ".join(str(cell) for cell in cells if cell is not None)
    pdf = client.get(reverse("residents:export_grid_pdf", args=[tree["grid_a"].pk])).content
    texts["pdf"] = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for where, text in texts.items():
        for day in (card_birth, passport_birth):
            for spelling in date_spellings(day):
                assert spelling not in text, (where, spelling)
    # Not vacuous: the year is there (and the age by year in the PDF volunteers carry).
    assert "1990" in texts[reverse("residents:detail", args=[card.pk])]
    assert {1990, 1985} <= {cell for cell in cells if isinstance(cell, int)}
    assert str(timezone.localdate().year - 1990) in texts["pdf"]


def test_exported_registers_are_titled_and_named_in_chinese(client, tree, alice, people):
    client.force_login(alice)
    grid = tree["grid_a"]
    today = f"{timezone.localdate():%Y%m%d}"
    excel = client.get(reverse("residents:export_grid_xlsx", args=[grid.pk]))
    sheet = load_workbook(io.BytesIO(body(excel))).worksheets[0]
    assert sheet.cell(2, 1).value.startswith("户口底册，导出于 ")
    assert f"{grid.name}-户口底册-{today}.xlsx" in unquote(excel["Content-Disposition"])
    pdf = client.get(reverse("residents:export_grid_pdf", args=[grid.pk]))
    assert f"{grid.name}-户口底册-{today}.pdf" in unquote(pdf["Content-Disposition"])


def test_the_streamed_register_puts_each_head_of_household_first(client, tree, alice):
    grid = tree["grid_a"]
    child = make_resident(grid, "孩子", room="501")
    head = make_resident(grid, "户主本人", room="501")
    head.relation = "户主"
    head.save(update_fields=["relation"])
    child.relation = "子"
    child.save(update_fields=["relation"])
    client.force_login(alice)
    response = client.get(reverse("residents:export_grid_xlsx", args=[grid.pk]))
    sheet = load_workbook(io.BytesIO(body(response))).worksheets[0]
    names = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert names == ["户主本人", "孩子"]
