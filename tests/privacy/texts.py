"""What an attacker reads, cut into pieces that can be attributed to one person.

A piece ("chunk") is a table row, a list item, a JSON object, a spreadsheet row, a
database row or a window of raw bytes; a whole document is a chunk too. Table and sheet
cells carry their column's header ("年龄: 35"), so a bare number in an Age column reads as
an age. `Ledger` keeps, per person and per source, the facts of every chunk attributed to
them and where they came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.privacy.candidates import (
    Facts,
    Truth,
    count_id,
    count_phone,
    facts_from_raw,
    facts_from_text,
)

_TAG = re.compile(r"<[^>]+>")
_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_ROW = re.compile(r"<tr\b.*?</tr>", re.S | re.I)
_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)</t[dh]>", re.S | re.I)
_ITEM = re.compile(r"<li\b.*?</li>", re.S | re.I)
_FORM = re.compile(r"<form\b.*?</form>", re.S | re.I)


def plain(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", markup))


def _readable(markup: str) -> str:
    """The markup as the attacker reads it: attributes (input values, titles) and text."""
    return html.unescape(markup) + "\n" + plain(markup)


def html_chunks(page: str) -> list[str]:
    chunks = [_readable(page)]
    for table in _TABLE.findall(page):
        header: list[str] = []
        for row in _ROW.findall(table):
            cells = _CELL.findall(row)
            if cells and all(kind.lower() == "h" for kind, _ in cells):
                header = [plain(text).strip() for _, text in cells]
                continue
            labelled = [
                f"{header[i] if i < len(header) else ''}: {_readable(text)}"
                for i, (_, text) in enumerate(cells)
            ]
            chunks.append(" | ".join(labelled) + "\n" + _readable(row))
    chunks += [_readable(item) for item in _ITEM.findall(page)]
    chunks += [_readable(form) for form in _FORM.findall(page)]
    return chunks


def json_chunks(value: Any) -> list[str]:
    chunks = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            chunks.append(json.dumps(node, ensure_ascii=False, default=str))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return chunks or [json.dumps(value, ensure_ascii=False, default=str)]


def _cell(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def table_chunks(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Rows of a sheet or a CSV file; the first row with three texts or more is the header."""
    chunks = ["\n".join(" | ".join(_cell(v) for v in row) for row in rows)]
    header: list[str] = []
    for row in rows:
        texts = [_cell(value) for value in row]
        if not header and sum(1 for v in row if isinstance(v, str) and v.strip()) >= 3:
            header = texts
            continue
        chunks.append(
            " | ".join(
                f"{header[i] if i < len(header) else ''}: {text}" for i, text in enumerate(texts)
            )
        )
    return chunks


def xlsx_chunks(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    chunks: list[str] = []
    for sheet in book.worksheets:
        chunks += table_chunks([list(row) for row in sheet.iter_rows(values_only=True)])
    return chunks


def csv_chunks(text: str) -> list[str]:
    return table_chunks(list(csv.reader(io.StringIO(text))))


def response_chunks(content_type: str, body: bytes) -> list[str]:
    """The chunks of an HTTP answer, by its type (a PDF arrives as the HTML it is made of:
    the test captures WeasyPrint's input)."""
    kind = content_type.split(";")[0].strip().lower()
    if "spreadsheetml" in kind:
        return xlsx_chunks(body)
    text = body.decode("utf-8", errors="replace")
    if kind == "application/json":
        try:
            return json_chunks(json.loads(text))
        except ValueError:
            return [text]
    if kind == "text/csv":
        return csv_chunks(text)
    if kind in ("text/html", "application/pdf"):
        return html_chunks(text)
    return [text]


# --- attribution and the ledger -------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A person as the test attributes texts to them: markers only they carry."""

    label: str
    truth: Truth
    markers: tuple[str, ...]  # their unique name and resident code


def named(chunk: str, people: Sequence[Person]) -> list[Person]:
    return [p for p in people if any(marker and marker in chunk for marker in p.markers)]


@dataclass
class Evidence:
    """A person's combined facts in one source, each place's own (ID, phone) counts, and
    a ceiling on the ID count found otherwise (a keyed hash brute-forced)."""

    facts: Facts
    places: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    ceiling: int | None = None


@dataclass
class Ledger:
    """Per source, per person: the combined facts and each place's own counts."""

    today: dt.date
    people: Sequence[Person]
    sources: dict[str, dict[str, Evidence]] = field(default_factory=dict)

    def blank(self, person: Person) -> Facts:
        return Facts(person.truth.blank_id_facts(), person.truth.blank_phone_facts())

    def add(
        self, source: str, place: str, person: Person, chunk: str, *, raw: bool = False
    ) -> None:
        """The facts of a chunk (`raw`: bytes of a file, read without token bounds)."""
        read = facts_from_raw if raw else facts_from_text
        facts = read(chunk, person.truth, self.today)
        blank = self.blank(person)
        if facts == blank:
            return
        book = self.sources.setdefault(source, {})
        evidence = book.setdefault(person.label, Evidence(blank))
        evidence.facts = evidence.facts.merge(facts)
        evidence.places.append(
            (place, count_id(facts.id, person.truth, self.today), _phone(facts, person))
        )

    def read(self, source: str, place: str, chunks: Iterable[str], *, sole: bool = True) -> None:
        """Attribute each chunk to the person it names (`sole`: only if it names one)."""
        self.sources.setdefault(source, {})  # read, even if it gives nothing away
        for chunk in chunks:
            who = named(chunk, self.people)
            if sole and len(who) != 1:
                continue
            for person in who:
                self.add(source, place, person, chunk)

    def combine(self, source: str, parts: Sequence[str]) -> None:
        """A source that holds what several others hold (a role's pages and its device)."""
        for part in parts:
            for label, evidence in self.sources.get(part, {}).items():
                book = self.sources.setdefault(source, {})
                mine = book.setdefault(label, Evidence(evidence.facts))
                mine.facts = mine.facts.merge(evidence.facts)
                mine.places += evidence.places
                if evidence.ceiling is not None:
                    mine.ceiling = min(mine.ceiling or evidence.ceiling, evidence.ceiling)

    def counts(self) -> Iterator[tuple[str, Person, int | None, int | None, Evidence | None]]:
        """(source, person, ID candidates, phone candidates, evidence) for every pair."""
        for source, book in self.sources.items():
            for person in self.people:
                evidence = book.get(person.label)
                facts = evidence.facts if evidence else self.blank(person)
                ids = count_id(facts.id, person.truth, self.today)
                if ids is not None and evidence and evidence.ceiling is not None:
                    ids = min(ids, evidence.ceiling)
                yield source, person, ids, _phone(facts, person), evidence


def _phone(facts: Facts, person: Person) -> int | None:
    return count_phone(facts.phone) if person.truth.phone else None


def raw_windows(
    blob: bytes, people: Sequence[Person], width: int = 600
) -> Iterator[tuple[Person, str]]:
    """Windows of raw bytes around every occurrence of a person's marker (a database page
    keeps a row's columns together, and old versions of rows linger in the WAL); each
    distinct window once (the WAL repeats pages)."""
    for person in people:
        seen: set[bytes] = set()
        for marker in person.markers:
            if not marker:
                continue
            needle = marker.encode()
            start = blob.find(needle)
            while start != -1:
                window = blob[max(0, start - width) : start + len(needle) + width]
                if window not in seen:
                    seen.add(window)
                    yield person, window.decode("utf-8", errors="ignore")
                start = blob.find(needle, start + 1)
