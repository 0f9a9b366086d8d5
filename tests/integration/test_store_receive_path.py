"""The Storage SCP's receive path (net/wire/acceptor.py): association ends, timeouts and
message mixes still give pynetdicom's outcomes, and no spare file is left behind.

DCMTK storescu sends and is killed mid-transfer; a raw pynetdicom peer is used only for
what DCMTK never does: a C-ECHO between C-STOREs on one association, an association
held open idle, and (a plain socket) a connection that never asks for an association.
"""

from __future__ import annotations

import logging
import signal
import socket

import pydicom
import pytest
from pynetdicom import AE, _config
from pynetdicom.sop_class import CTImageStorage, Verification

from workstation.net.association import configure_pynetdicom
from workstation.net.scp.node import NodeEventKind
from workstation.net.wire import acceptor
from workstation.store import files
from workstation.store.local_store import SPARES_MAX

from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    NODE_AET,
    make_copies,
    run_dcmtk,
    stop_process,
    stored_dcm_files,
    storescu_results,
    temp_files,
    wait_for,
)

pytestmark = pytest.mark.integration


def storescu_args(node, *files) -> list[str]:
    return ["-v", "-nh", "-aet", KNOWN_AET, "-aec", NODE_AET, node.host, str(node.port),
            *map(str, files)]  # fmt: skip


def closed(node) -> list[str]:
    return [e.message for e in node.events if e.kind is NodeEventKind.ASSOCIATION_CLOSED]


def echo_ok(node) -> bool:
    run = run_dcmtk("echoscu", "-aet", KNOWN_AET, "-aec", NODE_AET, node.host, str(node.port))
    return run.returncode == 0


def spares(root) -> list:
    return sorted(root.rglob(f"*{files.SPARE_SUFFIX}"))


def test_storescu_transfer_is_released_and_leaves_no_spare_after_close(start_node, tmp_path):
    node = start_node()
    sent = make_copies(tmp_path / "in", 12)
    run = run_dcmtk("storescu", *storescu_args(node, *(p for p, _ in sent)), timeout=60)
    assert run.returncode == 0, run.stdout
    assert [r for _, r in storescu_results(run.stdout)] == [["Success"]] * len(sent)
    assert wait_for(lambda: closed(node) == ["released"])
    assert wait_for(lambda: node.node.active_associations() == 0)
    for _, uid in sent:
        assert node.store.index.instance(uid) is not None
    assert len(stored_dcm_files(node.store.root)) == len(sent)
    assert not temp_files(node.store.root)
    # empty spares may wait for the next instance; closing the store removes them
    left = spares(node.store.root)
    assert len(left) <= SPARES_MAX and all(p.stat().st_size == 0 for p in left)
    node.node.stop()
    node.store.close()
    assert spares(node.store.root) == []


def test_sender_killed_mid_transfer_ends_the_association(start_node, processes, tmp_path):
    node = start_node()
    sent = make_copies(tmp_path / "in", 400)
    log = tmp_path / "storescu.log"
    proc = processes.dcmtk("storescu", *storescu_args(node, *(p for p, _ in sent)), log=log)
    assert wait_for(lambda: node.store.index.count("instance") >= 20, timeout=60)
    stop_process(proc, signal.SIGKILL)
    assert wait_for(lambda: closed(node) == ["aborted"], timeout=30), node.events[-3:]
    assert wait_for(lambda: node.node.active_associations() == 0, timeout=30)
    acknowledged = [
        name for name, r in storescu_results(log.read_text(errors="replace")) if r == ["Success"]
    ]
    index = node.store.index
    for path, uid in sent:
        if str(path) in acknowledged:
            assert index.instance(uid) is not None, uid
    assert index.count("instance") == len(stored_dcm_files(node.store.root))
    assert not temp_files(node.store.root)
    # the node still takes the next sender
    more = make_copies(tmp_path / "more", 2)
    run = run_dcmtk("storescu", *storescu_args(node, *(p for p, _ in more)), timeout=60)
    assert run.returncode == 0, run.stdout


