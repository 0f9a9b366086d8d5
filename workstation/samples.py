"""Where the sample DICOM files are: those shipped in pydicom (and pydicom-data).

Used by ``workstation import --samples``, the desktop's first-start offer, the tests,
benchmarks and screenshot scripts. The folders also hold the packages' own ``.py``,
``.pyc``, ``.json`` and text files: :func:`sample_files` leaves those out, so importing
the samples reports only what is wrong with DICOM files.
"""

from __future__ import annotations

from pathlib import Path


def sample_paths() -> list[Path]:
    """The folders of the DICOM files shipped in pydicom (and pydicom-data when installed)."""
    import pydicom.data

    paths = [Path(pydicom.data.__file__).parent]
    try:
        import data_store  # the pydicom-data package

        paths.append(Path(data_store.__file__).parent / "data")
    except ImportError:
        pass
    return paths


def sample_files() -> list[Path]:
    """The DICOM files below :func:`sample_paths`, in the order import takes them; other
    files are left out silently (they are the packages' code and notes, not the user's).
    DICOMDIRs are left out too: the files they name are below the same folders."""
    from workstation.dicom.read import is_dicom_file
    from workstation.store.importer import collect

    files, _ = collect(sample_paths())
    return [f for f in files if is_dicom_file(f)]
