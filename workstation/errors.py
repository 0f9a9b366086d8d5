"""Typed errors of the Qt-free layers.

Each error carries a stable ``code`` and the ``values`` that explain it. The command
line prints :meth:`WorkstationError.message` (English); the GUI maps ``code`` to a
translated text and fills in the same values.
"""

from __future__ import annotations

from typing import Any


class WorkstationError(Exception):
    """Base of every error the workstation raises on purpose."""

    code: str = "error"
    template: str = "{detail}"

    def __init__(self, **values: Any) -> None:
        self.values = values
        super().__init__(self.message())

    def message(self) -> str:
        try:
            return self.template.format(**self.values)
        except (KeyError, IndexError):
            return f"{self.code}: {self.values}"


class SettingsError(WorkstationError):
    """A settings value broke a rule. ``values``: ``field`` (its path, e.g. ``node.port``),
    ``rule_code`` (``greater_than_equal``, ``not_host``, ...) with ``limits`` (the rule's own
    values, e.g. ``{"ge": 1}``), ``value`` (what was given) and ``rule`` (English, for logs
    and the command line; ``ui/messages.py`` words it from ``rule_code`` and ``limits``)."""

    code = "settings.invalid"
    template = "Invalid setting '{field}': {rule} (got {value!r})"


class SettingsFileError(WorkstationError):
    code = "settings.file"
    template = "Settings file {path} cannot be used: {reason}"


class StoreError(WorkstationError):
    code = "store.error"
    template = "Store error: {detail}"


class NotDicomError(StoreError):
    code = "store.not_dicom"
    template = "Not a DICOM file: {reason}"


class CorruptDicomError(StoreError):
    code = "store.corrupt"
    template = "Unreadable DICOM data: {reason}"


class MissingUidError(StoreError):
    code = "store.missing_uid"
    template = "Missing or empty {attribute}"


class InvalidUidError(StoreError):
    code = "store.invalid_uid"
    template = "Invalid {attribute}: {value!r}"


class InsufficientSpaceError(StoreError):
    code = "store.no_space"
    template = "Free space {free_mb:.0f} MB is below the threshold of {threshold_mb:.0f} MB"


class IndexSchemaError(StoreError):
    code = "store.schema"
    template = "Index schema version {found} is newer than this program knows ({known})"


class UnknownStudyError(StoreError):
    """A study UID the index does not hold (deleted meanwhile, or never stored)."""

    code = "store.unknown_study"
    template = "Study {study_uid} is not in the local store"


class QueryError(StoreError):
    """A C-FIND/MOVE/GET identifier we cannot act on; ``status`` is the DIMSE status to send."""

    code = "query.identifier"
    template = "{reason}"

    @property
    def status(self) -> int:
        return int(self.values.get("status", 0xA900))


class BuildError(WorkstationError):
    """A created object (KOS, GSPS, SC) cannot be built from the given inputs."""

    code = "dicom.build"
    template = "Cannot build {iod}: {reason}"


class RegistrationError(WorkstationError):
    """A registration value breaks a rule. ``values``: ``field`` (a form field, e.g.
    ``birth_date``), ``rule`` (English, e.g. "must not be in the future") and
    ``rule_code`` (stable, e.g. ``in_future``)."""

    code = "registration.invalid"
    template = "Cannot register: {field} {rule}"


class PresentationStateError(WorkstationError):
    """A received GSPS or KOS cannot be applied or listed."""

    code = "imaging.presentation_state"
    template = "Cannot use {iod}: {reason}"


class MeasurementError(WorkstationError):
    """A measurement or ROI cannot be computed (empty ROI, wrong array shape, ...)."""

    code = "imaging.measurement"
    template = "Cannot measure {what}: {reason}"


class DocumentRenderError(WorkstationError):
    """An SR, encapsulated document or waveform object cannot be shown."""

    code = "imaging.document"
    template = "Cannot show {kind}: {reason}"