def test_echo_between_stores_on_one_association(node, tmp_path):
    sent = make_copies(tmp_path / "in", 3)
    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(Verification)
    ae.add_requested_context(CTImageStorage)
    assoc = ae.associate(LOOPBACK, node.port, ae_title=NODE_AET)
    try:
        assert assoc.is_established
        statuses = [assoc.send_c_store(pydicom.dcmread(sent[0][0])).Status]
        statuses.append(assoc.send_c_echo().Status)
        statuses += [assoc.send_c_store(pydicom.dcmread(p)).Status for p, _ in sent[1:]]
        statuses.append(assoc.send_c_echo().Status)
        assert statuses == [0x0000] * 5
    finally:
        assoc.release()
        ae.shutdown()
    for _, uid in sent:
        assert node.store.index.instance(uid) is not None
    assert wait_for(lambda: closed(node) == ["released"])


def test_idle_association_is_aborted_at_the_network_timeout(start_node):
    node = start_node(network_timeout_s=0.5)
    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(Verification)
    assoc = ae.associate(LOOPBACK, node.port, ae_title=NODE_AET)
    try:
        assert assoc.is_established
        assert assoc.send_c_echo().Status == 0x0000
        assert wait_for(lambda: assoc.is_aborted, timeout=15)
        assert wait_for(lambda: closed(node) == ["aborted"], timeout=15)
        assert wait_for(lambda: node.node.active_associations() == 0, timeout=15)
    finally:
        if assoc.is_established:
            assoc.release()
        ae.shutdown()


def test_connection_that_never_asks_is_closed_at_the_acse_timeout(start_node):
    """A TCP connection without an A-ASSOCIATE-RQ (no DICOM peer does that)."""
    node = start_node(acse_timeout_s=0.5)
    with socket.create_connection((LOOPBACK, node.port), timeout=15) as sock:
        assert wait_for(lambda: node.node.active_associations() == 1)
        assert sock.recv(1024) == b""  # closed by the node, nothing sent
    assert wait_for(lambda: node.node.active_associations() == 0, timeout=15)
    assert echo_ok(node)


def test_stop_aborts_an_association_left_open(start_node):
    node = start_node()
    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(Verification)
    assoc = ae.associate(LOOPBACK, node.port, ae_title=NODE_AET)
    try:
        assert assoc.is_established
        assert wait_for(lambda: node.node.active_associations() == 1)
        node.node.stop(grace_s=0.2)
        assert wait_for(lambda: assoc.is_aborted, timeout=15)
        assert closed(node) == ["aborted"]
    finally:
        if assoc.is_established:
            assoc.release()
        ae.shutdown()


def test_with_pynetdicom_debug_logging_the_messages_go_through_pynetdicom(
    start_node, tmp_path, monkeypatch, caplog
):
    """Debug logging binds pynetdicom's DIMSE log handlers: C-STOREs are then decoded and
    answered by pynetdicom's own code (its log shows each request), with the same outcome."""
    for name in ("LOG_HANDLER_LEVEL", "LOG_REQUEST_IDENTIFIERS", "LOG_RESPONSE_IDENTIFIERS"):
        monkeypatch.setattr(_config, name, getattr(_config, name))
    caplog.set_level(logging.DEBUG, logger="pynetdicom")
    configure_pynetdicom(debug=True, log_identifiers=True)  # as at a start-up with debug logs
    node = start_node()
    sent = make_copies(tmp_path / "in", 3)
    run = run_dcmtk("storescu", *storescu_args(node, *(p for p, _ in sent)), timeout=60)
    assert run.returncode == 0, run.stdout
    assert [r for _, r in storescu_results(run.stdout)] == [["Success"]] * len(sent)
    for _, uid in sent:
        assert node.store.index.instance(uid) is not None
    # pynetdicom's DIMSE handler logged each request it decoded
    assert caplog.text.count("Message Type                  : C-STORE RQ") == len(sent)


def test_with_another_pynetdicom_version_its_own_loops_store(start_node, tmp_path, monkeypatch):
    """The loops mirror pynetdicom 3.0's internals; any other version keeps its own."""
    monkeypatch.setattr(acceptor, "SUPPORTED_PYNETDICOM", False)
    node = start_node()
    sent = make_copies(tmp_path / "in", 3)
    run = run_dcmtk("storescu", *storescu_args(node, *(p for p, _ in sent)), timeout=60)
    assert run.returncode == 0, run.stdout
    assert [r for _, r in storescu_results(run.stdout)] == [["Success"]] * len(sent)
    for _, uid in sent:
        assert node.store.index.instance(uid) is not None
    assert wait_for(lambda: closed(node) == ["released"])
