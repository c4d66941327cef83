"""Settings for the test suite: fixed keys, fast hashing, the database from DATABASE_URL."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("WANGGE_DATA_KEYS", "k1:dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLi4uLi4=")
os.environ.setdefault("WANGGE_INDEX_KEYS", "i1:dGVzdC1pbmRleC1rZXktMzItYnl0ZXMtbG9uZy4uLi4=")

from wangge.settings import *  # noqa: E402,F403
from wangge.settings import DATABASES, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}  # in-memory
AXES_ENABLED = True
