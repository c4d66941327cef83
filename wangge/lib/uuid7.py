"""Time-ordered UUIDs (RFC 9562 version 7).

Random UUIDv4 keys in a hot unique index cost a factor of six on SQLite
(shared/PERFORMANCE.md); v7 keeps inserts at the right edge of the index.
"""

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68) << 64  # 12 random bits
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)
