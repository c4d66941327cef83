"""Lists to trace (协查, 人员摸排) and the people they name.

A `TracedList` arrives from above as an Excel sheet (or is started by a grid by hand) and
is received by an area; it keeps the layout it came in (sheet name, the rows above and of
its header, which column is which) so that the feedback goes back up in the same layout.
Each `TracedPerson` is one row: sealed ID number and phone like a resident's, matched
against the registry, followed by the grid responsible (the resident's grid, else the
community) until the grid gives feedback.
"""

from collections.abc import Iterable
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.models import Area
from wangge.core.personal_data import PersonalIdentity
from wangge.core.scoping import ScopedQuerySet, subtree_q
from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Resident
from wangge.tracing.choices import ListSource, TracedStatus


class TracedListQuerySet(ScopedQuerySet):
    def under_paths(self, paths: Iterable[str]) -> Self:
        """A list is seen where it was received and below, and by every area that has
        people of it to follow (a grid of a community's list)."""
        chosen = list(paths)
        people = TracedPerson.objects.filter(subtree_q(chosen, "area__path")).values(
            "traced_list_id"
        )
        return self.filter(subtree_q(chosen, "area__path") | Q(pk__in=people))


class TracedList(models.Model):
    """A list of people to trace (协查名单), from above or started by a grid."""

    scope_path_lookup = "area__path"

    title = models.CharField(_("title"), max_length=120)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    deadline = models.DateTimeField(_("feedback due"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="traced_lists", verbose_name=_("received by")
    )
    source = models.CharField(
        _("source"), max_length=8, choices=ListSource.choices, default=ListSource.ABOVE
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    # The layout it came in: sheet name, the rows above and of the header (as text), the
    # header's names in column order, and which column holds what (field key → index).
    sheet_name = models.CharField(max_length=100, blank=True)
    preamble = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TracedListQuerySet.as_manager()

    class Meta:
        verbose_name = _("list to trace")
        verbose_name_plural = _("lists to trace")
        indexes = [models.Index(fields=["area", "created_at"], name="tracedlist_area_created")]

    def __str__(self) -> str:
        return self.title


class TracedPerson(PersonalIdentity):
    """One person a list names, followed by the area responsible until feedback is given.

    `cells` is the row as the sheet gave it with the ID number and phone columns emptied
    (they are sealed here, like a resident's), so that the export can rebuild the row.
    """

    scope_path_lookup = "area__path"

    traced_list = models.ForeignKey(
        TracedList, on_delete=models.CASCADE, related_name="people", verbose_name=_("list")
    )
    row_number = models.PositiveIntegerField(_("row"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    deadline = models.DateTimeField(_("feedback due"))
    cells = models.JSONField(default=list, blank=True)
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    # The grid responsible (the resident's), else the community, else the receiving area
    # until its staff assign the person below.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TracedStatus.choices, default=TracedStatus.PENDING
    )
    # Matching found an open key person: the grid confirms it with one tap.
    proposed_status = models.CharField(max_length=20, choices=TracedStatus.choices, blank=True)
    feedback_note = models.CharField(_("feedback"), max_length=300, blank=True)
    left_to = models.CharField(_("left for"), max_length=100, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("feedback by"),
    )
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    key_person = models.ForeignKey(
        KeyPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key person"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("traced person")
        verbose_name_plural = _("traced people")
        constraints = [
            models.UniqueConstraint(fields=["traced_list", "row_number"], name="traced_row_once")
        ]
        indexes = [
            models.Index(fields=["area", "status", "deadline"], name="traced_area_status"),
            models.Index(fields=["traced_list", "status"], name="traced_list_status"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pending(self) -> bool:
        return self.status == TracedStatus.PENDING
