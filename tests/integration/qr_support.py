"""Query/Retrieve test support: what the shipped files say, DCMTK runners and the query set.

The expected answer to every query is computed here from the files the store kept (read
with pydicom), never from our index. A study, series or patient takes its attributes
from the first kept file that belongs to it (files are imported in sorted path order and
the first copy of an instance is the one kept). The store tells patients apart by
Patient ID, issuer, name and birth date, so patients who share an empty Patient ID but
differ in name stay apart; a patient-level answer is therefore identified by
(Patient ID, Patient's Name).
"""

from __future__ import annotations

import re
import signal
import subprocess
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from .conftest import KNOWN_AET, run_dcmtk, stop_process, wait_for

# findscu / movescu / getscu model options
STUDY_ROOT = "-S"
PATIENT_ROOT = "-P"
PATIENT_STUDY_ONLY = "-O"

UNIQUE_KEY = {
    "STUDY": "StudyInstanceUID",
    "SERIES": "SeriesInstanceUID",
    "IMAGE": "SOPInstanceUID",
}


# -- the kept files ----------------------------------------------------------------------
def as_text(value: Any) -> str:
    """A pydicom value as DICOM text (multi-values joined with a backslash)."""
    if value is None:
        return ""
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join(as_text(v) for v in value)
    return str(value).strip()


@dataclass(frozen=True)
class Kept:
    """One instance the store kept: its source file and what pydicom reads in it."""

    path: Path
    ds: Dataset

    def text(self, keyword: str) -> str:
        return as_text(self.ds.get(keyword))

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def study_uid(self) -> str:
        return self.text("StudyInstanceUID")

    @property
    def series_uid(self) -> str:
        return self.text("SeriesInstanceUID")

    @property
    def sop_uid(self) -> str:
        return self.text("SOPInstanceUID")

    @property
    def patient_key(self) -> tuple[str, str, str, str]:
        return (
            self.text("PatientID"),
            self.text("IssuerOfPatientID"),
            self.text("PatientName"),
            self.text("PatientBirthDate"),
        )

    @property
    def patient_identity(self) -> tuple[str, str]:
        return self.text("PatientID"), self.text("PatientName")


class Catalog:
    """The kept files, grouped the way a Q/R SCP's information model groups them."""

    def __init__(self, instances: Iterable[Kept]) -> None:
        self.instances: list[Kept] = list(instances)
        self.studies: dict[str, Kept] = {}
        self.series: dict[str, Kept] = {}
        self.patients: dict[tuple[str, str, str, str], Kept] = {}
        for k in self.instances:
            self.studies.setdefault(k.study_uid, k)
            self.series.setdefault(k.series_uid, k)
            self.patients.setdefault(k.patient_key, k)

    @classmethod
    def read(cls, paths: Iterable[Path]) -> Catalog:
        kept = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for path in paths:
                kept.append(
                    Kept(Path(path), pydicom.dcmread(path, stop_before_pixels=True, force=True))
                )
        return cls(kept)

    def without(self, sop_uids: Iterable[str]) -> Catalog:
        """The same files less some instances (those a peer would not take)."""
        drop = set(sop_uids)
        return Catalog(k for k in self.instances if k.sop_uid not in drop)

    def by_name(self, file_name: str) -> Kept:
        found = [k for k in self.instances if k.name == file_name]
        assert len(found) == 1, f"{file_name}: {len(found)} kept files of that name"
        return found[0]

    def study_of(self, k: Kept) -> Kept:
        """The first kept file of ``k``'s study (whose attributes the study has)."""
        return self.studies[k.study_uid]

    def instances_of_study(self, study_uid: str) -> list[Kept]:
        return [k for k in self.instances if k.study_uid == study_uid]

    def instances_of_series(self, series_uid: str) -> list[Kept]:
        return [k for k in self.instances if k.series_uid == series_uid]

    def series_of_study(self, study_uid: str) -> list[Kept]:
        return [s for s in self.series.values() if self.study_of(s).study_uid == study_uid]

    def studies_of_patient(self, key: tuple[str, str, str, str]) -> list[Kept]:
        return [s for s in self.studies.values() if s.patient_key == key]

    def modalities_of_study(self, study_uid: str) -> set[str]:
        return {s.text("Modality") for s in self.series_of_study(study_uid)} - {""}


