"""Storage Commitment Push Model on the wire: the datasets of N-ACTION and N-EVENT-REPORT.

Shared by the requester (``scu/commitment``) and by the node in both roles
(``scp/commitment``): building the Action and Event Information, reading them back with
a clear error for malformed input, and recording a received report (PS3.4 Annex J).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import evt

from workstation.config.settings import Settings
from workstation.dicom.uids import uid_problem
from workstation.errors import CommitmentError, UnknownTransactionError
from workstation.net.association import LocalAE
from workstation.store.commitment_state import CommitmentState, ReportResult

log = logging.getLogger(__name__)

COMMITMENT_SOP_CLASS = "1.2.840.10008.1.20.1"
COMMITMENT_SOP_INSTANCE = "1.2.840.10008.1.20.1.1"  # the well-known instance
COMMITMENT_SYNTAXES = (ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian)

ACTION_REQUEST = 1  # Action Type ID: Request Storage Commitment
EVENT_ALL_SUCCESS = 1  # Event Type ID: Storage Commitment Request Successful
EVENT_FAILURES = 2  # Event Type ID: Storage Commitment Request Complete - Failures Exist

# DIMSE statuses we answer with
SUCCESS = 0x0000
PROCESSING_FAILURE = 0x0110
NO_SUCH_EVENT_TYPE = 0x0113
INVALID_ARGUMENT = 0x0115
INVALID_OBJECT_INSTANCE = 0x0117
NO_SUCH_ACTION = 0x0123

# Failure Reasons (0008,1197) of a failed instance
REASON_PROCESSING_FAILURE = 0x0110
REASON_NO_SUCH_OBJECT = 0x0112
REASON_CLASS_INSTANCE_CONFLICT = 0x0119

Reference = tuple[str, str]  # (SOP Class UID, SOP Instance UID)


@dataclass(frozen=True, slots=True)
class CommitRequest:
    """A received N-ACTION's Action Information."""

    transaction_uid: str
    references: tuple[Reference, ...]


@dataclass(frozen=True, slots=True)
class CommitReport:
    """A received or built N-EVENT-REPORT's content."""

    transaction_uid: str
    successes: tuple[Reference, ...]
    failures: tuple[tuple[str, str, int | None], ...]  # class, instance, Failure Reason

    @property
    def event_type(self) -> int:
        return EVENT_FAILURES if self.failures else EVENT_ALL_SUCCESS


def _refs(items: Sequence[Reference]) -> DicomSequence:
    seq = []
    for sop_class, sop_uid in items:
        item = Dataset()
        item.ReferencedSOPClassUID = sop_class
        item.ReferencedSOPInstanceUID = sop_uid
        seq.append(item)
    return DicomSequence(seq)


def action_information(transaction_uid: str, references: Sequence[Reference]) -> Dataset:
    """The N-ACTION's Action Information: Transaction UID and Referenced SOP Sequence."""
    ds = Dataset()
    ds.TransactionUID = transaction_uid
    ds.ReferencedSOPSequence = _refs(references)
    return ds


def event_information(report: CommitReport) -> Dataset:
    """The N-EVENT-REPORT's Event Information for ``report``."""
    ds = Dataset()
    ds.TransactionUID = report.transaction_uid
    if report.successes:
        ds.ReferencedSOPSequence = _refs(report.successes)
    if report.failures:
        failed = []
        for sop_class, sop_uid, reason in report.failures:
            item = Dataset()
            item.ReferencedSOPClassUID = sop_class
            item.ReferencedSOPInstanceUID = sop_uid
            item.FailureReason = int(reason if reason is not None else REASON_PROCESSING_FAILURE)
            failed.append(item)
        ds.FailedSOPSequence = DicomSequence(failed)
    return ds


def _transaction_uid(ds: Dataset) -> str:
    value = str(ds.get("TransactionUID", "") or "").strip("\x00 ")
    problem = uid_problem(value)
    if problem:
        raise CommitmentError(detail=f"Transaction UID {problem}")
    return value


def _read_refs(ds: Dataset, keyword: str) -> list[Dataset]:
    items = list(ds.get(keyword) or [])
    for item in items:
        for attr in ("ReferencedSOPClassUID", "ReferencedSOPInstanceUID"):
            problem = uid_problem(item.get(attr))
            if problem:
                raise CommitmentError(detail=f"{keyword}: {attr} {problem}")
    return items


def parse_request(ds: Dataset) -> CommitRequest:
    """Read an N-ACTION's Action Information; CommitmentError when it is unusable."""
    try:
        uid = _transaction_uid(ds)
        items = _read_refs(ds, "ReferencedSOPSequence")
    except CommitmentError:
        raise
    except Exception as exc:  # pydicom decodes lazily: garbage raises on access
        raise CommitmentError(detail=f"unreadable Action Information: {exc}") from None
    if not items:
        raise CommitmentError(detail="empty Referenced SOP Sequence")
    return CommitRequest(
        uid, tuple((str(i.ReferencedSOPClassUID), str(i.ReferencedSOPInstanceUID)) for i in items)
    )


def parse_report(ds: Dataset) -> CommitReport:
    """Read an N-EVENT-REPORT's Event Information; CommitmentError when it is unusable."""
    try:
        uid = _transaction_uid(ds)
        ok = _read_refs(ds, "ReferencedSOPSequence")
        bad = _read_refs(ds, "FailedSOPSequence")
        failures = tuple(
            (
                str(i.ReferencedSOPClassUID),
                str(i.ReferencedSOPInstanceUID),
                int(i.FailureReason) if i.get("FailureReason") is not None else None,
            )
            for i in bad
        )
    except CommitmentError:
        raise
    except Exception as exc:
        raise CommitmentError(detail=f"unreadable Event Information: {exc}") from None
    successes = tuple((str(i.ReferencedSOPClassUID), str(i.ReferencedSOPInstanceUID)) for i in ok)
    return CommitReport(uid, successes, failures)


def receive_report(
    state: CommitmentState, event: evt.Event
) -> tuple[int, ReportResult | None]:
    """Handle one N-EVENT-REPORT request: (status to answer, what was recorded).

    Unknown and late (no longer pending) transactions are answered 0110 Processing
    Failure, as the conformance target asks; the report is then not recorded.
    """
    assoc = event.assoc
    peer = assoc.requestor if assoc.is_acceptor else assoc.acceptor
    calling = str(peer.ae_title).strip()
    if event.event_type not in (EVENT_ALL_SUCCESS, EVENT_FAILURES):
        log.warning("commitment report from %s: event type %s refused", calling, event.event_type)
        return NO_SUCH_EVENT_TYPE, None
    try:
        report = parse_report(event.event_information)
    except CommitmentError as exc:
        log.warning("commitment report from %s refused: %s", calling, exc.message())
        return INVALID_ARGUMENT, None
    try:
        result = state.record_report(report.transaction_uid, report.successes, report.failures)
    except CommitmentError as exc:
        level = logging.WARNING if isinstance(exc, UnknownTransactionError) else logging.INFO
        log.log(level, "commitment report from %s answered 0110: %s", calling, exc.message())
        return PROCESSING_FAILURE, None
    except Exception:
        log.exception("recording the commitment report from %s failed", calling)
        return PROCESSING_FAILURE, None
    return SUCCESS, result


def local_ae(settings: Settings) -> LocalAE:
    """Who we are on a Storage Commitment association we open (either role)."""
    return LocalAE.from_settings(settings, network_timeout_s=settings.network.network_timeout_s)
