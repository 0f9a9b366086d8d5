"""The job-kind registry: what a kind needs to be queued (its parameter model) and run
(a handler factory over the composition root). The table itself is ``runtime.JOB_KINDS``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from workstation.jobs.params import JobParams
from workstation.jobs.runner import Handler

C = TypeVar("C")


@dataclass(frozen=True)
class JobKind(Generic[C]):
    """One job kind: its name in the queue, its parameter model and ``handler(context)``
    making its handler once the context (the runtime) is wired."""

    name: str
    params: type[JobParams]
    handler: Callable[[C], Handler]


def params_models(kinds: Iterable[JobKind[Any]]) -> Mapping[str, type[JobParams]]:
    """kind -> parameter model, for :class:`JobQueue`'s check at submit."""
    table: dict[str, type[JobParams]] = {}
    for kind in kinds:
        if kind.name in table:
            raise ValueError(f"job kind {kind.name!r} registered twice")
        table[kind.name] = kind.params
    return table
