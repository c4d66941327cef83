"""System checks: the keys of personal data are well-formed and kept apart."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from wangge.lib.crypto import Keyring, KeyringError


@register(Tags.security)
def check_personal_data_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Malformed keyrings would only fail at the first read of a number; fail at start."""
    errors: list[CheckMessage] = []
    rings: dict[str, Keyring] = {}
    for name in ("WANGGE_DATA_KEYS", "WANGGE_INDEX_KEYS"):
        try:
            rings[name] = Keyring.parse(getattr(settings, name))
        except KeyringError as exc:
            errors.append(Error(f"{name} is malformed: {exc}", id="wangge.E001"))
    if len(rings) == 2:
        data = {key for _id, key in rings["WANGGE_DATA_KEYS"].keys}
        index = {key for _id, key in rings["WANGGE_INDEX_KEYS"].keys}
        if data & index:
            errors.append(
                Error(
                    "WANGGE_DATA_KEYS and WANGGE_INDEX_KEYS share a key; "
                    "the encryption and the blind index must use different keys",
                    id="wangge.E002",
                )
            )
    return errors
