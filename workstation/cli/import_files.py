"""``workstation import``: files, folders and DICOMDIRs into the store, with a summary."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from workstation.cli.options import effective_settings, settings_options
from workstation.samples import sample_files


def cmd_import(args: argparse.Namespace) -> int:
    from workstation.runtime import open_store
    from workstation.store import import_paths

    settings = effective_settings(args)
    # the samples: only their DICOM files (the packages' code is not the user's to hear about)
    paths = list(args.paths) + (sample_files() if args.samples else [])
    if not paths:
        print("nothing to import: give paths or --samples", file=sys.stderr)
        return 2
    stop = {"flag": False}

    def on_sigint(signum: int, frame: object) -> None:
        stop["flag"] = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    last = {"pct": -1}

    def progress(done: int, total: int, path: Path) -> None:
        pct = done * 100 // max(total, 1)
        if args.progress and pct != last["pct"]:
            last["pct"] = pct
            print(f"\r{done}/{total} ({pct}%)", end="", file=sys.stderr, flush=True)

    try:
        with open_store(settings) as store:
            report = import_paths(store, paths, progress, lambda: stop["flag"])
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.progress:
        print(file=sys.stderr)
    print(report.summary())
    return 1 if (report.cancelled or report.stopped_reason) else 0


def add_command(sub: Any) -> None:
    """Register ``import`` on the ``workstation`` command's subparsers."""
    p = sub.add_parser("import", help="import files, folders and DICOMDIRs into the store")
    p.add_argument("paths", nargs="*", type=Path)
    p.add_argument(
        "--samples", action="store_true", help="import the DICOM files shipped with pydicom"
    )
    p.add_argument("--progress", action="store_true", help="show progress on stderr")
    settings_options(p)
    p.set_defaults(func=cmd_import)
