"""The ``workstation`` command: headless entry points over the same runtime as the GUI.

One module per command (``import_files``, ``store_check``, ``show_settings``, ``serve``,
``export_image``, ``qr`` for query and retrieve, ``send`` with ``commit`` adding
``--commit``, ``worklist``, ``acquire`` for one examination, ``print`` (films or PDF), ``gui``); each registers
its parser here through ``add_command``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

import pydicom  # noqa: F401 - imported before main() sets its logger's level

from workstation import __version__
from workstation.cli import (
    acquire,
    commit,
    export_image,
    gui,
    import_files,
    print_cmd,
    qr,
    send,
    serve,
    show_settings,
    store_check,
    worklist,
)
from workstation.cli.options import say_error
from workstation.errors import WorkstationError
from workstation.net.association import configure_pynetdicom

log = logging.getLogger("workstation")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Clinical DICOM workstation: the desktop application without a command, "
        "headless commands otherwise.",
    )
    parser.add_argument("--version", action="version", version=f"workstation {__version__}")
    parser.add_argument("--config", type=Path, help="settings file (default: user config dir)")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    sub = parser.add_subparsers(dest="command")
    import_files.add_command(sub)
    store_check.add_commands(sub)  # rebuild-index, check
    show_settings.add_command(sub)
    serve.add_command(sub)
    export_image.add_command(sub)
    qr.add_commands(sub)  # query, retrieve
    commit.add_commit_options(send.add_command(sub))  # send, with --commit
    worklist.add_command(sub)
    gui.add_command(sub)
    acquire.add_command(sub)
    print_cmd.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # pydicom warns about every odd value it reads; the import summary says what matters
        logging.getLogger("pydicom").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", category=UserWarning, module="pydicom")
    # pynetdicom's process-wide settings, once for the whole process (-vv: its DIMSE log)
    configure_pynetdicom(debug=args.verbose >= 2, log_identifiers=args.verbose >= 2)
    if args.command is None:
        # The desktop application on the saved settings (top-level options kept).
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    try:
        return args.func(args)
    except WorkstationError as exc:
        say_error(exc)
        return 2

