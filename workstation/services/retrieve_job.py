"""The "retrieve" job: studies, series or images from a remote node into the local store.

Params (:class:`RetrieveParams`, built by :func:`retrieve_params`): ``node`` (a configured node's name or
``AET@HOST:PORT``), ``method`` (``move`` to our own AE title through our running node,
or ``get`` on the job's own association), ``model``, ``level`` and the UIDs. Progress is
the sub-operation count (done of total, with completed / failed / warning in the
message); cancel sends C-CANCEL. A refused association (permanent), an unknown move
destination (A801), a model the peer does not offer or an identifier it calls invalid
(A900) fail at once; timeouts, aborts, out-of-resources and failed sub-operations are
retried (instances already stored are duplicates and kept once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationInfo, field_validator

from workstation.config.settings import RemoteNode, Settings
from workstation.dicom.qr_identifier import QRLevel, QRModel, parse_level, parse_model
from workstation.errors import (
    AssociationRejectedError,
    DimseStatusError,
    MoveDestinationUnknownError,
    NetworkError,
    NodeNotRunningError,
    RetrieveIncompleteError,
    ServiceNotAcceptedError,
    WorkstationError,
)
from workstation.jobs import (
    CancelToken,
    Handler,
    JobParams,
    LogLine,
    PermanentJobError,
    Progress,
    read_params,
    validate_params,
)
from workstation.net.association import LocalAE
from workstation.net.scu.get import EventSink, get
from workstation.net.scu.move import RetrieveOutcome, RetrieveRequest, SubOperations, move
from workstation.net.scu.query_retrieve import node_from_address
from workstation.store.local_store import LocalStore

KIND = "retrieve"
METHODS = ("move", "get")
FAILED_IN_LOG = 20
PERMANENT_STATUSES = {0xA900}  # the identifier itself is wrong: another try is the same


class RetrieveParams(JobParams):
    """A retrieve job: the source (a configured node's name or ``AET@HOST:PORT``), the
    method, the information model, the level and the UIDs."""

    node: str
    method: str = "move"
    model: QRModel = QRModel.STUDY
    level: QRLevel
    study_uids: tuple[str, ...] = ()
    series_uids: tuple[str, ...] = ()
    sop_uids: tuple[str, ...] = ()
    patient_id: str = ""
    calling_ae: str = ""
    destination: str = ""

    @classmethod
    def omit_when_default(cls) -> tuple[str, ...]:
        return ("calling_ae", "destination")

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, v: Any) -> str:
        if str(v) not in METHODS:
            raise ValueError(f"unknown retrieve method {v!r} (move or get)")
        return str(v)

    @field_validator("model", "level", mode="before")
    @classmethod
    def _model_or_level(cls, v: Any, info: ValidationInfo) -> QRModel | QRLevel:
        parse = parse_model if info.field_name == "model" else parse_level
        try:
            return parse(str(v))
        except WorkstationError as exc:  # our own text, kept as the problem's detail
            raise ValueError(exc.message()) from None

    @field_validator("study_uids", "series_uids", "sop_uids", mode="before")
    @classmethod
    def _uids(cls, v: Any) -> tuple[str, ...]:
        if v is None:
            return ()
        if not isinstance(v, (list, tuple)) or not all(isinstance(u, str) for u in v):
            raise ValueError("must be a list of UIDs")
        return tuple(v)

    @field_validator("patient_id", "calling_ae", "destination", mode="before")
    @classmethod
    def _text(cls, v: Any) -> str:
        return "" if v is None else str(v)


def retrieve_params(
    node: str,
    method: str,
    level: QRLevel | str,
    *,
    model: QRModel | str = QRModel.STUDY,
    study_uids: list[str] | tuple[str, ...] = (),
    series_uids: list[str] | tuple[str, ...] = (),
    sop_uids: list[str] | tuple[str, ...] = (),
    patient_id: str = "",
    calling_ae: str = "",
    destination: str = "",
) -> dict[str, Any]:
    """The parameters of a retrieve job (``destination`` defaults to our own AE title)."""
    raw = {
        "node": node, "method": method, "model": str(model), "level": str(level),
        "study_uids": list(study_uids), "series_uids": list(series_uids),
        "sop_uids": list(sop_uids), "patient_id": patient_id, "calling_ae": calling_ae,
        "destination": destination,
    }  # fmt: skip
    return validate_params(KIND, RetrieveParams, raw).to_json()


def resolve_node(settings: Settings, spec: str) -> RemoteNode:
    """A configured node by name, else ``AET@HOST:PORT``."""
    found = settings.find_node(spec)
    if found is not None:
        return found
    return node_from_address(spec)


def request_from_params(params: dict[str, Any]) -> tuple[str, RetrieveRequest]:
    """(method, request) from job params; PermanentJobError when they do not fit the
    model, QueryKeyError when the UIDs do not fit the level."""
    job = read_params(KIND, RetrieveParams, params)
    request = RetrieveRequest(
        model=job.model,
        level=job.level,
        study_uids=job.study_uids,
        series_uids=job.series_uids,
        sop_uids=job.sop_uids,
        patient_id=job.patient_id,
    )
    request.identifier()  # checks the UIDs against the level (QueryKeyError)
    return job.method, request


def progress_text(counts: SubOperations) -> str:
    return f"{counts.completed} completed, {counts.failed} failed, {counts.warning} warning"


def is_permanent(error: NetworkError) -> bool:
    if isinstance(error, AssociationRejectedError):
        return error.permanent
    if isinstance(error, (MoveDestinationUnknownError, ServiceNotAcceptedError)):
        return True
    if isinstance(error, DimseStatusError):
        return int(error.values.get("status", 0)) in PERMANENT_STATUSES
    return False


def judge(outcome: RetrieveOutcome, node: RemoteNode, log: LogLine, by_user: bool = True) -> str:
    """The job's result text, or the exception that fails (or retries) it; ``by_user``
    says whether a cancel came from us (else the peer stopped: retried)."""
    for uid in outcome.failed_uids[:FAILED_IN_LOG]:
        log(f"failed: {uid}")
    if len(outcome.failed_uids) > FAILED_IN_LOG:
        log(f"... and {len(outcome.failed_uids) - FAILED_IN_LOG} more failed")
    log(outcome.summary())
    if outcome.error is not None:
        if is_permanent(outcome.error):
            raise PermanentJobError(outcome.error.message())
        raise outcome.error
    counts = outcome.counts
    if outcome.cancelled and by_user:
        return "cancelled: " + outcome.summary()
    if outcome.cancelled or counts.failed:
        raise RetrieveIncompleteError(
            host=node.host, port=node.port, failed=counts.failed + (counts.remaining or 0),
            total=counts.total or counts.done,
        )  # fmt: skip
    return outcome.summary()


def retrieve_handler(
    settings: Callable[[], Settings],
    store: LocalStore,
    node_listening: Callable[[], bool] | None = None,
    on_event: EventSink | None = None,
) -> Handler:
    """The handler of the "retrieve" kind. ``node_listening`` says whether our node runs
    (a C-MOVE to ourselves needs it); ``on_event`` gets each instance a C-GET stores."""

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log: LogLine
    ) -> str | None:
        current = settings()
        try:
            method, request = request_from_params(params)
            node = resolve_node(current, str(params.get("node", "")))
        except WorkstationError as exc:
            raise PermanentJobError(exc.message()) from None
        calling = str(params.get("calling_ae") or current.node.ae_title)
        destination = str(params.get("destination") or current.node.ae_title)
        local = LocalAE.from_settings(current, calling, current.services.retrieve_timeout_s)
        cancel.raise_if_set()

        def on_progress(counts: SubOperations) -> None:
            total = counts.total or 0
            progress(counts.done, total, progress_text(counts))

        if method == "move":
            if destination == current.node.ae_title and node_listening is not None and not node_listening():
                raise NodeNotRunningError(ae_title=current.node.ae_title)
            log(f"C-MOVE of {len(request.study_uids or request.series_uids or request.sop_uids)} "
                f"{request.level.value.lower()} UID(s) from {node.ae_title}@{node.host}:{node.port} "
                f"to {destination}")  # fmt: skip
            outcome = move(node, destination, request, local, cancel=cancel, on_progress=on_progress)
        else:
            log(f"C-GET of {request.level.value.lower()} UID(s) from "
                f"{node.ae_title}@{node.host}:{node.port}")  # fmt: skip
            outcome = get(
                node, request, store, local, cancel=cancel, on_progress=on_progress,
                on_event=on_event,
            )  # fmt: skip
        return judge(outcome, node, log, by_user=cancel.is_set())

    return handle
