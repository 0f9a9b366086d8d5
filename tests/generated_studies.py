"""Small generated studies for storage tests: the shipped CT_small.dcm under new UIDs."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pydicom
import pydicom.data
from pydicom.uid import generate_uid

from workstation.store import LocalStore


def add_study(
    store: LocalStore,
    study_date: str,
    images: int = 1,
    patient_name: str = "Test^Patient",
    patient_id: str = "P1",
    description: str = "CT test",
    template: str = "CT_small.dcm",
) -> str:
    """Store a study of ``images`` instances of a shipped file (one series); its Study UID."""
    ds = pydicom.dcmread(pydicom.data.get_testdata_file(template))
    study_uid, series_uid = generate_uid(), generate_uid()
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyDate = study_date
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.StudyDescription = description
    for number in range(1, images + 1):
        sop = generate_uid()
        ds.SOPInstanceUID = sop
        ds.file_meta.MediaStorageSOPInstanceUID = sop
        ds.InstanceNumber = number
        buf = BytesIO()
        ds.save_as(buf)
        store.add_bytes(buf.getvalue(), source="test")
    return study_uid


def age_study(store: LocalStore, study_uid: str, seconds: float) -> None:
    """Pretend the study arrived ``seconds`` earlier than it did."""
    with store.index.transaction() as c:
        c.execute(
            "UPDATE instance SET received_at = received_at - ? WHERE series_fk IN"
            " (SELECT s.id FROM series s JOIN study st ON s.study_fk = st.id"
            "  WHERE st.study_uid = ?)",
            (seconds, study_uid),
        )
        c.execute(
            "UPDATE study SET created_at = created_at - ? WHERE study_uid = ?",
            (seconds, study_uid),
        )


def series_files(
    folder: Path,
    count: int,
    source: str = "CT_small.dcm",
    study_uid: str | None = None,
    series_number: int = 3,
    **attributes: object,
) -> tuple[str, str, list[Path]]:
    """``count`` files of one new series in ``folder``: copies of a shipped file, numbered
    from 1, with ``attributes`` (keyword -> value) set; (study UID, series UID, paths)."""
    folder.mkdir(parents=True, exist_ok=True)
    study_uid = study_uid or generate_uid()
    series_uid = generate_uid()
    ds = pydicom.dcmread(pydicom.data.get_testdata_file(source))
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.SeriesNumber = series_number
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    paths = []
    for n in range(count):
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = n + 1
        path = folder / f"{series_uid[-8:]}-{n}.dcm"
        ds.save_as(path)
        paths.append(path)
    return study_uid, series_uid, paths
