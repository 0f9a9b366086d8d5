"""The wire fast paths' one switch: WORKSTATION_WIRE_FAST_PATHS=0 leaves plain pynetdicom
(net/wire/__init__.py). Checked on real, unstarted pynetdicom associations."""

from __future__ import annotations

import pytest
from pynetdicom import AE
from pynetdicom.association import Association

from workstation.net import wire
from workstation.net.wire.acceptor import RequestReader
from workstation.net.wire.cstore_request import RequestWriter


def acceptor() -> Association:
    return Association(AE(), "acceptor")


@pytest.fixture
def off(monkeypatch):
    monkeypatch.setenv(wire.ENV_SWITCH, "0")


@pytest.fixture
def on(monkeypatch):
    monkeypatch.delenv(wire.ENV_SWITCH, raising=False)


def test_on_by_default(on):
    assert wire.enabled()


def test_off_installs_no_fast_path(off):
    assoc = acceptor()
    delay = assoc.dul._run_loop_delay
    original_receive = assoc.dimse.receive_primitive
    assert not wire.enabled()
    assert wire.accelerate_acceptor(assoc) is False
    wire.tune_dul(assoc)
    wire.install_send_lock(assoc)
    assert "_run_reactor" not in vars(assoc)  # pynetdicom's own association loop
    assert assoc.dimse.receive_primitive == original_receive
    assert not isinstance(assoc.dimse.receive_primitive, RequestReader)
    assert assoc.dul._run_loop_delay == delay
    assert wire.store_writer(Association(AE(), "requestor")) is None
    assert wire.find_writer(object()) is None


def test_on_installs_the_fast_paths(on):
    assoc = acceptor()
    assert wire.accelerate_acceptor(assoc) is True
    wire.tune_dul(assoc)
    assert "_run_reactor" in vars(assoc)
    assert isinstance(assoc.dimse.receive_primitive, RequestReader)
    assert assoc.dul._run_loop_delay == wire.DUL_POLL_S
    assert isinstance(wire.store_writer(Association(AE(), "requestor")), RequestWriter)


@pytest.mark.parametrize("value", ["1", "", "yes"])
def test_anything_but_zero_is_on(monkeypatch, value):
    monkeypatch.setenv(wire.ENV_SWITCH, value)
    assert wire.enabled()
