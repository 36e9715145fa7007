"""The audit trail's hash chain: how a row is hashed, and how a chain is checked.

Every ``audit_event`` row carries ``prev_hash`` (the hash of the row before it; none for the
first row) and ``hash`` = SHA-256 over a version tag, ``prev_hash`` and the canonical
serialisation of the row's own content (``at``, ``staff_id``, ``login``, ``action``, ``entity``,
``entity_id``, ``fields``, ``detail``; the id is not part of it). A row changed in place no longer
matches its hash; a row removed leaves the next row pointing at a hash that is not the one before
it; a row slipped in by hand has no hash, or one that nothing points at.

The chain proves the trail is unbroken, not who wrote its newest rows: someone who can write the
table and knows this algorithm can append well-formed rows, or cut the tail off and leave a
shorter, sound chain. Hashes recorded elsewhere close that gap: each day sign-off (日次確認)
stores the chain head of its moment (an *anchor*), and a check that cannot find an anchor's hash
in the chain reports the rows after it as removed.

Plain Python (no database): :class:`ChainWalker` is fed the stored rows in id order, in as many
pieces as the caller likes, and reports the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

#: Part of every hash, so that a later change of the serialisation can say which one it used.
CHAIN_VERSION = b"setacare-audit-chain-v1"


@dataclass(frozen=True, slots=True)
class ChainContent:
    """What a row's hash covers (the stored values, as read back)."""

    at: datetime
    staff_id: int | None
    login: str
    action: str
    entity: str | None
    entity_id: str | None
    fields: Iterable[str] | None
    detail: str | None


def canonical(content: ChainContent) -> bytes:
    """The row's content as compact JSON (ASCII only, so any text, even a lone surrogate, has
    exactly one serialisation); the time as naive ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    at = content.at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    fields = None if content.fields is None else list(content.fields)
    values = [at, content.staff_id, content.login, content.action, content.entity,
              content.entity_id, fields, content.detail]
    return json.dumps(values, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def link_hash(prev_hash: str | None, content: ChainContent) -> str:
    """The hash of a row whose predecessor's hash is ``prev_hash`` (None for the first row)."""
    digest = hashlib.sha256(CHAIN_VERSION)
    digest.update(b"\n")
    digest.update((prev_hash or "").encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(content))
    return digest.hexdigest()


class BreakKind(StrEnum):
    DELETED = "deleted"  # a row (or rows) before this one is gone
    CHANGED = "changed"  # this row's content no longer matches its hash
    INSERTED = "inserted"  # this row was not written by the program
    TRUNCATED = "truncated"  # the newest rows are gone (an anchor's hash is not in the chain)

    @property
    def label(self) -> str:
        return BREAK_LABELS[self]


BREAK_LABELS: dict[BreakKind, str] = {
    BreakKind.DELETED: "削除",
    BreakKind.CHANGED: "書き換え",
    BreakKind.INSERTED: "挿入",
    BreakKind.TRUNCATED: "末尾の削除",
}


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link: its kind, the row where it shows, and the row before it."""

    kind: BreakKind
    row_id: int | None
    previous_id: int | None = None
    anchor: str = ""

    @property
    def message(self) -> str:
        """What happened, in plain Japanese, naming the rows."""
        if self.kind is BreakKind.CHANGED:
            return f"操作記録 No.{self.row_id} の内容が書き換えられています。"
        if self.kind is BreakKind.INSERTED:
            return (f"操作記録 No.{self.row_id} は、このプログラムが書いた記録ではありません"
                    "（後から挿入されています）。")
        if self.kind is BreakKind.DELETED:
            if self.previous_id is None:
                return f"操作記録 No.{self.row_id} より前の記録が削除されています。"
            return (f"操作記録 No.{self.previous_id} と No.{self.row_id} の間の記録が削除されて"
                    f"います（または No.{self.previous_id} が書き換えられています）。")
        after = f"No.{self.previous_id} より後の" if self.previous_id is not None else ""
        return (f"{self.anchor}の時点の操作記録が見つかりません。{after}記録が削除されているか、"
                "書き換えられています。")


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A row as read back: its id, both hashes and its content."""

    id: int
    prev_hash: str | None
    hash: str | None
    content: ChainContent


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of a check: how many rows were sound, the newest sound hash, the break."""

    count: int
    head: str | None
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass(slots=True)
class ChainWalker:
    """Checks a chain fed in id order, one piece at a time (``feed``), then ``finish``.

    ``anchors`` maps a recorded chain head to what recorded it (「池尻地区 2026-11-24 の日次確認」).
    A row is judged once the row after it is known: whether the next row skips it tells an
    inserted row from a changed one.
    """

    anchors: dict[str, str] = field(default_factory=dict)
    count: int = 0
    broken: ChainBreak | None = None
    last_id: int = 0  # the newest id fed (a caller reads on from here)
    _previous: StoredRow | None = None
    _current: StoredRow | None = None

    def feed(self, rows: Iterable[StoredRow]) -> bool:
        """Check these rows (after those fed before); False once a break is found."""
        for row in rows:
            if self.broken is not None:
                return False
            self.last_id = row.id
            if self._current is not None:
                self._judge(self._current, row)
            self._current = row
        return self.broken is None

    def finish(self) -> ChainReport:
        """Judge the last row, then look for every anchor; the report."""
        if self.broken is None and self._current is not None:
            self._judge(self._current, None)
            self._current = None
        if self.broken is None and self.anchors:
            anchor = next(iter(self.anchors.values()))  # the oldest one missing
            self.broken = ChainBreak(BreakKind.TRUNCATED, None,
                                     self._previous.id if self._previous else None, anchor)
        return ChainReport(self.count, self._previous.hash if self._previous else None,
                           self.broken)

    @property
    def head(self) -> str | None:
        return self._previous.hash if self._previous else None

    def _judge(self, row: StoredRow, following: StoredRow | None) -> None:
        problem = judge(self._previous, row, following)
        if problem is not None:
            self.broken = problem
            return
        self.anchors.pop(row.hash or "", None)
        self.count += 1
        self._previous = row


def judge(previous: StoredRow | None, row: StoredRow,
          following: StoredRow | None) -> ChainBreak | None:
    """The break ``row`` shows after ``previous`` (a sound row, or None at the start)."""
    expected = previous.hash if previous else None
    previous_id = previous.id if previous else None
    linked = row.prev_hash == expected
    sound = row.hash is not None and row.hash == link_hash(row.prev_hash, row.content)
    if linked and sound:
        return None
    if row.hash is None or (following is not None and following.prev_hash == expected):
        return ChainBreak(BreakKind.INSERTED, row.id, previous_id)  # the next row skips it
    if linked:
        return ChainBreak(BreakKind.CHANGED, row.id, previous_id)
    if sound:
        return ChainBreak(BreakKind.DELETED, row.id, previous_id)
    return ChainBreak(BreakKind.INSERTED, row.id, previous_id)


def verify(rows: Iterable[StoredRow], anchors: Mapping[str, str] | None = None) -> ChainReport:
    """Check a whole chain at once."""
    walker = ChainWalker(dict(anchors or {}))
    walker.feed(rows)
    return walker.finish()
