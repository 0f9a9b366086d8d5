"""Generated studies for the browser tests: index rows made from small in-memory datasets.

Rows go through the index's own add path (``StoreIndex.add`` with a record read from a
dataset), all in one transaction, so thousands of studies take a second or two. No files
are written: the stores these rows go into are never reconciled against the disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workstation.store.index import StoreIndex
from workstation.store.records import record_from_dataset

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
FAMILY = ["Smith", "Meyer", "Nguyen", "Garcia", "Okafor", "Rossi", "Kowalski", "Tanaka", "Berg"]
GIVEN = ["Anna", "John", "Maria", "Peter", "Lena", "Omar", "Yuki", "Paul"]
MODALITIES = ["CT", "MR", "CR", "US", "DX"]


@dataclass(frozen=True)
class GeneratedStudy:
    study_uid: str
    patient_name: str
    patient_id: str
    accession: str
    study_date: str
    modalities: tuple[str, ...]
    series_uids: tuple[str, ...]
    images: int


def study_dataset(
    patient_name: str,
    patient_id: str,
    accession: str,
    study_date: str,
    modality: str,
    study_uid: str,
    series_uid: str,
    series_number: int = 1,
    instance_number: int = 1,
) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = CT_IMAGE
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "F"
    ds.StudyDate = study_date
    ds.StudyTime = "101500"
    ds.AccessionNumber = accession
    ds.StudyDescription = f"{modality} study"
    ds.Modality = modality
    ds.SeriesNumber = series_number
    ds.SeriesDescription = f"{modality} series {series_number}"
    ds.InstanceNumber = instance_number
    return ds


def add_datasets(index: StoreIndex, datasets: list[Dataset]) -> None:
    """Index ``datasets`` through the index's add path, one transaction."""
    with index.transaction() as c:
        for ds in datasets:
            rec = record_from_dataset(ds, ExplicitVRLittleEndian)
            index.add(c, rec, rec.rel_path, 1000, "generated")


def generate_studies(
    index: StoreIndex, count: int, today: dt.date | None = None
) -> list[GeneratedStudy]:
    """``count`` studies, one per patient, dated 0..729 days before ``today``; every
    third study has a second series of another modality. Deterministic."""
    today = today or dt.date.today()
    datasets: list[Dataset] = []
    made: list[GeneratedStudy] = []
    for n in range(count):
        name = f"{FAMILY[n % len(FAMILY)]}{n // len(FAMILY)}^{GIVEN[n % len(GIVEN)]}"
        pid = f"PID{n:06d}"
        acc = f"ACC{n:07d}"
        date = (today - dt.timedelta(days=n % 730)).strftime("%Y%m%d")
        study_uid = generate_uid()
        modalities = [MODALITIES[n % len(MODALITIES)]]
        if n % 3 == 0:
            modalities.append(MODALITIES[(n + 2) % len(MODALITIES)])
        series_uids = []
        images = 0
        for number, modality in enumerate(modalities, start=1):
            series_uid = generate_uid()
            series_uids.append(series_uid)
            for inst in range(1, number + 1):
                datasets.append(
                    study_dataset(
                        name, pid, acc, date, modality, study_uid, series_uid, number, inst
                    )
                )
                images += 1
        made.append(
            GeneratedStudy(
                study_uid, name, pid, acc, date, tuple(modalities), tuple(series_uids), images
            )
        )
    add_datasets(index, datasets)
    return made
