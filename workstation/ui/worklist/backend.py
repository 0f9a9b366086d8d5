"""The Qt-free calls the worklist and examination screens make, in one place.

The screens never talk to the network or the store themselves: the worklist query runs
in a :class:`~workstation.ui.worklist.query_thread.WorklistQuery` thread through
:func:`run_query`; identifiers come from :mod:`workstation.dicom.worklist`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydicom.dataset import Dataset

from workstation.config.settings import RemoteNode, Role, Settings
from workstation.dicom.worklist import (
    DateWindow,
    PatientQuery,
    broad_identifier,
    broad_window,
    patient_identifier,
)
from workstation.jobs import CancelToken
from workstation.net.association import LocalAE
from workstation.net.scu.worklist import WorklistAnswer, query_worklist


@dataclass(frozen=True)
class WorklistRequest:
    """One worklist query, built on the GUI thread; ``broad`` for the settings' query."""

    node: RemoteNode
    local: LocalAE
    identifier: Dataset
    limit: int
    timeout_s: float
    broad: bool = True
    window: DateWindow | None = None  # answers starting outside it are dropped


def worklist_node(settings: Settings) -> RemoteNode | None:
    """The configured worklist node, else the first node with the worklist role."""
    name = settings.worklist.node
    if name:
        return settings.find_node(name)
    return next((n for n in settings.remote_nodes if Role.WORKLIST in n.roles), None)


def broad_request(settings: Settings, node: RemoteNode, now: datetime) -> WorklistRequest:
    ws = settings.worklist
    identifier = broad_identifier(ws, settings.node.ae_title, now)
    return _request(settings, node, identifier, broad=True, window=broad_window(ws, now))


def patient_request(settings: Settings, node: RemoteNode, keys: dict[str, str]) -> WorklistRequest:
    """``keys``: patient_name, patient_id, accession_number, requested_procedure_id,
    referring_physician (empty ones do not match)."""
    identifier = patient_identifier(PatientQuery(**keys))
    return _request(settings, node, identifier, broad=False)


def _request(settings: Settings, node: RemoteNode, identifier: Dataset, *,
             broad: bool, window: DateWindow | None = None) -> WorklistRequest:  # fmt: skip
    ws = settings.worklist
    local = LocalAE.from_settings(settings, dimse_timeout_s=float(ws.response_timeout_s))
    return WorklistRequest(node, local, identifier, ws.max_items, float(ws.response_timeout_s),
                           broad, window)  # fmt: skip


def run_query(request: WorklistRequest, cancel: CancelToken) -> WorklistAnswer:
    """The C-FIND (on the query thread): a ``WorklistAnswer`` or a raised NetworkError."""
    return query_worklist(request.node, request.local, request.identifier,
                          limit=request.limit, timeout_s=request.timeout_s, cancel=cancel,
                          window=request.window)  # fmt: skip
