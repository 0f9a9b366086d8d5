"""The "print" job: film sheets to a DICOM printer (target extract-001 5.4).

Params (:class:`PrintParams`): the printer profile's name, the film spec (the FilmSpec
fields), and per sheet its boxes (stored SOP Instance UID, frame, window, zoom, pan,
rotation, flip, invert; or None for an empty box) and film annotations. The composition
is kept, not pixels: each attempt finds the files in the store and renders the boxes
again (``services/print_compose.print_sheet_for``, over ``imaging/film_render``).

Failures: no printer, a timeout, an abort, a printer FAILURE or a failure status fail the
attempt with the reason and are retried after the profile's delay (doubled per attempt)
up to the profile's retry limit (at most 5 retries); the job then stays failed with its
parameters, so a retry by the user prints the same films: nothing is lost. Warnings
(B600-B605) are written to the job's log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import Field

from workstation.config.settings import Settings
from workstation.errors import (
    AssociationRejectedError,
    NetworkError,
    PrinterFailureError,
    PrintStatusError,
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
    RetryableJobError,
    read_params,
    validate_params,
)
from workstation.printing.film import BoxContent, FilmSpec, Orientation, Sheet
from workstation.printing.profiles import PrinterProfile, find_printer
from workstation.store.local_store import LocalStore
from workstation.store.selection import select_instances

KIND = "print"
MAX_RETRIES = 5  # extract-001 5.4


class PrintBox(JobParams):
    """One image box: which stored instance and frame, shown how."""

    sop_instance_uid: str = Field(min_length=1)
    frame: int = Field(default=0, ge=0)
    window: tuple[float, float] | None = None
    zoom: float = Field(default=1.0, gt=0)
    pan: tuple[float, float] = (0.0, 0.0)
    rotate: int = 0
    flip_h: bool = False
    invert: bool = False


class PrintSheetParams(JobParams):
    boxes: tuple[PrintBox | None, ...]
    annotations: dict[str, str] = Field(default_factory=dict)


class PrintParams(JobParams):
    """A print job: printer, film spec, sheets; ``retry_delay_s`` None: the profile's."""

    printer: str
    spec: dict[str, Any]
    sheets: tuple[PrintSheetParams, ...] = Field(min_length=1)
    retry_delay_s: float | None = Field(default=None, ge=0, le=3 * 3600)


def box_params(content: BoxContent | None) -> PrintBox | None:
    if content is None:
        return None
    uid = content.sop_instance_uid
    if not uid:
        raise PermanentJobError(f"box source {content.path} has no SOP Instance UID")
    return PrintBox(sop_instance_uid=uid, frame=content.frame, window=content.window,
                    zoom=content.zoom, pan=content.pan, rotate=content.rotate,
                    flip_h=content.flip_h, invert=content.invert)  # fmt: skip


def print_params(printer: str, sheets: Sequence[Sheet],
                 retry_delay_s: float | None = None) -> dict[str, Any]:  # fmt: skip
    """The parameters of a print job of ``sheets`` (one spec) on the profile ``printer``;
    the boxes' sources must be (SOP Instance UID, path) of stored instances."""
    spec = sheets[0].spec
    spec_fields = {k: (str(v) if isinstance(v, Orientation) else v)
                   for k, v in vars(spec).items() if not k.startswith("_")}  # fmt: skip
    raw = {
        "printer": printer,
        "spec": spec_fields,
        "sheets": [{"boxes": [box_params(b) for b in s.boxes], "annotations": s.annotations}
                   for s in sheets],
        "retry_delay_s": retry_delay_s,
    }  # fmt: skip
    return validate_params(KIND, PrintParams, raw).to_json()


def spec_of(params: PrintParams) -> FilmSpec:
    fields = dict(params.spec)
    if "orientation" in fields:
        fields["orientation"] = Orientation(fields["orientation"])
    return FilmSpec(**fields)


def sheets_of(store: LocalStore, params: PrintParams) -> list[Sheet]:
    """The sheets with every box's file found in the store (PermanentJobError if gone)."""
    spec = spec_of(params)
    uids = {b.sop_instance_uid for s in params.sheets for b in s.boxes if b is not None}
    selection = select_instances(store, sorted(uids))
    paths = {i.sop_uid: i.path for i in selection.instances}
    missing = sorted(uids - paths.keys())
    if missing:
        raise PermanentJobError(f"{len(missing)} images are no longer stored: {missing[:3]}")
    out = []
    for sheet in params.sheets:
        boxes = tuple(
            None if b is None else BoxContent(
                source=(b.sop_instance_uid, paths[b.sop_instance_uid]), frame=b.frame,
                window=b.window, zoom=b.zoom, pan=b.pan, rotate=b.rotate, flip_h=b.flip_h,
                invert=b.invert)
            for b in sheet.boxes
        )  # fmt: skip
        out.append(Sheet(spec, boxes, dict(sheet.annotations)))
    return out


def max_attempts(printer: PrinterProfile) -> int:
    """Attempts for a job on ``printer``: the first plus its retries (at most 5)."""
    return 1 + min(MAX_RETRIES, printer.retries)


def print_handler(store: LocalStore, settings: Callable[[], Settings]) -> Handler:
    """The handler of "print"."""
    from workstation.services.print_compose import print_composition

    def handle(raw: dict[str, Any], progress: Progress, cancel: CancelToken,
               log: LogLine) -> None:  # fmt: skip
        job = read_params(KIND, PrintParams, raw)
        current = settings()
        try:
            printer = find_printer(current.printers, job.printer)
        except WorkstationError as exc:
            raise PermanentJobError(exc.message()) from None
        delay = printer.retry_delay_s if job.retry_delay_s is None else job.retry_delay_s
        sheets = sheets_of(store, job)
        progress(0, len(sheets), f"printing {len(sheets)} films on {printer.name}")
        try:
            outcome = print_composition(
                printer, current, sheets, cancel=cancel,
                on_sheet=lambda done, total: progress(done, total, f"film {done} of {total}"),
                on_event=lambda e: log(f"printer event {e.event_type}: {e.status} {e.info}"),
            )  # fmt: skip
        except (PrintStatusError, PrinterFailureError, NetworkError) as exc:
            text = exc.message()
            if isinstance(exc, AssociationRejectedError) and exc.permanent:
                raise PermanentJobError(text) from None
            if isinstance(exc, ServiceNotAcceptedError):
                raise PermanentJobError(text) from None
            raise RetryableJobError(text, delay) from None
        log(f"printer {printer.name}: {outcome.printer.status} {outcome.printer.info}".strip())
        for warning in outcome.warnings:
            log(f"warning {warning}")
        progress(len(sheets), len(sheets), f"{outcome.sheets_printed} films printed")

    return handle