class PixelDataError(WorkstationError):
    """An instance whose pixels cannot be shown: none present, or not decodable."""

    code = "imaging.pixels"
    template = "No image from {source}: {reason}"


class FrameNumberError(WorkstationError):
    """A frame number outside the image's frames (numbers count from 1)."""

    code = "imaging.frame"
    template = "Frame {frame} does not exist in {source}: it has {count} frame(s)"


class ObjectSaveError(WorkstationError):
    """A viewer-created object (KOS, GSPS, SC) was built but could not be stored."""

    code = "viewer.save"
    template = "Cannot save the {kind} in the local store: {reason}"


class CommitmentError(WorkstationError):
    """A storage commitment request or report that cannot be carried out or accepted."""

    code = "commit.error"
    template = "Storage commitment: {detail}"


class UnknownTransactionError(CommitmentError):
    """A commitment report for a Transaction UID we never asked about."""

    code = "commit.unknown_transaction"
    template = "Storage commitment report for unknown transaction {transaction_uid}"


class LateTransactionError(CommitmentError):
    """A commitment report for a transaction no longer pending (timed out or answered)."""

    code = "commit.late_transaction"
    template = "Storage commitment report for transaction {transaction_uid} arrived too late ({state})"


class CommitmentRequestError(CommitmentError):
    """The N-ACTION did not get through: no association, refused, or no/failed response."""

    code = "commit.request"
    template = "Storage commitment request to {node} failed: {reason}"


class NetworkError(WorkstationError):
    """An association with a remote node failed; ``host`` and ``port`` name the node.
    Made by ``net.diagnosis.diagnose``, whose ``cause`` value is the finer diagnosis
    (an ``echo.*`` code the GUI has a message for)."""

    code = "net.error"
    template = "{host}:{port}: {detail}"


class PeerConnectError(NetworkError):
    """No DICOM association: no TCP connection, or not a DICOM answer (``cause`` says which,
    as an ``echo.*`` diagnosis code)."""

    code = "net.connect"
    template = "{detail}"


class AssociationRejectedError(NetworkError):
    """A-ASSOCIATE-RJ; ``result`` 1 is permanent (another try cannot help), 2 transient."""

    code = "net.rejected"
    template = "{detail}"

    @property
    def permanent(self) -> bool:
        return self.values.get("result") == 1


class AssociationAbortedError(NetworkError):
    """The peer sent an A-ABORT or closed the connection in the middle of an operation."""

    code = "net.aborted"
    template = "{detail}"


class NetworkTimeoutError(NetworkError):
    """No answer within the timeout in ``phase`` (connect, association, dimse)."""

    code = "net.timeout"
    template = "No answer from {host}:{port} within {timeout_s:g} s ({phase})"


class ServiceNotAcceptedError(NetworkError):
    """The association came up but the peer accepted none of our contexts for ``service``."""

    code = "net.no_context"
    template = "{host}:{port} accepted the association but not {service}"


class DimseStatusError(NetworkError):
    """A C-FIND/C-MOVE/C-GET answered with a failure status (A700, A900, Cxxx, ...)."""

    code = "qr.status"
    template = "{service} failed on {host}:{port}: status 0x{status_hex} ({meaning}){comment}"


class MoveDestinationUnknownError(DimseStatusError):
    """A801: the peer does not know the AE title we asked it to move to."""

    code = "qr.unknown_destination"
    template = "{host}:{port} does not know the move destination {destination} (status 0xA801)"


