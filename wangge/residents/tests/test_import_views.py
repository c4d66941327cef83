from io import BytesIO
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory, grant
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.residents import actions
from wangge.residents.choices import ImportStatus
from wangge.residents.models import ImportBatch, Resident
from wangge.residents.tests.sheets import HEADER, number, person, register_xlsx


def upload(client, area, data, name="底册.xlsx"):
    return client.post(
        reverse("residents:import"),
        {"area": area.pk, "file": SimpleUploadedFile(name, data)},
    )


def test_upload_report_and_import_the_valid_rows(client, tree, alice):
    client.force_login(alice)
    page = client.get(reverse("residents:import"), {"area": tree["grid_a"].pk})
    assert page.status_code == 200
    assert "一号小区" in page.content.decode()
    ids = [number(), number()]
    response = upload(
        client,
        tree["grid_a"],
        register_xlsx([person("张伟", ids[0]), person("坏", "123"), person("李娜", ids[1])]),
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("residents:import_batch", args=[batch.pk])

    report = client.get(response.url)
    body = report.content.decode()
    assert report.status_code == 200
    assert "身份证号码" in body  # the column of the error
    assert ids[0] not in body  # the report page shows no ID number
    assert reverse("residents:import_apply", args=[batch.pk]) in body

    download = client.get(reverse("residents:import_report", args=[batch.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    # Named in the reader's language (a word inside an f-string escapes the catalogue).
    assert "底册-校验报告.xlsx" in unquote(download["Content-Disposition"])
    sheet = load_workbook(BytesIO(download.content)).worksheets[0]
    assert sheet.cell(5, len(HEADER) + 1).value  # row 5 of the sheet is the bad row

    done = client.post(reverse("residents:import_apply", args=[batch.pk]))
    assert done.status_code == 302
    assert Resident.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    after = client.get(done.url).content.decode()
    assert reverse("residents:import_apply", args=[batch.pk]) not in after


def test_import_nothing(client, tree, alice):
    client.force_login(alice)
    upload(client, tree["grid_a"], register_xlsx([person("张伟", number())]))
    batch = ImportBatch.objects.get()
    response = client.post(reverse("residents:import_discard", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    assert not Resident.objects.exists()
    assert client.get(reverse("residents:import_report", args=[batch.pk])).status_code == 404


def test_a_file_that_cannot_be_read_is_explained_on_the_form(client, tree, alice):
    client.force_login(alice)
    response = upload(client, tree["grid_a"], b"\xd0\xcf\x11\xe0" + b"\0" * 64, "old.xls")
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()
    assert "xlsx" in response.content.decode()


def test_an_out_of_scope_area_does_not_exist_for_charlie(client, tree, charlie):
    client.force_login(charlie)
    assert client.get(reverse("residents:import"), {"area": tree["grid_a"].pk}).status_code == 404
    response = upload(client, tree["grid_a"], register_xlsx([person("张伟", number())]))
    assert response.status_code == 404
    assert not ImportBatch.objects.exists()


def test_a_grid_member_cannot_import(client, tree, bob):
    client.force_login(bob)
    assert client.get(reverse("residents:import")).status_code == 404
    assert (
        upload(client, tree["grid_a"], register_xlsx([person("张伟", number())])).status_code == 404
    )


@pytest.fixture
def alices_batch(tree, alice):
    data = register_xlsx([person("张伟", number())])
    return actions.stage_import(data, "底册.xlsx", tree["grid_a"], acting_user=alice)


def test_a_pending_batch_is_its_uploaders_alone(client, tree, alices_batch, bob, charlie):
    colleague = grant(UserFactory(username="dave"), Role.COMMUNITY_STAFF, tree["community"])
    urls = [
        ("get", reverse("residents:import_batch", args=[alices_batch.pk])),
        ("get", reverse("residents:import_report", args=[alices_batch.pk])),
        ("post", reverse("residents:import_apply", args=[alices_batch.pk])),
        ("post", reverse("residents:import_discard", args=[alices_batch.pk])),
    ]
    for person_ in (bob, charlie, colleague):
        client.force_login(person_)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (person_, url)
    alices_batch.refresh_from_db()
    assert alices_batch.status == ImportStatus.PENDING
    assert not Resident.objects.exists()


def test_the_upload_never_touches_the_disk_unencrypted(client, tree, alice, settings, monkeypatch):
    from django.core.files import uploadhandler

    def spooled(*args, **kwargs):
        raise AssertionError("the register was spooled to a temporary file")

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "new_file", spooled)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django would spool anything larger to disk
    client.force_login(alice)
    response = upload(client, tree["grid_a"], register_xlsx([person("张伟", number())]))
    assert response.status_code == 302
    assert ImportBatch.objects.get().rows_valid == 1


def test_a_stale_check_is_redone_instead_of_importing(client, tree, other_tree, alice):
    from tests.factories import make_resident

    client.force_login(alice)
    taken = number()
    upload(client, tree["grid_a"], register_xlsx([person("张伟", number()), person("李娜", taken)]))
    batch = ImportBatch.objects.get()
    make_resident(other_tree["grid_a"], "李娜", number=taken)
    response = client.post(reverse("residents:import_apply", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    batch.refresh_from_db()
    assert (batch.status, batch.rows_valid, batch.rows_error) == (ImportStatus.PENDING, 1, 1)
    assert Resident.objects.count() == 1  # only the one registered elsewhere
    assert not AuditEntry.objects.filter(action="residents.import").exists()


def test_registry_pages_link_to_the_import(client, tree, alice, bob):
    client.force_login(alice)
    assert reverse("residents:import") in client.get(reverse("residents:search")).content.decode()
    area_page = client.get(reverse("areas:detail", args=[tree["community"].pk])).content.decode()
    assert f"{reverse('residents:import')}?area={tree['community'].pk}" in area_page
    client.force_login(bob)
    assert (
        reverse("residents:import") not in client.get(reverse("residents:search")).content.decode()
    )


# --- a large register, checked by the background worker ----------------------------------


def test_a_large_register_is_checked_in_the_background_with_its_progress_shown(
    client, tree, alice, settings
):
    from wangge.residents import tasks

    settings.WANGGE_IMPORT_BACKGROUND_BYTES = 0
    client.force_login(alice)
    ids = [number(), number()]
    response = upload(client, tree["grid_a"], register_xlsx([person("张伟", ids[0])]))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("residents:import_batch", args=[batch.pk])
    assert batch.status == ImportStatus.CHECKING and batch.rows_total == 0
    progress_url = reverse("residents:import_progress", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert f'hx-get="{progress_url}"' in page and "读取文件" in page
    assert reverse("residents:import_apply", args=[batch.pk]) not in page
    polled = client.get(progress_url)
    assert polled.status_code == 200 and "HX-Refresh" not in polled.headers

    assert tasks.check_import.call(batch.pk) == ImportStatus.PENDING
    batch.refresh_from_db()
    assert (batch.rows_total, batch.rows_valid, batch.rows_new) == (1, 1, 1)
    polled = client.get(progress_url)
    assert polled.headers["HX-Refresh"] == "true" and "hx-get" not in polled.content.decode()
    page = client.get(response.url).content.decode()
    assert reverse("residents:import_apply", args=[batch.pk]) in page
    assert tasks.check_import.call(batch.pk) == ImportStatus.PENDING  # a retry does nothing
    client.post(reverse("residents:import_apply", args=[batch.pk]))
    assert Resident.objects.count() == 1


def test_the_worker_reports_its_stages_on_the_batch(tree, alice, monkeypatch):
    seen = []
    original = actions._BatchProgress._write

    def spy(self):
        original(self)
        seen.append(ImportBatch.objects.values_list("stage", flat=True).get(pk=self.batch_id))

    monkeypatch.setattr(actions._BatchProgress, "_write", spy)
    batch = actions.begin_import(
        register_xlsx([person("张伟", number())]), "底册.xlsx", tree["grid_a"], acting_user=alice
    )
    actions.check_import(batch.pk)
    assert seen[:3] == ["read", "check", "match"]


def test_a_file_the_worker_cannot_read_says_why_and_is_deleted(client, tree, alice, settings):
    settings.WANGGE_IMPORT_BACKGROUND_BYTES = 0
    client.force_login(alice)
    upload(client, tree["grid_a"], b"PK\x03\x04 not a workbook")
    batch = ImportBatch.objects.get()
    done = actions.check_import(batch.pk)
    assert done.status == ImportStatus.FAILED and done.failure[0] == "file_unreadable"
    page = client.get(reverse("residents:import_batch", args=[batch.pk])).content.decode()
    assert "不是可读取的" in page or "无法读取" in page
    with pytest.raises(actions.RegistryError):
        actions.importing.load_source(batch.storage_key)
