"""Storage SCU: stored instances to one node over one association (CONFORMANCE.md).

Contexts and transfer syntaxes come from ``send_plan``; an instance the peer does not
take as stored is decompressed or re-encoded (``dicom/transcode``) into a temporary
file. Every instance is sent from its file without decoding it (``wire/cstore_request``;
with the wire fast paths off, pynetdicom's ``send_c_store`` from the file), so the peer
receives the stored bytes. The association is net/association.py's.

Outcomes (CONFORMANCE.md "Send outcomes"): 0000 stored; B000/B006/B007 (any warning)
stored with a warning; 0111 duplicate, the peer has it; any failure status (A7xx,
A9xx, Cxxx ...) failed, and the send goes on; a class the peer accepted no context
for is refused. An association that cannot be opened raises a typed
:class:`~workstation.errors.NetworkError`; one that breaks in the middle (abort, closed
connection, DIMSE timeout) ends the send with the error in
:attr:`SendReport.interrupted`, the instance in flight not counted as sent.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pynetdicom.association import Association
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.status import code_to_category

from workstation.config.settings import CompressionPolicy, RemoteNode, Settings
from workstation.dicom.transcode import write_transcoded
from workstation.errors import NetworkError, TranscodeError
from workstation.net import wire
from workstation.net.association import Connection, LocalAE, open_association
from workstation.net.scu.send_plan import Action, AssociationPlan, Choice, choose, plan_associations
from workstation.net.wire.cstore_request import MessageBrokenError, NotPart10Error
from workstation.store.selection import StoredInstance
from workstation.store.send_state import SendOutcome, SendRecord

log = logging.getLogger(__name__)

DUPLICATE_STATUS = 0x0111
WARNING_STATUSES = (0xB000, 0xB006, 0xB007)


@dataclass(frozen=True, slots=True)
class SendProgress:
    """Where a send stands: instances and bytes (of the stored files) done so far."""

    done: int
    total: int
    bytes_done: int
    bytes_total: int
    sop_uid: str = ""


@dataclass(frozen=True, slots=True)
class InstanceResult:
    """What happened to one instance: the peer's status (None: no response) and how it went."""

    item: StoredInstance
    outcome: SendOutcome
    status: int | None
    transfer_syntax: str = ""
    action: Action | None = None
    detail: str = ""

    def record(self) -> SendRecord:
        i = self.item
        return SendRecord(
            i.sop_uid, i.sop_class_uid, i.study_uid, i.series_uid, self.outcome, self.status,
            self.transfer_syntax, self.detail,
        )  # fmt: skip


