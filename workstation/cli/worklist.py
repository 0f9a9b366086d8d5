"""``workstation worklist``: the Modality Worklist query headless.

Prints one line per item on stdout (UTF-8, tab-separated ``Keyword=value`` fields; the
Scheduled Procedure Step's keys by their own keyword) and a summary on stderr. The
query is the broad one (``dicom/worklist.py``): the ``--date`` window (default: the
saved settings' window), ``--station-aet`` and ``--modality`` matched only when given;
``-k KEY=VALUE`` adds or overrides keys (``-k KEY`` makes a key return-only; a key not
printed by default is printed after the others; a start date or time given this way
replaces the ``--date`` window). Exit
status: 0 when the query succeeded, 1 when the peer or the network failed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from pydicom.datadict import dictionary_VR, keyword_for_tag

from workstation.cli.options import cancel_on_sigint, effective_settings, settings_options
from workstation.config.settings import WorklistDateWindow
from workstation.errors import QueryKeyError, WorkstationError

_DATE_KEYS = {"ScheduledProcedureStepStartDate", "ScheduledProcedureStepStartTime"}


def overrides_from_keys(keys: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in keys:
        name, _, value = text.partition("=")
        if not name.strip():
            raise QueryKeyError(
                key=text, reason="must look like KEY=VALUE, or KEY for a return key"
            )
        out[name.strip()] = value
    return out


def cmd_worklist(args: argparse.Namespace) -> int:
    from workstation.dicom.qr_identifier import resolve_key
    from workstation.dicom.worklist import (
        ITEM_FIELDS,
        broad_identifier,
        broad_window,
        identifier_with,
    )
    from workstation.dicom.worklist_items import item_line
    from workstation.net.association import LocalAE
    from workstation.net.scu.worklist import query_worklist
    from workstation.services.retrieve_job import resolve_node

    settings = effective_settings(args)
    try:
        node = resolve_node(settings, args.source)
        ws = settings.worklist.model_copy(
            update={
                "date_window": WorklistDateWindow(args.date or settings.worklist.date_window),
                "query_by_station_aet": args.station_aet is not None,
                "query_by_modality": args.modality is not None,
                "modality": (args.modality or settings.worklist.modality).strip().upper(),
                "return_only": frozenset(),
            }
        )
        now = datetime.now()
        identifier = broad_identifier(ws, args.station_aet or "", now)
        overrides = overrides_from_keys(args.key)
        identifier = identifier_with(identifier, overrides)
        keywords = [keyword_for_tag(resolve_key(k)) for k in overrides]
    except WorkstationError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 2
    limit = args.limit if args.limit is not None else settings.worklist.max_items
    timeout = args.timeout if args.timeout is not None else settings.worklist.response_timeout_s
    shown = list(
        dict.fromkeys([*ITEM_FIELDS, *(k for k in keywords if k and dictionary_VR(k) != "SQ")])
    )
    # a start date or time given with -k replaces the window: the provider's matching decides
    window = None if _DATE_KEYS & set(keywords) else broad_window(ws, now)
    local = LocalAE.from_settings(settings)
    where = f"{node.ae_title}@{node.host}:{node.port}"
    with cancel_on_sigint() as token:
        try:
            answer = query_worklist(
                node,
                local,
                identifier,
                limit=limit,
                timeout_s=timeout,
                cancel=token,
                window=window,
            )
        except WorkstationError as exc:
            print(f"worklist query on {where} failed", file=sys.stderr)
            print(f"error: {exc.message()}", file=sys.stderr)
            return 1
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    for item in answer.items:
        print(item_line(item, shown))
    sys.stdout.flush()
    if answer.cancelled:
        state = "incomplete: cancelled"
    elif answer.truncated:
        state = f"incomplete: the limit of {limit} answers was reached (C-CANCEL sent)"
    else:
        state = "complete"
    print(
        f"{len(answer.items)} worklist items ({answer.answers} answers) from {where} ({state})",
        file=sys.stderr,
    )
    return 1 if answer.cancelled else 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1 or value > 999:
        raise argparse.ArgumentTypeError("must be 1-999")
    return value


def add_command(sub: Any) -> None:
    """Register ``worklist`` on the ``workstation`` command's subparsers."""
    p = sub.add_parser("worklist", help="Modality Worklist C-FIND, one line per item")
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="AET@HOST:PORT",
        help="the worklist provider (or the name of a configured node)",
    )
    p.add_argument(
        "--date",
        choices=[w.value for w in WorklistDateWindow],
        help="Scheduled Procedure Step Start Date window (default: the settings')",
    )
    p.add_argument("--station-aet", metavar="AET", help="match this Scheduled Station AE Title")
    p.add_argument("--modality", metavar="MOD", help="match this Modality")
    p.add_argument(
        "-k",
        "--key",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a matching key (KEY=VALUE) or return key (KEY); KEY is a keyword or a "
        "tag gggg,eeee; step keys go into the step's item; repeatable",
    )
    p.add_argument(
        "--limit",
        type=_positive,
        help="C-CANCEL after this many answers (default from the settings)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="response timeout in seconds (default from the settings)",
    )
    settings_options(p)
    p.set_defaults(func=cmd_worklist)
