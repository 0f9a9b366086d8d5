"""The local store: DICOM files on disk plus an SQLite index. Never touches the network."""

from workstation.store.importer import ImportReport, import_paths
from workstation.store.local_store import AddOutcome, AddResult, LocalStore, ReconcileReport

__all__ = [
    "AddOutcome",
    "AddResult",
    "ImportReport",
    "LocalStore",
    "ReconcileReport",
    "import_paths",
]
