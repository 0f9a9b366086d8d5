"""The examination end to end: ``workstation acquire`` against DCMTK ``wlmscpfs`` (worklist
files the test writes), the strict MPPS SCP of ``tests/peers`` and our own second node
as the archive (with storage commitment); and the exam service in-process for the MPPS
retry paths (SCP down then up, failure status then success), the emergency registration
and images a modality sends to our node during the exam.

What is checked each time: the MPPS went IN PROGRESS then COMPLETED (or DISCONTINUED
with its CID 9300 code) and its final N-SET lists exactly the instances stored for the
step — images in the Referenced Image Sequence, the Encapsulated PDF in the Referenced
Non-Image Composite SOP Instance Sequence.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from tests.integration.conftest import (
    LOOPBACK,
    RunningNode,
    find_free_port,
    run_dcmtk,
    wait_for,
)
from tests.integration.worklist_support import Provider, Spec, start_wlmscpfs, stop, write_items
from tests.peers.fixtures import mpps_scp  # noqa: F401
from tests.peers.mpps_scp import N_CREATE, N_SET, StrictMppsScp
from workstation.config.settings import Settings, make_node, parse_node_spec
from workstation.dicom.registration import ManualForm, emergency, manual
from workstation.runtime import Runtime
from workstation.store.local_store import LocalStore
from workstation.store.procedure_steps import MppsState, StepState

pytestmark = pytest.mark.integration

WL_AET = "WLACQ"
ACQ_AET = "ACQ_WS"
ARCHIVE_AET = "ARCHIVE"
ACCESSION = "ACC-ACQ-1"
PDF_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.104.1"
CLI_TIMEOUT_S = 240.0
WAIT_S = 60.0

SPEC = Spec("acq1", "Müller^Jürgen", "PID-ACQ1", ACQ_AET, "CT", datetime.now(),
            accession=ACCESSION, requested_procedure_id="RP-ACQ1", sex="M")  # fmt: skip


# -- the peers and the files ----------------------------------------------------------
@pytest.fixture(scope="module")
def worklist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    root = tmp_path_factory.mktemp("acq-wl") / "db"
    write_items(root / WL_AET, [SPEC])
    provider = start_wlmscpfs(root, WL_AET, "-csk")
    try:
        yield provider
    finally:
        stop(provider.proc)


def exam_files(folder: Path) -> list[Path]:
    """Two DICOM files of two series, a PNG photograph and a PDF document."""
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / "photo.png"
    Image.new("RGB", (64, 48), (180, 40, 20)).save(png)
    pdf = folder / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return [Path(get_testdata_file("CT_small.dcm")), Path(get_testdata_file("MR_small.dcm")),
            png, pdf]  # fmt: skip


def stored_instances(data_dir: Path, study_uid: str) -> set[tuple[str, str, str]]:
    """(SOP class, SOP instance, series) of every instance of the study in a store."""
    with LocalStore(data_dir, min_free_space_mb=0, check_on_open=False) as store:
        with store.index.reader() as c:
            rows = c.execute(
                "SELECT i.sop_class_uid, i.sop_uid, s.series_uid FROM instance i"
                " JOIN series s ON i.series_fk = s.id JOIN study st ON s.study_fk = st.id"
                " WHERE st.study_uid = ?",
                (study_uid,),
            ).fetchall()
    return {(r[0], r[1], r[2]) for r in rows}


def referenced(n_set: Dataset) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(images, non-images) the N-SET's Performed Series Sequence lists."""
    images, others = set(), set()
    for series in n_set.PerformedSeriesSequence:
        uid = series.SeriesInstanceUID
        for item in series.get("ReferencedImageSequence", []):
            images.add((item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID, uid))
        for item in series.get("ReferencedNonImageCompositeSOPInstanceSequence", []):
            others.add((item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID, uid))
    return images, others


def final_set(scp: StrictMppsScp, uid: str) -> Dataset:
    sets = [ds for op, u, ds in scp.messages if op == N_SET and u == uid]
    assert sets, f"no N-SET for {uid}"
    return sets[-1]


