import io

from django.urls import reverse
from openpyxl import load_workbook

from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import make_team, make_worker

EXPORT = reverse("workforce:workers_export")


def _cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def _export_entries():
    return AuditEntry.objects.filter(action=AuditEvent.WORKERS_EXPORT).order_by("pk")


def test_the_export_is_the_filtered_list_with_masked_phones_and_is_audited(
    client, tree, other_tree, alice
):
    make_worker(tree["grid_a"], "甲", kind=WorkerKind.GRID_LEADER, phone="13911112222")
    make_worker(tree["grid_b"], "乙", kind=WorkerKind.VOLUNTEER)
    make_worker(other_tree["grid_a"], "外区人")
    client.force_login(alice)
    response = client.get(EXPORT, {"kind": WorkerKind.GRID_LEADER})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = _cells(response)
    text = str(rows)
    assert "甲" in text and "'乙'" not in text and "外区人" not in text
    assert "139****2222" in text and "13911112222" not in text
    entry = _export_entries().get()
    assert entry.details == {"format": "xlsx", "count": 1, "full_phones": 0}


def test_full_phones_need_reveal_personal_and_are_counted_in_the_audit(client, tree, alice, bob):
    make_worker(tree["grid_a"], "甲", phone="13911112222")
    client.force_login(bob)  # a grid member: the list, masked, even when asking for more
    text = str(_cells(client.get(EXPORT, {"full": "1"})))
    assert "13911112222" not in text and "139****2222" in text
    client.force_login(alice)
    text = str(_cells(client.get(EXPORT, {"full": "1"})))
    assert "13911112222" in text
    assert [entry.details["full_phones"] for entry in _export_entries()] == [0, 1]
    assert "13911112222" not in str(list(_export_entries().values_list("details", flat=True)))


def test_the_roster_is_a_pdf_of_the_areas_workers_and_is_audited(client, tree, alice):
    worker = make_worker(tree["grid_a"], "甲")
    make_team(tree["community"], "党员先锋队", members=(worker,))
    client.force_login(alice)
    response = client.get(reverse("workforce:roster_pdf", args=[tree["community"].pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    entry = _export_entries().get()
    assert entry.details == {"format": "pdf", "count": 1, "full_phones": 0}
    assert entry.area_path == tree["community"].path


def test_the_roster_groups_workers_by_area_in_tree_order(tree, alice):
    from wangge.workforce.exports import roster_groups

    make_worker(tree["grid_b"], "乙")
    make_worker(tree["community"], "社")
    make_worker(tree["grid_a"], "甲")
    make_worker(tree["grid_a"], "退", active=False)
    groups = roster_groups(tree["community"], alice)
    assert [group.area for group in groups] == [tree["community"], tree["grid_a"], tree["grid_b"]]
    assert [[w.name for w in group.workers] for group in groups] == [["社"], ["甲"], ["乙"]]
    assert groups[1].label.endswith(f"{tree['community'].name} › {tree['grid_a'].name}")


def test_the_roster_of_an_area_out_of_scope_does_not_exist(client, tree, other_tree, alice):
    client.force_login(alice)
    response = client.get(reverse("workforce:roster_pdf", args=[other_tree["community"].pk]))
    assert response.status_code == 404
    assert not _export_entries().exists()


def test_an_areas_page_offers_its_workers_and_roster_to_those_who_see_them(
    client, tree, alice, bob
):
    roster = reverse("workforce:roster_pdf", args=[tree["community"].pk])
    client.force_login(alice)
    assert (
        roster in client.get(reverse("areas:detail", args=[tree["community"].pk])).content.decode()
    )
    client.force_login(bob)  # a grid member sees grid A's, not the community's
    page = client.get(reverse("areas:detail", args=[tree["grid_a"].pk])).content.decode()
    assert reverse("workforce:roster_pdf", args=[tree["grid_a"].pk]) in page
