"""The elements of one list in a JSON object, as text, found without parsing them.

A batch whose one item nests too deeply for a parser must still have its other items read:
this scanner walks the text with a loop and a depth counter (no recursion), finds the list
under the wanted key of the top-level object, and returns each element's text for the
caller to parse (and refuse) one by one. It checks only the structure it walks; each
element is validated when it is parsed.
"""

import json.decoder
from collections.abc import Callable

# The standard library's (C) reader of a JSON string's body: (text, end) from after its
# opening quote. Not in the type stubs.
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

_SPACE = " \t\n\r"


class SplitError(ValueError):
    """The text is not an object holding a list under the key."""


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _expect(text: str, pos: int, chars: str) -> str:
    if pos >= len(text) or text[pos] not in chars:
        raise SplitError(f"expected one of {chars!r} at {pos}")
    return text[pos]


def _value_end(text: str, pos: int) -> int:
    """Where the value starting at `pos` ends: brackets are counted, strings skipped."""
    depth = 0
    index = pos
    while index < len(text):
        char = text[index]
        if char == '"':
            index = scanstring(text, index + 1, False)[1]
            if depth == 0:
                return index
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            if depth == 0:
                return index  # the end of a scalar, at its container's closing bracket
            depth -= 1
            if depth == 0:
                return index + 1
        elif depth == 0 and (char == "," or char in _SPACE):
            return index
        index += 1
    if depth:
        raise SplitError("unclosed bracket")
    return index


def split_list(text: str, key: str) -> list[str]:
    """The text of each element of the list `text[key]` (text being a JSON object)."""
    try:
        pos = _skip_space(text, 0)
        _expect(text, pos, "{")
        pos = _skip_space(text, pos + 1)
        found: list[str] | None = None
        if pos < len(text) and text[pos] == "}":
            raise SplitError(f"no {key!r}")
        while True:
            _expect(text, pos, '"')
            name, pos = scanstring(text, pos + 1, False)
            pos = _skip_space(text, pos)
            _expect(text, pos, ":")
            pos = _skip_space(text, pos + 1)
            if name == key and found is None:
                _expect(text, pos, "[")
                found, pos = _elements(text, pos + 1)
            else:
                end = _value_end(text, pos)
                if end == pos:
                    raise SplitError(f"no value at {pos}")
                pos = end
            pos = _skip_space(text, pos)
            if _expect(text, pos, ",}") == "}":
                break
            pos = _skip_space(text, pos + 1)
    except ValueError as exc:  # scanstring's own errors too
        raise SplitError(str(exc)) from exc
    if found is None:
        raise SplitError(f"no {key!r}")
    return found


def _elements(text: str, pos: int) -> tuple[list[str], int]:
    elements: list[str] = []
    pos = _skip_space(text, pos)
    if pos < len(text) and text[pos] == "]":
        return elements, pos + 1
    while True:
        end = _value_end(text, pos)
        if end == pos:
            raise SplitError(f"no value at {pos}")
        elements.append(text[pos:end])
        pos = _skip_space(text, end)
        if _expect(text, pos, ",]") == "]":
            return elements, pos + 1
        pos = _skip_space(text, pos + 1)
