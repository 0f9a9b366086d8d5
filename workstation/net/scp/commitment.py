"""Storage Commitment Push Model on our node, both roles.

- SCU role (we asked, the peer reports back): an N-EVENT-REPORT on an association the
  peer opens. The peer is the requestor in the SCP role, so the node's context accepts
  both roles. Known pending transactions are recorded (0000), unknown or late ones get
  0110 Processing Failure (``commitment.receive_report``).
- SCP role (the peer asks us): the N-ACTION is answered at once; a reporter thread
  checks every referenced instance against the local store (stored with the same SOP
  class: success; else 0112 no such object / 0119 class-instance conflict) and sends
  the N-EVENT-REPORT on the same association while the requester holds it, else on a
  new association to the requester's configured node (its calling AE in remote_nodes).
  The report is owed from the N-ACTION on (a row in the index, deleted once delivered):
  with :attr:`CommitmentService.defer` set (the runtime queues a "commit-report" job),
  a report not given on the N-ACTION's association goes to that job, and one left by a
  stop or crash is sent at the next start.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from pynetdicom import build_role, evt
from pynetdicom.pdu_primitives import A_RELEASE

from workstation.config.settings import RemoteNode, Settings
from workstation.errors import AssociationRejectedError, CommitmentError, NetworkError
from workstation.net.association import context, open_association
from workstation.net.commitment import (
    ACTION_REQUEST,
    COMMITMENT_SOP_CLASS,
    COMMITMENT_SOP_INSTANCE,
    COMMITMENT_SYNTAXES,
    INVALID_ARGUMENT,
    INVALID_OBJECT_INSTANCE,
    NO_SUCH_ACTION,
    PROCESSING_FAILURE,
    REASON_CLASS_INSTANCE_CONFLICT,
    REASON_NO_SUCH_OBJECT,
    SUCCESS,
    CommitReport,
    CommitRequest,
    event_information,
    local_ae,
    parse_request,
    receive_report,
)
from workstation.store.commitment_state import CommitmentState, ReportResult
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

# How long the report on the N-ACTION's association may wait for its response before
# the reporter gives up on that association and opens a new one (a requester that
# released at once never answers it).
SAME_ASSOCIATION_RSP_TIMEOUT_S = 5.0
# A requester that does not wait releases right after the N-ACTION response: give its
# A-RELEASE-RQ this long to arrive before the report goes on that association.
RELEASE_GRACE_S = 0.25
RESPONSE_SENT_TIMEOUT_S = 30.0
NEW_ASSOCIATION_RETRY_DELAYS_S = (2.0, 10.0)  # after the first and second failed attempt
STOP_JOIN_S = 10.0

ReportListener = Callable[[ReportResult, str], None]
DeferHook = Callable[[str, str], None]  # (transaction UID, calling AE): report it later


def evaluate(state: CommitmentState, request: CommitRequest) -> CommitReport:
    """The commitment result for ``request`` from the local store."""
    stored = state.stored_classes([sop for _cls, sop in request.references])
    ok, bad = [], []
    for sop_class, sop_uid in request.references:
        found = stored.get(sop_uid)
        if found is None:
            bad.append((sop_class, sop_uid, REASON_NO_SUCH_OBJECT))
        elif found != sop_class:
            bad.append((sop_class, sop_uid, REASON_CLASS_INSTANCE_CONFLICT))
        else:
            ok.append((sop_class, sop_uid))
    return CommitReport(request.transaction_uid, tuple(ok), tuple(bad))


class CommitmentService:
    """The node's Storage Commitment handlers and the reporter threads they start."""

    def __init__(
        self, settings: Settings, store: LocalStore, on_report: ReportListener | None = None
    ) -> None:
        self.settings = settings
        self.state = CommitmentState(store.index)
        self.on_report = on_report
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._message_ids = itertools.count(1)
        # set by the runtime: a report not given on the N-ACTION's association is handed
        # to it (a job with retries) instead of this node's reporter thread
        self.defer: DeferHook | None = None

    # -- wiring ------------------------------------------------------------------------
    @staticmethod
    def contexts() -> list[tuple[str, tuple[str, ...]]]:
        """(abstract syntax, transfer syntaxes) to support with both roles allowed."""
        return [(COMMITMENT_SOP_CLASS, tuple(str(s) for s in COMMITMENT_SYNTAXES))]

    def handlers(self) -> list[tuple[Any, Callable]]:
        return [(evt.EVT_N_ACTION, self._on_action), (evt.EVT_N_EVENT_REPORT, self._on_report)]

    def start(self) -> None:
        """At node start: pending transactions past their deadline become commit failed."""
        self._stop.clear()
        expired = self.state.expire_overdue()
        if expired:
            log.warning("%d commitment transactions expired while we were down", len(expired))

    def stop(self, timeout_s: float = STOP_JOIN_S) -> None:
        """Stop the reporters (a report not yet sent stays owed: the next start sends it)."""
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def reporters_running(self) -> int:
        with self._lock:
            return sum(1 for t in self._threads if t.is_alive())

    # -- SCU role: a report for a transaction we requested --------------------------------
    def _on_report(self, event: evt.Event) -> tuple[int, None]:
        status, result = receive_report(self.state, event)
        if result is not None and self.on_report is not None:
            try:
                self.on_report(result, str(event.assoc.requestor.ae_title).strip())
            except Exception:
                log.exception("commitment report listener failed")
        return status, None

    # -- SCP role: a peer asks us ------------------------------------------------------
    def _on_action(self, event: evt.Event) -> tuple[int, None]:
        assoc = event.assoc
        calling = str(assoc.requestor.ae_title).strip()
        if event.action_type != ACTION_REQUEST:
            log.warning("N-ACTION from %s with action type %s refused", calling, event.action_type)
            return NO_SUCH_ACTION, None
        instance = str(event.request.RequestedSOPInstanceUID or "")
        if instance != COMMITMENT_SOP_INSTANCE:
            log.warning("N-ACTION from %s for instance %r refused", calling, instance)
            return INVALID_OBJECT_INSTANCE, None
        try:
            request = parse_request(event.action_information)
        except CommitmentError as exc:
            log.warning("N-ACTION from %s refused: %s", calling, exc.message())
            return INVALID_ARGUMENT, None
        if self._stop.is_set():
            return PROCESSING_FAILURE, None
        try:
            self.state.owe(request.transaction_uid, calling, request.references)
        except Exception:
            log.exception("commitment %s: recording the owed report failed",
                          request.transaction_uid)  # fmt: skip
            return PROCESSING_FAILURE, None
        sent = threading.Event()

        def on_sent(ev: evt.Event) -> None:
            if type(ev.message).__name__ == "N_ACTION_RSP":
                sent.set()

        assoc.bind(evt.EVT_DIMSE_SENT, on_sent)
        thread = threading.Thread(
            target=self._report,
            args=(assoc, calling, request, sent, on_sent),
            name=f"commitment-report-{request.transaction_uid[-12:]}",
            daemon=True,
        )
        with self._lock:
            self._threads = {t for t in self._threads if t.is_alive()}
            self._threads.add(thread)
        thread.start()
        log.info("N-ACTION from %s: commitment %s for %d instances accepted",
                 calling, request.transaction_uid, len(request.references))  # fmt: skip
        return SUCCESS, None

    def _report(
        self,
        assoc: Any,
        calling: str,
        request: CommitRequest,
        sent: threading.Event,
        on_sent: Callable,
    ) -> None:
        try:
            report = evaluate(self.state, request)
        except Exception:
            log.exception("commitment %s: checking the local store failed", request.transaction_uid)
            report = CommitReport(
                request.transaction_uid, (),
                tuple((c, s, PROCESSING_FAILURE) for c, s in request.references),
            )  # fmt: skip
        log.info("commitment %s for %s: %d committed, %d failed", request.transaction_uid,
                 calling, len(report.successes), len(report.failures))  # fmt: skip
        same = _response_sent(assoc, sent)
        try:
            assoc.unbind(evt.EVT_DIMSE_SENT, on_sent)
        except Exception:
            pass
        if same and self._send_on(assoc, report):
            log.info("commitment %s reported on the same association", request.transaction_uid)
            self.state.delivered(request.transaction_uid, calling)
            return
        if self.defer is not None:
            log.info("commitment %s: the report to %s goes to a job",
                     request.transaction_uid, calling)  # fmt: skip
            self.defer(request.transaction_uid, calling)
            return
        if self._report_on_new_association(calling, report):
            self.state.delivered(request.transaction_uid, calling)

    def _send_on(self, assoc: Any, report: CommitReport) -> bool:
        """The report on the N-ACTION's association; False if the requester is not there."""
        if self._stop.is_set() or _released_soon(assoc):
            return False
        previous = assoc.dimse_timeout
        assoc.dimse_timeout = min(previous or SAME_ASSOCIATION_RSP_TIMEOUT_S,
                                  SAME_ASSOCIATION_RSP_TIMEOUT_S)  # fmt: skip
        try:
            rsp, _ = assoc.send_n_event_report(
                event_information(report), report.event_type, COMMITMENT_SOP_CLASS,
                COMMITMENT_SOP_INSTANCE, msg_id=next(self._message_ids) % 65536,
            )  # fmt: skip
        except RuntimeError:  # released meanwhile
            return False
        finally:
            assoc.dimse_timeout = previous
        if rsp is None or "Status" not in rsp:
            return False
        if int(rsp.Status) != 0:
            log.warning("commitment %s: the requester answered the report with 0x%04X",
                        report.transaction_uid, int(rsp.Status))  # fmt: skip
        return True

    def _report_on_new_association(self, calling: str, report: CommitReport) -> bool:
        """The report on new associations, retried; True when it was delivered or never
        can be (the requester is not a configured node)."""
        node = requester_node(self.settings, calling, report.transaction_uid)
        if node is None:
            return True
        attempts = len(NEW_ASSOCIATION_RETRY_DELAYS_S) + 1
        for attempt in range(attempts):
            if self._stop.is_set():
                break
            # first with the SCP role proposed (we report as the SCP); a peer that refuses
            # role selection gets the plain context on the next attempt
            problem = send_report(self.settings, node, report, propose_role=attempt % 2 == 0)
            if problem is None:
                log.info("commitment %s reported to %s on a new association",
                         report.transaction_uid, node.name)  # fmt: skip
                return True
            log.warning("commitment %s: report to %s failed (attempt %d of %d): %s",
                        report.transaction_uid, node.name, attempt + 1, attempts, problem)  # fmt: skip
            if attempt < attempts - 1 and self._stop.wait(NEW_ASSOCIATION_RETRY_DELAYS_S[attempt]):
                break
        log.error("commitment %s: report to %s not delivered", report.transaction_uid, node.name)
        return False


