"""A natural sort key that a database can order by: 1-1-101 before 1-1-1001.

People read building 2 before building 10 and room 101 before room 1001; a text column
orders them the other way. `natural_sort_key` turns the parts of an address into one
string whose plain order is the natural one, so that a paginated list orders by it in SQL.

The key is the hexadecimal form of a byte string, made of 0-9 and a-f only: every
collation (SQLite's binary, PostgreSQL's "C" or a zh_CN locale) orders those characters
alike and ignores none of them, so the order is the same on every database.
"""

import re

# Stored in a column of this many characters; longer keys are cut, which can only
# confuse the order of two addresses alike in their first eighty bytes.
SORT_KEY_LENGTH = 160

_CHUNKS = re.compile(r"(\d+)")
_END_OF_PART = b"\x00"  # lower than anything: 1 sorts before 1A and before 1-2
_NUMBER = b"\x01"  # numbers before words: 3 before 东3
_TEXT = b"\x02"


def _part_bytes(part: str) -> bytes:
    key = b""
    for index, chunk in enumerate(_CHUNKS.split(part)):
        if not chunk:
            continue
        if index % 2:
            # A number: its count of digits first, so that 9 sorts before 10.
            digits = chunk.lstrip("0") or "0"
            key += _NUMBER + bytes([min(len(digits), 255)]) + digits.encode()
        else:
            key += _TEXT + chunk.casefold().encode()
    return key + _END_OF_PART


def natural_sort_key(*parts: str) -> str:
    """The key of an address given as its parts (building, unit, room): numbers inside
    each part compare as numbers, letters without regard to case."""
    key = b"".join(_part_bytes(part) for part in parts)
    return key.hex()[:SORT_KEY_LENGTH]
