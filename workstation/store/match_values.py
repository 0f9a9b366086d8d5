"""PS3.4 C.2.2.2 matching of one query value against one stored value, in Python.

Used for sequence items and for attributes kept in the ``attrs`` JSON; the SQL builder
(store/query.py) uses the same rules on indexed columns. Registered as SQLite functions.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from workstation.store.flatten import vr_of
from workstation.store.matching import match_pn, wildcard

DATE_TIME_VRS = ("DA", "TM", "DT")
NUMERIC_VRS = {"IS", "DS", "US", "SS", "UL", "SL", "FL", "FD", "UV", "SV"}

# Longest query value of each string VR (PS3.5 table 6.2-1; DA, TM and DT with range
# matching, PN per component group), in characters; a longer value is refused.
MAX_QUERY_LENGTH = {
    "AE": 16,
    "AS": 4,
    "CS": 16,
    "DA": 18,
    "DS": 16,
    "DT": 54,
    "IS": 12,
    "LO": 64,
    "LT": 10240,
    "PN": 64,
    "SH": 16,
    "ST": 1024,
    "TM": 28,
    "UI": 64,
}


def norm_time(value: str) -> str:
    """HHMMSS.FFFFFF, so that times of any precision compare as text."""
    value = value.replace(":", "").strip()
    whole, _, frac = value.partition(".")
    return whole.ljust(6, "0")[:6] + "." + frac.ljust(6, "0")[:6]


def norm_time_upper(value: str) -> str:
    """The last instant a possibly truncated time stands for ("12" -> 12:59:59.999999)."""
    value = value.replace(":", "").strip()
    whole, dot, frac = value.partition(".")
    pad = "235959"[len(whole) :] if len(whole) < 6 else ""
    return (whole + pad)[:6] + "." + (frac if dot else "").ljust(6, "9")[:6]


def norm_datetime(value: str, upper: bool = False) -> str:
    """YYYYMMDDHHMMSS.FFFFFF (time zone offsets ignored)."""
    value = value.strip()
    for sign in ("+", "-"):
        if sign in value[8:]:
            value = value[: 8 + value[8:].index(sign)]
    date, time_part = value[:8], value[8:]
    if upper:
        date = date + "1231"[len(date) - 4 :] if 4 <= len(date) < 8 else date
        date = date.ljust(8, "9")
        return date + (norm_time_upper(time_part) if time_part else "235959.999999")
    return date.ljust(8, "0") + norm_time(time_part)


def range_bounds(vr: str, query: str) -> tuple[str | None, str | None]:
    lo, _, hi = query.partition("-")
    if vr == "TM":
        return (norm_time(lo) if lo else None, norm_time_upper(hi) if hi else None)
    if vr == "DT":
        return (norm_datetime(lo) if lo else None, norm_datetime(hi, upper=True) if hi else None)
    return (lo or None, hi or None)


def normalised(vr: str, stored: str) -> str:
    if vr == "TM":
        return norm_time(stored)
    if vr == "DT":
        return norm_datetime(stored)
    return stored


def is_range(vr: str, query: str) -> bool:
    if vr == "DT":
        # a DT may carry a negative time zone offset: a range has '-' outside it
        return query.count("-") >= 1 and (
            query.startswith("-") or "-" in query[:15].lstrip("0123456789.")
        )
    return "-" in query


def over_length(vr: str, value: str) -> int | None:
    """The maximum length one query value of ``vr`` exceeds (PN: any component group),
    or None when it fits."""
    limit = MAX_QUERY_LENGTH.get(vr)
    if limit is None:
        return None
    parts = value.split("=") if vr == "PN" else [value]
    return limit if any(len(p) > limit for p in parts) else None


def is_universal(query: str) -> bool:
    """Zero length or only '*': every value matches, even an empty one."""
    return query.strip("*") == ""


def _stored_values(stored: Any) -> list[str]:
    if stored is None:
        return []
    if isinstance(stored, list):
        return [str(v) for v in stored]
    text = str(stored)
    return [text] + (text.split("\\") if "\\" in text else [])


def match_value(vr: str, query: str, stored: Any) -> bool:
    """Does ``stored`` (flat value, may be None) match the non-universal ``query``?"""
    if vr == "PN":
        return match_pn(query, None if stored is None else str(stored))
    if vr == "UI":
        wanted = set(query.split("\\"))
        return any(v in wanted for v in _stored_values(stored))
    if vr in DATE_TIME_VRS:
        if stored is None or str(stored) == "":
            return False  # an empty stored value never matches a range or a date
        text = str(stored)
        if is_range(vr, query):
            lo, hi = range_bounds(vr, query)
            value = normalised(vr, text)
            return (lo is None or value >= lo) and (hi is None or value <= hi)
        return text == query
    if vr in NUMERIC_VRS:
        try:
            q = float(query)
        except ValueError:
            return False
        for v in _stored_values(stored):
            try:
                if float(v) == q:
                    return True
            except ValueError:
                continue
        return False
    matcher = wildcard(query)
    return any(matcher.fullmatch(v) for v in _stored_values(stored))


def is_universal_item(query_item: dict[str, Any]) -> bool:
    """A sequence query item with no key to match (empty, or only universal keys)."""
    return all(_universal_value(v) for v in query_item.values())


def match_item(query_item: dict[str, Any], stored_items: list[dict[str, Any]] | None) -> bool:
    """Sequence matching: some stored item matches every non-universal key of the query item."""
    keys = {k: v for k, v in query_item.items() if not _universal_value(v)}
    if not keys:
        return True
    for item in stored_items or []:
        if all(_match_key(k, v, item.get(k)) for k, v in keys.items()):
            return True
    return False


def _universal_value(v: Any) -> bool:
    if isinstance(v, list):  # a nested sequence: universal when its items are
        return all(is_universal_item(item) for item in v)
    return is_universal("" if v is None else str(v))


def _match_key(keyword: str, query: Any, stored: Any) -> bool:
    vr = vr_of(keyword)
    if vr == "SQ":
        item = query[0] if isinstance(query, list) and query else {}
        return match_item(item, stored if isinstance(stored, list) else None)
    return match_value(vr, str(query), stored)


def _sql_seq_match(stored_json: str | None, query_item_json: str) -> bool:
    stored = json.loads(stored_json) if stored_json else None
    return match_item(json.loads(query_item_json), stored)


def register(conn: sqlite3.Connection) -> None:
    conn.create_function("key_match", 3, match_value, deterministic=True)
    conn.create_function("seq_match", 2, _sql_seq_match, deterministic=True)
    conn.create_function("norm_time", 1, _null_safe(norm_time), deterministic=True)
    conn.create_function("norm_datetime", 1, _null_safe(norm_datetime), deterministic=True)


def _null_safe(fn: Any) -> Any:
    """SQLite may call a function before a NULL check in the same WHERE: NULL stays NULL."""

    def wrapped(value: Any) -> Any:
        return None if value is None else fn(str(value))

    return wrapped
