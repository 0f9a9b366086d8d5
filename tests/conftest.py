"""Shared fixtures: the shipped sample files and a fresh local store."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pydicom.data
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def sample_roots() -> list[Path]:
    """Folders of the DICOM files shipped in pydicom and pydicom-data."""
    import data_store  # pydicom-data

    return [
        Path(pydicom.data.__file__).parent,
        Path(data_store.__file__).parent / "data",
    ]


def sample_files() -> list[Path]:
    """Every file below the sample roots, in the order the importer takes them."""
    from workstation.store.importer import collect

    files, _ = collect(sample_roots())
    return files


@pytest.fixture
def store(tmp_path: Path):
    from workstation.store import LocalStore

    s = LocalStore(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    """Every test stops what it started: no extra thread survives it."""
    before = set(threading.enumerate())
    yield
    deadline = 50
    import time

    for _ in range(deadline):
        extra = [t for t in threading.enumerate() if t not in before and _running(t)]
        if not extra:
            return
        time.sleep(0.1)
    pytest.fail(f"threads left running: {[t.name for t in extra]}")


def _running(t: threading.Thread) -> bool:
    """Alive, for a thread Python started; for a foreign one (a QThread that ran Python
    code shows up as a _DummyThread, which Python 3.11 never forgets) while its OS thread
    still exists."""
    if isinstance(t, threading._DummyThread):
        return t.native_id is not None and Path(f"/proc/self/task/{t.native_id}").exists()
    return t.is_alive()


@pytest.fixture(autouse=True, scope="session")
def pynetdicom_configured():
    """pynetdicom's process-wide settings, set once as the composition root does at
    start-up (without debug logs), whichever test makes the first AE."""
    from workstation.net.association import configure_pynetdicom

    configure_pynetdicom(debug=False, log_identifiers=False)
