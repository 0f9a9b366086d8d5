"""The called-AE check (settings node.check_called_ae, on by default) against DCMTK echoscu:
a request addressed to another AE title gets A-ASSOCIATE-RJ permanent, service user,
reason 7; with the check off it is served. The command line switches it off too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workstation.cli import main
from workstation.net.scp.node import NodeEventKind

from .conftest import KNOWN_AET, NODE_AET, run_dcmtk, wait_for

pytestmark = pytest.mark.integration


def echo(node, called_aet: str):
    return run_dcmtk(
        "echoscu", "-v", "-aet", KNOWN_AET, "-aec", called_aet, node.host, str(node.port),
        timeout=30,
    )  # fmt: skip


def test_called_ae_check_is_on_by_default(start_node) -> None:
    assert start_node().settings.node.check_called_ae is True


def test_request_to_another_called_ae_is_rejected_reason_7(node) -> None:
    result = echo(node, "WRONG")
    assert result.returncode != 0, result.stdout
    assert "Association Rejected" in result.stdout
    assert "Rejected Permanent" in result.stdout
    assert "Called AE Title Not Recognized" in result.stdout
    assert "Echo Response" not in result.stdout

    def rejected() -> list[str]:
        return [e.message for e in node.events if e.kind is NodeEventKind.ASSOCIATION_REJECTED]

    assert wait_for(lambda: rejected() == ["called AE title not recognised"]), rejected()
    ok = echo(node, NODE_AET)  # the node goes on serving requests addressed to it
    assert ok.returncode == 0 and "Received Echo Response (Success)" in ok.stdout, ok.stdout


def test_request_to_any_called_ae_is_served_with_the_check_off(start_node) -> None:
    node = start_node(check_called_ae=False)
    for called in ("WRONG", NODE_AET):
        result = echo(node, called)
        assert result.returncode == 0, result.stdout
        assert "Received Echo Response (Success)" in result.stdout
    assert not [e for e in node.events if e.kind is NodeEventKind.ASSOCIATION_REJECTED]


def test_command_line_switches_the_check_off(tmp_path: Path, capsys) -> None:
    config = ["--config", str(tmp_path / "settings.json")]
    data = ["--data-dir", str(tmp_path / "d")]
    assert main([*config, "settings", *data]) == 0
    assert json.loads(capsys.readouterr().out)["node"]["check_called_ae"] is True
    assert main([*config, "settings", "--any-called-ae", *data]) == 0
    assert json.loads(capsys.readouterr().out)["node"]["check_called_ae"] is False
