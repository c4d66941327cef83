"""Reads of the registry. Every one starts from `visible_to(user, permission)`."""

import re
from typing import Any

from django.db.models import Q

from wangge.accounts.roles import Perm
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.core.personal_data import id_number_lookups, phone_lookups
from wangge.core.scoping import get_visible_or_404
from wangge.lib import idnumbers, phones
from wangge.lib.idnumbers import IdType
from wangge.residents.models import (
    RESIDENT_CODE_LENGTH,
    ImportBatch,
    Resident,
    ResidentQuerySet,
)

_CODE = re.compile(rf"^[0-9A-HJKMNP-TV-Z]{{{RESIDENT_CODE_LENGTH}}}$")


def search_residents(user: Any, query: str) -> ResidentQuerySet:
    """Find people by name, exact ID number, phone, resident code, or the last four digits.

    Full ID numbers and phones are encrypted, so they match exactly through the blind
    index; a partial number can only match the visible last four of the masked form.
    """
    visible: ResidentQuerySet = Resident.objects.visible_to(user, Perm.VIEW_REGISTRY)
    text = idnumbers.normalise_text(query)
    if not text:
        return visible.none()
    condition = Q(name__startswith=text)
    number = idnumbers.normalise(text)
    if _CODE.match(number):
        condition |= Q(code=number)
    for id_type in (
        IdType.RESIDENT_CARD,
        IdType.PASSPORT,
        IdType.HK_MACAU_PERMIT,
        IdType.TAIWAN_PERMIT,
    ):
        try:
            canonical = idnumbers.validate(id_type, number)
        except idnumbers.IdNumberError:
            continue
        condition |= Q(id_number_index__in=id_number_lookups(id_type, canonical))
    phone = phones.normalise(text)
    if phone.isdigit() and len(phone) >= 7:
        condition |= Q(phone_index__in=phone_lookups(phone))
    if len(number) == 4 and re.fullmatch(r"\d{3}[\dX]", number):
        condition |= Q(id_number_masked__endswith=number) | Q(phone_masked__endswith=number)
    return visible.filter(condition)


# How many areas the import page offers to choose from (a district has about a thousand).
IMPORT_AREA_CHOICES = 2000


def import_areas(user: Any) -> list[Area]:
    """The areas a user may import a register into, in tree order (buildings left out)."""
    areas = (
        Area.objects.visible_to(user, Perm.IMPORT_REGISTRY)
        .exclude(kind=AreaKind.BUILDING)
        .order_by("path")
    )
    return list(areas[:IMPORT_AREA_CHOICES])


def visible_import(user: Any, pk: int) -> ImportBatch:
    """One of the user's own register imports; anyone else's does not exist for them."""
    batch: ImportBatch = get_visible_or_404(
        ImportBatch.objects.of_uploader(user).select_related("area"),
        user,
        Perm.IMPORT_REGISTRY,
        pk=pk,
    )
    return batch


def recent_imports(user: Any, limit: int = 10) -> list[ImportBatch]:
    """The user's latest register imports, newest first."""
    batches = (
        ImportBatch.objects.visible_to(user, Perm.IMPORT_REGISTRY)
        .of_uploader(user)
        .select_related("area")
        .order_by("-created_at", "-pk")
    )
    return list(batches[:limit])
