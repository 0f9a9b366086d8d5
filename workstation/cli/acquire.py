"""``workstation acquire``: one examination headless, from registration to MPPS and send.

Registers the worklist item with ``--accession`` (queried at ``--worklist``), or without
a worklist (``--unscheduled`` with the patient's data), opens a procedure step, brings
the FILEs in (DICOM re-stamped, JPEG/PNG/TIFF as Secondary Capture, PDF as Encapsulated
PDF), ends the step (COMPLETED, or DISCONTINUED with ``--discontinue CODE`` of CID 9300)
and runs the job queue until every job of the step reached its final state (MPPS
N-CREATE and N-SET with their retries, the send of ``--send`` with storage commitment),
for at most ``--wait`` seconds. ``--send`` replaces the configured after-exam rules for
this run (sent also when discontinued); our node listens on ``--port`` meanwhile, for a
commitment report on a new association.

Prints ``StudyInstanceUID=``, ``MPPSInstanceUID=`` and ``PerformedProcedureStepID=`` lines
on stdout, what became of each file and of each job on stderr. Exit status: 0 when
everything reached its final state successfully, 1 when something failed or did not
finish in time, 2 for bad input (no such worklist item, a bad code, a malformed node).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from workstation.cli.options import cancel_on_sigint, effective_settings, settings_options
from workstation.config.settings import AfterExamRule, RemoteNode, Role, Settings, make_node
from workstation.errors import ProcedureStepError, SettingsError, WorkstationError
from workstation.jobs import JobState

POLL_S = 0.2
WATCHED_KINDS = ("mpps-create", "mpps-set", "send", "commit")  # not the commitment deadline


def node_address(spec: str, roles: frozenset[Role], field: str) -> RemoteNode:
    """``AET@HOST:PORT`` as a node named after itself."""
    aet, at, rest = spec.strip().rpartition("@")
    host, colon, port = rest.rpartition(":")
    if not at or not aet or not colon or not port.isdigit():
        raise SettingsError(field=field, rule_code="not_address", limits={},
                            rule="must look like AET@HOST:PORT", value=spec)  # fmt: skip
    return make_node(name=spec.strip(), ae_title=aet, host=host, port=int(port), roles=roles)


def with_node(settings: Settings, node: RemoteNode) -> Settings:
    """``settings`` knowing ``node`` (a configured one of the same name is replaced)."""
    nodes = [n for n in settings.remote_nodes if n.name.casefold() != node.name.casefold()]
    nodes.append(node)
    return settings.updated(remote_nodes=[n.model_dump() for n in nodes])


def acquire_settings(args: argparse.Namespace) -> Settings:
    """The saved settings with the command line's overrides, MPPS node and send rule."""
    settings = effective_settings(args)
    if args.mpps:
        node = settings.find_node(args.mpps) or node_address(
            args.mpps, frozenset({Role.MPPS}), "mpps"
        )
        settings = with_node(settings, node).updated(mpps_node=node.name, mpps_enabled=True)
    if args.send:
        node = settings.find_node(args.send) or node_address(
            args.send, frozenset({Role.STORE, Role.COMMITMENT}), "send"
        )
        rule = AfterExamRule(node=node.name, storage_commitment=not args.no_commit,
                             on_discontinued=True)  # fmt: skip
        settings = with_node(settings, node).updated(after_exam=[rule.model_dump()])
    return settings


def query_registration(settings: Settings, args: argparse.Namespace) -> Any:
    """The registration of the worklist item with ``--accession`` at ``--worklist``."""
    from workstation.dicom.registration import RegistrationEdits, from_worklist
    from workstation.dicom.worklist import PatientQuery, patient_identifier
    from workstation.net.association import LocalAE
    from workstation.net.scu.worklist import query_worklist

    node = settings.find_node(args.worklist) or node_address(
        args.worklist, frozenset({Role.WORKLIST}), "worklist"
    )
    identifier = patient_identifier(PatientQuery(accession_number=args.accession))
    answer = query_worklist(
        node, LocalAE.from_settings(settings), identifier,
        limit=settings.worklist.max_items, timeout_s=settings.worklist.response_timeout_s,
    )  # fmt: skip
    items = [i for i in answer.items if i.accession_number == args.accession]
    if not items:
        raise ProcedureStepError(step_id="-", reason=(
            f"no worklist item with accession number {args.accession} at {node.name}"))
    if len(items) > 1:
        print(f"{len(items)} worklist items with accession {args.accession}: the first "
              f"({items[0].sps_id}) is registered", file=sys.stderr)  # fmt: skip
    edits = RegistrationEdits(
        performing_physician=args.performing_physician, study_id=None, study_description=None
    )
    return from_worklist(items[0].dataset, modality_default=args.modality or "OT", edits=edits)


