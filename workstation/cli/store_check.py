"""``workstation check`` and ``workstation rebuild-index``: the store's own repairs."""

from __future__ import annotations

import argparse
from typing import Any

from workstation.cli.options import effective_settings, settings_options


def print_check(report: Any) -> None:
    """A store check's report, one count a line and each quarantined file."""
    print(f"temp files removed: {len(report.temp_files_removed)}")
    print(f"index rows without a file dropped: {len(report.rows_without_file)}")
    print(f"files indexed: {len(report.files_indexed)}")
    print(f"unreadable files moved to quarantine: {len(report.files_quarantined)}")
    for rel, reason in report.files_quarantined:
        print(f"  {rel}: {reason}")


def cmd_rebuild(args: argparse.Namespace) -> int:
    from workstation.runtime import open_store

    settings = effective_settings(args)
    with open_store(settings, check=False) as store:
        report = store.rebuild_index()
        print_check(report)
        print(
            f"index now holds {store.index.count('patient')} patients, "
            f"{store.index.count('study')} studies, {store.index.count('series')} series, "
            f"{store.index.count('instance')} instances"
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from workstation.runtime import open_store

    settings = effective_settings(args)
    with open_store(settings) as store:
        print_check(store.last_check)
    return 0


def add_commands(sub: Any) -> None:
    """Register ``rebuild-index`` and ``check`` on the command's subparsers."""
    p = sub.add_parser("rebuild-index", help="rebuild the index from the stored files")
    settings_options(p)
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("check", help="run the store's start-up check and report")
    settings_options(p)
    p.set_defaults(func=cmd_check)
