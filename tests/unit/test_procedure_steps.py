"""The procedure-step tables: registration round trip, instances, the lock after a final
state, the MPPS bookkeeping, job claims, and the schema step that adds them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

from workstation.dicom.registration import Registration
from workstation.errors import ProcedureStepError, StepLockedError
from workstation.store import index as index_module
from workstation.store.index import StoreIndex
from workstation.store.procedure_steps import (
    MppsState,
    ProcedureSteps,
    StepInstance,
    StepJob,
    StepState,
    new_step_id,
    registration_from_json,
    registration_to_json,
)
from workstation.store.schema import MIGRATIONS


def worklist_item() -> Dataset:
    item = Dataset()
    item.SpecificCharacterSet = "ISO_IR 100"
    item.PatientName = "Müller^Jürgen"
    item.PatientID = "PID1"
    item.AccessionNumber = "ACC1"
    item.StudyInstanceUID = "1.2.3.4"
    sps = Dataset()
    sps.ScheduledProcedureStepID = "SPS1"
    sps.Modality = "CR"
    item.ScheduledProcedureStepSequence = [sps]
    return item


def registration(**changes: object) -> Registration:
    values: dict[str, object] = dict(
        patient_name="Müller^Jürgen", patient_id="PID1", birth_date="19700101", sex="M",
        accession_number="ACC1", requested_procedure_id="RP1", study_instance_uid="1.2.3.4",
        study_id="RP1", modality="CR", specific_character_set="ISO_IR 100",
        worklist=worklist_item(),
    )  # fmt: skip
    values.update(changes)
    return Registration(**values)  # type: ignore[arg-type]


@pytest.fixture
def steps(tmp_path: Path) -> ProcedureSteps:
    index = StoreIndex(tmp_path / "index.sqlite")
    yield ProcedureSteps(index)
    index.close()


def test_registration_round_trip_keeps_the_worklist_item() -> None:
    reg = registration()
    back = registration_from_json(registration_to_json(reg))
    assert back == reg
    assert back.worklist is not None
    assert back.worklist.PatientName == "Müller^Jürgen"
    assert back.worklist.ScheduledProcedureStepSequence[0].ScheduledProcedureStepID == "SPS1"
    unscheduled = registration(worklist=None, emergency=True)
    again = registration_from_json(registration_to_json(unscheduled))
    assert again.worklist is None and again.emergency


def test_step_id_fits_sh() -> None:
    sid = new_step_id(datetime(2026, 12, 7, 15, 4, 5))
    assert len(sid) <= 16 and sid.startswith("P261207150405")


def test_open_step_has_its_own_mpps_uid_and_starts_not_sent(steps: ProcedureSteps) -> None:
    a = steps.open(registration(), operator="Tech^One", station_aet="WS1", station_name="ROOM1")
    b = steps.open(registration())
    assert a.step_id != b.step_id and a.mpps_uid != b.mpps_uid
    assert a.state is StepState.OPEN and a.mpps_state is MppsState.NOT_SENT
    assert (a.operator, a.station_aet, a.station_name) == ("Tech^One", "WS1", "ROOM1")
    assert a.study_uid == "1.2.3.4" and a.ended_at is None
    assert steps.get(a.step_id).registration == registration()
    assert steps.by_mpps_uid(a.mpps_uid).step_id == a.step_id  # type: ignore[union-attr]
    assert [s.step_id for s in steps.open_for_study("1.2.3.4")] == [a.step_id, b.step_id]


def test_instances_recorded_once_in_order(steps: ProcedureSteps) -> None:
    step = steps.open(registration())
    first = [StepInstance("1.2.840.10008.5.1.4.1.1.7", f"1.9.{n}", "1.9.100", "src:1")
             for n in range(3)]  # fmt: skip
    assert steps.add_instances(step.step_id, first) == 3
    assert steps.add_instances(step.step_id, first[:1]) == 0
    assert [i.sop_instance_uid for i in steps.instances(step.step_id)] == ["1.9.0", "1.9.1", "1.9.2"]
    assert steps.series_for_source(step.step_id, "src:1") == ("1.9.100", 3)
    assert steps.series_for_source(step.step_id, "src:2") is None


def test_final_state_locks_the_step(steps: ProcedureSteps) -> None:
    step = steps.open(registration())
    done = steps.finish(step.step_id, StepState.DISCONTINUED, discontinue_code="110514")
    assert done.state is StepState.DISCONTINUED and done.discontinue_code == "110514"
    assert done.locked and done.ended_at is not None
    with pytest.raises(StepLockedError) as info:
        steps.add_instances(step.step_id, [StepInstance("1.2", "1.3", "1.4")])
    assert info.value.code == "exam.locked" and info.value.values["state"] == "discontinued"
    with pytest.raises(StepLockedError):
        steps.finish(step.step_id, StepState.COMPLETED)
    with pytest.raises(StepLockedError):
        steps.update_registration(step.step_id, registration(patient_id="OTHER"))
    assert steps.instances(step.step_id) == []
    # an ended emergency step still takes its completed registration, once
    urgent = steps.open(registration(worklist=None, emergency=True, patient_id="EMERG-1"))
    steps.finish(urgent.step_id, StepState.COMPLETED)
    with pytest.raises(StepLockedError):
        steps.update_registration(urgent.step_id, registration(worklist=None, emergency=True))
    done = steps.update_registration(urgent.step_id, registration(worklist=None, patient_id="P9"))
    assert done.registration.patient_id == "P9" and not done.registration.emergency
    with pytest.raises(StepLockedError):
        steps.update_registration(urgent.step_id, registration(worklist=None, patient_id="P10"))
    # the MPPS bookkeeping still moves
    steps.set_mpps(step.step_id, MppsState.DISCONTINUED, created=True)
    assert steps.get(step.step_id).mpps_state is MppsState.DISCONTINUED


def test_completed_step_keeps_no_discontinue_code(steps: ProcedureSteps) -> None:
    step = steps.open(registration())
    done = steps.finish(step.step_id, StepState.COMPLETED, discontinue_code="110514")
    assert done.discontinue_code == "" and done.state is StepState.COMPLETED
    with pytest.raises(ProcedureStepError):
        steps.finish(steps.open(registration()).step_id, StepState.OPEN)


def test_unknown_step_is_an_error(steps: ProcedureSteps) -> None:
    with pytest.raises(ProcedureStepError) as info:
        steps.get("NOPE")
    assert info.value.code == "exam.step"
    assert steps.find("NOPE") is None


def test_mpps_state_error_and_created_flag(steps: ProcedureSteps) -> None:
    step = steps.open(registration())
    steps.note_mpps_error(step.step_id, "no answer")
    got = steps.get(step.step_id)
    assert got.mpps_state is MppsState.NOT_SENT and got.mpps_error == "no answer"
    steps.set_mpps(step.step_id, MppsState.IN_PROGRESS, created=True)
    got = steps.get(step.step_id)
    assert got.mpps_state is MppsState.IN_PROGRESS and got.mpps_created and not got.mpps_error
    steps.set_mpps(step.step_id, MppsState.FAILED, "refused: 0110")
    got = steps.get(step.step_id)
    assert got.mpps_state is MppsState.FAILED and got.mpps_created  # kept
    assert got.mpps_state.is_final


def test_create_claimed_once_set_only_after_create_and_end(steps: ProcedureSteps) -> None:
    step = steps.open(registration())
    assert steps.claim_job(step.step_id, StepJob.CREATE)
    assert not steps.claim_job(step.step_id, StepJob.CREATE)
    steps.record_job(step.step_id, StepJob.CREATE, 7)
    assert steps.get(step.step_id).create_job == 7
    assert not steps.claim_job(step.step_id, StepJob.SET)  # not created, not ended
    steps.set_mpps(step.step_id, MppsState.IN_PROGRESS, created=True)
    assert not steps.claim_job(step.step_id, StepJob.SET)  # not ended
    steps.finish(step.step_id, StepState.COMPLETED)
    assert steps.claim_job(step.step_id, StepJob.SET)
    steps.release_job(step.step_id, StepJob.SET)
    assert steps.claim_job(step.step_id, StepJob.SET)
    assert not steps.claim_job(step.step_id, StepJob.SET)
    assert steps.claim_after_exam(step.step_id)
    assert not steps.claim_after_exam(step.step_id)


def test_migration_adds_the_tables_to_an_older_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "index.sqlite"
    monkeypatch.setattr(index_module, "MIGRATIONS", MIGRATIONS[:5])
    old = StoreIndex(path)
    assert old.schema_version() == 5
    old.close()
    monkeypatch.setattr(index_module, "MIGRATIONS", MIGRATIONS)
    new = StoreIndex(path)
    try:
        assert new.schema_version() == len(MIGRATIONS) >= 6
        steps = ProcedureSteps(new)
        step = steps.open(registration(worklist=None))
        assert steps.list() == [step]
        assert steps.list([StepState.COMPLETED]) == []
        new.clear()  # forgetting the instance index keeps the steps
        assert steps.find(step.step_id) is not None
    finally:
        new.close()


# -- the exam service and the after-exam rules over these tables (no network) -----------
class Submitted:
    """A stand-in for the queue's submit: records (kind, params, max_attempts)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, dict, int]] = []

    def __call__(self, kind: str, params: dict, max_attempts: int) -> int:
        self.jobs.append((kind, dict(params), max_attempts))
        return len(self.jobs)

    def kinds(self) -> list[str]:
        return [k for k, _p, _m in self.jobs]


