"""Query/Retrieve SCP: C-FIND, C-MOVE and C-GET over the local store's index.

C-FIND answers come from SQL on the index (store/query.py), each match encoded
straight from the index row (store/query_encode.py) and written onto the association
in batches (net/wire/find_response.py); Big Endian contexts, and every context with
the wire fast paths off, leave encoding and sending to pynetdicom, one yield per
match. C-MOVE opens one association to a configured destination and C-GET stores on the requesting
association; both send each instance in its stored transfer syntax when the peer
accepted it, else decompressed to one it did accept. pynetdicom keeps the
sub-operation counts and the failed SOP Instance UID list from our yields.
"""

from __future__ import annotations

import logging
import select
import time
from collections.abc import Callable, Iterator
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import evt
from pynetdicom.pdu_primitives import A_ABORT, A_P_ABORT, A_RELEASE
from pynetdicom.presentation import PresentationContext
from pynetdicom.sop_class import (
    PatientRootQueryRetrieveInformationModelFind,
    PatientRootQueryRetrieveInformationModelGet,
    PatientRootQueryRetrieveInformationModelMove,
    PatientStudyOnlyQueryRetrieveInformationModelFind,
    PatientStudyOnlyQueryRetrieveInformationModelGet,
    PatientStudyOnlyQueryRetrieveInformationModelMove,
    StudyRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)

from workstation.config.settings import Role, Settings
from workstation.dicom.lossy import mark_lossy
from workstation.errors import QueryError
from workstation.net import wire
from workstation.net.association import context
from workstation.net.wire.find_response import BIG_ANSWER, ResponseWriteError
from workstation.store.local_store import LocalStore
from workstation.store.query import Model, RetrieveItem, find, retrieve_items
from workstation.store.query_encode import EncodeError, encoded_answer

log = logging.getLogger(__name__)

FIND_MODELS = {
    PatientRootQueryRetrieveInformationModelFind: Model.PATIENT_ROOT,
    StudyRootQueryRetrieveInformationModelFind: Model.STUDY_ROOT,
    PatientStudyOnlyQueryRetrieveInformationModelFind: Model.PATIENT_STUDY_ONLY,
}
MOVE_MODELS = {
    PatientRootQueryRetrieveInformationModelMove: Model.PATIENT_ROOT,
    StudyRootQueryRetrieveInformationModelMove: Model.STUDY_ROOT,
    PatientStudyOnlyQueryRetrieveInformationModelMove: Model.PATIENT_STUDY_ONLY,
}
GET_MODELS = {
    PatientRootQueryRetrieveInformationModelGet: Model.PATIENT_ROOT,
    StudyRootQueryRetrieveInformationModelGet: Model.STUDY_ROOT,
    PatientStudyOnlyQueryRetrieveInformationModelGet: Model.PATIENT_STUDY_ONLY,
}
QR_SOP_CLASSES = tuple(str(u) for u in (*FIND_MODELS, *MOVE_MODELS, *GET_MODELS))

UNCOMPRESSED = (ExplicitVRLittleEndian, ImplicitVRLittleEndian)
MAX_CONTEXTS = 128
UNABLE_TO_PROCESS = 0xC001
CANNOT_ENCODE = 0xC312  # pynetdicom's status when an identifier fails to encode
# pynetdicom's DUL reads what the peer sends only when it has nothing queued to send,
# and a C-FIND handler queues responses faster than they go out: a C-CANCEL would then
# wait behind every match. Every CANCEL_WINDOW responses the handler lets the queue
# drain and the reactor read (bounded waits).
CANCEL_WINDOW = 16
DRAIN_TIMEOUT_S = 10.0
DRAIN_POLL_S = 0.0002


def _failure(status: int, comment: str) -> Dataset:
    ds = Dataset()
    ds.Status = status
    # LO: printable ASCII, no backslash, at most 64 characters, whatever the reason says
    text = "".join(c if " " <= c <= "~" and c != "\\" else "?" for c in comment)
    ds.ErrorComment = text[:64].strip()
    return ds


def caller_gone(assoc: Any) -> bool:
    """The association ended, or the peer's release or abort waits in its queue."""
    if not assoc.is_established:
        return True
    peek = getattr(getattr(assoc, "dul", None), "peek_next_pdu", None)
    return peek is not None and isinstance(peek(), A_RELEASE | A_ABORT | A_P_ABORT)


def cancel_latch(event: evt.Event) -> Callable[[], bool]:
    """``event.is_cancelled``, or the caller gone, as a flag that stays set: pynetdicom
    forgets a C-CANCEL once ``is_cancelled`` has returned True, so a second look would
    miss it."""
    seen = False

    def cancelled() -> bool:
        nonlocal seen
        seen = seen or event.is_cancelled or caller_gone(event.assoc)
        return seen

    return cancelled


