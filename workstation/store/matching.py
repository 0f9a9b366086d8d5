"""DICOM attribute matching on stored values (PS3.4 C.2.2.2), as SQLite functions.

Wildcards ``*`` and ``?``; person names are matched case-insensitively against the
whole name and against each component group (alphabetic, ideographic, phonetic), so
``山田*`` finds ``Yamada^Tarou=山田^太郎=やまだ^たろう``.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from workstation.store.records import fold


@lru_cache(maxsize=512)
def wildcard_regex(pattern: str, casefold: bool = False) -> re.Pattern[str]:
    """Compile a DICOM wildcard pattern into an anchored regular expression."""
    if casefold:
        pattern = fold(pattern)
    parts = []
    for ch in pattern:
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
    return wildcard_regex(pattern).fullmatch(value or "") is not None


def match_pn(pattern: str, value: str | None) -> bool:
    """Person-name match: case-insensitive, whole name or any component group.

    A multi-valued name (values joined with a backslash) matches when any value does.
    """
    rx = wildcard_regex(_normalise_pn(pattern), casefold=True)
    for name in fold(value or "").split("\\"):
        if rx.fullmatch(name) or rx.fullmatch(_normalise_pn(name)):
            return True
        if "=" in name and any(rx.fullmatch(_normalise_pn(g)) for g in name.split("=") if g):
            return True
    return False


def register(conn: sqlite3.Connection) -> None:
    """Make ``pn_match(pattern, value)`` available (other keys: match_values.key_match)."""
    conn.create_function("pn_match", 2, match_pn, deterministic=True)
