"""Every read and write of ID numbers and phones goes through this module.

At rest a value is three columns: the AEAD ciphertext, a keyed blind index for exact
lookups (scanning an ID card finds the person), and the masked form that lists show.
Full values come back only through `reveal_*`, which callers audit.
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.lib import idnumbers, phones
from wangge.lib.crypto import BlindIndex, Cipher, Keyring

ID_CONTEXT = b"id_number"
PHONE_CONTEXT = b"phone"


@cache
def cipher() -> Cipher:
    return Cipher(Keyring.parse(settings.WANGGE_DATA_KEYS))


@cache
def blind_index() -> BlindIndex:
    return BlindIndex(Keyring.parse(settings.WANGGE_INDEX_KEYS))


def reset_keys() -> None:
    """Forget the cached keyrings (after settings change, e.g. in a rotation)."""
    cipher.cache_clear()
    blind_index.cache_clear()


@dataclass(frozen=True)
class Sealed:
    cipher: bytes | None
    index: str | None
    masked: str


def _id_index_value(id_type: str, number: str) -> str:
    return f"{id_type}:{number}"


def seal_id_number(id_type: str, number: str) -> Sealed:
    """A validated, canonical number as it is stored."""
    if not number:
        return Sealed(None, None, "")
    return Sealed(
        cipher().encrypt(number, ID_CONTEXT),
        blind_index().compute(_id_index_value(id_type, number), ID_CONTEXT),
        idnumbers.mask(id_type, number),
    )


def seal_phone(number: str) -> Sealed:
    if not number:
        return Sealed(None, None, "")
    return Sealed(
        cipher().encrypt(number, PHONE_CONTEXT),
        blind_index().compute(number, PHONE_CONTEXT),
        phones.mask(number),
    )


def id_number_lookups(id_type: str, number: str) -> list[str]:
    """Blind-index values to match, under every key, for an exact ID lookup."""
    return blind_index().candidates(_id_index_value(id_type, number), ID_CONTEXT)


def phone_lookups(number: str) -> list[str]:
    return blind_index().candidates(number, PHONE_CONTEXT)


def _index_is_current(value: str | None) -> bool:
    if value is None:
        return True
    return value.partition("$")[0].encode() == blind_index().keyring.current_id


def _cipher_is_current(blob: bytes | memoryview | None) -> bool:
    return blob is None or cipher().is_current(bytes(blob))


def personal_data_models() -> list[type["PersonalPhone"]]:
    """Every concrete model holding personal data (a resident, a worker), found through the
    app registry so that a model added later (a visitor registered at a checkpoint) is
    covered too."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, PersonalPhone) and not model._meta.proxy
    ]


class PersonalPhone(models.Model):
    """Abstract: a person's phone, stored encrypted with a blind index (a worker, who has
    no ID number on record)."""

    # What a key rotation rewrites (the `rotate_keys` command).
    SEALED_FIELDS: tuple[str, ...] = ("phone_cipher", "phone_index", "phone_masked")

    phone_cipher = models.BinaryField(null=True, editable=False)
    phone_index = models.CharField(max_length=48, null=True, editable=False, db_index=True)  # noqa: DJ001
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)

    class Meta:
        abstract = True

    def set_phone(self, number: str) -> None:
        sealed = seal_phone(number)
        self.phone_cipher = sealed.cipher
        self.phone_index = sealed.index
        self.phone_masked = sealed.masked

    def reveal_phone(self) -> str:
        """The full number. Callers must audit the reveal."""
        if self.phone_cipher is None:
            return ""
        return cipher().decrypt(bytes(self.phone_cipher), PHONE_CONTEXT)

    def needs_reseal(self) -> bool:
        """Whether a value is still encrypted or indexed under a key that is not current."""
        return not (_cipher_is_current(self.phone_cipher) and _index_is_current(self.phone_index))

    def reseal(self) -> bool:
        """Re-encrypt and re-index with the current keys (a key rotation); True if changed.

        Decrypting needs the old key, so it must stay in the keyring until every row has
        been resealed (see the `rotate_keys` command and docs/security.md).
        """
        if not self.needs_reseal():
            return False
        if self.phone_cipher is not None:
            self.set_phone(self.reveal_phone())
        return True


class PersonalIdentity(PersonalPhone):
    """Abstract: a person's document and phone, stored encrypted with a blind index."""

    SEALED_FIELDS = (
        "id_type",
        "id_number_cipher",
        "id_number_index",
        "id_number_masked",
        *PersonalPhone.SEALED_FIELDS,
    )

    id_type = models.CharField(
        _("ID type"),
        max_length=20,
        choices=[
            (idnumbers.IdType.RESIDENT_CARD, _("Resident ID card")),
            (idnumbers.IdType.HK_MACAU_PERMIT, _("Hong Kong / Macau permit")),
            (idnumbers.IdType.TAIWAN_PERMIT, _("Taiwan permit")),
            (idnumbers.IdType.PASSPORT, _("Passport")),
            (idnumbers.IdType.NONE, _("No document (e.g. newborn)")),
        ],
        default=idnumbers.IdType.RESIDENT_CARD,
    )
    id_number_cipher = models.BinaryField(null=True, editable=False)
    # NULL, not "", for "no number": the uniqueness constraint only covers real numbers.
    id_number_index = models.CharField(max_length=48, null=True, editable=False, db_index=True)  # noqa: DJ001
    id_number_masked = models.CharField(_("ID number"), max_length=24, blank=True, editable=False)

    class Meta:
        abstract = True

    def set_id_number(self, id_type: str, number: str) -> None:
        sealed = seal_id_number(id_type, number)
        self.id_type = id_type
        self.id_number_cipher = sealed.cipher
        self.id_number_index = sealed.index
        self.id_number_masked = sealed.masked

    def reveal_id_number(self) -> str:
        """The full number. Callers must audit the reveal (residents.actions does)."""
        if self.id_number_cipher is None:
            return ""
        return cipher().decrypt(bytes(self.id_number_cipher), ID_CONTEXT)

    def needs_reseal(self) -> bool:
        return super().needs_reseal() or not (
            _cipher_is_current(self.id_number_cipher) and _index_is_current(self.id_number_index)
        )

    def reseal(self) -> bool:
        if not self.needs_reseal():
            return False
        if self.id_number_cipher is not None:
            self.set_id_number(self.id_type, self.reveal_id_number())
        super().reseal()
        return True