def check_references(scp: StrictMppsScp, uid: str, stored: set[tuple[str, str, str]]) -> None:
    images, others = referenced(final_set(scp, uid))
    assert images | others == stored
    assert not images & others
    assert {c for c, _s, _r in others} <= {PDF_SOP_CLASS}


# -- the command line -------------------------------------------------------------------
def acquire(tmp_path: Path, data: Path, port: int, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable, "-m", "workstation", "--config", str(tmp_path / "acq.settings.json"),
        "acquire", "--data-dir", str(data), "--aet", ACQ_AET, "--bind", LOOPBACK,
        "--port", str(port), "--min-free-mb", "0", "--retry-delay", "0.2",
        "--wait", str(WAIT_S), *args,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False)


def printed(out: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


@pytest.fixture
def archive(start_node: Callable[..., RunningNode], tmp_path: Path) -> tuple[RunningNode, int]:
    """Our own second node as the archive (Storage and Storage Commitment SCP) knowing the
    acquiring workstation, which will listen on the port returned."""
    acq_port = find_free_port()
    node = start_node(ae_title=ARCHIVE_AET, remote_nodes=(
        parse_node_spec(f"ACQ={ACQ_AET}@{LOOPBACK}:{acq_port}"),))  # fmt: skip
    return node, acq_port


def test_acquire_with_worklist_completes_and_sends_with_commitment(
    tmp_path: Path, worklist: Provider, mpps_scp: StrictMppsScp,  # noqa: F811
    archive: tuple[RunningNode, int],
) -> None:
    node, port = archive
    data = tmp_path / "data"
    done = acquire(
        tmp_path, data, port,
        "--worklist", f"{WL_AET}@{LOOPBACK}:{worklist.port}", "--accession", ACCESSION,
        "--mpps", f"{mpps_scp.ae_title}@{LOOPBACK}:{mpps_scp.port}",
        "--send", f"{ARCHIVE_AET}@{LOOPBACK}:{node.port}", "--operator", "Tech^Tina",
        *map(str, exam_files(tmp_path / "in")),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    out = printed(done.stdout)
    assert out["StudyInstanceUID"] == SPEC.study_uid
    uid = out["MPPSInstanceUID"]
    assert mpps_scp.operations() == [N_CREATE, N_SET]
    assert mpps_scp.status_of(uid) == "COMPLETED"
    created = mpps_scp.messages[0][2]
    assert created.PerformedProcedureStepStatus == "IN PROGRESS"
    assert created.PerformedProcedureStepID == out["PerformedProcedureStepID"]
    assert created.ScheduledStepAttributesSequence[0].AccessionNumber == ACCESSION
    stored = stored_instances(data, SPEC.study_uid)
    assert len(stored) == 4 and len({s for _c, _i, s in stored}) == 4  # 2 sources, PNG, PDF
    check_references(mpps_scp, uid, stored)
    # re-stamped and created objects carry the worklist's attributes
    with LocalStore(data, min_free_space_mb=0, check_on_open=False) as store:
        for _cls, sop, _series in stored:
            ds = pydicom.dcmread(store.path_of(store.index.lookup(sop)), stop_before_pixels=True)
            assert (ds.PatientID, ds.AccessionNumber) == (SPEC.patient_id, ACCESSION)
            assert str(ds.PatientName) == SPEC.patient_name
            assert ds.StudyInstanceUID == SPEC.study_uid
    # sent to the archive, and committed
    assert stored_instances(node.store.root, SPEC.study_uid) == stored
    assert "commitment" in done.stderr and "committed" in done.stderr


def test_acquire_discontinued_with_its_reason(
    tmp_path: Path, worklist: Provider, mpps_scp: StrictMppsScp,  # noqa: F811
) -> None:
    data = tmp_path / "data"
    done = acquire(
        tmp_path, data, find_free_port(),
        "--worklist", f"{WL_AET}@{LOOPBACK}:{worklist.port}", "--accession", ACCESSION,
        "--mpps", f"{mpps_scp.ae_title}@{LOOPBACK}:{mpps_scp.port}",
        "--discontinue", "110514", str(get_testdata_file("CT_small.dcm")),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    uid = printed(done.stdout)["MPPSInstanceUID"]
    assert mpps_scp.status_of(uid) == "DISCONTINUED"
    n_set = final_set(mpps_scp, uid)
    reason = n_set.PerformedProcedureStepDiscontinuationReasonCodeSequence[0]
    assert (reason.CodeValue, reason.CodingSchemeDesignator) == ("110514", "DCM")
    check_references(mpps_scp, uid, stored_instances(data, SPEC.study_uid))


def test_acquire_unscheduled(tmp_path: Path, mpps_scp: StrictMppsScp) -> None:  # noqa: F811
    data = tmp_path / "data"
    done = acquire(
        tmp_path, data, find_free_port(), "--unscheduled", "--patient-name", "Doe^Jane",
        "--patient-id", "U-77", "--birth-date", "19800202", "--sex", "F", "--modality", "OT",
        "--mpps", f"{mpps_scp.ae_title}@{LOOPBACK}:{mpps_scp.port}",
        *map(str, exam_files(tmp_path / "in")[2:]),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    out = printed(done.stdout)
    uid = out["MPPSInstanceUID"]
    assert mpps_scp.status_of(uid) == "COMPLETED"
    created = mpps_scp.messages[0][2]
    assert (str(created.PatientName), created.PatientID) == ("Doe^Jane", "U-77")
    stored = stored_instances(data, out["StudyInstanceUID"])
    assert len(stored) == 2
    check_references(mpps_scp, uid, stored)


def test_acquire_fails_when_the_mpps_is_refused_for_good(
    tmp_path: Path, mpps_scp: StrictMppsScp,  # noqa: F811
) -> None:
    mpps_scp.fail_next(1, 0x0106, "refused by the test")  # an invalid value: no retry
    done = acquire(
        tmp_path, tmp_path / "data", find_free_port(), "--unscheduled",
        "--patient-name", "Doe^Jane", "--patient-id", "U-78", "--modality", "OT",
        "--mpps", f"{mpps_scp.ae_title}@{LOOPBACK}:{mpps_scp.port}",
        *map(str, exam_files(tmp_path / "in")[2:3]),
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MPPS failed" in done.stderr and "0106" in done.stderr
    assert mpps_scp.operations() == [N_CREATE]


# -- in-process: the retry paths, emergency, arrivals -----------------------------------
def exam_settings(data: Path, scp: StrictMppsScp, **more: object) -> Settings:
    mpps = make_node(name="RIS", ae_title=scp.ae_title, host=LOOPBACK, port=scp.port,
                     roles=frozenset({"mpps"}))  # fmt: skip
    return Settings(
        ae_title=ACQ_AET, port=find_free_port(), bind_address=LOOPBACK, data_dir=data,
        min_free_space_mb=0, remote_nodes=(mpps, *more.pop("nodes", ())),
        mpps_node="RIS", **more,
    )  # fmt: skip


@pytest.fixture
def runtime_for(tmp_path: Path) -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def make(settings: Settings) -> Runtime:
        rt = Runtime(settings)
        rt.exam.retry_delay_s = 0.2
        made.append(rt)
        rt.start_jobs(poll_s=0.1)
        return rt

    yield make
    for rt in made:
        rt.stop()


def registration() -> object:
    form = ManualForm(patient_name="Retry^Rita", patient_id="R-1", modality="OT")
    return manual(form, today=datetime.now().date())


def test_mpps_scp_down_at_first_then_up(
    tmp_path: Path, mpps_scp: StrictMppsScp, runtime_for: Callable[..., Runtime],  # noqa: F811
) -> None:
    mpps_scp.stop()
    rt = runtime_for(exam_settings(tmp_path / "data", mpps_scp))
    step = rt.exam.open_step(registration())
    rt.exam.add_files(step, exam_files(tmp_path / "in")[2:])
    rt.exam.complete(step)
    assert wait_for(lambda: "connect" in rt.exam.step(step).mpps_error.lower()
                    or "reach" in rt.exam.step(step).mpps_error.lower(), WAIT_S)  # fmt: skip
    assert rt.exam.step(step).mpps_state is MppsState.NOT_SENT
    assert rt.exam.step(step).set_job is None  # no N-SET queued before the N-CREATE
    mpps_scp.start()
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.COMPLETED, WAIT_S)
    assert mpps_scp.operations() == [N_CREATE, N_SET]
    check_references(mpps_scp, step.mpps_uid, stored_instances(rt.store.root, step.study_uid))


def test_failure_status_then_success(
    tmp_path: Path, mpps_scp: StrictMppsScp, runtime_for: Callable[..., Runtime],  # noqa: F811
) -> None:
    mpps_scp.fail_next(2, 0x0110, "busy")  # the N-CREATE twice
    rt = runtime_for(exam_settings(tmp_path / "data", mpps_scp))
    step = rt.exam.open_step(registration())
    rt.exam.add_files(step, exam_files(tmp_path / "in")[2:])
    rt.exam.complete(step)
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.COMPLETED, WAIT_S)
    assert mpps_scp.operations() == [N_CREATE, N_CREATE, N_CREATE, N_SET]
    assert [s for s, _c in mpps_scp.answers] == [0x0110, 0x0110, 0, 0]
    create_job = rt.queue.get(rt.exam.step(step).create_job)
    assert create_job.attempts == 3 and create_job.state.is_final


def test_in_progress_at_the_first_instance(
    tmp_path: Path, mpps_scp: StrictMppsScp, runtime_for: Callable[..., Runtime],  # noqa: F811
) -> None:
    rt = runtime_for(exam_settings(tmp_path / "data", mpps_scp))
    step = rt.exam.open_step(registration())
    assert rt.exam.step(step).create_job is None
    rt.exam.add_files(step, exam_files(tmp_path / "in")[2:3])
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.IN_PROGRESS, WAIT_S)
    assert mpps_scp.status_of(step.mpps_uid) == "IN PROGRESS"
    rt.exam.add_files(step, exam_files(tmp_path / "in2")[3:])
    end = rt.exam.complete(step)
    assert end.step.state is StepState.COMPLETED
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.COMPLETED, WAIT_S)
    assert mpps_scp.operations() == [N_CREATE, N_SET]
    check_references(mpps_scp, step.mpps_uid, stored_instances(rt.store.root, step.study_uid))


def test_emergency_waits_until_the_registration_is_complete(
    tmp_path: Path, mpps_scp: StrictMppsScp, runtime_for: Callable[..., Runtime],  # noqa: F811
) -> None:
    from workstation.dicom.registration import complete_emergency

    rt = runtime_for(exam_settings(tmp_path / "data", mpps_scp))
    reg = emergency(now=datetime.now(), modality="OT")
    step = rt.exam.open_step(reg)
    rt.exam.add_files(step, exam_files(tmp_path / "in")[2:])
    rt.exam.complete(step)
    assert rt.exam.step(step).create_job is None and mpps_scp.messages == []
    done = complete_emergency(reg, ManualForm(patient_name="Known^Kim", patient_id="K-9",
                                              modality="OT"), today=datetime.now().date())  # fmt: skip
    rt.exam.update_registration(step, done)
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.COMPLETED, WAIT_S)
    assert mpps_scp.operations() == [N_CREATE, N_SET]
    assert mpps_scp.messages[0][2].PatientID == "K-9"


