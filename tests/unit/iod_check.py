"""Shared checks for created objects: dicom3tools dciodvfy verdict and a store round trip.

dciodvfy is a local program (Debian package dicom3tools); it runs as a subprocess with
a time limit, so these checks belong in unit tests.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from workstation.dicom.builders.common import part10_bytes

# Warnings we accept, each with the reason it cannot be avoided.
ALLOWED_WARNINGS = {
    # General Series Laterality is Type 2C. The shipped sources give neither a Body Part
    # Examined nor a Laterality, so the paired/unpaired question is unknown: an empty
    # value ("unknown") is the honest answer and dciodvfy notes it as a warning.
    "should be absent (not empty) if an unpaired body part": "laterality unknown",
    # chrH31.dcm (the Japanese sample) has no Study Date/Time; a created object must copy
    # the study it belongs to, not invent a date, so these Type 2 values stay empty.
    "needed to build DICOMDIR - Study Date": "source has no study date",
    "needed to build DICOMDIR - Study Time": "source has no study time",
}


def dciodvfy(ds: Dataset) -> str:
    """dciodvfy's full report (stdout and stderr) for the dataset written as Part 10."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "object.dcm"
        path.write_bytes(part10_bytes(ds))
        done = subprocess.run(
            ["dciodvfy", str(path)], capture_output=True, text=True, timeout=60, check=False
        )
    return done.stdout + done.stderr


def assert_iod_valid(ds: Dataset, expected_iod: str) -> None:
    """No Error lines, only explained warnings, and the IOD dciodvfy recognised."""
    report = dciodvfy(ds)
    lines = [line.strip() for line in report.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error")]
    unexplained = [
        line
        for line in lines
        if line.startswith("Warning") and not any(a in line for a in ALLOWED_WARNINGS)
    ]
    assert not errors, report
    assert not unexplained, report
    assert expected_iod in lines, report


def stored_and_indexed(store, ds: Dataset) -> dict:
    """Store the object through LocalStore.add_bytes; return its index row."""
    store.add_bytes(part10_bytes(ds), source="test")
    row = store.index.instance(str(ds.SOPInstanceUID))
    assert row is not None
    return row


def reread(ds: Dataset) -> Dataset:
    """The dataset as another program would see it: written as Part 10 and parsed."""
    from io import BytesIO

    return pydicom.dcmread(BytesIO(part10_bytes(ds)))
