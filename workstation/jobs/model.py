"""Values of the job queue: the job states, one job as read from the queue, the errors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workstation.errors import WorkstationError


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True)
class Job:
    """One job as stored; a fresh copy per read, safe to hand to another thread."""

    id: int
    kind: str
    params: dict[str, Any]
    state: JobState
    done: int
    total: int
    message: str
    attempts: int
    max_attempts: int
    next_attempt_at: float
    last_error: str | None
    log: list[str]
    created_at: float
    updated_at: float
    result: str | None
    cancel_requested: bool = False

    @property
    def fraction(self) -> float | None:
        """Progress in 0..1, or None while the total is unknown."""
        if self.total <= 0:
            return None
        return max(0.0, min(1.0, self.done / self.total))

    @property
    def can_cancel(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING) and not self.cancel_requested

    @property
    def can_retry(self) -> bool:
        return self.state in (JobState.FAILED, JobState.CANCELLED)

    @property
    def can_remove(self) -> bool:
        return self.state is not JobState.RUNNING


class PermanentJobError(Exception):
    """Raised by a handler for a failure that another attempt cannot fix (no retry)."""


class RetryableJobError(Exception):
    """Raised by a handler for a failure another attempt may fix, with its own retry delay.

    The next attempt waits ``retry_delay_s`` doubled for each attempt already failed
    (instead of the queue's default backoff); None keeps the queue's backoff.
    """

    def __init__(self, message: str, retry_delay_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_delay_s = retry_delay_s


class JobCancelled(Exception):
    """Raised by :meth:`CancelToken.raise_if_set`; the runner marks the job cancelled."""


class JobQueueSchemaError(WorkstationError):
    code = "jobs.schema"
    template = "Job database schema version {found} is newer than this program knows ({known})"
