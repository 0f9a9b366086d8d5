"""``workstation gui`` (and no command): the desktop application, or a pointer to
``serve`` when there is no display. Qt is imported only once a display is known."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from workstation.cli.options import effective_settings, settings_options

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


def add_command(sub: Any) -> None:
    """Register ``gui`` on the command's subparsers."""
    p = sub.add_parser("gui", help="the desktop application (the default without a command)")
    settings_options(p)
    p.set_defaults(func=cmd_gui)
