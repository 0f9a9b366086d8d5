"""What a UID received from a peer may hold, and what an error comment may hold, so that
every answer can be encoded (PS3.5 6.2: UI at most 64 bytes of digits and dots; LO at
most 64 characters of the default repertoire, no backslash, no control characters)."""

from __future__ import annotations

UI_MAX = 64
LO_MAX = 64
_UID_CHARS = frozenset(b"0123456789.")


def uid_problem(raw: bytes) -> str | None:
    """Why ``raw`` (a UI value as received, trailing NUL/space padding allowed) cannot be
    taken as a UID at all; None when it can (printable, even if non-conformant)."""
    value = raw.rstrip(b"\x00 ")
    if not value:
        return "empty"
    if any(c < 0x20 or c > 0x7E for c in value):
        return "control or non-ASCII characters"
    if b"\\" in value:
        return "a backslash (several values)"
    if len(value) > UI_MAX:
        return f"{len(value)} characters, over {UI_MAX}"
    return None


def is_conformant_uid(value: str) -> bool:
    """Digits and dots only, at most 64 characters, no empty or zero-led components."""
    raw = value.encode("ascii", "replace")
    if not raw or len(raw) > UI_MAX or not set(raw) <= _UID_CHARS:
        return False
    return all(part and (part == b"0" or part[:1] != b"0") for part in raw.split(b"."))


def encodable_comment(text: str) -> str:
    """``text`` as an Error Comment (LO) can carry it: ASCII printable, no backslash,
    at most 64 characters; everything else replaced by '?'."""
    clean = "".join(c if " " <= c <= "~" and c != "\\" else "?" for c in text)
    return clean.strip()[:LO_MAX].rstrip()
