"""``workstation settings``: the effective settings as JSON (and saved with ``--save``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workstation.cli.options import effective_settings, settings_options
from workstation.config import save_settings


def cmd_settings(args: argparse.Namespace) -> int:
    settings = effective_settings(args)
    print(json.dumps(settings.model_dump(mode="json"), indent=2, sort_keys=True))
    if args.save:
        path = save_settings(settings, args.config)
        print(f"saved to {path}", file=sys.stderr)
    return 0


def add_command(sub: Any) -> None:
    """Register ``settings`` on the command's subparsers."""
    p = sub.add_parser("settings", help="show the effective settings (and save them)")
    p.add_argument("--save", action="store_true", help="persist the effective settings")
    settings_options(p)
    p.set_defaults(func=cmd_settings)
