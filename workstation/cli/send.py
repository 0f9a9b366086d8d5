"""``workstation send``: stored studies, series or instances to a node, headless.

Runs the handler of the "send" job in this process, with the job's retries: a retryable
failure (no connection, timeout, abort) waits ``send_retry_delay_s`` (doubled each time,
Ctrl-C cancels) and tries again, sending only what has not reached the peer yet. Prints
the summary on stdout, the instances that were not simply stored on stderr. Exit
status: 0 when every instance is on the peer, 1 when the peer or the network failed or
the send was cancelled, 2 for bad input (a malformed node, a UID not in the store:
then nothing is sent).

Storage commitment after the send (``--commit``) hooks in through ``on_sent``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from workstation.cli.options import (
    cancel_on_sigint,
    effective_settings,
    guarded,
    settings_options,
    shared_store,
)
from workstation.config.settings import RemoteNode, Settings, make_node
from workstation.errors import SendSelectionError, SettingsError
from workstation.jobs import CancelToken, PermanentJobError, RetryableJobError

OnSent = Callable[[RemoteNode, list[tuple[str, str]]], None]


def resolve_destination(settings: Settings, spec: str) -> RemoteNode:
    """A configured node by name or by AET@HOST:PORT (its compression policy applies),
    else a new node ``AET@HOST:PORT`` with the default policy."""
    found = settings.find_node(spec)
    if found is not None:
        return found
    aet, at, rest = spec.strip().rpartition("@")
    host, colon, port = rest.rpartition(":")
    if not at or not aet or not colon or not port.isdigit():
        raise SettingsError(field="node", rule_code="not_address", limits={},
                            rule="must look like AET@HOST:PORT", value=spec)
    node = make_node(name=spec.strip(), ae_title=aet, host=host, port=int(port))
    for known in settings.remote_nodes:
        if (known.ae_title, known.host, known.port) == (node.ae_title, node.host, node.port):
            return known
    return node


def cmd_send(args: argparse.Namespace, on_sent: OnSent | None = None) -> int:
    """Send in this process with the send job's handler and retries; ``on_sent`` gets
    the (node, references) on the peer after a complete send."""
    from workstation.runtime import Runtime
    from workstation.services.send_job import send_handler, send_params
    from workstation.store.selection import select_instances

    settings = effective_settings(args)
    if args.retries is not None or args.retry_delay is not None:
        changes: dict[str, Any] = {}
        if args.retries is not None:
            changes["send_retries"] = args.retries
        if args.retry_delay is not None:
            changes["send_retry_delay_s"] = args.retry_delay
        settings = settings.updated(**changes)
    node = resolve_destination(settings, args.to)
    params = send_params(node, args.uids)

    def progress(done: int, total: int, message: str) -> None:
        if args.progress and total:
            print(f"\r{message}", end="", file=sys.stderr, flush=True)

    def log_line(line: str) -> None:
        print(("\n" if args.progress else "") + line, file=sys.stderr)

    # the store is shared with a node that may be running: no start-up check, and that
    # node's jobs are left alone (run_jobs=False)
    with Runtime(settings, store=shared_store(settings), run_jobs=False) as runtime:
        unknown = select_instances(runtime.store, args.uids).unknown
        if unknown:
            raise SendSelectionError(count=len(unknown), uids=", ".join(unknown))
        handler = send_handler(runtime.store, runtime.current_settings, on_sent)
        with cancel_on_sigint() as cancel:
            return _run_with_retries(handler, params, settings, cancel, progress, log_line, args)


def _run_with_retries(
    handler: Any,
    params: dict[str, Any],
    settings: Settings,
    cancel: CancelToken,
    progress: Callable[[int, int, str], None],
    log_line: Callable[[str], None],
    args: argparse.Namespace,
) -> int:
    for attempt in range(1, settings.services.send_retries + 1):
        try:
            result = handler(dict(params), progress, cancel, log_line)
        except RetryableJobError as exc:
            if args.progress:
                print(file=sys.stderr)
            if attempt == settings.services.send_retries or cancel.is_set():
                print(f"error: {exc} (after {attempt} tries)", file=sys.stderr)
                return 1
            wait = (exc.retry_delay_s or 0.0) * 2 ** (attempt - 1)
            print(f"try {attempt} of {settings.services.send_retries} failed: {exc}; next in {wait:g} s",
                  file=sys.stderr)  # fmt: skip
            if cancel.wait(wait):
                print("cancelled", file=sys.stderr)
                return 1
            continue
        except PermanentJobError as exc:
            if args.progress:
                print(file=sys.stderr)
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.progress:
            print(file=sys.stderr)
        print(result)
        return 1 if cancel.is_set() else 0
    return 1


def add_command(sub: Any) -> argparse.ArgumentParser:
    """Register ``send`` on the ``workstation`` command's subparsers (returned, so that
    storage commitment can add ``--commit`` to it)."""
    p = sub.add_parser("send", help="send stored studies, series or instances to a node (C-STORE)")
    p.add_argument("uids", nargs="+", metavar="UID", help="study, series or instance UIDs")
    p.add_argument("--to", required=True, metavar="AET@HOST:PORT",
                   help="the destination (or the name of a configured node)")  # fmt: skip
    p.add_argument("--retries", type=int, help="tries in all (default from the settings, 3)")
    p.add_argument("--retry-delay", type=float, metavar="SECONDS",
                   help="wait before the second try, doubled for each further one "
                   "(default from the settings, 30)")  # fmt: skip
    p.add_argument("--progress", action="store_true", help="show progress on stderr")
    settings_options(p)
    p.set_defaults(func=guarded(cmd_send))
    return p
