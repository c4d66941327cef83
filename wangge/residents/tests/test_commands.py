import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from wangge.audit.models import AuditEntry
from wangge.residents import actions
from wangge.residents.choices import ImportStatus
from wangge.residents.models import ImportBatch, Resident
from wangge.residents.tests.sheets import number, person, register_xlsx


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "底册.xlsx"
    path.write_bytes(
        register_xlsx([person("张伟", number()), person("坏", "12345"), person("李娜", number())])
    )
    return path


def run(*args, language="en"):
    out = StringIO()
    with translation.override(language):
        call_command("import_register", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_and_writes_nothing(tree, alice, register, tmp_path):
    report = tmp_path / "report.xlsx"
    out = run(
        str(register), "--area", str(tree["grid_a"].pk), "--user", "alice", "--report", str(report)
    )
    assert "Valid: 2" in out and "Rows with errors: 1" in out
    assert "row 5" in out and "Dry run" in out
    assert not Resident.objects.exists() and not ImportBatch.objects.exists()
    assert report.stat().st_size > 0


def test_apply_imports_the_valid_rows_as_the_user(tree, alice, register):
    out = run(str(register), "--area", str(tree["grid_a"].pk), "--user", "alice", "--apply")
    assert "Imported: 2 new" in out
    assert Resident.objects.count() == 2
    entry = AuditEntry.objects.get(action="residents.import")
    assert (entry.actor, entry.source) == (alice, "command line")
    again = run(str(register), "--area", str(tree["grid_a"].pk), "--user", "alice", "--apply")
    assert "2 unchanged" in again


def test_the_area_may_be_given_by_its_division_code(tree, alice, register):
    grid = tree["grid_a"]
    grid.code = "620103001001"
    grid.save(update_fields=["code"])
    assert "Valid: 2" in run(str(register), "--area", "620103001001", "--user", "alice")
    with pytest.raises(CommandError, match="may not import"):  # the district is above her
        run(str(register), "--area", "620103", "--user", "alice")


def test_a_user_without_the_area_is_refused(tree, charlie, register):
    with pytest.raises(CommandError):
        run(str(register), "--area", str(tree["grid_a"].pk), "--user", "charlie", "--apply")
    assert not Resident.objects.exists()


def test_purge_forgets_stale_uploads(tree, alice, import_dir, django_capture_on_commit_callbacks):
    old = actions.stage_import(
        register_xlsx([person("张伟", number())]), "a.xlsx", tree["grid_a"], acting_user=alice
    )
    fresh = actions.stage_import(
        register_xlsx([person("李娜", number())]), "b.xlsx", tree["grid_a"], acting_user=alice
    )
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    (import_dir / ("f" * 32 + ".src")).write_bytes(b"left over")
    out = StringIO()
    call_command("purge_imports", stdout=out)
    assert "would discard 1" in out.getvalue()
    assert len(list(import_dir.iterdir())) == 5
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_imports", "--for-real", stdout=StringIO())
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (ImportStatus.DISCARDED, ImportStatus.PENDING)
    assert (
        sorted(path.name.split(".")[0] for path in import_dir.iterdir()) == [fresh.storage_key] * 2
    )


def test_purge_keeps_a_check_in_progress_and_ends_one_left_stuck(tree, alice, import_dir):
    data = register_xlsx([person("张伟", number())])
    running = actions.begin_import(data, "a.xlsx", tree["grid_a"], acting_user=alice)
    stuck = actions.begin_import(data, "b.xlsx", tree["grid_a"], acting_user=alice)
    ImportBatch.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    call_command("purge_imports", "--for-real", stdout=StringIO())
    running.refresh_from_db()
    stuck.refresh_from_db()
    assert running.status == ImportStatus.CHECKING
    assert (import_dir / f"{running.storage_key}.src").exists()  # its worker reads it
    assert stuck.status == ImportStatus.FAILED and stuck.failure[0] == "import_expired"
    assert not (import_dir / f"{stuck.storage_key}.src").exists()
    assert actions.check_import(running.pk).status == ImportStatus.PENDING
