"""``workstation query`` and ``workstation retrieve``: the Query/Retrieve SCU headless.

``query`` prints one line per match (``Keyword=value`` fields, tab-separated; a tag
``gggg,eeee`` for keys without a keyword) as the matches arrive, and a summary on
stderr. ``retrieve`` runs the same handler as the "retrieve" job: C-MOVE to our own AE
title (starting our node on ``--port`` for the duration when nothing listens there yet,
with the source accepted as a caller) or C-GET with ``--get``. Exit status: 0 when
complete, 1 when the peer or the network failed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import errno
import sys
from typing import Any

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag

from workstation.cli.options import cancel_on_sigint, effective_settings, settings_options
from workstation.config.settings import Role, Settings, make_node
from workstation.errors import WorkstationError
from workstation.jobs import PermanentJobError


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, MultiValue)):
        if value and isinstance(value[0], Dataset):
            return f"({len(value)} items)"
        return "\\".join(_value_text(v) for v in value)
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    return str(value).replace("\t", " ").replace("\n", " ").strip()


def match_line(ds: Dataset, tags: list[BaseTag]) -> str:
    from workstation.dicom.qr_identifier import key_label

    fields = []
    for tag in tags:
        elem = ds.get(tag)
        fields.append(f"{key_label(tag)}={_value_text(elem.value if elem is not None else None)}")
    return "\t".join(fields)


def cmd_query(args: argparse.Namespace) -> int:
    from workstation.dicom.qr_identifier import identifier_from_keys, parse_level, parse_model
    from workstation.net.association import LocalAE
    from workstation.net.scu.find import find
    from workstation.services.retrieve_job import resolve_node

    settings = effective_settings(args)
    try:
        node = resolve_node(settings, args.to)
        model, level = parse_model(args.model), parse_level(args.level)
        identifier, shown = identifier_from_keys(model, level, args.key, with_defaults=not args.only_keys)
    except WorkstationError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 2
    limit = args.limit if args.limit is not None else settings.services.query_result_limit
    local = LocalAE.from_settings(settings)

    def show(ds: Dataset) -> None:
        print(match_line(ds, shown), flush=True)

    with cancel_on_sigint() as token:
        outcome = find(node, identifier, model, local, limit=limit, cancel=token, on_match=show)
    count = len(outcome.matches)
    where = f"{node.ae_title}@{node.host}:{node.port}"
    if outcome.error is not None:
        print(f"{count} matches from {where} before the query failed", file=sys.stderr)
        print(f"error: {outcome.error.message()}", file=sys.stderr)
        return 1
    if outcome.limit_reached:
        state = f"incomplete: the limit of {limit} matches was reached (C-CANCEL sent)"
    elif outcome.cancelled:
        state = "incomplete: cancelled"
    else:
        state = "complete"
    extra = "; the peer does not support some optional keys" if outcome.optional_keys_unsupported else ""
    print(f"{count} matches from {where} ({state}){extra}", file=sys.stderr)
    return 1 if outcome.cancelled else 0


def _level_and_uids(args: argparse.Namespace) -> dict[str, Any]:
    if args.image:
        if len(args.study) != 1 or len(args.series) != 1:
            raise PermanentJobError("--image needs exactly one --study and one --series")
        level = "IMAGE"
    elif args.series:
        if len(args.study) != 1:
            raise PermanentJobError("--series needs exactly one --study")
        level = "SERIES"
    else:
        level = "STUDY" if args.study else "PATIENT"
    return {
        "level": level,
        "study_uids": list(args.study),
        "series_uids": list(args.series),
        "sop_uids": list(args.image),
    }


def _with_caller(settings: Settings, node: Any) -> Settings:
    """Our settings with the retrieve source accepted as a caller (it opens the C-MOVE's
    storage association to us)."""
    if settings.nodes_with_ae(node.ae_title) or not settings.node.require_known_callers:
        return settings
    names = {n.name.casefold() for n in settings.remote_nodes}
    name = "retrieve source"
    while name.casefold() in names:
        name += "+"
    source = make_node(name=name, ae_title=node.ae_title, host=node.host, port=node.port,
                       roles=frozenset({Role.QUERY, Role.RETRIEVE}))  # fmt: skip
    return settings.updated(remote_nodes=[*(n.model_dump() for n in settings.remote_nodes),
                                          source.model_dump()])  # fmt: skip


def cmd_retrieve(args: argparse.Namespace) -> int:
    from workstation.runtime import Runtime
    from workstation.services.retrieve_job import resolve_node, retrieve_handler, retrieve_params

    settings = effective_settings(args)
    try:
        source = resolve_node(settings, args.source)
        params = retrieve_params(
            args.source, "get" if args.get else "move", model=args.model,
            patient_id=args.patient_id or "", **_level_and_uids(args),
        )  # fmt: skip
        if params["level"] == "PATIENT" and not args.patient_id:
            raise PermanentJobError("give --study UID (or --model patient with --patient-id)")
    except (WorkstationError, PermanentJobError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # the store checked on open, as the node it may start needs; jobs are not run here
    with Runtime(settings, run_jobs=False) as runtime:
        if not args.get:
            try:
                host, port = runtime.start_node(_with_caller(settings, source)).address
                print(f"node {settings.node.ae_title} listening on {host}:{port} for the C-MOVE",
                      file=sys.stderr, flush=True)  # fmt: skip
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    print(f"error: cannot listen on port {settings.node.port}: {exc.strerror}",
                          file=sys.stderr)  # fmt: skip
                    return 1
                # our node (workstation serve or the desktop) already listens
                print(f"port {settings.node.port} is in use: the instances go to the node "
                      "listening there", file=sys.stderr, flush=True)  # fmt: skip
        # the job's handler without the "is our node running" check: it may be another
        # process's node that receives the C-MOVE
        handler = retrieve_handler(runtime.current_settings, runtime.store)

        def progress(done: int, total: int, message: str) -> None:
            if args.progress:
                print(f"{done}/{total or '?'}: {message}", file=sys.stderr, flush=True)

        def log_line(line: str) -> None:
            if args.verbose_log:
                print(line, file=sys.stderr, flush=True)

        with cancel_on_sigint() as token:
            try:
                result = handler(params, progress, token, log_line)
            except (PermanentJobError, WorkstationError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
        print(result)
        return 1 if token.is_set() else 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_commands(sub: Any) -> None:
    """Register ``query`` and ``retrieve`` on the ``workstation`` command's subparsers."""
    p = sub.add_parser("query", help="C-FIND on a remote node, one line per match")
    p.add_argument("--to", required=True, metavar="AET@HOST:PORT",
                   help="the node to query (or the name of a configured node)")  # fmt: skip
    p.add_argument("--level", required=True, type=str.upper,
                   choices=["PATIENT", "STUDY", "SERIES", "IMAGE"])  # fmt: skip
    p.add_argument("--model", default="study", type=str.lower, choices=["patient", "study"],
                   help="information model: Patient Root or Study Root (default)")  # fmt: skip
    p.add_argument("-k", "--key", action="append", default=[], metavar="KEY=VALUE",
                   help="a matching key (KEY=VALUE) or return key (KEY); KEY is a keyword or "
                   "a tag gggg,eeee; repeatable")  # fmt: skip
    p.add_argument("--limit", type=_positive, help="stop after this many matches (C-CANCEL); "
                   "default from the settings")  # fmt: skip
    p.add_argument("--only-keys", action="store_true",
                   help="ask for and print the -k keys only, not the level's default keys")  # fmt: skip
    settings_options(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("retrieve", help="C-MOVE (to our own node) or C-GET into the store")
    p.add_argument("--from", dest="source", required=True, metavar="AET@HOST:PORT",
                   help="the node to retrieve from (or the name of a configured node)")  # fmt: skip
    p.add_argument("--get", action="store_true", help="C-GET instead of C-MOVE to ourselves")
    p.add_argument("--model", default="study", type=str.lower, choices=["patient", "study"])
    p.add_argument("--patient-id", help="the patient (Patient Root model)")
    p.add_argument("--study", action="append", default=[], metavar="UID")
    p.add_argument("--series", action="append", default=[], metavar="UID")
    p.add_argument("--image", action="append", default=[], metavar="UID")
    p.add_argument("--progress", action="store_true", help="print sub-operation progress")
    p.add_argument("--log", dest="verbose_log", action="store_true",
                   help="print the job log lines (failed UIDs)")  # fmt: skip
    settings_options(p)
    p.set_defaults(func=cmd_retrieve)