def exam_settings(tmp_path: Path, **more: object):  # noqa: ANN201
    from workstation.config.settings import Settings, make_node

    nodes = (
        make_node(name="RIS", ae_title="RIS", host="127.0.0.1", port=1040, roles={"mpps"}),
        make_node(name="PACS", ae_title="PACS", host="127.0.0.1", port=1041),
    )
    return Settings(ae_title="WS1", data_dir=tmp_path / "data", min_free_space_mb=0,
                    remote_nodes=nodes, **more)  # fmt: skip


@pytest.fixture
def service(tmp_path: Path):  # noqa: ANN201
    from workstation.services.exam import ExamService
    from workstation.store.local_store import LocalStore

    store = LocalStore(tmp_path / "data", min_free_space_mb=0)
    submitted = Submitted()
    holder = {"settings": exam_settings(tmp_path)}
    exam = ExamService(store, submitted, lambda: holder["settings"])
    yield exam, submitted, holder
    store.close()


def photo(tmp_path: Path, name: str = "photo.png") -> Path:
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (32, 24), (10, 120, 30)).save(path)
    return path


def test_first_instance_queues_the_create_and_the_end_waits_for_it(service, tmp_path) -> None:  # noqa: ANN001
    from workstation.services import mpps_job
    from workstation.services.exam import FileOutcome

    exam, submitted, _holder = service
    step = exam.open_step(registration(worklist=None), operator="Tech^One")
    assert submitted.jobs == []
    results = exam.add_files(step, [photo(tmp_path), photo(tmp_path, "b.png"),
                                    tmp_path / "missing.png"])  # fmt: skip
    assert [r.outcome for r in results] == [FileOutcome.SKIPPED, FileOutcome.STORED,
                                            FileOutcome.STORED]  # fmt: skip
    instances = exam.instances(step)
    assert len(instances) == 2 and len({i.series_uid for i in instances}) == 1
    assert submitted.kinds() == [mpps_job.CREATE_KIND]
    kind, params, attempts = submitted.jobs[0]
    assert params["step_id"] == step.step_id and params["node"]["name"] == "RIS"
    assert attempts == mpps_job.MAX_ATTEMPTS
    exam.add_files(step, [photo(tmp_path, "c.png")])
    assert submitted.kinds() == [mpps_job.CREATE_KIND]  # once per step
    end = exam.complete(step)
    assert end.step.state is StepState.COMPLETED and end.mpps_jobs == [1]
    assert submitted.kinds() == [mpps_job.CREATE_KIND]  # no N-SET before the N-CREATE
    exam.steps.set_mpps(step.step_id, MppsState.IN_PROGRESS, created=True)
    exam.after_create(step.step_id)
    exam.after_create(step.step_id)
    assert submitted.kinds() == [mpps_job.CREATE_KIND, mpps_job.SET_KIND]
    with pytest.raises(StepLockedError):
        exam.add_files(step, [photo(tmp_path, "d.png")])


