"""Print Management SCU (PS3.4 Annex H; target extract-001 5.4, extract-000 2.7 / 5.4).

One association per call, proposing the Basic Grayscale (or Color) Print Management Meta
SOP Class, plus Presentation LUT and Basic Annotation Box when used; the sub-SOP classes
(film session, film box, image box, printer) go over the meta class's context
(``meta_uid``). Sequence: N-GET Printer (status), N-CREATE Film Session, [N-CREATE
Presentation LUT], per sheet N-CREATE Film Box, N-SET Image Boxes, [N-SET Annotation
Boxes], N-ACTION print (Action Type ID 1), N-DELETE Film Box; then N-DELETE the film
session (and the LUT). Warnings (B600-B605, and any Bxxx) are collected with their
meaning; a failure status aborts the association and raises ``PrintStatusError``; a
printer that reports FAILURE raises ``PrinterFailureError`` before anything is created.
N-EVENT-REPORTs from the printer are answered with Success and passed to ``on_event``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import evt
from pynetdicom.status import code_to_category

from workstation.config.settings import RemoteNode
from workstation.dicom.builders import print as build
from workstation.dicom.uids import new_uid
from workstation.errors import PrinterFailureError, PrintStatusError
from workstation.jobs.cancel import CancelToken
from workstation.net.association import Connection, LocalAE, context, open_association
from workstation.net.diagnosis import node_values

log = logging.getLogger(__name__)

SERVICE = "Print Management"
# proposed as the target does (extract-000 section 3: ILE, ELE, EBE)
PRINT_SYNTAXES = (ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian)
DIMSE_TIMEOUT_S = 25.0  # extract-001 5.4: N-SET and all other responses
# N-GET with no Attribute Identifier List: all attributes (dcmprscp answers 0105 "no such
# attribute" to a list naming an optional one it lacks)
PRINTER_ATTRIBUTES: tuple[int, ...] = ()

# PS3.4 Annex H statuses and the target's wording (extract-000 5.4)
MEANINGS: dict[int, str] = {
    0x0000: "success",
    0x0107: "attribute list error (unsupported attributes ignored)",
    0x0116: "attribute value out of range",
    0x0106: "invalid attribute value",
    0x0110: "processing failure",
    0x0111: "duplicate SOP instance",
    0x0112: "no such SOP instance",
    0x0117: "invalid object instance",
    0x0118: "no such SOP class",
    0x0119: "class-instance conflict",
    0x0120: "missing attribute",
    0x0121: "missing attribute value",
    0x0122: "SOP class not supported",
    0x0210: "duplicate invocation",
    0x0211: "unrecognised operation",
    0x0213: "resource limitation",
    0xB600: "memory allocation not supported",
    0xB601: "film session printing (collation) not supported",
    0xB602: "film session SOP instance hierarchy does not contain image box SOP instances "
    "(empty page)",
    0xB603: "film box SOP instance hierarchy does not contain image box SOP instances "
    "(empty page)",
    0xB604: "image size is larger than image box size, the image has been demagnified",
    0xB605: "requested min density or max density outside of printer's operating range",
    0xB609: "image size is larger than the image box size, the image has been cropped",
    0xB60A: "image size or combined print image size is larger than the image box size, "
    "the image has been decimated",
    0xC600: "film session SOP instance hierarchy does not contain film box SOP instances",
    0xC601: "unable to create print job SOP instance; print queue is full",
    0xC602: "unable to create print job SOP instance; print queue is full",
    0xC603: "image size is larger than image box size",
    0xC605: "insufficient memory in printer to store the image",
    0xC613: "combined print image size is larger than the image box size",
    0xC616: "there is an existing film box that has not been printed",
}


class PrinterAddress(Protocol):
    """What the SCU needs of a printer profile."""

    name: str
    ae_title: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """The Printer N-GET answer: Printer Status (NORMAL, WARNING, FAILURE) and its info."""

    status: str
    info: str = ""
    name: str = ""
    manufacturer: str = ""
    model: str = ""
    serial: str = ""


@dataclass(frozen=True, slots=True)
class PrintWarning:
    """A warning status of one operation (e.g. N-CREATE Film Box) and what it means."""

    operation: str
    status: int
    meaning: str

    def __str__(self) -> str:
        return f"{self.operation}: 0x{self.status:04X} ({self.meaning})"


@dataclass(frozen=True, slots=True)
class PrinterEvent:
    """An N-EVENT-REPORT from the printer (Printer or Print Job SOP class)."""

    sop_class: str
    event_type: int
    status: str
    info: str


@dataclass(frozen=True, slots=True)
class PrintSheet:
    """One film sheet as it goes out: the film box values, the rendered box pixels in
    image position order (None: the box stays empty) and annotation texts by position."""

    film: build.FilmBoxValues
    boxes: Sequence[np.ndarray | None]
    annotations: Mapping[int, str] = field(default_factory=dict)


@dataclass
class PrintOutcome:
    """What a print did: the printer status, sheets printed, warnings and events seen."""

    printer: PrinterStatus
    sheets_printed: int = 0
    warnings: list[PrintWarning] = field(default_factory=list)
    events: list[PrinterEvent] = field(default_factory=list)
    film_box_uids: list[str] = field(default_factory=list)


def meaning(status: int) -> str:
    """What ``status`` means for Print Management (PS3.4 H.4, PS3.7 Annex C)."""
    return MEANINGS.get(status, code_to_category(status).lower())


def as_node(printer: PrinterAddress) -> RemoteNode:
    return RemoteNode(name=printer.name, ae_title=printer.ae_title, host=printer.host,
                      port=printer.port)  # fmt: skip


def printer_status(printer: PrinterAddress, local: LocalAE, *, color: bool = False) -> PrinterStatus:
    """N-GET of the Printer SOP instance on its own association."""
    connection = _open(printer, local, color=color, lut=False, annotations=False)
    try:
        return _get_printer(connection, printer, _meta(color), [])
    finally:
        connection.close()


def print_sheets(
    printer: PrinterAddress,
    local: LocalAE,
    session: build.FilmSessionValues,
    sheets: Sequence[PrintSheet],
    *,
    color: bool = False,
    bits: int = 8,
    presentation_lut: bool = False,
    cancel: CancelToken | None = None,
    on_event: Callable[[PrinterEvent], None] | None = None,
    on_sheet: Callable[[int, int], None] | None = None,
) -> PrintOutcome:
    """Print ``sheets`` in one film session on ``printer``; see the module docstring.

    Raises PrinterFailureError, PrintStatusError (the association aborted) or a
    NetworkError; ``on_sheet(done, total)`` after each sheet."""
    events: list[PrinterEvent] = []

    def on_report(event: Any) -> tuple[int, Dataset | None]:
        info = event.event_information or Dataset()
        seen = PrinterEvent(
            sop_class=str(event.request.AffectedSOPClassUID),
            event_type=int(event.event_type),
            status=str(info.get("PrinterStatus", "") or ""),
            info=str(info.get("PrinterStatusInfo", "") or info.get("ExecutionStatusInfo", "")),
        )  # fmt: skip
        log.info("printer %s event %s", printer.name, seen)
        events.append(seen)
        if on_event is not None:
            on_event(seen)
        return 0x0000, None

    annotations = any(sheet.annotations for sheet in sheets)
    connection = _open(printer, local, color=color, lut=presentation_lut and not color,
                       annotations=annotations, handlers=[(evt.EVT_N_EVENT_REPORT, on_report)])  # fmt: skip
    unregister = cancel.on_cancel(connection.abort_now) if cancel is not None else None
    meta = _meta(color)
    warnings: list[PrintWarning] = []
    try:
        status = _get_printer(connection, printer, meta, warnings)
        outcome = PrintOutcome(printer=status, warnings=warnings, events=events)
        if status.status.upper() == "FAILURE":
            raise PrinterFailureError(**node_values(as_node(printer)), printer=printer.name,
                                      info=status.info or "FAILURE")  # fmt: skip
        call = _Caller(connection, printer, warnings)
        # the SCU names every instance it creates (PS3.7 10.1.5: the response's Affected
        # SOP Instance UID then echoes it; pynetdicom does not hand it back)
        session_uid = new_uid()
        call.run("N-CREATE Film Session", lambda: connection.assoc.send_n_create(
            build.film_session(session), build.FILM_SESSION_SOP_CLASS, session_uid,
            meta_uid=meta))  # fmt: skip
        lut_uid = None
        if presentation_lut and not color and connection.accepts(build.PRESENTATION_LUT_SOP_CLASS):
            lut_uid = new_uid()
            call.run("N-CREATE Presentation LUT", lambda: connection.assoc.send_n_create(
                build.presentation_lut(), build.PRESENTATION_LUT_SOP_CLASS, lut_uid))  # fmt: skip
        box_class = build.COLOR_IMAGE_BOX_SOP_CLASS if color else build.GRAYSCALE_IMAGE_BOX_SOP_CLASS
        for number, sheet in enumerate(sheets, start=1):
            if cancel is not None:
                cancel.raise_if_set()
            _print_sheet(call, sheet, session_uid, lut_uid, meta, box_class, bits)
            outcome.film_box_uids.append(call.last_film_box)
            outcome.sheets_printed = number
            if on_sheet is not None:
                on_sheet(number, len(sheets))
        call.run("N-DELETE Film Session", lambda: (connection.assoc.send_n_delete(
            build.FILM_SESSION_SOP_CLASS, session_uid, meta_uid=meta), None))  # fmt: skip
        if lut_uid is not None:
            call.run("N-DELETE Presentation LUT", lambda: (connection.assoc.send_n_delete(
                build.PRESENTATION_LUT_SOP_CLASS, lut_uid), None))  # fmt: skip
        return outcome
    finally:
        if unregister is not None:
            unregister()
        connection.close()


def _print_sheet(call: _Caller, sheet: PrintSheet, session_uid: str, lut_uid: str | None,
                 meta: str, box_class: str, bits: int) -> None:  # fmt: skip
    assoc = call.connection.assoc
    box_uid = new_uid()
    _rsp, attrs = call.run("N-CREATE Film Box", lambda: assoc.send_n_create(
        build.film_box(sheet.film, session_uid, lut_uid), build.FILM_BOX_SOP_CLASS, box_uid,
        meta_uid=meta))  # fmt: skip
    call.last_film_box = box_uid
    attrs = attrs or Dataset()
    image_refs = list(attrs.get("ReferencedImageBoxSequence", []))
    if len(image_refs) < len(sheet.boxes):
        raise call.refused("N-CREATE Film Box", 0xC603,
                           f"the printer made {len(image_refs)} image boxes for "
                           f"{len(sheet.boxes)} images")  # fmt: skip
    for position, (ref, pixels) in enumerate(zip(image_refs, sheet.boxes, strict=False), 1):
        if pixels is None:
            continue
        uid = str(ref.ReferencedSOPInstanceUID)
        ds = build.image_box(position, pixels, bits=bits)
        call.run(f"N-SET Image Box {position}",
                 lambda ds=ds, uid=uid: assoc.send_n_set(ds, box_class, uid, meta_uid=meta))  # fmt: skip
    annotation_refs = list(attrs.get("ReferencedBasicAnnotationBoxSequence", []))
    if not call.connection.accepts(build.ANNOTATION_BOX_SOP_CLASS):
        annotation_refs = []
    for position, ref in enumerate(annotation_refs, start=1):
        text = sheet.annotations.get(position)
        if not text:
            continue
        ds = build.annotation_box(position, text)
        uid = str(ref.ReferencedSOPInstanceUID)
        call.run(f"N-SET Annotation Box {position}", lambda ds=ds, uid=uid: assoc.send_n_set(
            ds, build.ANNOTATION_BOX_SOP_CLASS, uid))  # fmt: skip
    call.run("N-ACTION Film Box (print)", lambda: assoc.send_n_action(
        None, build.PRINT_ACTION, build.FILM_BOX_SOP_CLASS, box_uid, meta_uid=meta))  # fmt: skip
    call.run("N-DELETE Film Box", lambda: (assoc.send_n_delete(
        build.FILM_BOX_SOP_CLASS, box_uid, meta_uid=meta), None))  # fmt: skip


class _Caller:
    """Runs one DIMSE request: no response -> NetworkError, warning -> noted, failure ->
    association aborted and PrintStatusError."""

    def __init__(self, connection: Connection, printer: PrinterAddress,
                 warnings: list[PrintWarning]) -> None:  # fmt: skip
        self.connection = connection
        self.printer = printer
        self.warnings = warnings
        self.last_film_box = ""

    def run(self, operation: str, request: Callable[[], tuple[Any, Any]]) -> tuple[Dataset, Any]:
        rsp, attrs = request()
        if rsp is None or "Status" not in rsp:
            raise self.connection.failure(f"{SERVICE} {operation}")
        code = int(rsp.Status)
        if code == 0x0000:
            return rsp, attrs
        if code_to_category(code) == "Warning" or code in (0x0107, 0x0116) or code >> 8 == 0xB6:
            warning = PrintWarning(operation, code, meaning(code))
            log.warning("printer %s: %s", self.printer.name, warning)
            self.warnings.append(warning)
            return rsp, attrs
        comment = str(rsp.get("ErrorComment", "") or "").strip()
        raise self.refused(operation, code, comment)

    def refused(self, operation: str, code: int, comment: str) -> PrintStatusError:
        self.connection.assoc.abort()
        return PrintStatusError(
            **node_values(as_node(self.printer)), service=f"{SERVICE} {operation}",
            operation=operation, printer=self.printer.name, status=code,
            status_hex=f"{code:04X}", meaning=meaning(code),
            comment=f": {comment}" if comment else "",
        )  # fmt: skip


def _get_printer(connection: Connection, printer: PrinterAddress, meta: str,
                 warnings: list[PrintWarning]) -> PrinterStatus:  # fmt: skip
    call = _Caller(connection, printer, warnings)
    _rsp, attrs = call.run("N-GET Printer", lambda: connection.assoc.send_n_get(
        list(PRINTER_ATTRIBUTES), build.PRINTER_SOP_CLASS, build.PRINTER_SOP_INSTANCE,
        meta_uid=meta))  # fmt: skip
    attrs = attrs or Dataset()

    def text(keyword: str) -> str:
        return str(attrs.get(keyword, "") or "").strip()

    status = PrinterStatus(
        status=text("PrinterStatus") or "NORMAL", info=text("PrinterStatusInfo"),
        name=text("PrinterName"), manufacturer=text("Manufacturer"),
        model=text("ManufacturerModelName"), serial=text("DeviceSerialNumber"),
    )  # fmt: skip
    log.info("printer %s status %s %s", printer.name, status.status, status.info)
    return status


def _meta(color: bool) -> str:
    return build.COLOR_META_SOP_CLASS if color else build.GRAYSCALE_META_SOP_CLASS


def _open(printer: PrinterAddress, local: LocalAE, *, color: bool, lut: bool, annotations: bool,
          handlers: Sequence[tuple[Any, Callable]] = ()) -> Connection:  # fmt: skip
    meta = _meta(color)
    contexts = [context(meta, PRINT_SYNTAXES)]
    if lut:
        contexts.append(context(build.PRESENTATION_LUT_SOP_CLASS, PRINT_SYNTAXES))
    if annotations:
        contexts.append(context(build.ANNOTATION_BOX_SOP_CLASS, PRINT_SYNTAXES))
    contexts.append(context(build.PRINT_JOB_SOP_CLASS, PRINT_SYNTAXES))
    return open_association(as_node(printer), local, contexts, service=SERVICE, needed=meta,
                            handlers=handlers)  # fmt: skip
