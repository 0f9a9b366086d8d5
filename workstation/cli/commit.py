"""``workstation send --commit``: storage commitment after a successful send, headless.

The send runs as without the flag; when every instance is on the peer, commitment is
requested for them and the command waits for the outcome (``services/commit_wait``):
on the N-ACTION association for ``commit_wait_same_association_s``, else on our node,
listening on ``--port`` (started for the duration unless something listens there
already: then our running node — ``workstation serve`` or the desktop on this store —
gets the request as a job on the store's queue, and receives the report even after
this command ended). Exit status 0 only when the send succeeded and everything was
committed; 1 when the commitment failed, partly failed or timed out
(``--commit-timeout``).
"""

from __future__ import annotations

import argparse
import sys

from workstation.cli.options import (
    Command,
    cancel_on_sigint,
    effective_settings,
    say_error,
    shared_store,
)
from workstation.config.settings import RemoteNode, Settings
from workstation.errors import WorkstationError


def add_commit_options(send_parser: argparse.ArgumentParser) -> None:
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
    send: Command = send_parser.get_default("func")

    def run(args: argparse.Namespace) -> int:
        if not args.commit:
            return send(args)
        return _send_and_commit(args)

    send_parser.set_defaults(func=run)


def _send_and_commit(args: argparse.Namespace) -> int:
    from workstation.cli.send import cmd_send

    sent: list[tuple[RemoteNode, list[tuple[str, str]]]] = []
    try:
        code = cmd_send(args, on_sent=lambda node, refs: sent.append((node, refs)))
    except WorkstationError as exc:
        say_error(exc)
        return 2
    if code != 0:
        return code
    if not sent:
        print("nothing sent: no storage commitment requested", file=sys.stderr)
        return 0
    try:
        return _commit(args, effective_settings(args), *sent[-1])
    except WorkstationError as exc:
        say_error(exc)
        return 1


def _commit(
    args: argparse.Namespace, settings: Settings, node: RemoteNode, refs: list[tuple[str, str]]
) -> int:
    from workstation.runtime import Runtime
    from workstation.services.commit_wait import commit_and_wait

    # the store is shared with a node that may be running: its check and its jobs are
    # its own (run_jobs=False); a request handed to it goes through the queue
    with (
        Runtime(settings, store=shared_store(settings), run_jobs=False) as runtime,
        cancel_on_sigint() as stop,
    ):
        summary = commit_and_wait(
            settings, runtime.store, node, refs, port=settings.node.port,
            timeout_s=args.commit_timeout, say=lambda line: print(line, file=sys.stderr),
            stop=stop.is_set, queue=runtime.queue,
        )  # fmt: skip
    print(summary.line())
    return 0 if summary.ok else 1