def test_images_a_modality_sends_during_the_exam_enter_the_step(
    tmp_path: Path, mpps_scp: StrictMppsScp, runtime_for: Callable[..., Runtime],  # noqa: F811
) -> None:
    modality = parse_node_spec(f"MOD=MODALITY@{LOOPBACK}:104")
    rt = runtime_for(exam_settings(tmp_path / "data", mpps_scp, nodes=(modality,)))
    node = rt.start_node()
    step = rt.exam.open_step(registration())
    source = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    source.StudyInstanceUID = step.study_uid
    source.SOPInstanceUID = pydicom.uid.generate_uid()
    sent = tmp_path / "modality.dcm"
    source.save_as(sent)
    result = run_dcmtk("storescu", "-aet", "MODALITY", "-aec", ACQ_AET, LOOPBACK,
                       str(node.address[1]), sent)  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert wait_for(lambda: len(rt.exam.instances(step)) == 1, WAIT_S)
    assert rt.exam.instances(step)[0].sop_instance_uid == source.SOPInstanceUID
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.IN_PROGRESS, WAIT_S)
    rt.exam.complete(step)
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.COMPLETED, WAIT_S)
    check_references(mpps_scp, step.mpps_uid, stored_instances(rt.store.root, step.study_uid))


def test_a_repeated_final_set_the_scp_holds_already_counts_as_done(
    tmp_path: Path, mpps_scp: StrictMppsScp, runtime_for: Callable[..., Runtime],  # noqa: F811
) -> None:
    """An N-SET whose answer was lost is sent again: the SCP refuses it (0110, Error ID
    A710, the step is final there) and the job takes the step as done."""
    from workstation.services import mpps_job

    rt = runtime_for(exam_settings(tmp_path / "data", mpps_scp))
    step = rt.exam.open_step(registration())
    rt.exam.add_files(step, exam_files(tmp_path / "in")[2:3])
    rt.exam.complete(step)
    assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.COMPLETED, WAIT_S)
    rt.exam.steps.set_mpps(step.step_id, MppsState.IN_PROGRESS)  # as if the answer was lost
    node = rt.settings.find_node("RIS")
    job_id = rt.submit(mpps_job.SET_KIND, mpps_job.mpps_params(step.step_id, node, 0.2))
    assert wait_for(lambda: rt.queue.get(job_id).state.is_final, WAIT_S)
    assert rt.queue.get(job_id).state.value == "succeeded"
    assert mpps_scp.answers[-1][0] == 0x0110
    current = rt.exam.step(step)
    assert current.mpps_state is MppsState.COMPLETED and "A710" in current.mpps_error