def let_peer_in(assoc: Any) -> None:
    """Wait until the responses queued on ``assoc`` are sent and anything the peer has
    sent meanwhile (a C-CANCEL) has been read by the reactor; bounded by DRAIN_TIMEOUT_S."""
    dul = getattr(assoc, "dul", None)
    outgoing = getattr(dul, "to_provider_queue", None)
    if outgoing is None:
        return
    deadline = time.monotonic() + DRAIN_TIMEOUT_S

    def waiting() -> bool:
        return assoc.is_established and time.monotonic() < deadline

    while not outgoing.empty() and waiting():
        time.sleep(DRAIN_POLL_S)
    raw = getattr(getattr(dul, "socket", None), "socket", None)
    if raw is None:
        return
    read = False
    while waiting():
        try:
            ready, _, _ = select.select([raw], [], [], 0)
        except (OSError, ValueError):
            return
        if not ready:
            break
        read = True
        time.sleep(DRAIN_POLL_S)
    if read:
        time.sleep(DRAIN_POLL_S * 5)  # the reactor decodes what it read in the same pass


def contexts_for_items(items: list[RetrieveItem]) -> list[PresentationContext]:
    """What a move proposes: each stored (class, syntax) pair, plus an uncompressed
    fallback per class; compressed pairs are dropped first when over 128 contexts."""
    classes = list(dict.fromkeys(i.sop_class_uid for i in items))
    pairs = list(dict.fromkeys((i.sop_class_uid, i.transfer_syntax) for i in items))
    fallback = [context(uid, UNCOMPRESSED) for uid in classes]
    exact = [context(uid, [ts]) for uid, ts in pairs if ts and ts not in UNCOMPRESSED]
    return (exact + fallback)[-MAX_CONTEXTS:]


def dataset_for_peer(path: str, item: RetrieveItem, accepted: list[PresentationContext]) -> Dataset:
    """The stored instance, decompressed if the peer accepted only other syntaxes."""
    ds = pydicom.dcmread(path)
    syntaxes = {
        str(cx.transfer_syntax[0]) for cx in accepted if cx.abstract_syntax == item.sop_class_uid
    }
    stored = UID(item.transfer_syntax) if item.transfer_syntax else ExplicitVRLittleEndian
    if str(stored) in syntaxes or not syntaxes:
        return ds
    if stored.is_compressed and syntaxes & {str(u) for u in UNCOMPRESSED}:
        # the same instance in another transfer syntax: keep its SOP Instance UID
        # (pydicom 3 would otherwise make up a new one); a lossy image says so
        compressed = len(ds.PixelData) if "PixelData" in ds else 0
        ds.decompress(generate_instance_uid=False)
        mark_lossy(ds, str(stored), compressed, len(ds.PixelData) if "PixelData" in ds else 0)
        return ds
    if stored.is_deflated:
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


