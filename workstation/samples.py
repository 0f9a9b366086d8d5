"""Where the sample DICOM files are: those shipped in pydicom (and pydicom-data).

Used by ``workstation import --samples``, the desktop's first-start offer, the tests,
benchmarks and screenshot scripts.
"""

from __future__ import annotations

from pathlib import Path


def sample_paths() -> list[Path]:
    """The DICOM files shipped in pydicom (and pydicom-data when installed)."""
    import pydicom.data

    paths = [Path(pydicom.data.__file__).parent]
    try:
        import data_store  # the pydicom-data package

        paths.append(Path(data_store.__file__).parent / "data")
    except ImportError:
        pass
    return paths
