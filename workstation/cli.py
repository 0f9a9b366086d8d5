"""The ``workstation`` command: headless entry points over the same services as the GUI."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Any

import pydicom  # noqa: F401 - imported before main() sets its logger's level

from workstation import __version__
from workstation.config import (
    DuplicatePolicy,
    Settings,
    load_settings,
    parse_node_spec,
    save_settings,
)
from workstation.errors import WorkstationError

log = logging.getLogger("workstation")


def _settings_options(p: argparse.ArgumentParser) -> None:
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
    mapping = {
        "data_dir": "data_dir",
        "aet": "ae_title",
        "port": "port",
        "bind": "bind_address",
        "min_free_mb": "min_free_space_mb",
        "max_associations": "max_associations",
        "duplicates": "duplicate_policy",
        "max_pdu": "max_pdu",
    }
    for arg, field in mapping.items():
        value = getattr(args, arg, None)
        if value is not None:
            changes[field] = value
    if getattr(args, "allow_any_caller", False):
        changes["require_known_callers"] = False
    nodes = [parse_node_spec(spec) for spec in getattr(args, "node", [])]
    if nodes:
        by_name = {n.name.casefold(): n for n in settings.remote_nodes}
        for n in nodes:
            by_name[n.name.casefold()] = n
        changes["remote_nodes"] = [n.model_dump() for n in by_name.values()]
    return settings.updated(**changes) if changes else settings


def _open_store(settings: Settings, check: bool = True):
    from workstation.store import LocalStore

    return LocalStore(
        settings.data_dir,
        duplicate_policy=settings.duplicate_policy,
        min_free_space_mb=settings.min_free_space_mb,
        check_on_open=check,
    )


def sample_paths() -> list[Path]:
    """The DICOM files shipped in pydicom (and pydicom-data when installed)."""
    import pydicom.data

    paths = [Path(pydicom.data.__file__).parent]
    try:
        import data_store  # the pydicom-data package

        paths.append(Path(data_store.__file__).parent / "data")
    except ImportError:
        pass
    return paths


def cmd_import(args: argparse.Namespace) -> int:
    from workstation.store import import_paths

    settings = effective_settings(args)
    paths = list(args.paths) + (sample_paths() if args.samples else [])
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
        with _open_store(settings) as store:
            report = import_paths(store, paths, progress, lambda: stop["flag"])
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.progress:
        print(file=sys.stderr)
    print(report.summary())
    return 1 if (report.cancelled or report.stopped_reason) else 0


def _print_check(report: Any) -> None:
    print(f"temp files removed: {len(report.temp_files_removed)}")
    print(f"index rows without a file dropped: {len(report.rows_without_file)}")
    print(f"files indexed: {len(report.files_indexed)}")
    print(f"unreadable files moved to quarantine: {len(report.files_quarantined)}")
    for rel, reason in report.files_quarantined:
        print(f"  {rel}: {reason}")


def cmd_rebuild(args: argparse.Namespace) -> int:
    settings = effective_settings(args)
    with _open_store(settings, check=False) as store:
        report = store.rebuild_index()
        _print_check(report)
        print(
            f"index now holds {store.index.count('patient')} patients, "
            f"{store.index.count('study')} studies, {store.index.count('series')} series, "
            f"{store.index.count('instance')} instances"
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    settings = effective_settings(args)
    with _open_store(settings) as store:
        _print_check(store.last_check)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    settings = effective_settings(args)
    print(json.dumps(settings.model_dump(mode="json"), indent=2, sort_keys=True))
    if args.save:
        path = save_settings(settings, args.config)
        print(f"saved to {path}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from workstation.net.serve import serve_until_signalled

    settings = effective_settings(args)
    return serve_until_signalled(settings)


NO_DISPLAY_MESSAGE = (
    "workstation: no display to open the desktop window on (neither DISPLAY nor "
    "WAYLAND_DISPLAY is set, and no QT_QPA_PLATFORM is given).\n"
    "On a server without a screen run the DICOM node headless instead:\n"
    "    workstation serve\n"
    "(see 'workstation --help' for the other headless commands)."
)


def display_available(env: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether Qt can open a window: on Linux a display, or a QPA platform given explicitly.

    Checked before Qt is imported, so a server without a screen gets a message, not a
    Qt abort.
    """
    env = dict(os.environ) if env is None else env
    if not platform.startswith("linux"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def cmd_gui(args: argparse.Namespace) -> int:
    """The desktop application; refuses with a pointer to ``serve`` when there is no display."""
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    settings = effective_settings(args)
    from workstation.app import run_gui

    return run_gui(settings, args.config)


def cmd_export_image(args: argparse.Namespace) -> int:
    """Render one frame through the display pipeline and write it as PNG."""
    from workstation.services.export_image import export_image

    result = export_image(
        args.file,
        args.out,
        frame=args.frame,
        window=args.window,
        presentation_state=args.presentation_state,
    )
    voi = result.window
    how = (
        f"window {voi.center:g}/{voi.width:g}"
        if voi is not None and hasattr(voi, "center")
        else ("VOI LUT" if voi is not None else "colour")
    )
    print(f"{result.path}: {result.columns} x {result.rows}, frame {result.frame}, {how}")
    return 0


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

    p = sub.add_parser("import", help="import files, folders and DICOMDIRs into the store")
    p.add_argument("paths", nargs="*", type=Path)
    p.add_argument(
        "--samples", action="store_true", help="import the DICOM files shipped with pydicom"
    )
    p.add_argument("--progress", action="store_true", help="show progress on stderr")
    _settings_options(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("rebuild-index", help="rebuild the index from the stored files")
    _settings_options(p)
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("check", help="run the store's start-up check and report")
    _settings_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("settings", help="show the effective settings (and save them)")
    p.add_argument("--save", action="store_true", help="persist the effective settings")
    _settings_options(p)
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("serve", help="run the DICOM node headless until SIGINT/SIGTERM")
    _settings_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("export-image", help="write one frame as PNG, as the viewer shows it at 1:1")
    p.add_argument("file", type=Path, help="a DICOM image file")
    p.add_argument("--out", type=Path, required=True, help="the PNG file to write")
    p.add_argument("--frame", type=int, default=1, help="frame number, from 1 (default 1)")
    p.add_argument(
        "--window",
        type=float,
        nargs=2,
        metavar=("CENTER", "WIDTH"),
        help="VOI window in modality units (default: the file's first window, else min/max)",
    )
    p.add_argument(
        "--presentation-state",
        type=Path,
        metavar="GSPS_FILE",
        help="apply this GSPS: window, graphics, displayed area, flip and rotation",
    )
    p.set_defaults(func=cmd_export_image)

    from workstation.cli_qr import add_commands as add_qr_commands

    add_qr_commands(sub, _settings_options, effective_settings)  # query, retrieve

    from workstation.cli_send import add_command as add_send_command

    # send (storage commitment adds --commit to the parser returned here)
    send_parser = add_send_command(sub, _settings_options, effective_settings)

    from workstation.cli_commit import add_commit_options

    add_commit_options(send_parser, effective_settings)

    p = sub.add_parser("gui", help="the desktop application (the default without a command)")
    _settings_options(p)
    p.set_defaults(func=cmd_gui)
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
    if args.command is None:
        # The desktop application on the saved settings (top-level options kept).
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    try:
        return args.func(args)
    except WorkstationError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
