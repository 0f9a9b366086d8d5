"""Query/Retrieve SCU plumbing shared by C-FIND (scu/find) and C-MOVE/C-GET (scu/move,
scu/get): the SOP classes of each model, the contexts proposed, the C-CANCEL sender.

Associations are opened by net/association.py, which turns every way one can fail
into a typed error (refused, unreachable, rejected with result, source and reason,
aborted, closed, timeout) and tells a response that never comes apart the same way.
"""

from __future__ import annotations

import logging
import threading
import time

from pydicom.dataset import Dataset
from pynetdicom.presentation import PresentationContext
from pynetdicom.sop_class import (
    PatientRootQueryRetrieveInformationModelFind,
    PatientRootQueryRetrieveInformationModelGet,
    PatientRootQueryRetrieveInformationModelMove,
    StudyRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)
from pynetdicom.status import code_to_category

from workstation.config.settings import RemoteNode, make_node
from workstation.dicom.qr_identifier import QRModel
from workstation.errors import DimseStatusError, QueryKeyError
from workstation.net.association import Connection, context
from workstation.net.diagnosis import node_values
from workstation.net.negotiation import QR_SYNTAXES

log = logging.getLogger(__name__)

FIND, MOVE, GET = "C-FIND", "C-MOVE", "C-GET"
SOP_CLASSES = {
    (QRModel.PATIENT, FIND): PatientRootQueryRetrieveInformationModelFind,
    (QRModel.STUDY, FIND): StudyRootQueryRetrieveInformationModelFind,
    (QRModel.PATIENT, MOVE): PatientRootQueryRetrieveInformationModelMove,
    (QRModel.STUDY, MOVE): StudyRootQueryRetrieveInformationModelMove,
    (QRModel.PATIENT, GET): PatientRootQueryRetrieveInformationModelGet,
    (QRModel.STUDY, GET): StudyRootQueryRetrieveInformationModelGet,
}


# PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4 (the meanings a user is shown with the code)
STATUS_MEANINGS = {
    0xA700: "refused: out of resources",
    0xA701: "refused: out of resources, unable to calculate the number of matches",
    0xA702: "refused: out of resources, unable to perform sub-operations",
    0xA801: "refused: move destination unknown",
    0xA900: "identifier does not match the SOP class",
    0xAA00: "none of the frames requested were found",
    0xB000: "sub-operations complete, one or more failures or warnings",
    0xFE00: "cancelled",
    0x0122: "SOP class not supported",
}


def status_meaning(status: int) -> str:
    if status in STATUS_MEANINGS:
        return STATUS_MEANINGS[status]
    if 0xC000 <= status <= 0xCFFF:
        return "unable to process"
    return code_to_category(status).lower()


def status_error(node: RemoteNode, service: str, status: Dataset) -> DimseStatusError:
    """A response ``status`` (a failure) as a DimseStatusError."""
    code = int(status.get("Status", 0xC000))
    comment = str(status.get("ErrorComment", "") or "").strip()
    return DimseStatusError(
        **node_values(node), service=service, status=code, status_hex=f"{code:04X}",
        meaning=status_meaning(code), comment=f": {comment}" if comment else "",
    )  # fmt: skip


def node_from_address(spec: str, name: str | None = None) -> RemoteNode:
    """``AET@HOST:PORT`` as a node (SettingsError when malformed)."""
    aet, at, rest = spec.strip().rpartition("@")
    host, colon, port = rest.rpartition(":")
    if not at or not colon or not port.isdigit():
        raise QueryKeyError(key=spec, reason="a node is given as AET@HOST:PORT")
    return make_node(name=name or spec.strip(), ae_title=aet, host=host, port=int(port))


def sop_class(model: QRModel, service: str) -> str:
    return str(SOP_CLASSES[(model, service)])


def qr_context(uid: str) -> PresentationContext:
    return context(uid, QR_SYNTAXES)


class Canceller:
    """One C-CANCEL for the running C-FIND/C-MOVE/C-GET, sent from whichever thread asks
    first (a cancel token's callback, or the response loop); ``sent_at`` says when."""

    def __init__(
        self,
        connection: Connection,
        msg_id: int,
        context_id: int,
        service: str = "request",
        logger: logging.Logger | None = None,
    ) -> None:
        self.connection = connection
        self.msg_id = msg_id
        self.context_id = context_id
        self.service = service
        self.log = logger or log
        self._lock = threading.Lock()
        self.sent_at: float | None = None
        self.finished = False

    def send(self) -> None:
        with self._lock:
            if self.sent_at is not None or self.finished:
                return
            self.sent_at = time.monotonic()
            try:
                self.connection.assoc.send_c_cancel(self.msg_id, self.context_id)
                self.log.info("C-CANCEL sent for %s %d", self.service, self.msg_id)
            except (RuntimeError, ValueError) as exc:
                self.log.info("C-CANCEL not sent: %s", exc)

    def finish(self) -> None:
        with self._lock:
            self.finished = True