def requester_node(settings: Settings, calling: str, transaction_uid: str) -> RemoteNode | None:
    """The configured node a report to ``calling`` goes to (None, logged: there is none)."""
    nodes = settings.nodes_with_ae(calling)
    if not nodes:
        log.error("commitment %s: %s left before the report and is not a configured node:"
                  " the report cannot be delivered", transaction_uid, calling)  # fmt: skip
        return None
    return nodes[0]


def send_report(
    settings: Settings, node: RemoteNode, report: CommitReport, propose_role: bool
) -> str | None:
    """One N-EVENT-REPORT on a new association to ``node``: None once delivered, else why
    not. ``propose_role``: with the SCP role proposed (some peers refuse role selection)."""
    roles = [build_role(COMMITMENT_SOP_CLASS, scp_role=True)] if propose_role else []
    try:
        connection = open_association(
            node, local_ae(settings),
            [context(COMMITMENT_SOP_CLASS, COMMITMENT_SYNTAXES)], ext_neg=roles,
        )  # fmt: skip
    except NetworkError as exc:
        rejected = isinstance(exc, AssociationRejectedError)
        return "association not established" + (" (rejected)" if rejected else "")
    assoc = connection.assoc
    try:
        if not connection.accepts(COMMITMENT_SOP_CLASS):
            assoc.release()
            return "Storage Commitment Push Model not accepted"
        rsp, _ = assoc.send_n_event_report(
            event_information(report), report.event_type, COMMITMENT_SOP_CLASS,
            COMMITMENT_SOP_INSTANCE,
        )  # fmt: skip
        if assoc.is_established:
            assoc.release()
        if rsp is None or "Status" not in rsp:
            return "no response to the N-EVENT-REPORT"
        if int(rsp.Status) != 0:
            # an answered report is delivered: the peer decided; sending again won't change it
            log.warning("commitment %s: %s answered the report with 0x%04X",
                        report.transaction_uid, node.name, int(rsp.Status))  # fmt: skip
        return None
    finally:
        connection.close()


def _released_soon(assoc: Any) -> bool:
    """Whether the requester releases (or left) within the grace period."""
    deadline = time.monotonic() + RELEASE_GRACE_S
    while True:
        # peek only: the reactor takes the A-RELEASE-RQ off the queue and answers it
        if not assoc.is_established or isinstance(assoc.dul.peek_next_pdu(), A_RELEASE):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)


def _response_sent(assoc: Any, sent: threading.Event) -> bool:
    """Wait until the N-ACTION response is queued and pynetdicom's reactor left the
    handler (a report sent earlier could overtake the response); False if it never was."""
    if not sent.wait(RESPONSE_SENT_TIMEOUT_S):
        return False
    deadline = time.monotonic() + RESPONSE_SENT_TIMEOUT_S
    while time.monotonic() < deadline:
        # the reactor marks itself paused while it serves a request and at its checkpoint
        if not getattr(assoc, "_is_paused", False) or not assoc.is_established:
            return True
        time.sleep(0.0005)
    return False
