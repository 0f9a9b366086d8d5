"""``workstation serve``: the node and the job queue headless, until SIGINT or SIGTERM.

The same :class:`~workstation.runtime.Runtime` as the desktop: the store is checked on
open, jobs left by a crash are recovered, the node listens and the job queue runs on a
plain thread (commit jobs, send retries, and whatever the desktop or a command queued in
this store). Status lines go through logging, on stdout without a prefix: the line
beginning ``listening as`` (with the AE title) says the node is ready.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workstation.cli.options import effective_settings, settings_options
from workstation.config.settings import Settings
from workstation.jobs import JobQueue, JobState
from workstation.net.scp.node import NodeEvent, NodeEventKind

if TYPE_CHECKING:
    from workstation.runtime import Runtime

log = logging.getLogger(__name__)

SHUTDOWN_LIMIT_S = 4.5  # SIGTERM to exit, at most (the node itself stops in about 3 s)


def status_handlers() -> list[logging.Handler]:
    """This module's lines, bare: INFO on stdout (what a supervisor or a test reads),
    warnings and errors on stderr."""
    out = logging.StreamHandler(sys.stdout)
    out.addFilter(lambda record: record.levelno < logging.WARNING)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.WARNING)
    for handler in (out, err):
        handler.setFormatter(logging.Formatter("%(message)s"))
    return [out, err]


def _callers(settings: Settings) -> str:
    if not settings.node.require_known_callers:
        return "any calling AE"
    return ", ".join(n.ae_title for n in settings.remote_nodes) or "no calling AE (add --node)"


def serve_until_signalled(settings: Settings) -> int:
    """Run the runtime until SIGINT or SIGTERM; 0 after a clean stop, 2 when the node
    cannot listen."""
    from workstation.runtime import Runtime

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    handlers = status_handlers()
    for handler in handlers:
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _serve(Runtime(settings), settings, stop)
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
        for handler in handlers:
            log.removeHandler(handler)
        log.propagate = True


def _serve(runtime: Runtime, settings: Settings, stop: threading.Event) -> int:
    check = runtime.store.last_check
    if check is not None and not check.clean:
        log.info(
            "store check: %d temp files removed, %d rows without file dropped, "
            "%d files indexed, %d moved to quarantine",
            len(check.temp_files_removed), len(check.rows_without_file),
            len(check.files_indexed), len(check.files_quarantined),
        )  # fmt: skip
    try:
        runtime.start_node()
    except OSError as exc:
        runtime.stop()
        log.error("error: cannot listen on port %d: %s", settings.node.port, exc.strerror)
        return 2
    runtime.node.add_listener(log_association)
    runtime.queue.add_listener(_job_outcome_logger(runtime.queue))
    runtime.start_jobs()
    host, port = runtime.node.address
    log.info("listening as %s on %s:%d, store %s, accepting %s",
             settings.node.ae_title, host, port, settings.storage.data_dir, _callers(settings))  # fmt: skip
    try:
        while not stop.wait(0.5):
            pass
    finally:
        log.info("shutting down")
        exit_if_still_running_after(SHUTDOWN_LIMIT_S)
        runtime.stop()
    return 0


def exit_if_still_running_after(seconds: float) -> None:
    """The last resort of a stop that must take seconds whatever the peers do (a thread
    stuck in a handler or in a job, which the node's cut-offs cannot end): the process
    exits with code 1 if it is still running ``seconds`` from now. Never cancelled: it
    also covers the interpreter's wait for threads after ``serve`` returns."""

    def hard_exit() -> None:
        log.error("error: shutdown not finished after %g s, exiting now", seconds)
        for handler in log.handlers:
            handler.flush()
        os._exit(1)

    timer = threading.Timer(seconds, hard_exit)
    timer.daemon = True
    timer.name = "serve-shutdown-watchdog"
    timer.start()


def log_association(event: NodeEvent) -> None:
    """A node listener: one INFO line per association as it ends (who, what, outcome)."""
    peer = f"{event.calling_ae}@{event.address}"
    if event.kind is NodeEventKind.ASSOCIATION_REJECTED:
        log.info("association from %s to %s rejected: %s", peer, event.called_ae, event.message)
    elif event.kind is NodeEventKind.ASSOCIATION_CLOSED:
        log.info("association from %s to %s: %s; %s", peer, event.called_ae,
                 event.services or "no requests", event.message)  # fmt: skip


def _job_outcome_logger(queue: JobQueue) -> Callable[[int], None]:
    """A queue listener logging each job that ends (once per end), as the job panel shows it."""
    ended: dict[int, tuple[str, int]] = {}

    def on_change(job_id: int) -> None:
        job = queue.get(job_id)
        if job is None or not job.state.is_final:
            return
        key = (str(job.state), job.attempts)
        if ended.get(job_id) == key:
            return
        ended[job_id] = key
        detail = job.result if job.state is JobState.SUCCEEDED else job.last_error
        log.info("job %d (%s) %s: %s", job.id, job.kind, job.state, detail or "")

    return on_change


def cmd_serve(args: argparse.Namespace) -> int:
    return serve_until_signalled(effective_settings(args))


def add_command(sub: Any) -> None:
    """Register ``serve`` on the command's subparsers."""
    p = sub.add_parser("serve", help="run the DICOM node and the job queue headless until "
                       "SIGINT/SIGTERM")  # fmt: skip
    settings_options(p)
    p.set_defaults(func=cmd_serve)
