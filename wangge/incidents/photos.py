"""Photos of incidents: checked, re-encoded and kept out of public reach.

A photo is personal enough (a face, a door number) that it is never served as a static
file: it lives under MEDIA_ROOT/incidents in files readable by the server's account only,
and the incident page serves it through a view that checks the viewer's scope. An upload
must be a JPEG, PNG or WebP image no larger than WANGGE_INCIDENT_PHOTO_MAX_MB; it is
decoded and written again as a JPEG of at most PHOTO_MAX_SIDE pixels a side, which drops
its metadata (a phone's photo carries the GPS position of where it was taken) and anything
hidden in the file beside the picture.
"""

import io
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})
PHOTO_MAX_SIDE = 2048
# A decoded picture larger than this is refused before it is decoded (a decompression bomb).
MAX_PIXELS = 40_000_000


class PrivatePhotoStorage(FileSystemStorage):
    """MEDIA_ROOT (names start with incidents/), files 0600 in directories 0700, no public
    URL. The location is left to the setting, read when first needed (a test's own
    MEDIA_ROOT applies)."""

    def __init__(self) -> None:
        super().__init__(
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )

    def url(self, name: str | None) -> str:
        raise ValueError("incident photos have no public URL: serve them through their view")


def photo_storage() -> PrivatePhotoStorage:
    return PrivatePhotoStorage()


def photo_path(instance: Any, filename: str) -> str:
    """A name that says nothing of the upload's own name: the month and a random id."""
    return f"incidents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


def clean_photo(upload: File[Any]) -> ContentFile[bytes]:
    """The upload checked (size, format) and written again as a bare JPEG."""
    limit = settings.WANGGE_INCIDENT_PHOTO_MAX_MB * 1024 * 1024
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The photo is larger than %(mb)d MB."),
            code="too_large",
            params={"mb": settings.WANGGE_INCIDENT_PHOTO_MAX_MB},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _("The photo must be a JPEG, PNG or WebP image."), code="format"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_large")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
            picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=85)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(_("The file is not a readable image."), code="format") from exc
    return ContentFile(out.getvalue(), name="photo.jpg")
