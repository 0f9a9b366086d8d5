"""pynetdicom 3.0 fast paths, behind one switch.

What is here replaces parts of pynetdicom 3.0's inner loops and message coding for
speed (benchmarks/RESULTS.md): the accepted association run without polling and its
C-STORE messages coded directly (``acceptor``, ``store_commands``), pending C-FIND
responses written in batches (``find_response``), C-STOREs sent from the stored file
(``cstore_request``) and a shorter DUL poll (:func:`tune_dul`). Each mirrors pynetdicom
3.0's internals, so each is used only with pynetdicom 3.0.x.

The switch: the environment variable ``WORKSTATION_WIRE_FAST_PATHS`` ("0" = off; on by
default), read here and nowhere else. Off, everything runs through plain pynetdicom:
its own association and DUL loops, its C-STORE and C-FIND coding, its 1 ms DUL poll.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from workstation.net.wire import acceptor, find_response
from workstation.net.wire.cstore_request import RequestWriter

ENV_SWITCH = "WORKSTATION_WIRE_FAST_PATHS"
DUL_POLL_S = 0.0002  # pynetdicom's DUL sleeps 1 ms between polls when idle


def enabled() -> bool:
    """Whether the fast paths are on: the switch not "0", and pynetdicom 3.0.x (the
    fast paths mirror its internals: any other version runs its own)."""
    return acceptor.SUPPORTED_PYNETDICOM and os.environ.get(ENV_SWITCH, "1").strip() != "0"


def tune_dul(assoc: Any) -> None:
    """A 0.2 ms DUL poll instead of 1 ms: about a quarter less latency per message
    (benchmarks/ingest.py) for a little idle CPU. Call from EVT_CONN_OPEN."""
    if enabled():
        assoc.dul._run_loop_delay = DUL_POLL_S


def accelerate_acceptor(assoc: Any, after_store: Callable[[], None] | None = None) -> bool:
    """The acceptor's blocking loops and C-STORE coding on a peer's ``assoc``
    (``acceptor.accelerate``); False, and pynetdicom's own, when the switch is off."""
    if not enabled():
        return False
    acceptor.accelerate(assoc, after_store=after_store)
    return True


def install_send_lock(assoc: Any) -> None:
    """The socket send lock the batched C-FIND writer needs (``find_response``)."""
    if enabled():
        find_response.install_send_lock(assoc)


def find_writer(event: Any) -> Any:
    """A batched writer for a C-FIND request's pending responses, or None: pynetdicom
    sends them (switch off, Big Endian context, someone watching the messages)."""
    if not enabled():
        return None
    return find_response.FindResponseWriter.for_event(event)


def store_writer(assoc: Any) -> Any:
    """A writer that sends C-STOREs from the stored files (``cstore_request``), or None:
    pynetdicom's ``send_c_store`` then sends each."""
    if not enabled():
        return None
    return RequestWriter(assoc)
