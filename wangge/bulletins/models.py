"""The daily bulletin (日报): an area's frozen day as the PDF and the workbook that circulate.

A bulletin is made from one version of an area's snapshot (`DaySnapshot`) in one language,
and never changes: a new version of the day makes a new bulletin, the old one stays, so what
was circulated on a day can always be shown again. The PDF and the workbook are files under
MEDIA_ROOT/bulletins (0600 in 0700 directories, never served as static files): a city of
thousands of areas × 365 days makes gigabytes a year, which belong on disk and in its
backups, not in the database's rows and its replication. The row keeps each file's size and
SHA-256, so a file lost or altered on disk is noticed and made again from the same frozen
figures (wangge/bulletins/actions.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet
from wangge.snapshots.models import DaySnapshot


class Bulletin(models.Model):
    """One area's day, as made from one snapshot version in one language."""

    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    day = models.DateField(_("day"))
    snapshot = models.ForeignKey(
        DaySnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("figures")
    )
    # The snapshot's version, kept beside it so that lists need no join.
    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=10)
    made_at = models.DateTimeField(_("made at"))
    # None: the worker.
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    pdf_name = models.CharField(max_length=200)
    pdf_size = models.PositiveIntegerField(default=0)
    pdf_sha256 = models.CharField(max_length=64)
    xlsx_name = models.CharField(max_length=200)
    xlsx_size = models.PositiveIntegerField(default=0)
    xlsx_sha256 = models.CharField(max_length=64)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily bulletin")
        verbose_name_plural = _("daily bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "language"], name="bulletin_one_per_version_language"
            )
        ]
        indexes = [models.Index(fields=["area", "day"], name="bulletin_area_day")]

    def __str__(self) -> str:
        return f"{self.area_id} · {self.day} · v{self.version} · {self.language}"
