"""Fixtures for the test peers. Import one into a test module to use it there:

``from tests.peers.fixtures import mpps_scp_fixture  # noqa: F401``

gives the fixture ``mpps_scp`` (registered under that name, so the test's parameter does
not shadow the import; ``mpps_scp`` is the same object for ``import mpps_scp`` users).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.mpps_scp import StrictMppsScp
from tests.ports import free_port


@pytest.fixture(name="mpps_scp")
def mpps_scp_fixture() -> Iterator[StrictMppsScp]:
    """A running strict MPPS SCP on a free loopback port, stopped after the test."""
    scp = StrictMppsScp(free_port())
    scp.start()
    try:
        yield scp
    finally:
        scp.stop()


mpps_scp = mpps_scp_fixture
