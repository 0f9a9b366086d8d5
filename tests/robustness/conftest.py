"""Robustness fixtures: an in-process node with short timeouts, for hostile peers.

The node is the integration tests' (tests/integration/conftest.py) with the network, ACSE
and DIMSE timeouts cut to ``SHORT_TIMEOUT_S`` so that a stalled peer is cut off within
seconds; ``tests/robustness/peer.py`` has the raw peer and ``assert_healthy``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import (  # noqa: F401  (fixtures re-exported)
    RunningNode,
    processes,
    start_node,
    start_serve,
)

SHORT_TIMEOUT_S = 1.5


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything below tests/robustness talks to a node over loopback: mark it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.robustness)


@pytest.fixture
def start_short_node(start_node: Callable[..., RunningNode]) -> Callable[..., RunningNode]:  # noqa: F811
    """Start a node whose network, ACSE and DIMSE timeouts are ``SHORT_TIMEOUT_S``."""

    def start(**overrides: Any) -> RunningNode:
        values: dict[str, Any] = {
            "network_timeout_s": SHORT_TIMEOUT_S,
            "acse_timeout_s": SHORT_TIMEOUT_S,
            "dimse_timeout_s": SHORT_TIMEOUT_S,
        }
        values.update(overrides)
        return start_node(**values)

    return start


@pytest.fixture
def node(start_short_node: Callable[..., RunningNode]) -> RunningNode:
    """A running node with short timeouts; known callers DCMTK and DCMTK2."""
    return start_short_node()
