"""Making a bulletin and handing it out: scoped, audited, the same bulletin once per version.

Laying out a PDF takes about a second (charts included), far too long to hold a write
transaction for: on SQLite it would stop every other writer (a sampling station's batch)
meanwhile. So the content is read and laid out first, the files are written under names
that only depend on what they are, and the row and its audit entry are then written in one
short transaction. Two people asking at once both lay it out; one row wins, and both get it.
"""

import datetime as dt
import logging
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, scope_holder
from wangge.bulletins import storage
from wangge.bulletins.content import gather
from wangge.bulletins.errors import DayNotMade
from wangge.bulletins.models import Bulletin
from wangge.bulletins.render import pdf_bytes, xlsx_bytes
from wangge.core.permissions import Perm
from wangge.core.scoping import require_in_scope
from wangge.snapshots import selectors
from wangge.snapshots.models import DaySnapshot, SnapshotRun

logger = logging.getLogger(__name__)

WORKER = Actor(user=None, source="worker", label="worker")
Kind = Literal["pdf", "xlsx"]


def bulletin_language(language: str | None) -> str:
    """The language a bulletin is made in: English for English, else the default
    (zh-Hans)."""
    if language and language.lower().startswith("en"):
        return "en"
    return str(settings.LANGUAGE_CODE)


def snapshot_of(area: Area, day: dt.date, version: int | None = None) -> DaySnapshot:
    """The area's day (its current version, or the one asked for); DayNotMade if none."""
    if version is None:
        found = selectors.current(area, day)
    else:
        found = DaySnapshot.objects.filter(area=area, day=day, version=version).first()
    if found is None:
        raise DayNotMade
    found.area = area
    return found


def _intact(bulletin: Bulletin) -> bool:
    return (
        storage.read(bulletin.pdf_name, bulletin.pdf_sha256) is not None
        and storage.read(bulletin.xlsx_name, bulletin.xlsx_sha256) is not None
    )


def make_bulletin(
    area: Area,
    day: dt.date,
    *,
    acting_user: User | Actor | None,
    language: str | None = None,
    snapshot: DaySnapshot | None = None,
) -> Bulletin:
    """The bulletin of the area's day in the current version (or `snapshot`'s), made if
    there is none yet for that version and language, or made again if its files were lost.

    Held to the acting user's areas (VIEW_ANALYSIS: whoever may read a day may have its
    bulletin made); audited as BULLETIN_MAKE when something is made.
    """
    require_in_scope(scope_holder(acting_user), Perm.VIEW_ANALYSIS, [area])
    if snapshot is None:
        snapshot = snapshot_of(area, day)
    lang = bulletin_language(language)
    existing: Bulletin | None = Bulletin.objects.filter(snapshot=snapshot, language=lang).first()
    if existing is not None and _intact(existing):
        return existing
    made_at = timezone.now()
    with translation.override(lang):
        content = gather(snapshot, language=lang, made_at=made_at)
        pdf = pdf_bytes(content)
        xlsx = xlsx_bytes(content)
    pdf_name = storage.name_for(area.pk, day, snapshot.version, lang, "pdf")
    xlsx_name = storage.name_for(area.pk, day, snapshot.version, lang, "xlsx")
    storage.save(pdf_name, pdf)
    storage.save(xlsx_name, xlsx)
    actor = log.as_actor(acting_user)
    files = {
        "pdf_name": pdf_name,
        "pdf_size": len(pdf),
        "pdf_sha256": storage.digest(pdf),
        "xlsx_name": xlsx_name,
        "xlsx_size": len(xlsx),
        "xlsx_sha256": storage.digest(xlsx),
    }
    try:
        with transaction.atomic():
            if existing is not None:
                Bulletin.objects.filter(pk=existing.pk).update(
                    made_at=made_at, made_by=actor.user, **files
                )
                bulletin = Bulletin.objects.get(pk=existing.pk)
            else:
                bulletin = Bulletin.objects.create(
                    area=area,
                    day=day,
                    snapshot=snapshot,
                    version=snapshot.version,
                    language=lang,
                    made_at=made_at,
                    made_by=actor.user,
                    **files,
                )
            log.record(
                acting_user,
                AuditEvent.BULLETIN_MAKE,
                obj=bulletin,
                area_path=area.path,
                details={
                    "area": area.pk,
                    "day": day.isoformat(),
                    "version": snapshot.version,
                    "language": lang,
                    "pdf_bytes": len(pdf),
                    "xlsx_bytes": len(xlsx),
                    "again": existing is not None,
                },
            )
    except IntegrityError:
        # Someone else made the same bulletin a moment before: theirs it is.
        return Bulletin.objects.get(snapshot=snapshot, language=lang)
    bulletin.area = area
    return bulletin


