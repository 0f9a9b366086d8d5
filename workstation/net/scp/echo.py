"""Verification SCP: every C-ECHO is answered with success."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynetdicom import evt

SUCCESS = 0x0000


def on_echo(event: evt.Event) -> int:
    """The EVT_C_ECHO handler: the node is up and accepts the association."""
    return SUCCESS


def handlers() -> list[tuple[Any, Callable]]:
    return [(evt.EVT_C_ECHO, on_echo)]
