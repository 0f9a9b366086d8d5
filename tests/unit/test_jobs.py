"""The job queue's state machine, the runner's retry/backoff/cancel, recovery, the import job."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import sample_roots

from workstation.jobs import (
    INTERRUPTED,
    CancelToken,
    JobCancelled,
    JobQueue,
    JobQueueSchemaError,
    JobRunner,
    JobState,
    PermanentJobError,
)
from workstation.services.import_job import import_handler, import_params
from workstation.store import LocalStore

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

T0 = 1_700_000_000.0


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(tmp_path: Path, clock: FakeClock):
    q = JobQueue(tmp_path / "jobs.sqlite", clock=clock)
    yield q
    q.close()


def succeed(params, progress, cancel, log):
    progress(1, 2, "half")
    progress(2, 2, "all")
    log("did it")
    return f"ok {params.get('n', '')}".strip()


def counts(result: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", result)}


def log_text(job) -> str:
    return "\n".join(job.log)


# -- the state machine ----------------------------------------------------------------------
def test_submit_queues_a_due_job(queue: JobQueue, clock: FakeClock) -> None:
    job_id = queue.submit("import", {"paths": ["/a", "/b"]}, max_attempts=4)
    job = queue.get(job_id)
    assert job is not None
    assert job.kind == "import" and job.params == {"paths": ["/a", "/b"]}
    assert job.state is JobState.QUEUED
    assert (job.attempts, job.max_attempts) == (0, 4)
    assert job.next_attempt_at == job.created_at == job.updated_at == T0
    assert (job.done, job.total, job.last_error, job.result, job.log) == (0, 0, None, None, [])
    assert queue.get(job_id + 100) is None


def test_success_path_and_listing(queue: JobQueue) -> None:
    first = queue.submit("x", {"n": 1})
    second = queue.submit("x", {"n": 2})
    runner = JobRunner(queue, {"x": succeed}, clock=queue.clock)
    assert runner.run_once() is True
    job = queue.get(first)
    assert job.state is JobState.SUCCEEDED
    assert (job.done, job.total, job.message) == (2, 2, "all")
    assert job.result == "ok 1" and job.attempts == 1
    assert "did it" in log_text(job) and "succeeded: ok 1" in log_text(job)
    assert [j.id for j in queue.list()] == [first, second]
    assert [j.id for j in queue.list([JobState.QUEUED])] == [second]
    assert [j.id for j in queue.list(["succeeded"])] == [first]
    assert queue.list([]) == []
    assert runner.run_once() is True
    assert runner.run_once() is False
    # a succeeded job is neither cancelled nor retried; it can be removed
    assert queue.cancel(first) is False
    assert queue.retry(first) is False
    assert queue.remove(first) is True
    assert queue.get(first) is None
    assert queue.remove(first) is False


def test_claim_takes_due_jobs_in_order(queue: JobQueue, clock: FakeClock) -> None:
    a = queue.submit("x", {})
    clock.advance(1)
    b = queue.submit("x", {})
    assert queue.claim_next(T0 - 1) is None  # nothing due yet at that time
    job = queue.claim_next(clock())
    assert job.id == a and job.state is JobState.RUNNING and job.attempts == 1
    assert queue.claim_next(clock(), kinds=["other"]) is None
    assert queue.claim_next(clock(), kinds=["x"]).id == b
    assert queue.claim_next(clock()) is None


def test_claim_is_atomic_across_threads(queue: JobQueue) -> None:
    ids = {queue.submit("x", {"n": n}) for n in range(200)}
    claimed: list[list[int]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def claim(slot: int) -> None:
        start.wait()
        while (job := queue.claim_next(queue.clock())) is not None:
            claimed[slot].append(job.id)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    everything = [i for got in claimed for i in got]
    assert sorted(everything) == sorted(ids)  # each job exactly once
    assert all(j.state is JobState.RUNNING and j.attempts == 1 for j in queue.list())


def test_claim_is_atomic_across_connections(tmp_path: Path, clock: FakeClock) -> None:
    """Two queues on one file (two processes, say) never claim the same job."""
    a = JobQueue(tmp_path / "jobs.sqlite", clock=clock)
    b = JobQueue(tmp_path / "jobs.sqlite", clock=clock)
    try:
        ids = {a.submit("x", {}) for _ in range(60)}
        got: list[int] = []
        lock = threading.Lock()

        def claim(q: JobQueue) -> None:
            while (job := q.claim_next(clock())) is not None:
                with lock:
                    got.append(job.id)

        threads = [threading.Thread(target=claim, args=(q,)) for q in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(got) == sorted(ids)
    finally:
        a.close()
        b.close()


# -- retry and backoff ----------------------------------------------------------------------
def test_backoff_doubles_until_attempts_are_used_up(queue: JobQueue, clock: FakeClock) -> None:
    calls: list[float] = []

    def flaky(params, progress, cancel, log):
        calls.append(clock())
        raise ConnectionError("peer not answering")

    job_id = queue.submit("send", {}, max_attempts=3)
    runner = JobRunner(queue, {"send": flaky}, clock=clock)
    assert runner.run_once()
    job = queue.get(job_id)
    assert job.state is JobState.QUEUED and job.attempts == 1
    assert job.last_error == "peer not answering"
    assert job.next_attempt_at == T0 + 5  # base * 2**0

    clock.advance(4.9)
    assert runner.run_once() is False  # not due yet
    clock.advance(0.1)
    assert runner.run_once() is True
    job = queue.get(job_id)
    assert job.attempts == 2 and job.next_attempt_at == T0 + 5 + 10  # base * 2**1

    clock.advance(10)
    assert runner.run_once() is True
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 3
    assert job.last_error == "peer not answering"
    assert calls == [T0, T0 + 5, T0 + 15]
    assert "failed after 3 attempts: peer not answering" in log_text(job)
    clock.advance(3600)
    assert runner.run_once() is False


def test_backoff_base_is_configurable(tmp_path: Path, clock: FakeClock) -> None:
    with JobQueue(tmp_path / "j.sqlite", clock=clock, backoff_base_s=2, backoff_max_s=7) as q:
        assert [q.backoff_s(n) for n in (1, 2, 3, 4)] == [2, 4, 7, 7]
        job_id = q.submit("x", {}, max_attempts=5)
        q.claim_next(clock())
        clock.advance(100)
        job = q.fail(job_id, "boom")
        assert job.state is JobState.QUEUED and job.next_attempt_at == T0 + 100 + 2


def test_permanent_error_is_not_retried(queue: JobQueue, clock: FakeClock) -> None:
    def rejected(params, progress, cancel, log):
        raise PermanentJobError("association rejected: called AE title not recognised")

    job_id = queue.submit("send", {}, max_attempts=5)
    assert JobRunner(queue, {"send": rejected}, clock=clock).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert job.last_error == "association rejected: called AE title not recognised"


def test_unknown_kind_fails_for_good(queue: JobQueue, clock: FakeClock) -> None:
    job_id = queue.submit("burn", {})
    assert JobRunner(queue, {}, clock=clock).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and "no handler for job kind 'burn'" in job.last_error


def test_retry_requeues_with_fresh_attempts(queue: JobQueue, clock: FakeClock) -> None:
    outcomes = iter([PermanentJobError("disk gone"), None])

    def handler(params, progress, cancel, log):
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome
        return "fine"

    job_id = queue.submit("x", {})
    runner = JobRunner(queue, {"x": handler}, clock=clock)
    runner.run_once()
    assert queue.get(job_id).state is JobState.FAILED
    clock.advance(60)
    assert queue.retry(job_id) is True
    job = queue.get(job_id)
    assert job.state is JobState.QUEUED and job.attempts == 0
    assert job.next_attempt_at == T0 + 60
    assert queue.retry(job_id) is False  # already queued
    assert runner.run_once()
    job = queue.get(job_id)
    assert job.state is JobState.SUCCEEDED and job.attempts == 1 and job.last_error is None


# -- cancel ----------------------------------------------------------------------------------
def test_cancel_queued_job_at_once(queue: JobQueue, clock: FakeClock) -> None:
    ran = []
    job_id = queue.submit("x", {})
    assert queue.cancel(job_id) is True
    assert queue.get(job_id).state is JobState.CANCELLED
    assert queue.cancel(job_id) is False
    assert JobRunner(queue, {"x": lambda *a: ran.append(a)}, clock=clock).run_once() is False
    assert ran == []
    assert queue.retry(job_id) is True
    assert queue.get(job_id).state is JobState.QUEUED


def test_cancel_running_job_sets_its_token(queue: JobQueue, clock: FakeClock) -> None:
    started = threading.Event()
    aborted = threading.Event()
    steps: list[int] = []

    def long_job(params, progress, cancel, log):
        cancel.on_cancel(aborted.set)  # as a network job registers assoc.abort
        started.set()
        for n in range(1000):
            if cancel.is_set():
                return f"stopped after {n}"
            steps.append(n)
            cancel.wait(0.01)
        return "all done"

    job_id = queue.submit("x", {})
    runner = JobRunner(queue, {"x": long_job}, clock=clock)
    t = threading.Thread(target=runner.run_once)
    t.start()
    assert started.wait(10)
    assert queue.remove(job_id) is False  # not while running
    assert queue.cancel(job_id) is True
    t.join(10)
    assert not t.is_alive()
    assert aborted.is_set()
    job = queue.get(job_id)
    assert job.state is JobState.CANCELLED and not job.cancel_requested
    assert len(steps) < 1000
    assert "cancel requested" in log_text(job) and "stopped with: stopped after" in log_text(job)
    assert queue.remove(job_id) is True


@pytest.mark.parametrize("how", ["raise_if_set", "raises_other", "raises_permanent"])
def test_handler_leaving_after_cancel_is_cancelled(queue: JobQueue, clock: FakeClock, how) -> None:
    def handler(params, progress, cancel, log):
        queue.cancel(job_id)  # the user presses Cancel while it runs
        if how == "raise_if_set":
            cancel.raise_if_set()
        elif how == "raises_other":
            raise ConnectionAbortedError("association aborted")
        raise PermanentJobError("aborted")

    job_id = queue.submit("x", {})
    JobRunner(queue, {"x": handler}, clock=clock).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.CANCELLED and job.attempts == 1


def test_cancel_token() -> None:
    token = CancelToken()
    calls: list[str] = []
    unregister = token.on_cancel(lambda: calls.append("a"))
    token.on_cancel(lambda: calls.append("b"))
    token.on_cancel(lambda: 1 / 0)  # a failing callback does not stop the others
    unregister()
    token.raise_if_set()
    assert not token.is_set() and token.wait(0) is False
    token.set()
    token.set()
    assert token.is_set() and token.wait(0) is True
    assert calls == ["b"]
    token.on_cancel(lambda: calls.append("late"))  # registered after: called at once
    assert calls == ["b", "late"]
    with pytest.raises(JobCancelled):
        token.raise_if_set()


def test_interrupt_requeues_the_running_job(queue: JobQueue, clock: FakeClock) -> None:
    """A shutdown is not a cancel: the job resumes on the next start, the attempt not counted."""
    started = threading.Event()

    def long_job(params, progress, cancel, log):
        started.set()
        cancel.wait(30)
        return None

    job_id = queue.submit("x", {})
    runner = JobRunner(queue, {"x": long_job}, clock=clock)
    t = threading.Thread(target=runner.run_once)
    t.start()
    assert started.wait(10)
    assert runner.current_job_id == job_id
    runner.interrupt()
    t.join(10)
    job = queue.get(job_id)
    assert job.state is JobState.QUEUED and job.attempts == 0
    assert "the program is stopping" in log_text(job)
    assert runner.run_once() is False  # a stopping runner takes nothing new


def test_run_forever_in_a_plain_thread(queue: JobQueue) -> None:
    done = threading.Event()
    queue.add_listener(lambda job_id: done.set() if queue.get(job_id).state.is_final else None)
    runner = JobRunner(queue, {"x": succeed}, clock=queue.clock)
    stop = threading.Event()
    t = threading.Thread(target=runner.run_forever, args=(stop, 5.0))
    t.start()
    try:
        job_id = queue.submit("x", {})
        runner.wake()  # no 5 s wait
        assert done.wait(10)
        assert queue.get(job_id).state is JobState.SUCCEEDED
    finally:
        stop.set()
        runner.interrupt()
        t.join(10)
    assert not t.is_alive()


# -- persistence and recovery ----------------------------------------------------------------
def test_recover_after_reopening_with_a_job_left_running(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "jobs.sqlite"
    q = JobQueue(db, clock=clock)
    retryable = q.submit("x", {"n": 1}, max_attempts=3)
    exhausted = q.submit("x", {"n": 2}, max_attempts=1)
    asked_to_cancel = q.submit("x", {"n": 3})
    waiting = q.submit("x", {"n": 4})
    done = q.submit("x", {"n": 5})
    for expected in (retryable, exhausted, asked_to_cancel, waiting, done):
        assert q.claim_next(clock()).id == expected
    q.cancel(asked_to_cancel)
    q.fail(waiting, "timeout")
    q.finish(done, "ok")
    q.close()  # the process dies here: three jobs are left 'running' in the file

    clock.advance(100)
    q = JobQueue(db, clock=clock)
    try:
        assert [j.id for j in q.list([JobState.RUNNING])] == [retryable, exhausted, asked_to_cancel]
        recovered = q.recover()
        assert [j.id for j in recovered] == [retryable, exhausted, asked_to_cancel]
        job = q.get(retryable)
        assert job.state is JobState.QUEUED and job.attempts == 1
        assert job.last_error == INTERRUPTED and job.next_attempt_at == T0 + 100
        job = q.get(exhausted)
        assert job.state is JobState.FAILED and job.last_error == INTERRUPTED
        assert q.get(asked_to_cancel).state is JobState.CANCELLED
        assert q.get(waiting).state is JobState.QUEUED and q.get(waiting).last_error == "timeout"
        assert q.get(done).state is JobState.SUCCEEDED and q.get(done).result == "ok"
        assert q.list([JobState.RUNNING]) == []
        assert q.recover() == []
        assert len(q.list()) == 5  # nothing lost
    finally:
        q.close()


def test_recover_after_the_process_is_killed(tmp_path: Path) -> None:
    """A real crash: another process claims a job and dies without a word."""
    db = tmp_path / "jobs.sqlite"
    with JobQueue(db) as q:
        job_id = q.submit("import", {"paths": ["/x"]})
    script = (
        "import os, sys\n"
        "from workstation.jobs import JobQueue\n"
        "q = JobQueue(sys.argv[1])\n"
        "job = q.claim_next()\n"
        "q.update_progress(job.id, 3, 10, 'third file')\n"
        "os._exit(9)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(db)], timeout=60)
    assert result.returncode == 9
    with JobQueue(db) as q:
        job = q.get(job_id)
        assert job.state is JobState.RUNNING and (job.done, job.total) == (3, 10)
        q.recover()
        job = q.get(job_id)
        assert job.state is JobState.QUEUED and job.attempts == 1
        assert job.last_error == INTERRUPTED


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "jobs.sqlite"
    with JobQueue(db) as q:
        assert q.schema_version() == 1
    with sqlite3.connect(db) as c:
        c.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(JobQueueSchemaError, match="99"):
        JobQueue(db)


def test_log_keeps_the_last_lines(queue: JobQueue) -> None:
    job_id = queue.submit("x", {})
    for n in range(60):
        queue.append_log(job_id, f"line {n}")
    queue.append_log(job_id, "x" * 2000)
    queue.append_log(job_id, "two\nlines")
    job = queue.get(job_id)
    assert len(job.log) == 50
    assert job.log[0].endswith("line 13")
    assert job.log[-3].endswith("x…") and len(job.log[-3]) < 600
    assert job.log[-2].endswith(" two") and job.log[-1].endswith(" lines")


def test_listeners_hear_every_change(queue: JobQueue) -> None:
    heard: list[int] = []
    queue.add_listener(heard.append)
    queue.add_listener(lambda job_id: 1 / 0)  # a failing listener does not break the queue
    job_id = queue.submit("x", {})
    JobRunner(queue, {"x": succeed}, clock=queue.clock, progress_interval_s=0).run_once()
    queue.remove(job_id)
    # submit, claim, log, 2 x progress, log, finish, remove
    assert heard == [job_id] * 8
    queue.remove_listener(heard.append)
    queue.submit("x", {})
    assert len(heard) == 8


# -- the import job ---------------------------------------------------------------------------
@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """pydicom's test files (top level: DICOM, corrupt and non-DICOM files) in tmp_path."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for f in (sample_roots()[0] / "test_files").iterdir():
        if f.is_file():
            shutil.copy2(f, folder / f.name)
    return folder


