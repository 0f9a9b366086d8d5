"""Job parameters: one frozen model per kind, checked at submit; rows in the JSON shape
written before the models existed still load and run; the runtime's kind registry."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from conftest import sample_roots
from pydantic import ValidationError

from workstation.config import Settings
from workstation.config.settings import make_node
from workstation.jobs import JobParamsError, JobRunner, JobState
from workstation.runtime import JOB_KINDS, JOBS_DB, Runtime
from workstation.services.cleanup_job import KIND as CLEANUP_KIND
from workstation.services.commit_expiry_job import KIND as COMMIT_EXPIRY_KIND
from workstation.services.commit_job import KIND as COMMIT_KIND
from workstation.services.commit_job import CommitParams, commit_params
from workstation.services.commit_report_job import KIND as COMMIT_REPORT_KIND
from workstation.services.import_job import KIND as IMPORT_KIND
from workstation.services.import_job import ImportParams
from workstation.services.mpps_job import CREATE_KIND as MPPS_CREATE_KIND
from workstation.services.mpps_job import SET_KIND as MPPS_SET_KIND
from workstation.services.print_job import KIND as PRINT_KIND
from workstation.services.retrieve_job import KIND as RETRIEVE_KIND
from workstation.services.retrieve_job import RetrieveParams, retrieve_params
from workstation.services.send_job import KIND as SEND_KIND
from workstation.services.send_job import SendParams, send_params

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

NODE = make_node(name="PACS", ae_title="PACS", host="127.0.0.1", port=4242)
NODE_JSON = NODE.model_dump(mode="json")
REFS = [["1.2.840.10008.5.1.4.1.1.2", "1.2.3.4"]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "store", min_free_space_mb=0, ae_title="WS_UNIT",
                    bind_address="127.0.0.1")  # fmt: skip


@pytest.fixture
def runtime(settings: Settings):
    rt = Runtime(settings)
    try:
        yield rt
    finally:
        rt.stop()


BAD = [
    (IMPORT_KIND, {"paths": []}, "paths", "too_short"),
    (IMPORT_KIND, {"paths": "not a list"}, "paths", "tuple_type"),
    (IMPORT_KIND, {"paths": ["/a"], "typo": 1}, "typo", "extra_forbidden"),
    (SEND_KIND, {"node": NODE_JSON, "uids": ["1.2"]}, "send_id", "missing"),
    (SEND_KIND, {"node": {"name": "X"}, "uids": ["1.2"], "send_id": "s"}, "node.ae_title",
     "missing"),
    (SEND_KIND, {"node": NODE_JSON, "uids": [""], "send_id": "s"}, "uids.0", "string_too_short"),
    (COMMIT_KIND, {"node": NODE_JSON, "references": [["1.2"]]}, "references.0.1", "missing"),
    (COMMIT_KIND, {"node": NODE_JSON, "references": []}, "references", "too_short"),
    (RETRIEVE_KIND, {"node": "X@h:1", "method": "fetch", "level": "STUDY"}, "method",
     "value_error"),
    (RETRIEVE_KIND, {"node": "X@h:1", "level": "STUDY", "study_uids": "1.1"}, "study_uids",
     "value_error"),
    (RETRIEVE_KIND, {"node": "X@h:1"}, "level", "missing"),
    (CLEANUP_KIND, {"policy": "now"}, "policy", "extra_forbidden"),
    (MPPS_CREATE_KIND, {"node": NODE_JSON}, "step_id", "missing"),
    (MPPS_SET_KIND, {"node": NODE_JSON, "step_id": "P1", "retry_delay_s": -1}, "retry_delay_s",
     "greater_than_equal"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "params", "field", "code"), BAD,
                         ids=[f"{k}-{f}-{c}" for k, _p, f, c in BAD])  # fmt: skip
def test_bad_params_are_refused_at_submit_and_nothing_is_queued(
    runtime: Runtime, kind: str, params: dict, field: str, code: str
) -> None:
    with pytest.raises(JobParamsError) as caught:
        runtime.submit(kind, params)
    err = caught.value
    assert err.code == "jobs.params" and err.values["kind"] == kind
    assert (field, code) in [(p["field"], p["code"]) for p in err.values["problems"]]
    assert kind in err.message() and field in err.message()
    assert runtime.queue.list() == []


def test_the_helpers_refuse_bad_params_with_the_same_error() -> None:
    with pytest.raises(JobParamsError, match="paths"):
        from workstation.services.import_job import import_params

        import_params([])
    with pytest.raises(JobParamsError, match="method: unknown retrieve method"):
        retrieve_params("X@h:1", "fetch", "STUDY", study_uids=["1.1"])


def test_models_are_frozen() -> None:
    params = ImportParams(paths=("/a",))
    with pytest.raises(ValidationError):
        params.paths = ("/b",)  # type: ignore[misc]


# today's shapes: exactly what the code before the models wrote (JSON, sort_keys=True)
TODAYS = {
    SEND_KIND: {"node": NODE_JSON, "uids": ["1.2.3"], "send_id": "0123abcd"},
    COMMIT_KIND: {"node": NODE_JSON, "references": REFS},
    RETRIEVE_KIND: {"node": "QR@127.0.0.1:104", "method": "move", "model": "study",
                    "level": "SERIES", "study_uids": ["1.1"], "series_uids": ["1.1.1"],
                    "sop_uids": [], "patient_id": ""},
    IMPORT_KIND: {"paths": ["/some/where"]},
    CLEANUP_KIND: {},
}  # fmt: skip
MODELS = {k.name: k.params for k in JOB_KINDS}


@pytest.mark.parametrize("kind", sorted(TODAYS))
def test_todays_shape_reads_and_is_written_back_unchanged(kind: str) -> None:
    params = MODELS[kind].model_validate(TODAYS[kind])
    assert params.to_json() == TODAYS[kind]


def test_the_helpers_write_todays_shape() -> None:
    assert send_params(NODE, ["1.2.3"], "0123abcd") == TODAYS[SEND_KIND]
    assert commit_params(NODE, [tuple(r) for r in REFS]) == TODAYS[COMMIT_KIND]
    assert retrieve_params("QR@127.0.0.1:104", "move", "SERIES", study_uids=["1.1"],
                           series_uids=["1.1.1"]) == TODAYS[RETRIEVE_KIND]  # fmt: skip
    with_extras = retrieve_params("QR@127.0.0.1:104", "get", "STUDY", study_uids=["1.1"],
                                  calling_ae="ME", destination="THERE")  # fmt: skip
    assert (with_extras["calling_ae"], with_extras["destination"]) == ("ME", "THERE")
    assert "timeout_s" not in commit_params(NODE, [("1.2", "1.2.3")])
    assert commit_params(NODE, [("1.2", "1.2.3")], timeout_s=5)["timeout_s"] == 5
    assert isinstance(SendParams.model_validate(TODAYS[SEND_KIND]).node, type(NODE))
    assert CommitParams.model_validate(TODAYS[COMMIT_KIND]).references == (tuple(REFS[0]),)
    assert RetrieveParams.model_validate({**TODAYS[RETRIEVE_KIND], "level": "series"}).level == (
        "SERIES"
    )


def _write_todays_row(db: Path, kind: str, params_json: str) -> int:
    """A queued job row as the code before the models wrote it (its INSERT, verbatim)."""
    now = time.time()
    conn = sqlite3.connect(db)
    try:
        cur = conn.execute(
            "INSERT INTO job (kind, params, state, max_attempts, next_attempt_at,"
            " created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
            (kind, params_json, 3, now, now, now),
        )
        conn.commit()
        return int(cur.lastrowid)
    finally:
        conn.close()


def test_job_rows_written_in_todays_shape_run(settings: Settings, tmp_path: Path) -> None:
    ct = tmp_path / "in" / "CT_small.dcm"
    ct.parent.mkdir()
    shutil.copy2(sample_roots()[0] / "test_files" / "CT_small.dcm", ct)
    Runtime(settings).stop()  # creates the store and its job database
    db = settings.storage.data_dir / JOBS_DB
    imported = _write_todays_row(db, IMPORT_KIND, json.dumps({"paths": [str(ct)]}))
    cleaned = _write_todays_row(db, CLEANUP_KIND, "{}")
    with Runtime(settings) as runtime:
        runner = JobRunner(runtime.queue, runtime.handlers, progress_interval_s=0)
        while runner.run_once():
            pass
        for job_id in (imported, cleaned):
            job = runtime.queue.get(job_id)
            assert job.state is JobState.SUCCEEDED, (job.kind, job.last_error)
        assert runtime.store.index.count("instance") == 1


def test_a_stored_row_that_fits_no_model_fails_for_good(settings: Settings) -> None:
    Runtime(settings).stop()
    job_id = _write_todays_row(settings.storage.data_dir / JOBS_DB, SEND_KIND, '{"node": "PACS"}')
    with Runtime(settings) as runtime:
        assert JobRunner(runtime.queue, runtime.handlers).run_once()
        job = runtime.queue.get(job_id)
        assert job.state is JobState.FAILED and job.attempts == 1
        assert "Invalid parameters for a 'send' job" in job.last_error


def test_registry_has_one_model_and_handler_per_kind(runtime: Runtime) -> None:
    names = [k.name for k in JOB_KINDS]
    assert len(names) == len(set(names))
    assert set(runtime.handlers) == set(names) == set(runtime.queue.params_models)
    assert set(names) == {IMPORT_KIND, SEND_KIND, COMMIT_KIND, CLEANUP_KIND, RETRIEVE_KIND,
                          COMMIT_REPORT_KIND, COMMIT_EXPIRY_KIND, MPPS_CREATE_KIND,
                          MPPS_SET_KIND, PRINT_KIND}  # fmt: skip


def test_runtime_runs_jobs_on_its_thread_and_stops_it(settings: Settings, tmp_path: Path) -> None:
    with Runtime(settings) as runtime:
        runtime.start(node=False)
        job_id = runtime.submit(IMPORT_KIND, {"paths": [str(tmp_path / "nothing-here")]})
        deadline = time.monotonic() + 30
        while not runtime.queue.get(job_id).state.is_final:
            assert time.monotonic() < deadline, "the job thread did not run the job"
            time.sleep(0.02)
        assert runtime.queue.get(job_id).state is JobState.SUCCEEDED
    assert not any(t.name == "job-runner" for t in threading.enumerate())


def test_a_command_runtime_leaves_running_jobs_alone(settings: Settings) -> None:
    """run_jobs=False (a command beside a running node) does not recover that node's jobs."""
    with Runtime(settings) as owner:
        job_id = owner.submit(IMPORT_KIND, {"paths": ["/x"]})
        assert owner.queue.claim_next() is not None  # running, as in the node's runner
        with Runtime(settings, check_store=False, run_jobs=False) as command:
            assert command.queue.get(job_id).state is JobState.RUNNING
            with pytest.raises(RuntimeError):
                command.start_jobs()
        assert owner.queue.get(job_id).state is JobState.RUNNING