def manual_registration(args: argparse.Namespace) -> Any:
    from workstation.dicom.registration import ManualForm, manual

    missing = [o for o, v in (("--patient-name", args.patient_name),
                              ("--patient-id", args.patient_id),
                              ("--modality", args.modality)) if not v]  # fmt: skip
    if missing:
        raise ProcedureStepError(step_id="-", reason="--unscheduled needs " + ", ".join(missing))
    form = ManualForm(
        patient_name=args.patient_name, patient_id=args.patient_id,
        birth_date=args.birth_date or "", sex=args.sex or "", modality=args.modality,
        accession_number=args.accession or "",
        performing_physician=args.performing_physician or "",
    )  # fmt: skip
    return manual(form, today=date.today())


def cmd_acquire(args: argparse.Namespace) -> int:
    from workstation.runtime import Runtime
    from workstation.services.exam import FileOutcome, step_summary
    from workstation.store.procedure_steps import MppsState

    if not args.unscheduled and not (args.worklist and args.accession):
        print("error: give --worklist and --accession, or --unscheduled", file=sys.stderr)
        return 2
    try:
        settings = acquire_settings(args)
        reg = manual_registration(args) if args.unscheduled else query_registration(settings, args)
    except WorkstationError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 2 if args.unscheduled or not _is_network(exc) else 1
    with Runtime(settings) as runtime:
        exam = runtime.exam
        exam.retry_delay_s = args.retry_delay
        if args.send:
            try:
                runtime.start_node()
            except OSError as exc:
                print(f"warning: our node cannot listen ({exc}): a commitment report can "
                      "only come on the request's association", file=sys.stderr)  # fmt: skip
        baseline = max((j.id for j in runtime.queue.list()), default=0)
        run_started = time.time()
        runtime.start_jobs(poll_s=POLL_S)
        step = exam.open_step(reg, operator=args.operator or "")
        print(f"StudyInstanceUID={step.study_uid}")
        print(f"MPPSInstanceUID={step.mpps_uid}")
        print(f"PerformedProcedureStepID={step.step_id}", flush=True)
        results = exam.add_files(step, [Path(f) for f in args.files])
        for r in results:
            if r.outcome is FileOutcome.SKIPPED:
                print(f"skipped {r.path}: {r.reason}", file=sys.stderr)
            else:
                print(f"{r.outcome} {r.path} ({r.kind}) as {r.sop_instance_uid}", file=sys.stderr)
        try:
            end = (exam.discontinue(step, args.discontinue) if args.discontinue
                   else exam.complete(step))  # fmt: skip
        except WorkstationError as exc:
            print(f"error: {exc.message()}", file=sys.stderr)
            return 2
        for line in end.after_exam.skipped:
            print(f"after-exam rule skipped: {line}", file=sys.stderr)
        mpps_wanted = exam.mpps_node() is not None
        with cancel_on_sigint() as cancel:
            done = _wait(runtime, step.step_id, baseline, run_started, mpps_wanted, args.wait,
                         cancel)
        final = exam.step(step)
        print(step_summary(final, exam.instances(final)), file=sys.stderr)
        ok = _report_jobs(runtime, baseline, run_started) and done
        if mpps_wanted and final.mpps_state not in (MppsState.COMPLETED, MppsState.DISCONTINUED):
            ok = False
        if not done:
            print(f"not finished within {args.wait:g} s", file=sys.stderr)
        stored = sum(1 for r in results if r.outcome is not FileOutcome.SKIPPED)
        if stored < len(results):
            ok = False
        return 0 if ok else 1


def _is_network(exc: WorkstationError) -> bool:
    from workstation.errors import NetworkError

    return isinstance(exc, NetworkError)


