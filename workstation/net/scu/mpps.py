"""Modality Performed Procedure Step SCU: one N-CREATE or one N-SET per association.

The data sets come from ``dicom/builders/mpps.py``. Success and the warning statuses
(0001, 0107, 0116: the peer dropped or coerced some attributes) return; a failure status
raises ``MppsStatusError`` with the status, its Error Comment and Error ID (0110 with
A710 is "Performed Procedure Step Object may no longer be updated", PS3.4 Table F.7.2-2);
no association, a refusal, an abort or no response raise the typed ``NetworkError``s of
``net/association.py``. Retries are the job's business (services/mpps_job.py).
"""

from __future__ import annotations

import logging

from pydicom.datadict import keyword_for_tag
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom.status import PROCEDURE_STEP_STATUS, code_to_category

from workstation.config.settings import RemoteNode
from workstation.dicom.builders.mpps import MPPS_SOP_CLASS
from workstation.errors import MppsStatusError
from workstation.net.association import LocalAE, context, open_association
from workstation.net.diagnosis import node_values

log = logging.getLogger(__name__)

SERVICE = "Modality Performed Procedure Step"
N_CREATE, N_SET = "N-CREATE", "N-SET"
# proposed as the conformance target does (extract-001 section 3: IVLE, EVBE, EVLE)
MPPS_SYNTAXES = (ImplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian)
WARNING_STATUSES = frozenset({0x0001, 0x0107, 0x0116})


def create(node: RemoteNode, local: LocalAE, sop_instance_uid: str, ds: Dataset) -> int:
    """N-CREATE the MPPS ``sop_instance_uid`` with attribute list ``ds`` at ``node``.

    Returns the status (0000 or a warning); raises MppsStatusError or a NetworkError."""
    return _request(N_CREATE, node, local, sop_instance_uid, ds)


def update(node: RemoteNode, local: LocalAE, sop_instance_uid: str, ds: Dataset) -> int:
    """N-SET the MPPS ``sop_instance_uid`` with modification list ``ds`` at ``node``.

    Returns the status (0000 or a warning); raises MppsStatusError or a NetworkError."""
    return _request(N_SET, node, local, sop_instance_uid, ds)


def _request(operation: str, node: RemoteNode, local: LocalAE, uid: str, ds: Dataset) -> int:
    connection = open_association(
        node, local, [context(MPPS_SOP_CLASS, MPPS_SYNTAXES)], service=SERVICE,
        needed=MPPS_SOP_CLASS,
    )  # fmt: skip
    try:
        assoc = connection.assoc
        status = ds.get("PerformedProcedureStepStatus", "")
        log.info("%s MPPS %s (%s) to %s@%s", operation, uid, status or "no status",
                 node.ae_title, connection.where)  # fmt: skip
        if operation == N_CREATE:
            rsp, _attributes = assoc.send_n_create(ds, MPPS_SOP_CLASS, uid)
        else:
            rsp, _attributes = assoc.send_n_set(ds, MPPS_SOP_CLASS, uid)
        if rsp is None or "Status" not in rsp:
            raise connection.failure(f"{SERVICE} {operation}")
        code = int(rsp.Status)
        if code == 0x0000:
            return code
        if code in WARNING_STATUSES or code_to_category(code) == "Warning":
            log.warning("%s MPPS %s: %s answered with warning 0x%04X (%s)%s", operation, uid,
                        connection.where, code, meaning(code), _comment(rsp))  # fmt: skip
            return code
        raise status_error(node, operation, uid, rsp)
    finally:
        connection.close()


def meaning(status: int) -> str:
    """What ``status`` means for the MPPS service (PS3.4 F.7, PS3.7 Annex C)."""
    known = PROCEDURE_STEP_STATUS.get(status)
    if known is not None and known[1]:
        return known[1].lower()
    return code_to_category(status).lower()


def status_error(node: RemoteNode, operation: str, uid: str, rsp: Dataset) -> MppsStatusError:
    """A failure response ``rsp`` as an MppsStatusError."""
    code = int(rsp.get("Status", 0x0110))
    error_id = rsp.get("ErrorID")
    listed = rsp.get("AttributeIdentifierList")
    if listed is not None and not isinstance(listed, list | MultiValue):
        listed = [listed]
    return MppsStatusError(
        **node_values(node), service=f"{SERVICE} {operation}", operation=operation,
        sop_instance_uid=uid, status=code, status_hex=f"{code:04X}", meaning=meaning(code),
        comment=_comment(rsp), error_id=None if error_id is None else int(error_id),
        attributes=[keyword_for_tag(t) or str(Tag(t)) for t in listed or ()],
    )  # fmt: skip


def _comment(rsp: Dataset) -> str:
    comment = str(rsp.get("ErrorComment", "") or "").strip()
    return f": {comment}" if comment else ""
