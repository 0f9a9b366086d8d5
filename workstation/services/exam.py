"""The examination (Qt-free): an open procedure step, the objects that enter it, its end.

:class:`ExamService` works over the store and the job queue's submit:

- :meth:`~ExamService.open_step` opens a step for a registration (new Performed
  Procedure Step ID and MPPS SOP Instance UID);
- :meth:`~ExamService.add_files`: DICOM files are re-stamped (``dicom/restamp.py``),
  JPEG/PNG/TIFF become Secondary Capture (or VL Photographic) images, PDF files
  Encapsulated PDF (``dicom/builders/``), each stored through the store's add path and
  recorded in the step. One new series per source series (DICOM) and per kind (images,
  PDF), kept across calls;
- :meth:`~ExamService.on_node_event`, a node listener: an instance our node stored for
  the Study Instance UID of an open step enters the newest such step;
- the first instance queues "mpps-create" (IN PROGRESS); an emergency registration
  sends nothing until its patient data is complete (:meth:`~ExamService.update_registration`);
- :meth:`~ExamService.complete` / :meth:`~ExamService.discontinue` (a CID 9300 code) end
  and lock the step; the final "mpps-set" is queued once the N-CREATE has succeeded
  (:meth:`~ExamService.after_create`, the create job's hook), and the after-exam rules
  (``services/after_exam.py``) queue their jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset

from workstation.config.settings import RemoteNode, Role, Settings
from workstation.dicom import registration as registration_rules
from workstation.dicom import restamp as restamping
from workstation.dicom.builders import capture, encapsulated_pdf
from workstation.dicom.builders import mpps as mpps_builder
from workstation.dicom.builders.common import part10_bytes, with_file_meta
from workstation.dicom.read import file_form, read_dicom
from workstation.dicom.registration import Registration
from workstation.dicom.uids import new_uid
from workstation.errors import (
    DiscontinueReasonError,
    InsufficientSpaceError,
    StepLockedError,
    WorkstationError,
)
from workstation.net.scp.node import NodeEvent, NodeEventKind
from workstation.services import after_exam, mpps_job
from workstation.store.importer import collect
from workstation.store.local_store import AddOutcome, LocalStore
from workstation.store.procedure_steps import (
    ProcedureStep,
    ProcedureSteps,
    StepInstance,
    StepJob,
    StepState,
)

log = logging.getLogger(__name__)

Submit = Callable[[str, Mapping[str, Any], int], int]  # (kind, params, max_attempts) -> id
StepRef = ProcedureStep | str
FileProgress = Callable[[int, int, Path], None]
IMAGE_KEY = "image"
PDF_KEY = "pdf"
ARRIVAL_EVENTS = frozenset({NodeEventKind.STORED, NodeEventKind.DUPLICATE})


class FileOutcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # the store had this SOP Instance UID already (kept as stored)
    SKIPPED = "skipped"  # not taken: see the reason


@dataclass(frozen=True, slots=True)
class FileResult:
    """What became of one file given to :meth:`ExamService.add_files`."""

    path: Path
    outcome: FileOutcome
    kind: str = ""  # dicom, image, pdf ("" when unknown)
    sop_instance_uid: str = ""
    series_uid: str = ""
    reason: str = ""


@dataclass
class StepEnd:
    """What ending a step queued: the MPPS jobs now known, the after-exam outcome."""

    step: ProcedureStep
    mpps_jobs: list[int] = field(default_factory=list)
    after_exam: after_exam.AfterExamOutcome = field(default_factory=after_exam.AfterExamOutcome)


def mpps_node_of(settings: Settings) -> RemoteNode | None:
    """The MPPS SCP: ``exam.mpps_node`` by name, else the first node with the MPPS role;
    None when MPPS is switched off or no such node is configured."""
    exam = settings.exam
    if not exam.mpps_enabled:
        return None
    if exam.mpps_node:
        node = settings.find_node(exam.mpps_node)
        if node is None:
            log.warning("MPPS node %r is not a configured remote node", exam.mpps_node)
        return node
    return next((n for n in settings.remote_nodes if Role.MPPS in n.roles), None)


def part10(ds: Dataset) -> bytes:
    """A built or re-stamped data set as Part 10 bytes, its file meta naming it."""
    meta = getattr(ds, "file_meta", None)
    if meta is None or "TransferSyntaxUID" not in meta:
        with_file_meta(ds)
    else:
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return part10_bytes(ds)


class ExamService:
    """Procedure steps over ``store``; jobs go through ``submit(kind, params,
    max_attempts)``; ``settings()`` is read at each call. ``retry_delay_s`` is the
    first retry delay of the MPPS jobs."""

    def __init__(
        self,
        store: LocalStore,
        submit: Submit,
        settings: Callable[[], Settings],
        *,
        retry_delay_s: float = mpps_job.RETRY_DELAY_S,
        image_kind: str = "sc",
    ) -> None:
        self.store = store
        self.submit = submit
        self.settings = settings
        self.retry_delay_s = retry_delay_s
        self.image_kind = image_kind
        self.steps = ProcedureSteps(store.index)
        self.after_exam_jobs: dict[str, list[int]] = {}

    # -- the step ----------------------------------------------------------------------
    def step(self, step: StepRef) -> ProcedureStep:
        return self.steps.get(step if isinstance(step, str) else step.step_id)

    def open_step(self, reg: Registration, *, operator: str = "") -> ProcedureStep:
        """A new open procedure step for ``reg``."""
        current = self.settings()
        step = self.steps.open(
            reg, operator=operator, station_aet=current.node.ae_title,
            station_name=current.exam.station_name,
        )  # fmt: skip
        log.info("procedure step %s opened for study %s", step.step_id, reg.study_instance_uid)
        return step

    def update_registration(self, step: StepRef, reg: Registration) -> ProcedureStep:
        """A new registration for an open step, or an ended emergency step's completed
        one; once complete, the MPPS that waited for it is queued."""
        updated = self.steps.update_registration(self._id(step), reg)
        if registration_rules.is_complete(reg) and self.steps.instances(updated.step_id):
            self._queue_create(updated)
            if updated.state.is_final and updated.mpps_created:
                self.after_create(updated.step_id)
        return self.steps.get(updated.step_id)

    # -- what enters the step ------------------------------------------------------------
    def add_files(
        self,
        step: StepRef,
        paths: Iterable[Path | str],
        progress: FileProgress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[FileResult]:
        """Bring files (folders and DICOMDIRs expanded) into the open step; one
        :class:`FileResult` per file. StepLockedError when the step has ended."""
        current = self.step(step)
        if current.locked:
            raise StepLockedError(step_id=current.step_id, state=str(current.state))
        files, early = collect(Path(p) for p in paths)
        results = [FileResult(p, FileOutcome.SKIPPED, reason=why) for p, why in early]
        total = len(files)
        for n, path in enumerate(files, start=1):
            if cancelled is not None and cancelled():
                break
            try:
                result = self._add_file(current, path)
            except InsufficientSpaceError as exc:
                results.append(FileResult(path, FileOutcome.SKIPPED, reason=exc.message()))
                break
            except StepLockedError:
                raise
            except WorkstationError as exc:
                result = FileResult(path, FileOutcome.SKIPPED, reason=exc.message())
            except OSError as exc:
                result = FileResult(path, FileOutcome.SKIPPED,
                                    reason=f"cannot be read: {exc.strerror or exc}")  # fmt: skip
            except Exception as exc:  # pydicom, Pillow: many types on odd input
                log.debug("file %s not taken", path, exc_info=True)
                result = FileResult(path, FileOutcome.SKIPPED,
                                    reason=f"{type(exc).__name__}: {exc}")  # fmt: skip
            results.append(result)
            if progress is not None:
                progress(n, total, path)
        if any(r.outcome is not FileOutcome.SKIPPED for r in results):
            self._first_instance(current)
        return results

    def _add_file(self, step: ProcedureStep, path: Path) -> FileResult:
        # DICOM first: a Part 10 preamble may hold a TIFF header (dual-personality files)
        kind = "dicom" if file_form(path) is not None else restamping.object_kind(path)
        reg = step.registration
        if kind == "dicom":
            source = read_dicom(path)
            key = f"dicom:{source.get('SeriesInstanceUID', '') or path.parent}"
            series_uid, _count, _number = self._series(step, key, numbered=False)
            ds = restamping.restamp(
                source, reg, series_uid=series_uid, started=step.started_at,
                mpps_uid=step.mpps_uid, in_place=True,
            )  # fmt: skip
        elif kind == "image":
            key = f"{IMAGE_KEY}:{self.image_kind}"
            series_uid, count, number = self._series(step, key)
            ds = capture.image_to_dicom(
                path, reg, series_uid=series_uid, instance_number=count + 1,
                kind=self.image_kind, series_number=number, started=step.started_at,
            )  # fmt: skip
        elif kind == "pdf":
            key = PDF_KEY
            series_uid, count, number = self._series(step, key)
            ds = encapsulated_pdf.pdf_to_dicom(
                path, reg, series_uid=series_uid, instance_number=count + 1,
                series_number=number, started=step.started_at,
            )  # fmt: skip
        else:
            return FileResult(path, FileOutcome.SKIPPED,
                              reason="not a DICOM file, an image (JPEG, PNG, TIFF) or a PDF")  # fmt: skip
        added = self.store.add_bytes(part10(ds), f"exam:{step.step_id}:{path}")
        rec = added.record
        self.steps.add_instances(
            step.step_id, [StepInstance(rec.sop_class_uid, rec.sop_uid, rec.series_uid, key)]
        )
        outcome = FileOutcome.DUPLICATE if added.outcome is AddOutcome.DUPLICATE else FileOutcome.STORED
        return FileResult(path, outcome, kind, rec.sop_uid, rec.series_uid)

    def _series(self, step: ProcedureStep, key: str, numbered: bool = True) -> tuple[str, int, int]:
        """The step's series for ``key``: its UID (new if none yet), its instances so far
        and its Series Number (the step's series counted in order; 0 unless ``numbered``:
        a re-stamped series keeps the source's)."""
        found = self.steps.series_for_source(step.step_id, key)
        if not numbered:
            return (found[0], found[1], 0) if found is not None else (new_uid(), 0, 0)
        series = list(dict.fromkeys(i.series_uid for i in self.steps.instances(step.step_id)))
        if found is None:
            return new_uid(), 0, len(series) + 1
        return found[0], found[1], series.index(found[0]) + 1

    def on_node_event(self, event: NodeEvent) -> None:
        """The node's listener: an instance stored for an open step's study enters the
        newest such step (on the association's thread)."""
        if event.kind not in ARRIVAL_EVENTS or not event.study_uid or not event.sop_instance_uid:
            return
        open_steps = self.steps.open_for_study(event.study_uid)
        if not open_steps:
            return
        row = self.store.index.instance(event.sop_instance_uid)
        if row is None:
            return
        step = open_steps[-1]
        item = StepInstance(row["sop_class_uid"], row["sop_uid"], row["series_uid"],
                            f"node:{event.calling_ae}")  # fmt: skip
        try:
            added = self.steps.add_instances(step.step_id, [item])
        except StepLockedError:
            return  # the step ended meanwhile
        if added:
            log.info("instance %s from %s entered step %s", row["sop_uid"], event.calling_ae,
                     step.step_id)  # fmt: skip
            self._first_instance(step)

    def instances(self, step: StepRef) -> list[StepInstance]:
        return self.steps.instances(self._id(step))

    # -- the end -----------------------------------------------------------------------
    def complete(self, step: StepRef) -> StepEnd:
        """End the step COMPLETED (locked from now on) and queue what follows."""
        ended = self.steps.finish(self._id(step), StepState.COMPLETED)
        return self._after_end(ended)

    def discontinue(self, step: StepRef, reason_code: str) -> StepEnd:
        """End the step DISCONTINUED with a reason of CID 9300 and queue what follows."""
        code = str(reason_code).strip()
        if code not in mpps_builder.CID_9300:
            raise DiscontinueReasonError(step_id=self._id(step), reason_code=code)
        ended = self.steps.finish(self._id(step), StepState.DISCONTINUED, discontinue_code=code)
        return self._after_end(ended)

    def _after_end(self, step: ProcedureStep) -> StepEnd:
        log.info("procedure step %s %s", step.step_id, step.state)
        end = StepEnd(step)
        has_instances = bool(self.steps.instances(step.step_id))
        if not has_instances:
            # a final MPPS needs one performed series at least (PS3.4 Table F.7.2-1
            # note 2): a step nothing entered reports nothing
            self.steps.note_mpps_error(step.step_id, "no instance entered the step: no MPPS")
        elif registration_rules.is_complete(step.registration):
            self._queue_create(step)
            self.after_create(step.step_id)
        if self.steps.claim_after_exam(step.step_id):
            end.after_exam = after_exam.run_rules(
                self.settings(), self.submit, step, self.steps.instances(step.step_id)
            )
            self.after_exam_jobs.setdefault(step.step_id, []).extend(end.after_exam.job_ids)
        end.step = self.steps.get(step.step_id)
        end.mpps_jobs = self.mpps_jobs(end.step)
        return end

    # -- the MPPS jobs -----------------------------------------------------------------
    def mpps_node(self) -> RemoteNode | None:
        return mpps_node_of(self.settings())

    def mpps_jobs(self, step: StepRef) -> list[int]:
        """The ids of the step's MPPS jobs queued so far (create, then set)."""
        current = self.step(step)
        return [j for j in (current.create_job, current.set_job) if j]

    def jobs_of(self, step: StepRef) -> list[int]:
        """Every job this service queued for the step: MPPS and after-exam."""
        return self.mpps_jobs(step) + self.after_exam_jobs.get(self._id(step), [])

    def after_create(self, step_id: str, node: RemoteNode | None = None) -> None:
        """The create job's hook: once the step has ended, its final N-SET is queued (to
        ``node``, the one that has the MPPS; default the configured one)."""
        step = self.steps.get(step_id)
        if step.state.is_final and step.mpps_created:
            self._queue(step, StepJob.SET, mpps_job.SET_KIND, node)

    def resume(self) -> list[int]:
        """At start-up: what a crash may have left unqueued is queued now (a claimed job
        never submitted, the N-CREATE of a step with instances, the final N-SET of an
        ended step whose N-CREATE succeeded); the ids queued."""
        queued: list[int] = []
        for step in self.steps.list():
            if step.mpps_state.is_final:
                continue
            try:
                queued.extend(self._resume(step))
            except Exception:  # one odd step must not keep the program from starting
                log.exception("procedure step %s could not be resumed", step.step_id)
        return queued

    def _resume(self, step: ProcedureStep) -> list[int]:
        queued = []
        for which in (StepJob.CREATE, StepJob.SET):
            if (step.create_job if which is StepJob.CREATE else step.set_job) == 0:
                self.steps.release_job(step.step_id, which)
        step = self.steps.get(step.step_id)
        if self.steps.instances(step.step_id) and registration_rules.is_complete(
            step.registration
        ):
            queued.append(self._queue_create(step))
        step = self.steps.get(step.step_id)
        if step.state.is_final and step.mpps_created:
            queued.append(self._queue(step, StepJob.SET, mpps_job.SET_KIND))
        return [job_id for job_id in queued if job_id is not None]

    def _first_instance(self, step: ProcedureStep) -> None:
        """The first instance of a step with complete patient data: IN PROGRESS."""
        current = self.steps.get(step.step_id)
        if current.create_job is None and registration_rules.is_complete(current.registration):
            self._queue_create(current)

    def _queue_create(self, step: ProcedureStep) -> int | None:
        return self._queue(step, StepJob.CREATE, mpps_job.CREATE_KIND)

    def _queue(
        self, step: ProcedureStep, which: StepJob, kind: str, node: RemoteNode | None = None
    ) -> int | None:
        node = node or self.mpps_node()
        if node is None:
            return None
        if not self.steps.claim_job(step.step_id, which):
            return None
        try:
            job_id = self.submit(
                kind, mpps_job.mpps_params(step.step_id, node, self.retry_delay_s),
                mpps_job.MAX_ATTEMPTS,
            )  # fmt: skip
        except BaseException:
            self.steps.release_job(step.step_id, which)
            raise
        self.steps.record_job(step.step_id, which, job_id)
        log.info("step %s: %s job %d queued to %s", step.step_id, kind, job_id, node.name)
        return job_id

    @staticmethod
    def _id(step: StepRef) -> str:
        return step if isinstance(step, str) else step.step_id


def step_summary(step: ProcedureStep, instances: Sequence[StepInstance]) -> str:
    """One line: step, state, MPPS state (with its reason), instances."""
    text = (f"step {step.step_id}: {step.state}, MPPS {step.mpps_state}, "
            f"{len(instances)} instance(s)")  # fmt: skip
    if step.mpps_error:
        text += f" ({step.mpps_error})"
    return text