def _watched(runtime: Any, baseline: int) -> list[Any]:
    return [j for j in runtime.queue.list() if j.id > baseline and j.kind in WATCHED_KINDS]


def _wait(runtime: Any, step_id: str, baseline: int, started: float, mpps_wanted: bool,
          wait_s: float, cancel: Any) -> bool:  # fmt: skip
    """Until the step's MPPS is final and every job queued since ``baseline`` (and the
    commitment transactions they made) ended; False at the deadline or on Ctrl-C."""
    from workstation.store.commitment_state import CommitmentState, TransactionState

    commitments = CommitmentState(runtime.store.index)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and not cancel.is_set():
        step = runtime.exam.step(step_id)
        jobs = _watched(runtime, baseline)
        mpps_done = not mpps_wanted or step.mpps_state.is_final
        jobs_done = all(j.state.is_final for j in jobs)
        pending = [t for t in commitments.transactions(TransactionState.PENDING)
                   if t.created_at >= started]  # fmt: skip
        if mpps_done and jobs_done and not pending:
            return True
        cancel.wait(POLL_S)
    return False


def _report_jobs(runtime: Any, baseline: int, started: float) -> bool:
    """One line per job on stderr; True when each succeeded."""
    from workstation.store.commitment_state import CommitmentState, TransactionState

    ok = True
    for job in _watched(runtime, baseline):
        text = job.result if job.state is JobState.SUCCEEDED else job.last_error
        print(f"job {job.id} {job.kind}: {job.state}" + (f": {text}" if text else ""),
              file=sys.stderr)  # fmt: skip
        ok = ok and job.state is JobState.SUCCEEDED
    for t in CommitmentState(runtime.store.index).transactions():
        if t.created_at >= started:
            print(f"commitment {t.transaction_uid} at {t.node_name}: {t.state}", file=sys.stderr)
            ok = ok and t.state is TransactionState.COMMITTED
    return ok


def add_command(sub: Any) -> argparse.ArgumentParser:
    """Register ``acquire`` on the ``workstation`` command's subparsers."""
    p = sub.add_parser(
        "acquire", help="run one examination headless: register, store the files, report MPPS",
    )  # fmt: skip
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="DICOM files or folders, JPEG/PNG/TIFF images, PDF documents")  # fmt: skip
    g = p.add_argument_group("registration")
    g.add_argument("--worklist", metavar="AET@HOST:PORT", help="the worklist SCP")
    g.add_argument("--accession", help="the accession number of the worklist item")
    g.add_argument("--unscheduled", action="store_true",
                   help="register without a worklist (with --patient-name, --patient-id, "
                   "--modality)")  # fmt: skip
    g.add_argument("--patient-name", help="Family^Given (with --unscheduled)")
    g.add_argument("--patient-id")
    g.add_argument("--birth-date", metavar="YYYYMMDD")
    g.add_argument("--sex", choices=["M", "F", "O"])
    g.add_argument("--modality", help="the modality (with --unscheduled; default for a "
                   "worklist item without one)")  # fmt: skip
    g.add_argument("--performing-physician", help="Family^Given, instead of the scheduled one")
    e = p.add_argument_group("examination")
    e.add_argument("--operator", help="the operator's name, for the MPPS")
    e.add_argument("--discontinue", metavar="CODE",
                   help="end the step DISCONTINUED with this CID 9300 reason (e.g. 110514)")
    e.add_argument("--mpps", metavar="AET@HOST:PORT",
                   help="the MPPS SCP (default: the configured one, if any)")
    e.add_argument("--send", metavar="AET@HOST:PORT",
                   help="send the step's instances there, with storage commitment")
    e.add_argument("--no-commit", action="store_true",
                   help="with --send: no storage commitment")
    e.add_argument("--wait", type=float, default=120.0, metavar="SECONDS",
                   help="longest wait for the jobs to finish, retries included (default 120)")
    e.add_argument("--retry-delay", type=float, default=2.0, metavar="SECONDS",
                   help="wait before an MPPS message's second try, doubled each time "
                   "(default 2)")  # fmt: skip
    settings_options(p)
    p.set_defaults(func=cmd_acquire)
    return p