def test_import_job_imports_and_logs_skipped_files(
    queue: JobQueue, store: LocalStore, shipped: Path
) -> None:
    files = sorted(shipped.iterdir())
    job_id = queue.submit("import", import_params([shipped, shipped / "missing.dcm"]))
    runner = JobRunner(queue, {"import": import_handler(store)}, clock=queue.clock)
    assert runner.run_once()
    job = queue.get(job_id)
    assert job.state is JobState.SUCCEEDED, job.last_error
    imported = store.index.count("instance")
    assert imported > 30
    assert job.result.startswith(f"imported {imported}, replaced 0, duplicates ")
    assert (job.done, job.total) == (len(files) + 1, len(files) + 1)
    log = log_text(job)
    assert "skipped " + str(shipped / "README.txt") + ": Not a DICOM file" in log
    assert "MR_truncated.dcm: Unreadable DICOM data" in log
    assert "missing.dcm: no such file or folder" in log
    assert "... and" not in log

    # the same again: every instance is a duplicate now
    again = queue.submit("import", import_params([shipped]))
    while runner.run_once():
        pass
    first = counts(job.result)
    assert counts(queue.get(again).result) == {
        "imported": 0,
        "replaced": 0,
        "duplicates": first["imported"] + first["duplicates"],
        "skipped": first["skipped"] - 1,  # missing.dcm was not asked for again
    }


