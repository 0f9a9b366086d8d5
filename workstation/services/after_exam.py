"""The after-exam rules (``settings.exam.after_exam``): what is queued when a procedure
step ends.

A rule names an :class:`AfterExamAction` and a remote node. Each action has one entry in
the registry (:func:`register_action`): a function that queues its jobs for the step's
instances and returns their ids. "send" queues a send job to the rule's node, with
storage commitment after it when the rule asks for it. Print and burn (issues 14, 15)
add their own entries; nothing else changes.

Rules run when a step is completed, and when it is discontinued only if the rule says
``on_discontinued``. Disabled rules, rules whose node is not configured and steps without
instances are skipped with a line in the outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workstation.config.settings import AfterExamAction, AfterExamRule, RemoteNode, Settings
from workstation.services import send_job
from workstation.store.procedure_steps import ProcedureStep, StepInstance, StepState

log = logging.getLogger(__name__)

Submit = Callable[[str, Mapping[str, Any], int], int]  # (kind, params, max_attempts) -> id


@dataclass(frozen=True)
class RuleContext:
    """What an action gets: the settings, the queue's submit, the rule's node."""

    settings: Settings
    submit: Submit
    node: RemoteNode


Action = Callable[[RuleContext, AfterExamRule, ProcedureStep, Sequence[StepInstance]], list[int]]


@dataclass
class AfterExamOutcome:
    """The jobs the rules queued and the rules that did nothing (with why)."""

    jobs: list[tuple[AfterExamAction, str, int]] = field(default_factory=list)  # action, node, id
    skipped: list[str] = field(default_factory=list)

    @property
    def job_ids(self) -> list[int]:
        return [job_id for _action, _node, job_id in self.jobs]


_ACTIONS: dict[AfterExamAction, Action] = {}


def register_action(action: AfterExamAction, fn: Action) -> None:
    """Make ``fn`` the implementation of ``action`` (one per action)."""
    _ACTIONS[AfterExamAction(action)] = fn


def registered_actions() -> dict[AfterExamAction, Action]:
    return dict(_ACTIONS)


def send_action(
    ctx: RuleContext, rule: AfterExamRule, step: ProcedureStep, instances: Sequence[StepInstance]
) -> list[int]:
    """A send job of the step's instances to the rule's node; storage commitment after
    it (the send kind's follow-up) when the rule asks for it."""
    node = ctx.node.model_copy(update={"storage_commitment": rule.storage_commitment})
    params = send_job.send_params(node, [i.sop_instance_uid for i in instances])
    return [ctx.submit(send_job.KIND, params, ctx.settings.services.send_retries)]


register_action(AfterExamAction.SEND, send_action)


def rules_for(settings: Settings, state: StepState) -> list[AfterExamRule]:
    """The enabled rules that run for a step ended in ``state``."""
    return [
        r for r in settings.exam.after_exam
        if r.enabled and (state is StepState.COMPLETED
                          or (state is StepState.DISCONTINUED and r.on_discontinued))
    ]  # fmt: skip


def run_rules(
    settings: Settings,
    submit: Submit,
    step: ProcedureStep,
    instances: Sequence[StepInstance],
) -> AfterExamOutcome:
    """Queue what the rules ask for the ended ``step``."""
    outcome = AfterExamOutcome()
    if not step.state.is_final:
        return outcome
    for rule in rules_for(settings, step.state):
        where = f"{rule.action} to {rule.node}"
        node = settings.find_node(rule.node)
        if node is None:
            outcome.skipped.append(f"{where}: no remote node named {rule.node}")
            continue
        if not instances:
            outcome.skipped.append(f"{where}: the step has no instances")
            continue
        action = _ACTIONS.get(rule.action)
        if action is None:
            outcome.skipped.append(f"{where}: no implementation of {rule.action}")
            continue
        ids = action(RuleContext(settings, submit, node), rule, step, instances)
        outcome.jobs.extend((rule.action, node.name, job_id) for job_id in ids)
    for line in outcome.skipped:
        log.warning("after-exam rule of step %s skipped: %s", step.step_id, line)
    return outcome