class MppsStatusError(DimseStatusError):
    """An MPPS N-CREATE or N-SET answered with a failure status. ``values``: ``operation``
    (N-CREATE, N-SET), ``sop_instance_uid``, ``status`` (int), ``status_hex``, ``meaning``,
    ``comment`` (": Error Comment" or empty), ``error_id`` (int or None), ``attributes``
    (keywords of the response's Attribute Identifier List)."""

    code = "mpps.status"
    template = (
        "MPPS {operation} of {sop_instance_uid} failed on {host}:{port}: "
        "status 0x{status_hex} ({meaning}){comment}"
    )

    @property
    def status(self) -> int:
        return int(self.values.get("status", 0x0110))

    @property
    def no_longer_updatable(self) -> bool:
        """PS3.4 Table F.7.2-2: 0110 "Performed Procedure Step Object may no longer be
        updated" (Error ID A710): the step is final at the peer; no retry can help."""
        comment = str(self.values.get("comment", "")).lower()
        return self.status == 0x0110 and (
            self.values.get("error_id") == 0xA710 or "may no longer be updated" in comment
        )

    @property
    def duplicate_instance(self) -> bool:
        """0111 Duplicate SOP Instance: the peer already has this MPPS (an N-CREATE whose
        response was lost and that is sent again)."""
        return self.status == 0x0111


class RetrieveIncompleteError(NetworkError):
    """The retrieve ended with sub-operations failed (or none reported as done)."""

    code = "qr.incomplete"
    template = "{failed} of {total} instances were not retrieved from {host}:{port}"


class QueryKeyError(WorkstationError):
    """A query key typed by the user (or given with ``-k``) that cannot be used."""

    code = "qr.key"
    template = "Query key {key!r}: {reason}"


class NodeNotRunningError(WorkstationError):
    """A C-MOVE to ourselves while our node does not listen: nothing could arrive."""

    code = "qr.node_not_running"
    template = "Our node {ae_title} is not listening: instances moved to it cannot arrive"


class SendSelectionError(StoreError):
    """UIDs given to a send that name no study, series or instance in the local store."""

    code = "send.selection"
    template = "{count} UID(s) to send are not in the local store: {uids}"


class TranscodeError(WorkstationError):
    """A stored instance cannot be converted to a transfer syntax the peer accepted."""

    code = "send.transcode"
    template = "Cannot convert {sop_uid} from {stored} to {target}: {reason}"


class SendFailedError(WorkstationError):
    """A send ended with instances the peer did not store (refused, A7xx, Cxxx, ...)."""

    code = "send.failed"
    template = "{failed} of {total} instances were not stored at {node}"


class ProcedureStepError(WorkstationError):
    """A procedure step that is not there, or a change it cannot take."""

    code = "exam.step"
    template = "Procedure step {step_id}: {reason}"


class StepLockedError(ProcedureStepError):
    """A change to a procedure step after its final state (completed, discontinued)."""

    code = "exam.locked"
    template = "Procedure step {step_id} is {state} and cannot be changed any more"


class DiscontinueReasonError(ProcedureStepError):
    """A discontinuation reason that is not a code of PS3.16 CID 9300."""

    code = "exam.reason"
    template = "{reason_code} is not a discontinuation reason of CID 9300"


class FilmLayoutError(WorkstationError):
    """A film that cannot be laid out: display format, film size, matrix, box contents."""

    code = "print.layout"
    template = "Film layout not possible: {reason}"


class PrintSelectionError(WorkstationError):
    """UIDs given to a print that name nothing stored, or nothing with pixels to print."""

    code = "print.selection"
    template = "Nothing to print: {reason}"


class PrintOutputError(WorkstationError):
    """A PDF of the films that cannot be written."""

    code = "print.output"
    template = "Cannot write the films to {path}: {reason}"


class PrintStatusError(DimseStatusError):
    """A Print Management request answered with a failure status; the association was
    aborted. ``values``: ``operation`` (e.g. "N-CREATE Film Box"), ``printer``, ``status``
    (int), ``status_hex``, ``meaning``, ``comment`` (": Error Comment" or empty)."""

    code = "print.status"
    template = (
        "Printer {printer} ({host}:{port}): {operation} failed with status 0x{status_hex} "
        "({meaning}){comment}"
    )


class PrinterFailureError(NetworkError):
    """The printer's status (N-GET or N-EVENT-REPORT) is FAILURE; nothing was printed."""

    code = "print.printer_failure"
    template = "Printer {printer} ({host}:{port}) reports FAILURE: {info}"
