"""Our identity on the network and in files, and UID checks and generation."""

from __future__ import annotations

import hashlib
import re
import uuid

from workstation import __version__
from workstation.dicom.uid_rules import is_conformant_uid

# Fixed for the product: the same on the network (A-ASSOCIATE) and in File Meta Information.
IMPLEMENTATION_CLASS_UID = "2.25.202645335440047521455383694337860903539"
IMPLEMENTATION_VERSION_NAME = ("WORKSTATION_" + __version__.replace(".", ""))[:16]

_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")


def uid_problem(value: object) -> str | None:
    """Why ``value`` is not usable as a UID (None when it is)."""
    if value is None:
        return "missing"
    text = str(value).strip("\x00 ")
    if not text:
        return "empty"
    if len(text) > 64:
        return "longer than 64 characters"
    if not _UID.match(text):
        return "not digits separated by dots"
    return None


UID_KEPT_MAX = 1024  # a printable but non-conformant UID is kept up to this length


def uid_refusal(value: object) -> str | None:
    """Why a received UID cannot be kept at all (None: keep it as sent, conformant or
    not). Modalities in the field send letters, leading zeros or more than 64
    characters (CONFORMANCE.md, Storage SCP outcomes): those are kept; control
    characters, spaces inside, non-ASCII and path separators are not."""
    if value is None:
        return "missing"
    text = str(value).strip("\x00 ")
    if not text:
        return "empty"
    if any(not ("!" <= c <= "~") for c in text):
        return "control, space or non-ASCII characters"
    if "/" in text or "\\" in text:
        return "a path separator or backslash"
    if len(text) > UID_KEPT_MAX:
        return f"longer than {UID_KEPT_MAX} characters"
    return None


def file_component(uid: str) -> str:
    """A file or folder name for ``uid``: the UID itself when it is conformant (digits
    and dots, at most 64), else a name derived from it ("NC" and 40 hex digits of its
    SHA-256), never a path of its own ("..", "*", a very long name)."""
    if is_conformant_uid(uid):
        return uid
    return "NC" + hashlib.sha256(uid.encode("ascii", "replace")).hexdigest()[:40]


def new_uid(org_root: str | None = None) -> str:
    """A new UID: under the organisation root when configured, else the 2.25 UUID form."""
    if org_root:
        suffix = str(uuid.uuid4().int)
        return f"{org_root}.{suffix}"[:64].rstrip(".")
    return f"2.25.{uuid.uuid4().int}"
