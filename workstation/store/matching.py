"""DICOM attribute matching on stored values (PS3.4 C.2.2.2), as SQLite functions.

Wildcards ``*`` and ``?`` are matched without backtracking (``Wildcard``): at most
O(len(value) * len(pattern)) steps whatever the pattern, so a hostile C-FIND cannot
keep the node busy. Person names are matched case-insensitively against the whole
name and against each component group (alphabetic, ideographic, phonetic), so
``山田*`` finds ``Yamada^Tarou=山田^太郎=やまだ^たろう``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache

from workstation.store.records import fold


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the pattern between two ``*``: literal text where ``?`` is any one character."""

    text: str
    anchor: str  # its longest literal piece, found with str.find ('' when all '?')
    offset: int  # where ``anchor`` starts in ``text``

    @classmethod
    def of(cls, text: str) -> Segment:
        pieces = text.split("?")
        best = max(range(len(pieces)), key=lambda i: len(pieces[i]))
        offset = sum(len(p) + 1 for p in pieces[:best])
        return cls(text, pieces[best], offset)

    def matches_at(self, value: str, start: int) -> bool:
        """Does the segment match ``value`` from ``start`` on (``?`` any one character)?"""
        text = self.text
        if start < 0 or start + len(text) > len(value):
            return False
        if "?" not in text:
            return value.startswith(text, start)
        return all(p == "?" or p == value[start + i] for i, p in enumerate(text))

    def find(self, value: str, start: int) -> int:
        """The first position >= ``start`` where the segment matches, or -1."""
        if not self.anchor:
            return start if start + len(self.text) <= len(value) else -1
        if "?" not in self.text:
            return value.find(self.text, start)
        pos = value.find(self.anchor, start + self.offset)
        while pos >= 0:
            if self.matches_at(value, pos - self.offset):
                return pos - self.offset
            pos = value.find(self.anchor, pos + 1)
        return -1


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A compiled DICOM wildcard pattern; ``fullmatch`` is linear in the value per segment.

    Runs of ``*`` are one ``*``; the first and last segments are matched anchored, the
    middle ones left to right at their first occurrence (the leftmost one leaves the most
    room to the rest, so no other occurrence ever needs trying).
    """

    segments: tuple[Segment, ...]
    starred: bool  # the pattern has at least one '*'

    @classmethod
    def compile(cls, pattern: str) -> Wildcard:
        pattern = re.sub(r"\*+", "*", pattern)
        return cls(tuple(Segment.of(s) for s in pattern.split("*")), "*" in pattern)

    def fullmatch(self, value: str) -> bool:
        segments = self.segments
        if not self.starred:
            only = segments[0]
            return len(value) == len(only.text) and only.matches_at(value, 0)
        first, last = segments[0], segments[-1]
        end = len(value) - len(last.text)
        if end < len(first.text) or not first.matches_at(value, 0):
            return False
        if not last.matches_at(value, end):
            return False
        pos = len(first.text)
        for segment in segments[1:-1]:
            found = segment.find(value, pos)
            if found < 0 or found + len(segment.text) > end:
                return False
            pos = found + len(segment.text)
        return True


@lru_cache(maxsize=512)
def wildcard(pattern: str, casefold: bool = False) -> Wildcard:
    """The compiled matcher of a DICOM wildcard pattern (cached)."""
    return Wildcard.compile(fold(pattern) if casefold else pattern)


def wildcard_match(pattern: str, value: str | None, casefold: bool = False) -> bool:
    """Does the whole of ``value`` match the DICOM wildcard ``pattern``?"""
    value = value or ""
    return wildcard(pattern, casefold).fullmatch(fold(value) if casefold else value)


@lru_cache(maxsize=512)
def wildcard_regex(pattern: str, casefold: bool = False) -> re.Pattern[str]:
    """A DICOM wildcard pattern as an anchored regular expression, runs of ``*`` as one.

    For callers that want a regex; matching untrusted patterns uses ``wildcard_match``
    (a regex of many ``*`` between letters still backtracks).
    """
    if casefold:
        pattern = fold(pattern)
    parts = []
    for ch in re.sub(r"\*+", "*", pattern):
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


def _normalise_pn(group: str) -> str:
    return group.rstrip("^ ")


def match_text(pattern: str, value: str | None) -> bool:
    """Single value or wildcard match, case-sensitive (most VRs)."""
    return wildcard(pattern).fullmatch(value or "")


def match_pn(pattern: str, value: str | None) -> bool:
    """Person-name match: case-insensitive, whole name or any component group.

    A multi-valued name (values joined with a backslash) matches when any value does.
    """
    matcher = wildcard(_normalise_pn(pattern), casefold=True)
    for name in fold(value or "").split("\\"):
        if matcher.fullmatch(name) or matcher.fullmatch(_normalise_pn(name)):
            return True
        if "=" in name and any(
            matcher.fullmatch(_normalise_pn(g)) for g in name.split("=") if g
        ):
            return True
    return False


def register(conn: sqlite3.Connection) -> None:
    """Make ``pn_match(pattern, value)`` available (other keys: match_values.key_match)."""
    conn.create_function("pn_match", 2, match_pn, deterministic=True)
