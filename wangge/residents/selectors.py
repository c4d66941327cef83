"""Reads of the registry. Every one starts from `visible_to(user, permission)`."""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q

from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.core.permissions import Perm
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


class IdentityLookup(StrEnum):
    """How a search used a person's identity: each is audited like a reveal."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    PHONE_LAST_FOUR = "phone_last_four"


@dataclass(frozen=True)
class SearchTerms:
    """What a search box query matches, and which identity lookups that takes."""

    condition: Q
    lookups: tuple[IdentityLookup, ...]


def search_terms(query: str) -> SearchTerms | None:
    """Read a query as a name, exact ID number, phone, resident code or a phone's last four.

    Full ID numbers and phones are encrypted, so they match exactly through the blind
    index; the last four digits of a phone are in its mask. An ID number's last digits
    are in no mask, so they find nobody. None for an empty query.
    """
    text = idnumbers.normalise_text(query)
    if not text:
        return None
    condition = Q(name__startswith=text)
    lookups: list[IdentityLookup] = []
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
        if IdentityLookup.ID_NUMBER not in lookups:
            lookups.append(IdentityLookup.ID_NUMBER)
    try:
        phone = phones.validate(text)
    except phones.PhoneError:
        phone = ""  # stored phones are valid ones: nothing else can match
    if phone:
        condition |= Q(phone_index__in=phone_lookups(phone))
        lookups.append(IdentityLookup.PHONE)
    if re.fullmatch(r"[0-9]{4}", number):
        condition |= Q(phone_masked__endswith=number)
        lookups.append(IdentityLookup.PHONE_LAST_FOUR)
    return SearchTerms(condition, tuple(lookups))


def residents_matching(user: Any, terms: SearchTerms | None) -> ResidentQuerySet:
    """The residents in the user's scope that search terms find. Pages search through
    `actions.find_residents`, which audits the lookups by ID number or phone."""
    visible: ResidentQuerySet = Resident.objects.visible_to(user, Perm.VIEW_REGISTRY)
    if terms is None:
        return visible.none()
    return visible.filter(terms.condition)


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
