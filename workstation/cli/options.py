"""What every command shares: the settings overrides, Ctrl-C as a cancel token, the
English error line, and the runtime a command works in."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.config import DuplicatePolicy, Settings, load_settings, parse_node_spec
from workstation.errors import WorkstationError
from workstation.jobs import CancelToken

if TYPE_CHECKING:
    from workstation.store import LocalStore

Command = Callable[[argparse.Namespace], int]

_OVERRIDES = {
    "data_dir": "data_dir",
    "aet": "ae_title",
    "port": "port",
    "bind": "bind_address",
    "min_free_mb": "min_free_space_mb",
    "max_associations": "max_associations",
    "duplicates": "duplicate_policy",
    "max_pdu": "max_pdu",
}


def settings_options(p: argparse.ArgumentParser) -> None:
    """The settings overrides every command that touches the store or the network takes."""
    g = p.add_argument_group("settings overrides (this run only, unless saved)")
    g.add_argument("--data-dir", type=Path, help="local store folder")
    g.add_argument("--aet", help="local AE title")
    g.add_argument("--port", type=int, help="listening port")
    g.add_argument("--bind", help="address to listen on (default 0.0.0.0, all)")
    g.add_argument("--min-free-mb", type=int, help="refuse to store below this free space")
    g.add_argument("--max-associations", type=int, help="simultaneous associations accepted")
    g.add_argument("--duplicates", choices=[p.value for p in DuplicatePolicy])
    g.add_argument("--max-pdu", type=int, help="largest PDU we receive (0 = unlimited)")
    g.add_argument(
        "--allow-any-caller",
        action="store_true",
        help="accept associations from AE titles that are not known nodes",
    )
    g.add_argument(
        "--any-called-ae",
        action="store_true",
        help="accept associations addressed to any called AE title, not only ours",
    )
    g.add_argument(
        "--node",
        action="append",
        default=[],
        metavar="NAME=AET@HOST:PORT",
        help="a known remote node (allowed caller, move destination); repeatable",
    )


def effective_settings(args: argparse.Namespace) -> Settings:
    """Saved settings (or defaults) with the command line's overrides applied."""
    settings = load_settings(args.config)
    changes: dict[str, Any] = {}
    for arg, field in _OVERRIDES.items():
        value = getattr(args, arg, None)
        if value is not None:
            changes[field] = value
    if getattr(args, "allow_any_caller", False):
        changes["require_known_callers"] = False
    if getattr(args, "any_called_ae", False):
        changes["check_called_ae"] = False
    nodes = [parse_node_spec(spec) for spec in getattr(args, "node", [])]
    if nodes:
        by_name = {n.name.casefold(): n for n in settings.remote_nodes}
        for n in nodes:
            by_name[n.name.casefold()] = n
        changes["remote_nodes"] = [n.model_dump() for n in by_name.values()]
    return settings.updated(**changes) if changes else settings


@contextmanager
def cancel_on_sigint() -> Iterator[CancelToken]:
    """A cancel token set by Ctrl-C (SIGINT), for the duration."""
    token = CancelToken()

    def on_sigint(signum: int, frame: object) -> None:
        token.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)


def shared_store(settings: Settings) -> LocalStore:
    """The store as a command opens it beside a node that may be running on it: no
    start-up check (that node ran it), no free-space floor (nothing is stored)."""
    from workstation.store import LocalStore

    return LocalStore(settings.storage.data_dir, min_free_space_mb=0, check_on_open=False)


def say_error(exc: WorkstationError | str) -> None:
    """The command line's error line on stderr (English)."""
    text = exc.message() if isinstance(exc, WorkstationError) else exc
    print(f"error: {text}", file=sys.stderr)


def guarded(cmd: Command, code: int = 2) -> Command:
    """``cmd`` with a WorkstationError turned into the error line and exit ``code``."""

    def run(args: argparse.Namespace) -> int:
        try:
            return cmd(args)
        except WorkstationError as exc:
            say_error(exc)
            return code

    return run
