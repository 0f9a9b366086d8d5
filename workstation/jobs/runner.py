"""The job runner: claims due jobs and runs their handlers, in whatever thread calls it.

Plain Python: the GUI hosts it in a QThread worker (``workstation.ui.job_worker``),
headless mode in a plain thread via :meth:`JobRunner.run_forever`.

A handler is ``handler(params, progress, cancel, log) -> result message | None``:

- ``progress(done, total, message)`` as often as it likes (written at most every
  ``progress_interval_s``, and always the last one);
- ``cancel`` a :class:`CancelToken` to check between steps (``raise_if_set()``) and to
  register aborts of long calls on (``on_cancel(assoc.abort)``);
- ``log(line)`` adds a line to the job's short log.

Raising :class:`PermanentJobError` fails the job for good; any other exception is
retried with backoff until the attempts are used up (:class:`RetryableJobError` names
its own backoff base). A handler that returns or raises
after its token was set leaves the job cancelled — or, if the runner itself is being
stopped, queued again to resume on the next start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from workstation.jobs.cancel import CancelToken
from workstation.jobs.model import Job, JobCancelled, PermanentJobError, RetryableJobError
from workstation.jobs.queue import Clock, JobQueue

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
LogLine = Callable[[str], None]


class Handler(Protocol):
    def __call__(
        self, params: dict[str, Any], progress: Progress, cancel: CancelToken, log: LogLine
    ) -> str | None: ...


class JobRunner:
    """Runs due jobs of ``queue`` with ``handlers`` (kind -> handler)."""

    def __init__(
        self,
        queue: JobQueue,
        handlers: Mapping[str, Handler],
        clock: Clock = time.time,
        progress_interval_s: float = 0.2,
    ) -> None:
        self.queue = queue
        self.handlers = dict(handlers)
        self.clock = clock
        self.progress_interval_s = progress_interval_s
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._current: tuple[int, CancelToken] | None = None
        self._stopping = False

    # -- control, from any thread ------------------------------------------------------
    def wake(self) -> None:
        """Look for due jobs now instead of at the end of the poll interval."""
        self._wake.set()

    def interrupt(self) -> None:
        """Stop soon: the running job's token is set and the job is queued to run again."""
        with self._lock:
            self._stopping = True
            current = self._current
        self._wake.set()
        if current is not None:
            current[1].set()

    @property
    def current_job_id(self) -> int | None:
        with self._lock:
            return self._current[0] if self._current else None

    # -- running -------------------------------------------------------------------------
    def run_forever(self, stop_event: threading.Event, poll_s: float = 1.0) -> None:
        """Run jobs until ``stop_event`` is set (set it, then call :meth:`interrupt`)."""
        while not stop_event.is_set():
            if self.run_once():
                continue
            due = self.queue.next_due_at()
            timeout = poll_s if due is None else max(0.0, min(poll_s, due - self.clock()))
            self._wake.wait(timeout)
            self._wake.clear()

    def run_once(self) -> bool:
        """Claim one due job and run it in this thread; False if none was due."""
        with self._lock:
            if self._stopping:
                return False
        job = self.queue.claim_next(self.clock())
        if job is None:
            return False
        token = self.queue.token_for(job.id)
        with self._lock:
            self._current = (job.id, token)
            stopping = self._stopping
        if stopping:
            token.set()
        try:
            self._run(job, token)
        finally:
            with self._lock:
                self._current = None
            self.queue.release_token(job.id)
        return True

    def _run(self, job: Job, token: CancelToken) -> None:
        queue = self.queue
        handler = self.handlers.get(job.kind)
        if handler is None:
            queue.fail(job.id, f"no handler for job kind '{job.kind}'", permanent=True)
            return
        queue.append_log(job.id, f"attempt {job.attempts} of {job.max_attempts} started")
        progress = _ThrottledProgress(queue, job.id, self.progress_interval_s)
        try:
            result = handler(
                dict(job.params), progress, token, lambda line: queue.append_log(job.id, line)
            )
        except JobCancelled:
            progress.flush()
            self._after_cancel(job, None)
        except PermanentJobError as exc:
            progress.flush()
            if token.is_set():
                self._after_cancel(job, None)
            else:
                queue.fail(job.id, _text(exc), permanent=True, now=self.clock())
        except Exception as exc:
            progress.flush()
            if token.is_set():
                self._after_cancel(job, None)
            else:
                expected = isinstance(exc, RetryableJobError)  # no traceback for those
                log.warning("job %d (%s) attempt %d raised: %s", job.id, job.kind, job.attempts,
                            _text(exc), exc_info=not expected)  # fmt: skip
                delay = exc.retry_delay_s if isinstance(exc, RetryableJobError) else None
                queue.fail(
                    job.id, _text(exc), permanent=False, now=self.clock(), backoff_base_s=delay
                )
        else:
            progress.flush()
            if token.is_set():
                self._after_cancel(job, result)
            else:
                queue.finish(job.id, result)

    def _after_cancel(self, job: Job, result: str | None) -> None:
        with self._lock:
            stopping = self._stopping
        if result:
            self.queue.append_log(job.id, f"stopped with: {result}")
        if stopping and not self.queue.cancel_requested(job.id):
            self.queue.requeue_interrupted(job.id, "interrupted: the program is stopping")
        else:
            self.queue.mark_cancelled(job.id)


class _ThrottledProgress:
    """The handler's progress callback: writes at most every ``interval`` s, and the last."""

    def __init__(self, queue: JobQueue, job_id: int, interval: float) -> None:
        self.queue = queue
        self.job_id = job_id
        self.interval = interval
        self._last_write = float("-inf")
        self._pending: tuple[int, int, str] | None = None

    def __call__(self, done: int, total: int, message: str = "") -> None:
        self._pending = (done, total, str(message))
        now = time.monotonic()
        if now - self._last_write >= self.interval or (total > 0 and done >= total):
            self.flush()

    def flush(self) -> None:
        if self._pending is not None:
            done, total, message = self._pending
            self._pending = None
            self._last_write = time.monotonic()
            self.queue.update_progress(self.job_id, done, total, message)


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
