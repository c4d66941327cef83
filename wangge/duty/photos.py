"""Photos of completed tasks: checked and stored like incidents' photos (incidents/photos.py:
private files, re-encoded without metadata), under their own directory."""

import uuid
from typing import Any

from django.utils import timezone


def completion_photo_path(instance: Any, filename: str) -> str:
    """A name that says nothing of the upload's own name: the month and a random id."""
    return f"duty/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"