@dataclass
class SendReport:
    """The whole send: one result per instance the peer answered (or refused)."""

    node: RemoteNode
    total: int
    results: list[InstanceResult] = field(default_factory=list)
    interrupted: NetworkError | None = None
    cancelled: bool = False

    def count(self, outcome: SendOutcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failures(self) -> list[InstanceResult]:
        return [r for r in self.results if not r.outcome.on_peer]

    @property
    def not_sent(self) -> int:
        """Instances without any answer (cancelled, or after the association broke)."""
        return self.total - len(self.results)

    @property
    def references(self) -> list[tuple[str, str]]:
        """(SOP class, SOP instance) of every instance now on the peer, for commitment."""
        return [(r.item.sop_class_uid, r.item.sop_uid) for r in self.results if r.outcome.on_peer]

    def summary(self) -> str:
        parts = [
            f"sent {self.count(SendOutcome.STORED)}",
            f"warnings {self.count(SendOutcome.WARNING)}",
            f"duplicates {self.count(SendOutcome.DUPLICATE)}",
            f"failed {self.count(SendOutcome.FAILED) + self.count(SendOutcome.REFUSED)}",
        ]
        if self.not_sent:
            parts.append(f"not sent {self.not_sent}")
        return f"{', '.join(parts)} of {self.total} to {self.node.name}"


def outcome_of(status: int) -> SendOutcome:
    """The outcome a C-STORE response status stands for."""
    if status == 0x0000:
        return SendOutcome.STORED
    if status == DUPLICATE_STATUS:
        return SendOutcome.DUPLICATE
    if status in WARNING_STATUSES or code_to_category(status) == "Warning":
        return SendOutcome.WARNING
    return SendOutcome.FAILED


def _status_detail(status: int, rsp: C_STORE | StoreResponse) -> str:
    comment = str(getattr(rsp, "ErrorComment", None) or "").strip()
    text = f"status 0x{status:04X} ({code_to_category(status).lower()})"
    return f"{text}: {comment}" if comment else text


class StoreResponse:
    """What ``send_c_store`` answered, as the fields of a C-STORE response the sender reads."""

    def __init__(self, status: Dataset) -> None:
        self.Status = status.get("Status")
        self.ErrorComment = status.get("ErrorComment")
        self.is_valid_response = self.Status is not None


class PlainStoreWriter:
    """C-STOREs through pynetdicom's ``send_c_store`` from the stored file (the wire fast
    paths off); the same interface as ``cstore_request.RequestWriter``."""

    def __init__(self, assoc: Association) -> None:
        self.assoc = assoc
        self.message_id = 0

    def store(self, path: Path, context_id: int, sop_class_uid: str, sop_uid: str,
              timeout_s: float | None = None) -> StoreResponse | None:  # fmt: skip
        """Send ``path``; the response, or None when none came (pynetdicom aborted)."""
        self.message_id = self.message_id % 0xFFFF + 1
        try:
            status = self.assoc.send_c_store(path, msg_id=self.message_id)
        except (AttributeError, ValueError, EOFError, InvalidDicomError) as exc:  # no usable file meta
            raise NotPart10Error(f"{path}: {exc}") from None
        return StoreResponse(status) if "Status" in status else None


class _Sender:
    """Sends the instances of one association plan; the report collects the results."""

    def __init__(
        self,
        conn: Connection,
        policy: CompressionPolicy,
        report: SendReport,
        workdir: Path,
        progress: Callable[[SendProgress], None] | None,
        on_result: Callable[[InstanceResult], None] | None,
        counters: dict[str, int],
    ) -> None:
        self.conn = conn
        self.policy = policy
        self.report = report
        self.workdir = workdir
        self.progress = progress
        self.on_result = on_result
        self.counters = counters
        self.writer = wire.store_writer(conn.assoc) or PlainStoreWriter(conn.assoc)
        self.accepted: dict[str, set[str]] = {}
        self.context_ids: dict[tuple[str, str], int] = {}
        for cx in conn.assoc.accepted_contexts:
            abstract, ts = str(cx.abstract_syntax), str(cx.transfer_syntax[0])
            self.accepted.setdefault(abstract, set()).add(ts)
            self.context_ids.setdefault((abstract, ts), int(cx.context_id))

    def _finish(self, result: InstanceResult) -> None:
        self.report.results.append(result)
        self.counters["done"] += 1
        self.counters["bytes"] += result.item.size
        if result.outcome.on_peer:
            log.debug("%s -> %s: %s", result.item.sop_uid, self.report.node.name, result.outcome)
        else:
            log.info("%s not stored at %s: %s (%s)", result.item.sop_uid,
                     self.report.node.name, result.outcome, result.detail)  # fmt: skip
        if self.on_result is not None:
            self.on_result(result)
        if self.progress is not None:
            self.progress(SendProgress(self.counters["done"], self.report.total,
                                       self.counters["bytes"], self.counters["bytes_total"],
                                       result.item.sop_uid))  # fmt: skip

    def _refused(self, item: StoredInstance) -> InstanceResult:
        accepted = self.accepted.get(item.sop_class_uid)
        if not accepted:
            why = f"the peer accepted no presentation context for SOP class {item.sop_class_uid}"
        else:
            why = (f"the peer accepted only {', '.join(sorted(accepted))} for SOP class "
                   f"{item.sop_class_uid}, none usable for {item.transfer_syntax} under the "
                   f"'{self.policy}' compression policy")  # fmt: skip
        return InstanceResult(item, SendOutcome.REFUSED, None, detail=why)

    def _file_for(self, item: StoredInstance, choice: Choice) -> Path:
        if choice.action is Action.AS_STORED:
            return item.path
        target = self.workdir / f"{item.sop_uid}.dcm"
        write_transcoded(item.path, target, choice.transfer_syntax,
                         decompress=choice.action is Action.DECOMPRESS)  # fmt: skip
        return target

    def send(self, item: StoredInstance, cancelled: Callable[[], bool]) -> bool:
        """One instance; False when the association is gone (the report says why)."""
        choice = choose(item.transfer_syntax, self.accepted.get(item.sop_class_uid, ()),
                        self.policy)  # fmt: skip
        if choice is None:
            self._finish(self._refused(item))
            return True
        try:
            path = self._file_for(item, choice)
        except TranscodeError as exc:
            self._finish(InstanceResult(item, SendOutcome.FAILED, None, detail=exc.message()))
            return True
        context_id = self.context_ids[(item.sop_class_uid, choice.transfer_syntax)]
        try:
            rsp = self.writer.store(path, context_id, item.sop_class_uid, item.sop_uid,
                                    self.conn.local.dimse_timeout_s)  # fmt: skip
        except MessageBrokenError as exc:  # half a message is out: this association is done
            self._finish(InstanceResult(item, SendOutcome.FAILED, None, detail=str(exc)))
            self.report.interrupted = self.conn.abort_for(str(exc))
            return False
        except (OSError, NotPart10Error) as exc:  # the stored file is unreadable
            self._finish(InstanceResult(item, SendOutcome.FAILED, None,
                                        detail=f"cannot send the stored file: {exc}"))  # fmt: skip
            return True
        finally:
            if path != item.path:
                path.unlink(missing_ok=True)
        if rsp is None:
            if not cancelled():
                self.report.interrupted = self.conn.failure("C-STORE")
            if self.conn.assoc.is_established:
                self.conn.assoc.abort()  # no answer in time: this association is done
            return False
        if not rsp.is_valid_response:
            self.report.interrupted = self.conn.abort_for(
                "the peer sent an invalid C-STORE response"
            )
            return False
        status = int(rsp.Status)
        outcome = outcome_of(status)
        detail = "" if outcome is SendOutcome.STORED else _status_detail(status, rsp)
        if choice.action is not Action.AS_STORED:
            detail = f"{choice.action} to {choice.transfer_syntax}" + (
                f"; {detail}" if detail else ""
            )
        self._finish(InstanceResult(item, outcome, status, choice.transfer_syntax, choice.action,
                                    detail))  # fmt: skip
        return True


def send_instances(
    settings: Settings,
    node: RemoteNode,
    items: Sequence[StoredInstance],
    *,
    ae_title: str | None = None,
    progress: Callable[[SendProgress], None] | None = None,
    on_result: Callable[[InstanceResult], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    abort_hook: Callable[[Callable[[], None]], Callable[[], None]] | None = None,
) -> SendReport:
    """Send ``items`` to ``node`` (one association; more only past 128 SOP classes).

    ``progress`` and ``on_result`` are called on this thread after each answered
    instance; ``cancelled`` is checked between instances; ``abort_hook(fn)`` (a cancel
    token's ``on_cancel``) registers the abort of a C-STORE in flight and returns its
    unregister. Raises a NetworkError when no association comes up.
    """
    is_cancelled = cancelled or (lambda: False)
    report = SendReport(node, len(items))
    counters = {"done": 0, "bytes": 0, "bytes_total": sum(i.size for i in items)}
    plans = plan_associations(items, node.compression)
    local = LocalAE.from_settings(settings, ae_title, dimse_timeout_s=settings.services.send_timeout_s)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ws-send-") as tmp:
        for number, plan in enumerate(plans):
            if is_cancelled():
                report.cancelled = True
                break
            try:
                conn = open_association(node, local, plan.contexts, service="Storage")
            except NetworkError as exc:
                if number == 0:
                    raise
                report.interrupted = exc
                break
            sender = _Sender(conn, node.compression, report, Path(tmp), progress, on_result,
                             counters)  # fmt: skip
            if not _send_plan(sender, plan, conn, is_cancelled, abort_hook):
                break
    report.cancelled = report.cancelled or (is_cancelled() and report.not_sent > 0)
    log.info("send to %s (%s@%s:%d): %s in %.1f s", node.name, node.ae_title, node.host,
             node.port, report.summary(), time.perf_counter() - started)  # fmt: skip
    return report


def _send_plan(
    sender: _Sender,
    plan: AssociationPlan,
    conn: Connection,
    cancelled: Callable[[], bool],
    abort_hook: Callable[[Callable[[], None]], Callable[[], None]] | None,
) -> bool:
    """Send one plan's instances on ``conn`` and close it; False to stop the whole send."""
    unregister = abort_hook(conn.abort_now) if abort_hook is not None else (lambda: None)
    going = True
    try:
        with conn.reactor_held():
            for item in plan.items:
                if cancelled():
                    sender.report.cancelled = True
                    going = False
                    break
                if not sender.send(item, cancelled):  # type: ignore[arg-type]
                    going = False
                    break
    finally:
        unregister()
        conn.close()
    return going and sender.report.interrupted is None
