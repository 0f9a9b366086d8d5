"""Our identity on the network and in files, and UID checks and generation."""

from __future__ import annotations

import re
import uuid

from workstation import __version__

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


def new_uid(org_root: str | None = None) -> str:
    """A new UID: under the organisation root when configured, else the 2.25 UUID form."""
    if org_root:
        suffix = str(uuid.uuid4().int)
        return f"{org_root}.{suffix}"[:64].rstrip(".")
    return f"2.25.{uuid.uuid4().int}"
