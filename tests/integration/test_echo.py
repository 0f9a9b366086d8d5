"""Verification SCP against DCMTK echoscu, and the calling-AE allow-list."""

from __future__ import annotations

import pytest

from workstation.net.scp.node import NodeEventKind

from .conftest import KNOWN_AET, KNOWN_AET_2, NODE_AET, UNKNOWN_AET, run_dcmtk, wait_for

pytestmark = pytest.mark.integration


def echo(node, calling_aet: str):
    return run_dcmtk(
        "echoscu", "-v", "-aet", calling_aet, "-aec", NODE_AET, node.host, str(node.port), timeout=30
    )


def test_echo_from_known_ae_succeeds(node):
    for aet in (KNOWN_AET, KNOWN_AET_2):
        result = echo(node, aet)
        assert result.returncode == 0, result.stdout
        assert "Received Echo Response (Success)" in result.stdout
    accepted = [e.calling_ae for e in node.events if e.kind is NodeEventKind.ASSOCIATION_ACCEPTED]
    assert accepted == [KNOWN_AET, KNOWN_AET_2]


def test_echo_from_unknown_ae_is_rejected_calling_ae_not_recognised(node):
    result = echo(node, UNKNOWN_AET)
    assert result.returncode != 0, result.stdout
    assert "Association Rejected" in result.stdout
    assert "Rejected Permanent" in result.stdout
    assert "Calling AE Title Not Recognized" in result.stdout
    assert "Echo Response" not in result.stdout

    def rejected():
        return [e.calling_ae for e in node.events if e.kind is NodeEventKind.ASSOCIATION_REJECTED]

    # the node publishes the event once the A-ASSOCIATE-RJ is on the wire, a moment later
    assert wait_for(lambda: rejected() == [UNKNOWN_AET]), rejected()
    # the node goes on serving the callers it knows
    assert echo(node, KNOWN_AET).returncode == 0


def test_echo_from_any_ae_when_known_callers_not_required(start_node):
    node = start_node(require_known_callers=False, remote_nodes=())
    for aet in (UNKNOWN_AET, "ANY_OTHER", KNOWN_AET):
        result = echo(node, aet)
        assert result.returncode == 0, result.stdout
        assert "Received Echo Response (Success)" in result.stdout
    assert not [e for e in node.events if e.kind is NodeEventKind.ASSOCIATION_REJECTED]