def test_discontinue_needs_a_cid_9300_reason(service, tmp_path) -> None:  # noqa: ANN001
    from workstation.errors import DiscontinueReasonError

    exam, _submitted, _holder = service
    step = exam.open_step(registration(worklist=None))
    with pytest.raises(DiscontinueReasonError) as info:
        exam.discontinue(step, "999999")
    assert info.value.code == "exam.reason"
    assert exam.step(step).state is StepState.OPEN
    exam.add_files(step, [photo(tmp_path)])
    end = exam.discontinue(step, "110514")
    assert end.step.state is StepState.DISCONTINUED and end.step.discontinue_code == "110514"


def test_no_mpps_when_switched_off_and_nothing_for_an_empty_step(service, tmp_path) -> None:  # noqa: ANN001
    exam, submitted, holder = service
    holder["settings"] = holder["settings"].updated(mpps_enabled=False)
    step = exam.open_step(registration(worklist=None))
    exam.add_files(step, [photo(tmp_path)])
    exam.complete(step)
    assert submitted.jobs == []
    holder["settings"] = holder["settings"].updated(mpps_enabled=True)
    empty = exam.complete(exam.open_step(registration(worklist=None)))
    assert submitted.jobs == [] and "no instance" in empty.step.mpps_error


def test_emergency_sends_nothing_until_completed(service, tmp_path) -> None:  # noqa: ANN001
    from workstation.services import mpps_job

    exam, submitted, _holder = service
    urgent = registration(worklist=None, emergency=True, patient_id="EMERG-1")
    step = exam.open_step(urgent)
    exam.add_files(step, [photo(tmp_path)])
    exam.complete(step)
    assert submitted.jobs == []
    exam.update_registration(step, registration(worklist=None, patient_id="P-REAL"))
    assert submitted.kinds() == [mpps_job.CREATE_KIND]


