"""Several DCMTK storescu processes sending to one node at the same time."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.net.scp.node import NodeEventKind

from .conftest import (
    KNOWN_AET,
    KNOWN_AET_2,
    NODE_AET,
    make_copies,
    stored_dcm_files,
    storescu_results,
    temp_files,
    wait_process,
)

pytestmark = pytest.mark.integration

SENDERS = 4
PER_SENDER = 250


def start_storescu(processes, node, files: list[Path], log: Path, aet: str = KNOWN_AET):
    return processes.dcmtk(
        "storescu", "-v", "-nh", "-aet", aet, "-aec", NODE_AET, node.host, str(node.port),
        *files,
        log=log,
    )  # fmt: skip


def success_count(log: Path) -> int:
    results = storescu_results(log.read_text(errors="replace"))
    return sum(1 for _, responses in results if responses == ["Success"])


def max_simultaneous(events) -> int:
    """The most associations open at once, from the node's accepted/closed events."""
    open_now = peak = 0
    for e in events:
        if e.kind is NodeEventKind.ASSOCIATION_ACCEPTED:
            open_now += 1
            peak = max(peak, open_now)
        elif e.kind is NodeEventKind.ASSOCIATION_CLOSED:
            open_now -= 1
    return peak


def test_four_senders_at_once_store_every_instance_exactly_once(start_node, processes, tmp_path):
    node = start_node(max_associations=8)
    batches = [make_copies(tmp_path / f"in{n}", PER_SENDER) for n in range(SENDERS)]
    logs = [tmp_path / f"storescu{n}.log" for n in range(SENDERS)]
    procs = [
        start_storescu(processes, node, [p for p, _ in batch], log)
        for batch, log in zip(batches, logs, strict=True)
    ]
    for proc, log in zip(procs, logs, strict=True):
        assert wait_process(proc, timeout=240) == 0, log.read_text(errors="replace")[-3000:]
    for log in logs:
        assert success_count(log) == PER_SENDER

    total = SENDERS * PER_SENDER
    index = node.store.index
    assert index.count("instance") == total
    for batch in batches:
        for _, uid in batch:
            assert index.instance(uid) is not None, uid
    assert len(stored_dcm_files(node.store.root)) == total
    assert not temp_files(node.store.root)
    stored = [e for e in node.events if e.kind is NodeEventKind.STORED]
    assert len(stored) == total
    assert len({e.sop_instance_uid for e in stored}) == total
    print(f"\nat most {max_simultaneous(node.events)} associations open at once")


def test_two_senders_of_the_same_instances_store_each_once(start_node, processes, tmp_path):
    node = start_node(max_associations=4)
    batch = make_copies(tmp_path / "in", PER_SENDER)
    files = [p for p, _ in batch]
    logs = [tmp_path / "storescu-a.log", tmp_path / "storescu-b.log"]
    procs = [
        start_storescu(processes, node, files, logs[0], aet=KNOWN_AET),
        start_storescu(processes, node, files, logs[1], aet=KNOWN_AET_2),
    ]
    for proc, log in zip(procs, logs, strict=True):
        assert wait_process(proc, timeout=240) == 0, log.read_text(errors="replace")[-3000:]
    # both senders get 0000 for every instance: stored or already stored
    for log in logs:
        assert success_count(log) == PER_SENDER

    index = node.store.index
    assert index.count("instance") == PER_SENDER
    for _, uid in batch:
        assert index.instance(uid) is not None, uid
    assert len(stored_dcm_files(node.store.root)) == PER_SENDER
    assert not temp_files(node.store.root)
    kinds = [e.kind for e in node.events]
    assert kinds.count(NodeEventKind.STORED) == PER_SENDER
    assert kinds.count(NodeEventKind.DUPLICATE) == PER_SENDER
    print(f"\nat most {max_simultaneous(node.events)} associations open at once")