def test_mpps_left_queued_by_acquire_is_sent_by_the_next_runtime(
    tmp_path: Path, mpps_scp: StrictMppsScp,  # noqa: F811
) -> None:
    """The MPPS messages are persistent jobs: acquire gives up waiting while the RIS is
    down (exit 1), and whatever next runs the store's queue sends them once it is up."""
    mpps_scp.stop()
    data = tmp_path / "data"
    done = acquire(
        tmp_path, data, find_free_port(), "--unscheduled", "--patient-name", "Late^Lou",
        "--patient-id", "L-1", "--modality", "OT",
        "--mpps", f"{mpps_scp.ae_title}@{LOOPBACK}:{mpps_scp.port}", "--wait", "3",
        *map(str, exam_files(tmp_path / "in")[2:]),
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not finished within 3 s" in done.stderr
    uid = printed(done.stdout)["MPPSInstanceUID"]
    mpps_scp.start()
    settings = Settings(data_dir=data, min_free_space_mb=0, ae_title=ACQ_AET,
                        bind_address=LOOPBACK, port=find_free_port())  # no MPPS node configured
    with Runtime(settings) as rt:
        rt.start_jobs(poll_s=0.1)
        step = rt.exam.steps.by_mpps_uid(uid)
        assert step is not None and step.state is StepState.COMPLETED
        assert wait_for(lambda: rt.exam.step(step).mpps_state is MppsState.COMPLETED, WAIT_S)
    assert mpps_scp.operations() == [N_CREATE, N_SET]
    check_references(mpps_scp, uid, stored_instances(data, step.study_uid))