def download_bulletin(
    area: Area,
    day: dt.date,
    kind: Kind,
    *,
    acting_user: User | Actor,
    language: str | None = None,
    version: int | None = None,
) -> tuple[Bulletin, bytes]:
    """The PDF or the workbook of the area's day (current version unless `version`), made
    on the spot if it was not made yet; audited as an export (BULLETIN_DOWNLOAD).

    Raises DayNotMade when the day (or that version) has no frozen figures, OutOfScope when
    the area is not the user's.
    """
    require_in_scope(scope_holder(acting_user), Perm.VIEW_ANALYSIS, [area])
    snapshot = snapshot_of(area, day, version)
    bulletin = make_bulletin(
        area, day, acting_user=acting_user, language=language, snapshot=snapshot
    )
    name, sha256 = (
        (bulletin.pdf_name, bulletin.pdf_sha256)
        if kind == "pdf"
        else (bulletin.xlsx_name, bulletin.xlsx_sha256)
    )
    data = storage.read(name, sha256)
    if data is None:
        # Lost between making and reading (a clean-up ran): make it again, once.
        bulletin = make_bulletin(
            area, day, acting_user=acting_user, language=language, snapshot=snapshot
        )
        data = storage.read(
            bulletin.pdf_name if kind == "pdf" else bulletin.xlsx_name,
            bulletin.pdf_sha256 if kind == "pdf" else bulletin.xlsx_sha256,
        )
        if data is None:
            raise RuntimeError(f"bulletin {bulletin.pk}: its {kind} cannot be read back")
    with transaction.atomic():
        log.record(
            acting_user,
            AuditEvent.BULLETIN_DOWNLOAD,
            obj=bulletin,
            area_path=area.path,
            details={
                "format": kind,
                "area": area.pk,
                "day": day.isoformat(),
                "version": bulletin.version,
                "language": bulletin.language,
                "bytes": len(data),
            },
        )
    return bulletin, data


def areas_for_run(run: SnapshotRun, levels: int) -> list[DaySnapshot]:
    """The current snapshots of the run's day the worker makes bulletins of: the run's
    root, `levels` levels below it, and the areas above it (their sums changed too)."""
    root = run.root
    above = [root.path[:i] for i in range(Area.steplen, len(root.path), Area.steplen)]
    below = DaySnapshot.objects.filter(
        day=run.day,
        current=True,
        area__path__startswith=root.path,
        area__depth__lte=root.depth + levels,
    )
    ancestors = DaySnapshot.objects.filter(day=run.day, current=True, area__path__in=above)
    return list((below | ancestors).select_related("area").order_by("area__depth", "area__path"))


def make_run_bulletins(run: SnapshotRun, *, levels: int | None = None) -> int:
    """The worker's bulletins of a made day (default language); how many were made or
    found made. One area's failure is logged and does not stop the others."""
    depth = settings.WANGGE_BULLETIN_LEVELS if levels is None else levels
    done = 0
    for snapshot in areas_for_run(run, depth):
        try:
            make_bulletin(snapshot.area, snapshot.day, acting_user=WORKER, snapshot=snapshot)
        except Exception:
            logger.exception("bulletin of area %s, %s failed", snapshot.area_id, snapshot.day)
            continue
        done += 1
    return done
