"""What the examination screen asks of the examination service, in one small class.

:class:`ExamBackend` wraps :class:`~workstation.services.exam.ExamService` (Qt-free) and the
store's index: the step, its instances with what a row needs (kind, number, file path),
adding files (called on a worker thread), completing and discontinuing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from workstation.config.settings import Settings
from workstation.dicom.builders.mpps import is_image_sop_class
from workstation.dicom.registration import Registration
from workstation.services.exam import ExamService, FileOutcome, FileResult, mpps_node_of
from workstation.store.procedure_steps import ProcedureStep, StepInstance

PDF_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.104.1"
KIND_LABELS = {
    "image": QT_TRANSLATE_NOOP("ExamBackend", "image"),
    "pdf": QT_TRANSLATE_NOOP("ExamBackend", "PDF"),
    "other": QT_TRANSLATE_NOOP("ExamBackend", "object"),
}


@dataclass(frozen=True)
class InstanceInfo:
    """One object of the step as the screen shows it."""

    sop_uid: str
    series_uid: str
    sop_class_uid: str
    kind: str  # image, pdf, other
    instance_number: int | None
    modality: str
    series_description: str
    path: Path | None

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def kind_text(self) -> str:
        return QCoreApplication.translate("ExamBackend", KIND_LABELS[self.kind])


@dataclass(frozen=True)
class AddResult:
    """What ``add_files`` did: the count added and the files not taken (with why)."""

    added: int
    skipped: list[str]
    results: list[FileResult]


class ExamBackend:
    """The screen's calls, over ``service`` (the runtime's ExamService)."""

    def __init__(self, service: ExamService, settings: Callable[[], Settings]) -> None:
        self.service = service
        self.settings = settings

    def open_step(self, reg: Registration) -> ProcedureStep:
        return self.service.open_step(reg)

    def step(self, step_id: str) -> ProcedureStep:
        return self.service.step(step_id)

    def instances(self, step_id: str) -> list[StepInstance]:
        return self.service.instances(step_id)

    def instance_infos(self, instances: Sequence[StepInstance]) -> list[InstanceInfo]:
        store = self.service.store
        out = []
        for inst in instances:
            row = store.index.instance(inst.sop_instance_uid)
            kind = ("pdf" if inst.sop_class_uid == PDF_SOP_CLASS else
                    "image" if is_image_sop_class(inst.sop_class_uid) else "other")  # fmt: skip
            path = store.path_of(row["rel_path"]) if row is not None else None
            number = row.get("instance_number") if row is not None else None
            modality, description = self._series_facts(inst.series_uid)
            out.append(InstanceInfo(inst.sop_instance_uid, inst.series_uid, inst.sop_class_uid,
                                    kind, number, modality, description, path))  # fmt: skip
        return out

    def _series_facts(self, series_uid: str) -> tuple[str, str]:
        with self.service.store.index.reader() as c:
            row = c.execute("SELECT modality, description FROM series WHERE series_uid = ?",
                            (series_uid,)).fetchone()  # fmt: skip
        return (row[0] or "", row[1] or "") if row is not None else ("", "")

    def add_files(self, step_id: str, paths: Sequence[Path]) -> AddResult:
        """On a worker thread: bring ``paths`` into the step."""
        results = self.service.add_files(step_id, paths)
        added = sum(1 for r in results if r.outcome is not FileOutcome.SKIPPED)
        skipped = [f"{r.path.name}: {r.reason}" for r in results if r.outcome is FileOutcome.SKIPPED]
        return AddResult(added, skipped, results)

    def complete(self, step_id: str) -> object:
        return self.service.complete(step_id)

    def discontinue(self, step_id: str, code: str) -> object:
        return self.service.discontinue(step_id, code)

    def update_registration(self, step_id: str, reg: Registration) -> ProcedureStep:
        return self.service.update_registration(step_id, reg)

    def mpps_enabled(self) -> bool:
        return mpps_node_of(self.settings()) is not None
