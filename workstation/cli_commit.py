"""``workstation send --commit``: storage commitment after a successful send, headless.

The send runs as without the flag; when every instance is on the peer, commitment is
requested for them and the command waits for the outcome (``services/commit_wait``):
on the N-ACTION association for ``commit_wait_same_association_s``, else on our node,
listening on ``--port`` (started for the duration unless something listens there
already). Exit status 0 only when the send succeeded and everything was committed; 1
when the commitment failed, partly failed or timed out (``--commit-timeout``).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from typing import Any

from workstation.config.settings import RemoteNode, Settings

SettingsFor = Callable[[argparse.Namespace], Settings]


def add_commit_options(send_parser: argparse.ArgumentParser, settings_for: SettingsFor) -> None:
    """Add ``--commit`` and ``--commit-timeout`` to the ``send`` parser and wrap its command."""
    send_parser.add_argument(
        "--commit", action="store_true",
        help="request storage commitment for the instances sent and wait for the result "
        "(our node listens on --port for a report on a new association)",
    )  # fmt: skip
    send_parser.add_argument(
        "--commit-timeout", type=float, metavar="SECONDS",
        help="how long to wait for the commitment report (default from the settings, 3600)",
    )  # fmt: skip
    send = send_parser.get_default("func")

    def run(args: argparse.Namespace) -> int:
        if not args.commit:
            return send(args)
        return _send_and_commit(args, settings_for)

    send_parser.set_defaults(func=run)


def _send_and_commit(args: argparse.Namespace, settings_for: SettingsFor) -> int:
    from workstation.cli_send import cmd_send
    from workstation.errors import WorkstationError

    sent: list[tuple[RemoteNode, list[tuple[str, str]]]] = []
    try:
        code = cmd_send(args, settings_for, on_sent=lambda node, refs: sent.append((node, refs)))
    except WorkstationError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 2
    if code != 0:
        return code
    if not sent:
        print("nothing sent: no storage commitment requested", file=sys.stderr)
        return 0
    try:
        return _commit(args, settings_for(args), *sent[-1])
    except WorkstationError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 1


def _commit(
    args: argparse.Namespace, settings: Settings, node: RemoteNode, refs: list[tuple[str, str]]
) -> int:
    from workstation.services.commit_wait import commit_and_wait
    from workstation.store import LocalStore

    stop = {"flag": False}

    def on_sigint(signum: int, frame: Any) -> None:
        stop["flag"] = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        # the index is shared with a node that may be running: no start-up check from here
        with LocalStore(settings.data_dir, min_free_space_mb=0, check_on_open=False) as store:
            summary = commit_and_wait(
                settings, store, node, refs, port=settings.port, timeout_s=args.commit_timeout,
                say=lambda line: print(line, file=sys.stderr), stop=lambda: stop["flag"],
            )  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, previous)
    print(summary.line())
    return 0 if summary.ok else 1