class QueryRetrieveSCP:
    """The C-FIND / C-MOVE / C-GET handlers of the node."""

    def __init__(
        self,
        settings: Settings,
        store: LocalStore,
        extra_handlers: Callable[[], list[tuple[Any, Callable]]],
    ) -> None:
        self.settings = settings
        self.store = store
        self._extra_handlers = extra_handlers

    def handlers(self) -> list[tuple[Any, Callable]]:
        return [
            (evt.EVT_CONN_OPEN, self.on_conn_open),
            (evt.EVT_C_FIND, self.on_find),
            (evt.EVT_C_MOVE, self.on_move),
            (evt.EVT_C_GET, self.on_get),
        ]

    def on_conn_open(self, event: evt.Event) -> None:
        # before any PDU, so the DUL reactor never sends without it (wire/find_response.py)
        wire.install_send_lock(event.assoc)

    # -- C-FIND ---------------------------------------------------------------------
    def on_find(self, event: evt.Event) -> Iterator[tuple[Any, Dataset | None]]:
        """Matches go out through FindResponseWriter (pre-encoded, batched); pynetdicom
        sends the final response. Big Endian contexts take pynetdicom's own path."""
        model = FIND_MODELS.get(event.request.AffectedSOPClassUID)
        cancelled = cancel_latch(event)
        try:
            identifier = event.identifier
            writer = wire.find_writer(event)
            if writer is None:
                yield from self._find_through_pynetdicom(event, identifier, model, cancelled)
                return
            with encoded_answer(
                self.store.index,
                identifier,
                model,
                ae_title=self.settings.node.ae_title,
                implicit=writer.implicit,
                lookahead=BIG_ANSWER + 1,
                cancelled=cancelled,
            ) as answer:
                count = writer.send_all(answer.matches, cancelled, big=answer.known > BIG_ANSWER)
        except QueryError as exc:
            yield _failure(exc.status, exc.message()), None
            return
        except EncodeError as exc:
            log.warning("C-FIND: a matching identifier cannot be encoded: answered C312")
            log.debug("C-FIND encoding failed: %s", exc)  # may show values: DEBUG only
            yield _failure(CANNOT_ENCODE, "a matching identifier cannot be encoded"), None
            return
        except ResponseWriteError as exc:
            log.warning("C-FIND aborted: %s", exc)
            event.assoc.abort(block=False)
            return
        except Exception as exc:
            log.exception("C-FIND failed")
            yield _failure(UNABLE_TO_PROCESS, f"unable to process: {exc}"), None
            return
        if cancelled():
            log.info("C-FIND cancelled after %d matches", count)
            yield 0xFE00, None
            return
        log.info("C-FIND %s: %d matches", model, count)

    def _find_through_pynetdicom(
        self, event: evt.Event, identifier: Dataset, model: Model, cancelled: Callable[[], bool]
    ) -> Iterator[tuple[Any, Dataset | None]]:
        """One yield per match (pynetdicom encodes and sends each)."""
        results = find(
            self.store.index,
            identifier,
            model,
            ae_title=self.settings.node.ae_title,
            cancelled=cancelled,
        )
        count = 0
        for ds in results:
            if cancelled():
                break
            count += 1
            yield 0xFF00, ds
            if count % CANCEL_WINDOW == 0:
                let_peer_in(event.assoc)
        if cancelled():
            log.info("C-FIND cancelled after %d matches", count)
            yield 0xFE00, None
            return
        log.info("C-FIND %s: %d matches", model, count)

    # -- retrieve -------------------------------------------------------------------
    def _items(self, event: evt.Event, models: dict) -> list[RetrieveItem]:
        return retrieve_items(
            self.store.index, event.identifier, models[event.request.AffectedSOPClassUID]
        )

    def _sub_operations(
        self,
        event: evt.Event,
        items: list[RetrieveItem],
        accepted: Callable[[], list[PresentationContext]],
    ) -> Iterator[tuple[int, Dataset | None]]:
        for item in items:
            if event.is_cancelled:
                yield 0xFE00, None
                return
            try:
                ds = dataset_for_peer(str(self.store.path_of(item.rel_path)), item, accepted())
            except Exception as exc:
                log.warning("cannot send %s: %s", item.sop_uid, exc)
                failed = Dataset()
                failed.SOPInstanceUID = item.sop_uid
                yield 0xFF00, failed  # pynetdicom counts it as a failed sub-operation
                continue
            yield 0xFF00, ds

    def on_move(self, event: evt.Event) -> Iterator[Any]:
        destination = str(event.move_destination or "").strip()
        nodes = [
            n for n in self.settings.nodes_with_ae(destination) if Role.MOVE_DESTINATION in n.roles
        ]
        if not nodes:
            log.warning("C-MOVE to unknown destination %r refused (A801)", destination)
            yield None, None
            return
        node = nodes[0]
        try:
            items = self._items(event, MOVE_MODELS)
        except QueryError as exc:
            # pynetdicom wants the destination and a count before any status
            yield node.host, node.port
            yield 1
            yield _failure(exc.status, exc.message()), None
            return
        holder: dict[str, Any] = {}

        def capture(ev: evt.Event) -> None:
            holder["assoc"] = ev.assoc

        kwargs: dict[str, Any] = {
            "evt_handlers": [(evt.EVT_ACCEPTED, capture), *self._extra_handlers()],
            "max_pdu": self.settings.network.max_pdu,
        }
        if items:
            kwargs["contexts"] = contexts_for_items(items)
        yield node.host, node.port, kwargs
        yield len(items)

        def accepted() -> list[PresentationContext]:
            assoc = holder.get("assoc")
            return [cx for cx in assoc.accepted_contexts if cx.as_scu] if assoc else []

        yield from self._sub_operations(event, items, accepted)

    def on_get(self, event: evt.Event) -> Iterator[Any]:
        try:
            items = self._items(event, GET_MODELS)
        except QueryError as exc:
            yield _failure(exc.status, exc.message()), None
            return
        yield len(items)

        def accepted() -> list[PresentationContext]:
            return [cx for cx in event.assoc.accepted_contexts if cx.as_scu]

        yield from self._sub_operations(event, items, accepted)
