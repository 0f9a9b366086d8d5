"""The whole GUI application (``workstation.app.Workstation``) for tests, on loopback.

Each start gets its own data folder, UI state file and a free port on 127.0.0.1; the
teardown closes every window (which stops the job thread, the thumbnail thread and the
node) and calls the shutdown again for any that never showed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import ports
from workstation.config import Settings, parse_node_spec

LOOPBACK = "127.0.0.1"
APP_AET = "WS_GUI"
KNOWN_AET = "DCMTK"
READY_MS = 30_000


def free_port() -> int:
    """A free loopback port outside the ephemeral range (tests/ports.py)."""
    return ports.free_port()


def app_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "ae_title": APP_AET,
        "port": free_port(),
        "bind_address": LOOPBACK,
        "data_dir": data_dir,
        "min_free_space_mb": 0,
        "remote_nodes": (parse_node_spec(f"DCMTK={KNOWN_AET}@{LOOPBACK}:104"),),
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def start_app(qtbot, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``start_app(ui_state=None, wait=True, offer_samples=False, **settings)``: a running
    Workstation (store checked, node listening, job worker started when ``wait``)."""
    from workstation.app import Workstation

    started: list[Any] = []

    def start(
        ui_state: Path | None = None,
        wait: bool = True,
        offer_samples: bool = False,
        sample_paths: Callable[[], list[Path]] | None = None,
        **overrides: Any,
    ) -> Any:
        n = len(started)
        settings = app_settings(tmp_path / f"store{n}", **overrides)
        station = Workstation(
            settings,
            ui_state or tmp_path / f"gui{n}.ini",
            offer_samples=offer_samples,
            sample_paths=sample_paths,
            config_path=tmp_path / f"settings{n}.json",  # never the user's own settings
        )
        started.append(station)
        if wait:
            with qtbot.waitSignal(station.ready, timeout=READY_MS):
                station.start()
        else:
            station.start()
        return station

    try:
        yield start
    finally:
        for station in started:
            station.window.close()
            station.shutdown()
            station.window.deleteLater()


@pytest.fixture
def open_tab(qtbot, request) -> Iterator[Callable[..., Any]]:
    """``open_tab(*shipped_file_names)``: a shown viewer tab over pydicom's test files (or
    over files given as ``Path``s), of the test module's ``VIEWER_SIZE`` (default 600 x
    500); its threads stop afterwards."""
    from pydicom.data import get_testdata_file

    from workstation.ui.viewer.viewer_tab import ViewerTab

    tabs: list[Any] = []

    size = getattr(request.module, "VIEWER_SIZE", (600, 500))

    def open_(*names: str | Path) -> Any:
        paths = [n if isinstance(n, Path) else get_testdata_file(n) for n in names]
        tab = ViewerTab(paths, "test")
        qtbot.addWidget(tab)
        tab.resize(*size)
        tab.show()
        qtbot.waitExposed(tab)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.shutdown()