# -- matching as PS3.4 C.2.2.2 describes it (the reference for expected answers) ---------
def wildcard(pattern: str, value: str, fold: bool = False) -> bool:
    """``*`` any run of characters, ``?`` one character; case-sensitive unless ``fold``."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.IGNORECASE | re.DOTALL if fold else re.DOTALL
    return re.fullmatch(rx, value, flags) is not None


def pn_match(pattern: str, name: str) -> bool:
    """Person name: case-insensitive, against the whole value or any component group."""
    groups = [name, *[g for g in name.split("=") if g]] if "=" in name else [name]
    return any(wildcard(pattern, g.rstrip("^ "), fold=True) for g in groups)


def in_range(value: str, lo: str | None, hi: str | None) -> bool:
    """Range matching on dates (YYYYMMDD); an empty stored value never matches.

    Three shipped files carry the ACR-NEMA form YYYY.MM.DD, which PS3.5 calls not
    compliant; it is compared as stored, and the ranges asked here give the same answer
    either way."""
    if not value:
        return False
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def time_in_range(value: str, lo: str, hi: str) -> bool:
    """Range matching on times: a truncated time (HHMM) stands for its whole span."""
    if not value:
        return False
    whole = value.replace(":", "").split(".")[0]
    start = whole.ljust(6, "0")
    end = whole + "235959"[len(whole) :]
    return start <= hi and end >= lo


# -- the query set -----------------------------------------------------------------------
Keys = tuple[str, ...]


@dataclass(frozen=True)
class FindCase:
    """One C-FIND: model, level, ``findscu -k`` keys, and the expected identities.

    ``keys`` may be a function of the catalog (to name a shipped file's UIDs).
    ``expected`` returns the identities of the entities that must match: UIDs at
    STUDY/SERIES/IMAGE level, (Patient ID, Patient's Name) at PATIENT level.
    """

    id: str
    model: str
    level: str
    keys: Keys | Callable[[Catalog], Keys]
    expected: Callable[[Catalog], Iterable[Any]]
    empty: bool = False  # the files hold no match (the query shows what must not match)

    def find_keys(self, catalog: Catalog) -> list[str]:
        keys = self.keys(catalog) if callable(self.keys) else self.keys
        identity = (
            ["PatientID", "PatientName"] if self.level == "PATIENT" else [UNIQUE_KEY[self.level]]
        )
        names = {k.split("=")[0] for k in keys}
        return [f"QueryRetrieveLevel={self.level}", *keys, *(k for k in identity if k not in names)]

    def expected_identities(self, catalog: Catalog) -> list[Any]:
        return sorted(self.expected(catalog))


def identity(level: str, ds: Dataset) -> Any:
    if level == "PATIENT":
        return as_text(ds.get("PatientID")), as_text(ds.get("PatientName"))
    return as_text(ds.get(UNIQUE_KEY[level]))


def studies_where(c: Catalog, pred: Callable[[Kept], bool]) -> list[str]:
    return [uid for uid, s in c.studies.items() if pred(s)]


def series_where(c: Catalog, pred: Callable[[Kept, Kept], bool]) -> list[str]:
    """Series whose (first file, first file of its study) satisfy ``pred``."""
    return [uid for uid, s in c.series.items() if pred(s, c.study_of(s))]


def images_where(c: Catalog, pred: Callable[[Kept], bool]) -> list[str]:
    return [k.sop_uid for k in c.instances if pred(k)]


def patients_where(c: Catalog, pred: Callable[[Kept], bool]) -> list[tuple[str, str]]:
    return [p.patient_identity for p in c.patients.values() if pred(p)]


def _seq_values(k: Kept, sequence: str, keyword: str) -> list[str]:
    return [as_text(item.get(keyword)) for item in k.ds.get(sequence) or []]


MR_STUDY_FILE = "4467"  # a Doe^Peter MR study of pydicom's DICOMDIR test set: 2 series
CR_STUDY_FILE = "6154"  # Doe^Archibald, 3 CR series

FIND_CASES: list[FindCase] = [
    # -- Study Root, STUDY level ---------------------------------------------------------
    FindCase(
        "study-single-value",
        STUDY_ROOT,
        "STUDY",
        ("PatientID=98890234", "PatientName", "StudyDate"),
        lambda c: studies_where(c, lambda s: s.text("PatientID") == "98890234"),
    ),
    FindCase(
        "study-uid-list",
        STUDY_ROOT,
        "STUDY",
        lambda c: (
            "StudyInstanceUID="
            + "\\".join(
                [
                    c.by_name("CT_small.dcm").study_uid,
                    c.by_name("MR_small.dcm").study_uid,
                    "1.2.3.999",
                ]
            ),
        ),
        lambda c: [c.by_name("CT_small.dcm").study_uid, c.by_name("MR_small.dcm").study_uid],
    ),
    FindCase(
        "study-wildcard-star",
        STUDY_ROOT,
        "STUDY",
        ("PatientID=*RG*",),
        lambda c: studies_where(c, lambda s: wildcard("*RG*", s.text("PatientID"))),
    ),
    FindCase(
        "study-wildcard-case-sensitive-lo",
        STUDY_ROOT,
        "STUDY",
        ("PatientID=*rg*",),
        lambda c: studies_where(c, lambda s: wildcard("*rg*", s.text("PatientID"))),
        empty=True,
    ),
    FindCase(
        "study-wildcard-question-mark",
        STUDY_ROOT,
        "STUDY",
        ("PatientID=?MR?",),
        lambda c: studies_where(c, lambda s: wildcard("?MR?", s.text("PatientID"))),
    ),
    FindCase(
        "study-date-range-closed",
        STUDY_ROOT,
        "STUDY",
        ("StudyDate=20030101-20041231",),
        lambda c: studies_where(c, lambda s: in_range(s.text("StudyDate"), "20030101", "20041231")),
    ),
    FindCase(
        "study-date-range-open-start",
        STUDY_ROOT,
        "STUDY",
        ("StudyDate=-19991231",),
        lambda c: studies_where(c, lambda s: in_range(s.text("StudyDate"), None, "19991231")),
    ),
    FindCase(
        "study-date-range-open-end",
        STUDY_ROOT,
        "STUDY",
        ("StudyDate=20150101-",),
        lambda c: studies_where(c, lambda s: in_range(s.text("StudyDate"), "20150101", None)),
    ),
    FindCase(
        "study-empty-date-never-matches-range",
        STUDY_ROOT,
        "STUDY",
        ("StudyDate=18000101-",),
        lambda c: studies_where(c, lambda s: in_range(s.text("StudyDate"), "18000101", None)),
    ),
    FindCase(
        "study-time-range",
        STUDY_ROOT,
        "STUDY",
        ("StudyTime=120000-130000",),
        lambda c: studies_where(
            c, lambda s: time_in_range(s.text("StudyTime"), "120000", "130000")
        ),
    ),
    FindCase(
        "study-universal",
        STUDY_ROOT,
        "STUDY",
        ("StudyDate", "PatientName", "AccessionNumber"),
        lambda c: list(c.studies),
    ),
    FindCase(
        "study-pn-case-insensitive",
        STUDY_ROOT,
        "STUDY",
        ("PatientName=doe^peter",),
        lambda c: studies_where(c, lambda s: pn_match("doe^peter", s.text("PatientName"))),
    ),
    FindCase(
        "study-modalities-in-study-multi-value",
        STUDY_ROOT,
        "STUDY",
        ("ModalitiesInStudy=CT\\MR",),
        lambda c: studies_where(
            c, lambda s: bool(c.modalities_of_study(s.study_uid) & {"CT", "MR"})
        ),
    ),
    FindCase(
        "study-modalities-in-study-single",
        STUDY_ROOT,
        "STUDY",
        ("ModalitiesInStudy=SR",),
        lambda c: studies_where(c, lambda s: "SR" in c.modalities_of_study(s.study_uid)),
    ),
    FindCase(
        "study-sequence-procedure-code",
        STUDY_ROOT,
        "STUDY",
        ("ProcedureCodeSequence[0].CodeValue=2501",),
        lambda c: studies_where(
            c, lambda s: "2501" in _seq_values(s, "ProcedureCodeSequence", "CodeValue")
        ),
    ),
    # -- Study Root, SERIES level ------------------------------------------------------
    FindCase(
        "series-in-study-single-value-modality",
        STUDY_ROOT,
        "SERIES",
        lambda c: (
            f"StudyInstanceUID={c.by_name(MR_STUDY_FILE).study_uid}",
            "Modality=MR",
            "SeriesDescription",
        ),
        lambda c: series_where(
            c,
            lambda s, st: (
                st.study_uid == c.by_name(MR_STUDY_FILE).study_uid and s.text("Modality") == "MR"
            ),
        ),
    ),
    FindCase(
        "series-body-part-examined",
        STUDY_ROOT,
        "SERIES",
        ("BodyPartExamined=CHEST",),
        lambda c: series_where(c, lambda s, st: s.text("BodyPartExamined") == "CHEST"),
    ),
    FindCase(
        "series-description-wildcard",
        STUDY_ROOT,
        "SERIES",
        ("SeriesDescription=*Brain*",),
        lambda c: series_where(c, lambda s, st: wildcard("*Brain*", s.text("SeriesDescription"))),
    ),
    FindCase(
        "series-sequence-request-attributes",
        STUDY_ROOT,
        "SERIES",
        ("RequestAttributesSequence[0].RequestedProcedureID=8000000000330109",),
        lambda c: series_where(
            c,
            lambda s, st: (
                "8000000000330109"
                in _seq_values(s, "RequestAttributesSequence", "RequestedProcedureID")
            ),
        ),
    ),
    # -- Study Root, IMAGE level -------------------------------------------------------
    FindCase(
        "image-uid-list",
        STUDY_ROOT,
        "IMAGE",
        lambda c: (
            f"StudyInstanceUID={c.by_name(MR_STUDY_FILE).study_uid}",
            f"SeriesInstanceUID={c.by_name(MR_STUDY_FILE).series_uid}",
            "SOPInstanceUID=" + "\\".join([c.by_name("4467").sop_uid, c.by_name("4528").sop_uid]),
        ),
        lambda c: [c.by_name("4467").sop_uid, c.by_name("4528").sop_uid],
    ),
    FindCase(
        "image-sop-class-uid",
        STUDY_ROOT,
        "IMAGE",
        ("SOPClassUID=1.2.840.10008.5.1.4.1.1.88.11",),
        lambda c: images_where(
            c, lambda k: k.text("SOPClassUID") == "1.2.840.10008.5.1.4.1.1.88.11"
        ),
    ),
    FindCase(
        "image-content-date-range",
        STUDY_ROOT,
        "IMAGE",
        ("ContentDate=19950101-19951231",),
        lambda c: images_where(
            c, lambda k: in_range(k.text("ContentDate"), "19950101", "19951231")
        ),
    ),
    FindCase(
        "image-sequence-concept-name-single",
        STUDY_ROOT,
        "IMAGE",
        ("ConceptNameCodeSequence[0].CodeValue=1111",),
        lambda c: images_where(
            c, lambda k: "1111" in _seq_values(k, "ConceptNameCodeSequence", "CodeValue")
        ),
    ),
    FindCase(
        "image-sequence-concept-name-wildcard",
        STUDY_ROOT,
        "IMAGE",
        ("ConceptNameCodeSequence[0].CodeMeaning=Doc*",),
        lambda c: images_where(
            c,
            lambda k: any(
                wildcard("Doc*", v)
                for v in _seq_values(k, "ConceptNameCodeSequence", "CodeMeaning")
            ),
        ),
    ),
    FindCase(
        "image-sequence-verifying-observer-pn",
        STUDY_ROOT,
        "IMAGE",
        ("VerifyingObserverSequence[0].VerifyingObserverName=riesmeier*",),
        lambda c: images_where(
            c,
            lambda k: any(
                pn_match("riesmeier*", v)
                for v in _seq_values(k, "VerifyingObserverSequence", "VerifyingObserverName")
            ),
        ),
    ),
    # -- Patient Root ------------------------------------------------------------------
    FindCase(
        "patient-root-patient-wildcard",
        PATIENT_ROOT,
        "PATIENT",
        ("PatientName=Doe^*",),
        lambda c: patients_where(c, lambda p: pn_match("Doe^*", p.text("PatientName"))),
    ),
    FindCase(
        "patient-root-patient-single-value",
        PATIENT_ROOT,
        "PATIENT",
        ("PatientID=8NM1",),
        lambda c: patients_where(c, lambda p: p.text("PatientID") == "8NM1"),
    ),
    FindCase(
        "patient-root-patient-birth-date-range",
        PATIENT_ROOT,
        "PATIENT",
        ("PatientBirthDate=19000101-19501231",),
        lambda c: patients_where(
            c, lambda p: in_range(p.text("PatientBirthDate"), "19000101", "19501231")
        ),
    ),
    FindCase(
        "patient-root-study",
        PATIENT_ROOT,
        "STUDY",
        ("PatientID=98890234", "StudyDate=20030505"),
        lambda c: studies_where(
            c, lambda s: s.text("PatientID") == "98890234" and s.text("StudyDate") == "20030505"
        ),
    ),
    FindCase(
        "patient-root-series",
        PATIENT_ROOT,
        "SERIES",
        lambda c: (
            "PatientID=77654033",
            f"StudyInstanceUID={c.by_name(CR_STUDY_FILE).study_uid}",
            "Modality=CR",
        ),
        lambda c: series_where(
            c,
            lambda s, st: (
                st.study_uid == c.by_name(CR_STUDY_FILE).study_uid and s.text("Modality") == "CR"
            ),
        ),
    ),
    FindCase(
        "patient-root-image",
        PATIENT_ROOT,
        "IMAGE",
        lambda c: (
            "PatientID=77654033",
            f"StudyInstanceUID={c.by_name(CR_STUDY_FILE).study_uid}",
            f"SeriesInstanceUID={c.by_name(CR_STUDY_FILE).series_uid}",
        ),
        lambda c: [k.sop_uid for k in c.instances_of_series(c.by_name(CR_STUDY_FILE).series_uid)],
    ),
    # -- Patient/Study Only ------------------------------------------------------------
    FindCase(
        "ps-only-patient",
        PATIENT_STUDY_ONLY,
        "PATIENT",
        ("PatientID=SCS*",),
        lambda c: patients_where(c, lambda p: wildcard("SCS*", p.text("PatientID"))),
    ),
    FindCase(
        "ps-only-study",
        PATIENT_STUDY_ONLY,
        "STUDY",
        ("PatientID=13US1", "StudyDate"),
        lambda c: studies_where(c, lambda s: s.text("PatientID") == "13US1"),
    ),
]


# -- findscu -------------------------------------------------------------------------------
_FINAL_FIND = re.compile(r"Received Final Find Response \((.+)\)")


@dataclass
class FindResult:
    returncode: int
    output: str
    responses: list[Dataset]

    @property
    def final_status(self) -> str:
        """findscu's words for the final response ('Success', 'Cancel: ...', ...)."""
        found = _FINAL_FIND.findall(self.output)
        return found[-1] if found else ""

    def identities(self, level: str) -> list[Any]:
        return sorted(identity(level, ds) for ds in self.responses)


_run_counter = Counter[str]()


def fresh_dir(parent: Path, stem: str) -> Path:
    _run_counter[stem] += 1
    d = parent / f"{stem}-{_run_counter[stem]:03d}"
    d.mkdir(parents=True)
    return d


def findscu(
    host: str,
    port: int,
    called_aet: str,
    model: str,
    keys: Iterable[str],
    out_dir: Path,
    *,
    query_file: Path | None = None,
    calling_aet: str = KNOWN_AET,
    extra: Iterable[str] = (),
) -> FindResult:
    """Run findscu ``-X`` (responses written as rsp*.dcm in ``out_dir``) and read them."""
    args: list[str | Path] = [
        "-v",
        model,
        "-aet",
        calling_aet,
        "-aec",
        called_aet,
        "-X",
        "-od",
        out_dir,
    ]
    args.extend(extra)
    for key in keys:
        args += ["-k", key]
    args += [host, str(port)]
    if query_file is not None:
        args.append(query_file)
    result = run_dcmtk("findscu", *args)
    responses = [pydicom.dcmread(p) for p in sorted(out_dir.glob("rsp*.dcm"))]
    return FindResult(result.returncode, result.stdout, responses)


# -- movescu / getscu -------------------------------------------------------------------------
@dataclass
class RetrieveResponse:
    """One C-MOVE-RSP or C-GET-RSP as ``movescu -d`` / ``getscu -d`` prints it."""

    status: int
    remaining: int | None
    completed: int | None
    failed: int | None
    warning: int | None


def _count(fields: dict[str, str], name: str) -> int | None:
    value = fields.get(f"{name} Suboperations", "none")
    return None if value == "none" else int(value)


_BLOCK = re.compile(r"INCOMING DIMSE MESSAGE =+\n(.*?)\n[A-Z]: =+ END DIMSE MESSAGE", re.DOTALL)


def retrieve_responses(output: str) -> list[RetrieveResponse]:
    """Every C-MOVE-RSP / C-GET-RSP in a ``-d`` log, in order."""
    found = []
    for block in _BLOCK.findall(output):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            m = re.match(r"[A-Z]: (.+?)\s*: (.*)$", line)
            if m:
                fields[m.group(1).strip()] = m.group(2).strip()
        if fields.get("Message Type") not in ("C-MOVE RSP", "C-GET RSP"):
            continue

        status = int(fields["DIMSE Status"].split(":")[0], 16)
        remaining, completed, failed, warning = (
            _count(fields, name) for name in ("Remaining", "Completed", "Failed", "Warning")
        )
        found.append(RetrieveResponse(status, remaining, completed, failed, warning))
    return found


@dataclass
class RetrieveResult:
    returncode: int
    output: str

    @property
    def responses(self) -> list[RetrieveResponse]:
        return retrieve_responses(self.output)

    @property
    def final(self) -> RetrieveResponse:
        rsps = self.responses
        assert rsps, f"no C-MOVE/C-GET response in the output:\n{self.output[-3000:]}"
        return rsps[-1]

    @property
    def failed_uids(self) -> list[str]:
        """The Failed SOP Instance UID List of the last response that carried one."""
        found = re.findall(r"\(0008,0058\) UI \[([^\]]*)\]", self.output)
        return found[-1].split("\\") if found else []

    @property
    def pending(self) -> list[RetrieveResponse]:
        return [r for r in self.responses if r.status in (0xFF00, 0xFF01)]


def movescu(
    host: str,
    port: int,
    called_aet: str,
    model: str,
    destination: str,
    keys: Iterable[str],
    *,
    calling_aet: str = KNOWN_AET,
    extra: Iterable[str] = (),
) -> RetrieveResult:
    args: list[str | Path] = [
        "-d",
        model,
        "-aet",
        calling_aet,
        "-aec",
        called_aet,
        "-aem",
        destination,
    ]
    args.extend(extra)
    for key in keys:
        args += ["-k", key]
    result = run_dcmtk("movescu", *args, host, str(port))
    return RetrieveResult(result.returncode, result.stdout)


def getscu(
    host: str,
    port: int,
    called_aet: str,
    model: str,
    keys: Iterable[str],
    out_dir: Path,
    *,
    calling_aet: str = KNOWN_AET,
    extra: Iterable[str] = (),
) -> RetrieveResult:
    args: list[str | Path] = ["-d", model, "-aet", calling_aet, "-aec", called_aet, "-od", out_dir]
    args.extend(extra)
    for key in keys:
        args += ["-k", key]
    result = run_dcmtk("getscu", *args, host, str(port))
    return RetrieveResult(result.returncode, result.stdout)


# -- storescp, started by a test ----------------------------------------------------------------
@dataclass
class StoreSCP:
    proc: subprocess.Popen
    folder: Path
    log: Path

    def received(self) -> list[Dataset]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the shipped files' own oddities
            return [pydicom.dcmread(p) for p in sorted(self.folder.iterdir()) if p.is_file()]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_storescp(processes: Any, folder: Path, aet: str, port: int, *extra: str) -> StoreSCP:
    """``storescp`` on ``port`` (it listens on every interface: DESIGN.md section 8),
    writing what it receives into ``folder``; ready once echoscu gets an answer."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder.parent / f"{folder.name}-storescp.log"
    proc = processes.dcmtk("storescp", "-v", "-aet", aet, "-od", folder, *extra, str(port), log=log)

    def answers() -> bool:
        if proc.poll() is not None:
            return True
        return (
            run_dcmtk(
                "echoscu", "-aet", KNOWN_AET, "-aec", aet, "127.0.0.1", str(port), timeout=10
            ).returncode
            == 0
        )

    assert wait_for(answers, timeout=20, step=0.1), "storescp did not answer C-ECHO"
    assert proc.poll() is None, log.read_text(errors="replace")
    return StoreSCP(proc, folder, log)


def stop_storescp(scp: StoreSCP) -> None:
    stop_process(scp.proc, signal.SIGTERM)


# -- comparing instances -------------------------------------------------------------------------
def element_differences(
    received: Dataset, stored: Dataset, ignore: Iterable[str] = ()
) -> list[str]:
    """Tags whose values differ between two datasets (file meta and ``ignore`` left out).

    Data Set Trailing Padding (FFFC,FFFC) is padding without meaning, which a sender may
    drop on the way: it is left out as well."""
    skip = {"DataSetTrailingPadding", *ignore}
    diffs = []
    tags = {t for t in received.keys() if t.group != 0x0002} | {
        t for t in stored.keys() if t.group != 0x0002
    }
    for tag in sorted(tags):
        keyword = pydicom.datadict.keyword_for_tag(tag)
        if keyword in skip:
            continue
        a, b = received.get(tag), stored.get(tag)
        if a is None or b is None:
            diffs.append(f"{tag} {keyword}: only in {'stored' if a is None else 'received'}")
            continue
        if a.value != b.value:
            diffs.append(f"{tag} {keyword}: {str(a.value)[:60]!r} != {str(b.value)[:60]!r}")
    return diffs


@dataclass
class QRNode:
    """A running node pre-loaded with the shipped files, and the reference catalog."""

    node: Any
    catalog: Catalog
    destinations: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (aet, port)

    @property
    def host(self) -> str:
        return self.node.host

    @property
    def port(self) -> int:
        return self.node.port


_CATALOGS: dict[tuple[Path, ...], Catalog] = {}


def catalog_of(paths: tuple[Path, ...]) -> Catalog:
    """The catalog of these kept files (read once per test session)."""
    if paths not in _CATALOGS:
        _CATALOGS[paths] = Catalog.read(paths)
    return _CATALOGS[paths]