def test_import_job_logs_the_first_40_skipped(
    queue: JobQueue, store: LocalStore, tmp_path: Path
) -> None:
    junk = tmp_path / "junk"
    junk.mkdir()
    for n in range(45):
        (junk / f"note{n:02}.txt").write_text("not DICOM")
    job_id = queue.submit("import", import_params([junk]))
    JobRunner(queue, {"import": import_handler(store)}, clock=queue.clock).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.SUCCEEDED
    assert job.result == "imported 0, replaced 0, duplicates 0, skipped 45"
    skipped = [line for line in job.log if " skipped /" in line]
    assert len(skipped) == 40 and "note39.txt" in skipped[-1]
    assert any(line.endswith("... and 5 more") for line in job.log)


def test_import_job_cancel(queue: JobQueue, store: LocalStore, shipped: Path) -> None:
    total = len(list(shipped.iterdir()))

    def cancel_after_a_few(job_id: int) -> None:
        job = queue.get(job_id)
        if (
            job is not None
            and job.state is JobState.RUNNING
            and job.done >= 5
            and not job.cancel_requested
        ):
            queue.cancel(job_id)

    queue.add_listener(cancel_after_a_few)
    job_id = queue.submit("import", import_params([shipped]))
    runner = JobRunner(
        queue, {"import": import_handler(store)}, clock=queue.clock, progress_interval_s=0
    )
    assert runner.run_once()
    job = queue.get(job_id)
    assert job.state is JobState.CANCELLED
    assert 5 <= job.done < total
    assert f"stopped with: cancelled after {job.done} of {total} files" in log_text(job)
    assert store.index.count("instance") <= job.done


def test_import_job_full_disk_is_permanent(queue: JobQueue, tmp_path: Path, shipped: Path) -> None:
    with LocalStore(tmp_path / "full", min_free_space_mb=10**12) as store:
        job_id = queue.submit("import", import_params([shipped]), max_attempts=3)
        JobRunner(queue, {"import": import_handler(store)}, clock=queue.clock).run_once()
        job = queue.get(job_id)
        assert job.state is JobState.FAILED and job.attempts == 1
        assert "below the threshold" in job.last_error
        assert store.index.count("instance") == 0


def test_import_job_without_paths_is_permanent(queue: JobQueue, store: LocalStore) -> None:
    job_id = queue.submit("import", {"paths": "not a list"})
    JobRunner(queue, {"import": import_handler(store)}, clock=queue.clock).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
