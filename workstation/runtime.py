"""The Qt-free composition root: settings -> store -> job queue and runner -> node -> job kinds.

One :class:`Runtime` per process wires what the desktop (``app.py``), ``workstation
serve`` and the commands share. :data:`JOB_KINDS` is the registry of job kinds: one
line per kind names its parameter model (checked when a job is queued) and how its
handler is made from the runtime. The desktop hosts the runner in a QThread
(``ui/job_worker.py``) over :attr:`Runtime.handlers`; headless, :meth:`Runtime.start`
runs it on a plain thread. :meth:`Runtime.stop` shuts down in the order DESIGN.md asks
for: cancel tokens and the job thread, then the node, then the databases.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from workstation.config.settings import RemoteNode, Settings
from workstation.jobs import Handler, JobKind, JobParams, JobQueue, JobRunner, params_models
from workstation.net.scp.node import NodeEvent, StorageNode
from workstation.services import (
    cleanup_job,
    commit_expiry_job,
    commit_job,
    commit_report_job,
    exam,
    import_job,
    mpps_job,
    print_job,
    retrieve_job,
    send_job,
)
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

JOBS_DB = "jobs.sqlite"  # in the store's root: the queue travels with the store
JOB_THREAD_JOIN_S = 30.0

Reference = tuple[str, str]  # (SOP Class UID, SOP Instance UID)
EventSink = Callable[[NodeEvent], None]


def _send(rt: Runtime) -> Handler:
    # after a successful send: a commit job when the node has commitment on
    return send_job.send_handler(rt.store, rt.current_settings, on_sent=rt.commit_after_send)


def _retrieve(rt: Runtime) -> Handler:
    # C-MOVE to ourselves arrives through rt.node; C-GET instances are published like
    # the node's own arrivals (the desktop's browser refreshes on them)
    return retrieve_job.retrieve_handler(
        rt.current_settings, rt.store, node_listening=lambda: rt.node.running, on_event=rt.publish
    )


def _mpps_create(rt: Runtime) -> Handler:
    # after the N-CREATE: the final N-SET once the step has ended (rt.exam is looked up
    # when it runs: the handlers are made before the exam service)
    return mpps_job.create_handler(rt.store, rt.current_settings,
                                   on_created=lambda sid, node: rt.exam.after_create(sid, node))


#: The job kinds: name in the queue, parameter model, handler factory. Add a kind here.
JOB_KINDS: tuple[JobKind[Runtime], ...] = (
    JobKind(import_job.KIND, import_job.ImportParams,
            lambda rt: import_job.import_handler(rt.store)),
    JobKind(send_job.KIND, send_job.SendParams, _send),
    JobKind(commit_job.KIND, commit_job.CommitParams,
            lambda rt: commit_job.commit_handler(rt.store, rt.current_settings,
                                                 on_pending=rt.watch_commitment)),
    JobKind(commit_report_job.KIND, commit_report_job.CommitReportParams,
            lambda rt: commit_report_job.commit_report_handler(rt.store, rt.current_settings)),
    JobKind(commit_expiry_job.KIND, commit_expiry_job.CommitExpiryParams,
            lambda rt: commit_expiry_job.commit_expiry_handler(rt.store)),
    JobKind(cleanup_job.KIND, cleanup_job.CleanupParams,
            lambda rt: cleanup_job.cleanup_handler(rt.store, rt.current_settings)),
    JobKind(retrieve_job.KIND, retrieve_job.RetrieveParams, _retrieve),
    JobKind(mpps_job.CREATE_KIND, mpps_job.MppsParams, _mpps_create),
    JobKind(mpps_job.SET_KIND, mpps_job.MppsParams,
            lambda rt: mpps_job.set_handler(rt.store, rt.current_settings)),
    JobKind(print_job.KIND, print_job.PrintParams,
            lambda rt: print_job.print_handler(rt.store, rt.current_settings)),
)  # fmt: skip


def open_store(settings: Settings, check: bool = True) -> LocalStore:
    """The local store of ``settings`` (``check``: run its start-up check on open)."""
    return LocalStore(
        settings.storage.data_dir,
        duplicate_policy=settings.storage.duplicate_policy,
        min_free_space_mb=settings.storage.min_free_space_mb,
        check_on_open=check,
    )


class Runtime:
    """The running services of one process: store, job queue, handlers, node.

    ``check_store`` runs the store's start-up check on open (the desktop runs it later,
    on a thread). ``run_jobs``: this process runs the queue, so jobs left running by a
    crash are recovered now; a command that only borrows the store of a running node
    passes False and never touches that node's running jobs. ``store`` replaces the
    store opened from the settings (a command that opens it its own way).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        check_store: bool = True,
        run_jobs: bool = True,
        store: LocalStore | None = None,
        kinds: Sequence[JobKind[Runtime]] = JOB_KINDS,
    ) -> None:
        self.settings = settings
        self.run_jobs = run_jobs
        self.store = store if store is not None else open_store(settings, check_store)
        try:
            self.queue = JobQueue(self.store.root / JOBS_DB, params_models=params_models(kinds))
            if run_jobs:
                self.queue.recover()
        except BaseException:
            self.store.close()
            raise
        self.kinds = tuple(kinds)
        self.handlers: dict[str, Handler] = {k.name: k.handler(self) for k in self.kinds}
        # the examination: its MPPS jobs' fate goes into the steps, the node's arrivals
        # for an open step's study enter that step (every node this runtime makes)
        self.exam = exam.ExamService(self.store, self.submit, self.current_settings)
        self.queue.add_listener(mpps_job.failure_listener(self.queue, self.store))
        self.node = StorageNode(settings, self.store)
        self.node.add_listener(self.exam.on_node_event)
        self.event_sinks: list[EventSink] = []
        self.runner: JobRunner | None = None
        self._stop_jobs = threading.Event()
        self._job_thread: threading.Thread | None = None
        self._stopped = False
        if run_jobs:  # MPPS jobs a crash left unqueued
            self.exam.resume()

    # -- what the handlers read --------------------------------------------------------
    def current_settings(self) -> Settings:
        """The settings in effect now (a handler reads them when its job runs)."""
        return self.settings

    def publish(self, event: NodeEvent) -> None:
        """Hand an event (an instance a C-GET stored) to every sink in :attr:`event_sinks`."""
        for sink in list(self.event_sinks):
            sink(event)

    def commit_after_send(self, node: RemoteNode, references: list[Reference]) -> int | None:
        """The send kind's follow-up: a commit job when ``node`` has commitment on."""
        job_id = commit_job.commit_after_send(self.queue, node, references)
        if job_id is not None and self.runner is not None:
            self.runner.wake()
        return job_id

    def watch_commitment(self, transaction_uid: str) -> int:
        """The commit kind's follow-up: a "commit-expiry" job for a pending transaction."""
        return self.submit(commit_expiry_job.KIND, commit_expiry_job.expiry_params(transaction_uid),
                           max_attempts=commit_expiry_job.MAX_ATTEMPTS)  # fmt: skip

    def owe_report(self, transaction_uid: str, calling_ae: str) -> None:
        """The node's hook: a commitment report it could not give at once goes to a job."""
        commit_report_job.queue_report(self.queue, transaction_uid, calling_ae)
        if self.runner is not None:
            self.runner.wake()

    # -- start -----------------------------------------------------------------------
    def start(self, node: bool = True, jobs: bool = True) -> None:
        """Start the node (OSError when it cannot listen) and the job thread."""
        if node:
            self.start_node()
        if jobs:
            self.start_jobs()

    def start_node(self, settings: Settings | None = None) -> StorageNode:
        """Start listening; ``settings`` (e.g. with an extra known caller) for this node only."""
        if settings is not None and not self.node.running:
            self.node = StorageNode(settings, self.store)
            self.node.add_listener(self.exam.on_node_event)
        if self.run_jobs:  # owed commitment reports: sent by jobs, those left by a stop too
            self.node.commitment.defer = self.owe_report
            commit_report_job.queue_owed_reports(self.queue, self.node.commitment.state)
        self.node.start()
        return self.node

    def restart_node(self) -> StorageNode:
        """A new node on the current settings (the old one stopped); not started yet."""
        self.node.stop()
        self.node = StorageNode(self.settings, self.store)
        self.node.add_listener(self.exam.on_node_event)
        return self.node

    def start_jobs(self, poll_s: float = 1.0) -> None:
        """Run the queue on a plain thread (headless); the desktop uses its QThread instead."""
        if not self.run_jobs:
            raise RuntimeError("this runtime does not run the job queue (run_jobs=False)")
        if self._job_thread is not None:
            return
        self.runner = JobRunner(self.queue, self.handlers)
        self._job_thread = threading.Thread(
            target=self.runner.run_forever, args=(self._stop_jobs, poll_s),
            name="job-runner", daemon=True,
        )  # fmt: skip
        self._job_thread.start()

    def submit(
        self, kind: str, params: Mapping[str, Any] | JobParams, max_attempts: int = 3
    ) -> int:
        """Queue a job (parameters checked against the kind's model) and wake the runner."""
        job_id = self.queue.submit(kind, params, max_attempts=max_attempts)
        if self.runner is not None:
            self.runner.wake()
        return job_id

    # -- stop ------------------------------------------------------------------------
    def stop_jobs(self) -> None:
        """Cancel the running job (queued again for the next start) and join the thread."""
        thread, self._job_thread = self._job_thread, None
        if thread is None:
            return
        self._stop_jobs.set()
        if self.runner is not None:
            self.runner.interrupt()
        thread.join(JOB_THREAD_JOIN_S)
        if thread.is_alive():
            log.error("job thread still running after %.0f s", JOB_THREAD_JOIN_S)

    def stop(self) -> None:
        """Jobs, then the node (open associations get a grace period), then the
        databases; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self.stop_jobs()
            self.node.stop()
        finally:
            self.queue.close()
            self.store.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
