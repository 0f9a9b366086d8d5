"""``workstation serve``: the node headless, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from workstation.config.settings import Settings
from workstation.net.node import StorageNode
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)


def serve_until_signalled(settings: Settings) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    store = LocalStore(
        settings.data_dir,
        duplicate_policy=settings.duplicate_policy,
        min_free_space_mb=settings.min_free_space_mb,
    )
    check = store.last_check
    if check is not None and not check.clean:
        print(
            f"store check: {len(check.temp_files_removed)} temp files removed, "
            f"{len(check.rows_without_file)} rows without file dropped, "
            f"{len(check.files_indexed)} files indexed, "
            f"{len(check.files_quarantined)} moved to quarantine",
            flush=True,
        )
    node = StorageNode(settings, store)
    try:
        node.start()
    except OSError as exc:
        store.close()
        print(f"error: cannot listen on port {settings.port}: {exc.strerror}", file=sys.stderr)
        return 2
    host, port = node.address
    callers = (
        "any calling AE"
        if not settings.require_known_callers
        else (
            ", ".join(f"{n.ae_title}" for n in settings.remote_nodes)
            or "no calling AE (add --node)"
        )
    )
    print(
        f"listening as {settings.ae_title} on {host}:{port}, store {settings.data_dir}, "
        f"accepting {callers}",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        print("shutting down", flush=True)
        node.stop()
        store.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0