def test_after_exam_rules_queue_a_send_with_commitment(service, tmp_path) -> None:  # noqa: ANN001
    from workstation.config.settings import AfterExamAction, AfterExamRule
    from workstation.services import after_exam

    exam, submitted, holder = service
    holder["settings"] = holder["settings"].updated(mpps_enabled=False, after_exam=[
        AfterExamRule(node="PACS").model_dump(),
        AfterExamRule(node="PACS", storage_commitment=False, on_discontinued=True).model_dump(),
        AfterExamRule(node="NOWHERE").model_dump(),
        AfterExamRule(node="PACS", enabled=False).model_dump(),
    ])  # fmt: skip
    step = exam.open_step(registration(worklist=None))
    exam.add_files(step, [photo(tmp_path), photo(tmp_path, "b.png")])
    end = exam.complete(step)
    assert submitted.kinds() == ["send", "send"]
    first, second = (p for _k, p, _m in submitted.jobs)
    wanted = sorted(i.sop_instance_uid for i in exam.instances(step))
    assert sorted(first["uids"]) == wanted == sorted(second["uids"])
    assert first["node"]["storage_commitment"] is True
    assert second["node"]["storage_commitment"] is False
    assert end.after_exam.job_ids == [1, 2] and exam.jobs_of(step) == [1, 2]
    assert len(end.after_exam.skipped) == 1 and "NOWHERE" in end.after_exam.skipped[0]
    # discontinued: only the rule that says so
    other = exam.open_step(registration(worklist=None))
    exam.add_files(other, [photo(tmp_path, "c.png")])
    exam.discontinue(other, "110514")
    assert submitted.kinds() == ["send", "send", "send"]
    assert AfterExamAction.SEND in after_exam.registered_actions()


def test_an_action_registered_later_runs_from_the_same_rules(service, tmp_path) -> None:  # noqa: ANN001
    from workstation.config.settings import AfterExamAction, AfterExamRule
    from workstation.services import after_exam

    exam, _submitted, holder = service
    holder["settings"] = holder["settings"].updated(
        mpps_enabled=False, after_exam=[AfterExamRule(node="PACS").model_dump()])
    calls = []
    previous = after_exam.registered_actions()[AfterExamAction.SEND]
    after_exam.register_action(AfterExamAction.SEND,
                               lambda ctx, rule, step, inst: calls.append(len(inst)) or [99])
    try:
        step = exam.open_step(registration(worklist=None))
        exam.add_files(step, [photo(tmp_path)])
        assert exam.complete(step).after_exam.job_ids == [99] and calls == [1]
    finally:
        after_exam.register_action(AfterExamAction.SEND, previous)


def test_resume_queues_what_a_crash_left_unqueued(service, tmp_path) -> None:  # noqa: ANN001
    from workstation.services import mpps_job

    exam, submitted, _holder = service
    step = exam.open_step(registration(worklist=None))
    exam.add_files(step, [photo(tmp_path)])
    assert submitted.kinds() == [mpps_job.CREATE_KIND]
    # a crash between the claim and the submit: claimed (0), nothing queued
    exam.steps.release_job(step.step_id, StepJob.CREATE)
    exam.steps.record_job(step.step_id, StepJob.CREATE, 0)
    assert exam.resume() == [2]
    assert exam.step(step).create_job == 2
    # the N-CREATE succeeded and the step ended, but the N-SET was never queued
    exam.steps.set_mpps(step.step_id, MppsState.IN_PROGRESS, created=True)
    exam.steps.finish(step.step_id, StepState.COMPLETED)
    assert exam.resume() == [3]
    assert submitted.kinds() == [mpps_job.CREATE_KIND] * 2 + [mpps_job.SET_KIND]
    assert exam.resume() == []
