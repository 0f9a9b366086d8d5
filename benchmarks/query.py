"""C-FIND latency: our node against Orthanc, both holding the same generated store.

Generates, once, S studies with I instances in all (copies of pydicom's CT_small.dcm
with new UIDs and varied patient names, IDs, accession numbers, study dates, modalities
and series descriptions) as files in a tmp folder, then loads them

  ours     into a LocalStore with ``workstation.store.import_paths``, then serves it
           with ``workstation serve`` (bound to loopback)
  orthanc  into Orthanc 1.10 (generated configuration, no plugins) with ``storescu +sd``;
           waits until ``/statistics`` counts every instance

and times C-FIND (Study Root) for six query shapes against both, one warm-up and N timed
runs each, ours and Orthanc alternating run by run:

  primary  DCMTK ``findscu``: wall time of the whole process (process start,
           association, query, release), responses not printed
  second   pynetdicom in this process: one association per query, timed from associate
           to release, so client start-up is excluded

The number of matches is checked on every pynetdicom run and on the findscu warm-up
(responses printed): both servers and the generator's own count are shown side by side,
and a difference is reported, never hidden. All peers run with TCP_NODELAY=1 (DESIGN.md
section 8) and only loopback is ever addressed.

Run by hand: ``.venv/bin/python benchmarks/query.py [--studies 2000] [--instances 20000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import benchlib as bl
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from pynetdicom import AE, evt
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as STUDY_ROOT_FIND
from pynetdicom.sop_class import Verification

from workstation.store import LocalStore, import_paths

START_TIMEOUT_S = 300.0  # ours checks its store on open: 20 000 files take a while
LOAD_TIMEOUT_S = 3600.0
QUERY_TIMEOUT_S = 120.0
OURS_AET = "BENCHWS"
ORTHANC_AET = "ORTHANCQ"
CALLING_AET = "BENCHFIND"

# -- synthetic catalogue ------------------------------------------------------------------
FAMILY = (
    "SMITH SMITHERS SMITHSON SMIRNOV SMILEY SMIT JONES JOHNSON WILLIAMS BROWN TAYLOR DAVIES "
    "EVANS WILSON THOMAS ROBERTS WALKER WRIGHT ROBINSON THOMPSON WHITE HUGHES EDWARDS GREEN "
    "HALL WOOD HARRIS LEWIS MARTIN JACKSON CLARKE CLARK TURNER HILL SCOTT COOPER MORRIS WARD "
    "MOORE KING WATSON BAKER HARRISON MORGAN PATEL YOUNG ALLEN MITCHELL JAMES ANDERSON "
    "PHILLIPS LEE BELL PARKER DUPONT DUBOIS LEFEBVRE ROSSI RUSSO BIANCHI ROMANO GARCIA "
    "MARTINEZ LOPEZ SANCHEZ PEREZ SCHMIDT SCHNEIDER FISCHER WEBER MEYER WAGNER BECKER "
    "JANSEN O'BRIEN NOWAK KOWALSKI MÜLLER GONZÁLEZ NÚÑEZ LINDSTRÖM"
).split()
GIVEN = (
    "JOHN MARY JAMES PATRICIA ROBERT JENNIFER MICHAEL LINDA WILLIAM ELIZABETH DAVID "
    "BARBARA RICHARD SUSAN JOSEPH JESSICA THOMAS SARAH CHARLES KAREN ANNA PIERRE MARIE "
    "GIULIA LUCA JÖRG INÊS SØREN"
).split()
MODALITIES = ("CT", "MR", "US")
STUDY_DESCRIPTIONS = {
    "CT": ("CT HEAD W/O CONTRAST", "CT CHEST", "CT ABDOMEN PELVIS", "CT ANGIO"),
    "MR": ("MR BRAIN", "MR KNEE LEFT", "MR LUMBAR SPINE", "MR PROSTATE"),
    "US": ("US ABDOMEN", "US THYROID", "US OBSTETRIC", "US CAROTID"),
}
SERIES_DESCRIPTIONS = {
    "CT": ("Topogram", "Axial 5mm", "Axial 1mm", "Coronal MPR", "Sagittal MPR"),
    "MR": ("T1 SAG", "T2 AX", "FLAIR AX", "DWI", "T1 post GD"),
    "US": ("Survey", "Doppler", "Measurements", "Cine"),
}
FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)


@dataclass
class Patient:
    patient_id: str
    name: str
    birth_date: str
    sex: str


@dataclass
class Series:
    uid: str
    number: int
    modality: str
    description: str
    sop_uids: list[str] = field(default_factory=list)


@dataclass
class Study:
    uid: str
    patient: Patient
    accession: str
    date: str
    time: str
    modality: str
    description: str
    series: list[Series] = field(default_factory=list)


def split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as possible (the first ones get more)."""
    base, extra = divmod(total, parts)
    return [base + (1 if k < extra else 0) for k in range(parts)]


def render_name(family: str, given: str, style: int) -> str:
    """Most names upper case as many modalities send them; some mixed, some lower."""
    name = f"{family}^{given}"
    if style < 75:
        return name
    if style < 90:
        return "^".join(part.title() for part in name.split("^"))
    return name.lower()


def make_patients(rng: random.Random, count: int) -> list[Patient]:
    pairs = [(f, g) for f in FAMILY for g in GIVEN]
    if count > len(pairs):
        raise ValueError(f"at most {len(pairs)} distinct patient names available")
    chosen = rng.sample(pairs, count)
    ids = rng.sample(range(100000, 1000000), count)
    patients = []
    for (family, given), pid in zip(chosen, ids, strict=True):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(365 * 90))
        patients.append(
            Patient(
                patient_id=f"PID{pid}",
                name=render_name(family, given, rng.randrange(100)),
                birth_date=birth.strftime("%Y%m%d"),
                sex=rng.choice("MFO"),
            )
        )
    return patients


def make_catalogue(
    studies: int, instances: int, series_per_study: int, patients: int, seed: int
) -> list[Study]:
    rng = random.Random(seed)
    people = make_patients(rng, patients)
    span = (LAST_DAY - FIRST_DAY).days + 1
    accessions = rng.sample(range(10_000_000, 100_000_000), studies)
    catalogue = []
    for k, n_instances in enumerate(split(instances, studies)):
        modality = rng.choice(MODALITIES)
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        study = Study(
            uid=generate_uid(),
            patient=people[k] if k < len(people) else rng.choice(people),
            accession=f"A{accessions[k]}",
            date=day.strftime("%Y%m%d"),
            time=f"{rng.randrange(7, 20):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}",
            modality=modality,
            description=rng.choice(STUDY_DESCRIPTIONS[modality]),
        )
        descriptions = rng.sample(
            SERIES_DESCRIPTIONS[modality],
            min(series_per_study, len(SERIES_DESCRIPTIONS[modality])),
        )
        for s, n_series in enumerate(split(n_instances, min(series_per_study, n_instances))):
            series = Series(
                uid=generate_uid(),
                number=s + 1,
                modality=modality,
                description=descriptions[s % len(descriptions)],
            )
            series.sop_uids = [generate_uid() for _ in range(n_series)]
            study.series.append(series)
        catalogue.append(study)
    return catalogue


def write_catalogue(catalogue: list[Study], folder: Path) -> int:
    """One file per instance, from CT_small.dcm; returns the number of files."""
    folder.mkdir(parents=True)
    ds = bl.ct_small()
    for keyword in ("OtherPatientIDsSequence", "ImageComments", "AdditionalPatientHistory"):
        if keyword in ds:
            delattr(ds, keyword)
    n = 0
    for study in catalogue:
        p = study.patient
        ds.PatientName, ds.PatientID = p.name, p.patient_id
        ds.PatientBirthDate, ds.PatientSex = p.birth_date, p.sex
        ds.StudyInstanceUID, ds.AccessionNumber = study.uid, study.accession
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study.date
        ds.InstanceCreationDate = study.date
        ds.StudyTime = ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = study.time
        ds.StudyID = study.accession[-6:]
        ds.StudyDescription = study.description
        ds.ReferringPhysicianName = "REFERRER^A"
        for series in study.series:
            ds.SeriesInstanceUID, ds.SeriesNumber = series.uid, series.number
            ds.Modality, ds.SeriesDescription = series.modality, series.description
            ds.FrameOfReferenceUID = generate_uid()
            for i, sop_uid in enumerate(series.sop_uids, start=1):
                ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
                ds.InstanceNumber = i
                ds.save_as(folder / f"IMG{n:06d}.dcm", enforce_file_format=True)
                n += 1
    return n


# -- query shapes ---------------------------------------------------------------------------
ECHO = "ECHO"  # not a query: the C-ECHO baseline (association set-up and release)
UNIQUE = {"STUDY": "StudyInstanceUID", "SERIES": "SeriesInstanceUID", "IMAGE": "SOPInstanceUID"}


@dataclass
class Shape:
    name: str
    level: str
    keys: dict[str, str]  # keyword -> value ("" asks for the attribute back)
    expected: int  # from the generator

    def findscu_args(self) -> list[str]:
        args = ["-S", "-k", f"QueryRetrieveLevel={self.level}"]
        for keyword, value in self.keys.items():
            args += ["-k", f"{keyword}={value}" if value else keyword]
        return args

    def identifier(self) -> Dataset:
        ds = Dataset()
        ds.QueryRetrieveLevel = self.level
        for keyword, value in self.keys.items():
            setattr(ds, keyword, value)
        return ds

    def describe(self) -> str:
        if self.level == ECHO:
            return "C-ECHO (echoscu / pynetdicom send_c_echo): association, echo, release"
        return " ".join(
            [f"QueryRetrieveLevel={self.level}"]
            + [f"{k}={v}" if v else k for k, v in self.keys.items()]
        )


def fold(name: str) -> str:
    return name.upper()


def make_shapes(catalogue: list[Study], month: str, prefix: str) -> list[Shape]:
    year, mon = int(month[:4]), int(month[4:6])
    first = dt.date(year, mon, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    date_range = f"{first:%Y%m%d}-{last:%Y%m%d}"
    # the study in the middle stands for "one known study" (accession, series, images)
    target = catalogue[len(catalogue) // 2]
    series = target.series[0]
    study_keys = {"StudyInstanceUID": "", "PatientName": ""}
    return [
        Shape("C-ECHO baseline", ECHO, {}, 0),
        Shape("universal study", "STUDY", dict(study_keys), len(catalogue)),
        Shape(
            f"PatientName={prefix}*",
            "STUDY",
            {**study_keys, "PatientName": f"{prefix}*"},
            sum(1 for s in catalogue if fold(s.patient.name).startswith(prefix.upper())),
        ),
        Shape(
            f"StudyDate {month[:4]}-{month[4:6]}",
            "STUDY",
            {**study_keys, "StudyDate": date_range},
            sum(1 for s in catalogue if f"{first:%Y%m%d}" <= s.date <= f"{last:%Y%m%d}"),
        ),
        Shape(
            "AccessionNumber",
            "STUDY",
            {**study_keys, "AccessionNumber": target.accession},
            sum(1 for s in catalogue if s.accession == target.accession),
        ),
        Shape(
            "series in 1 study",
            "SERIES",
            {
                "StudyInstanceUID": target.uid,
                "SeriesInstanceUID": "",
                "Modality": "",
                "NumberOfSeriesRelatedInstances": "",
            },
            len(target.series),
        ),
        Shape(
            "images in 1 series",
            "IMAGE",
            {
                "StudyInstanceUID": target.uid,
                "SeriesInstanceUID": series.uid,
                "SOPInstanceUID": "",
                "SOPClassUID": "",
                "InstanceNumber": "",
            },
            len(series.sop_uids),
        ),
    ]


# -- servers --------------------------------------------------------------------------------
class Server(bl.ServerProcess):
    start_timeout_s = START_TIMEOUT_S

    def __init__(self, root: Path) -> None:
        super().__init__(root / "server.log")
        self.root = root
        root.mkdir(parents=True)


class OurServer(Server):
    key = "ours"
    aet = OURS_AET

    @property
    def data_dir(self) -> Path:
        return self.root / "store"

    def load(self, folder: Path, count: int) -> None:
        store = LocalStore(self.data_dir, min_free_space_mb=0)
        try:
            report = import_paths(store, [folder])
            indexed = store.index.count("instance")
        finally:
            store.close()
        if len(report.imported) != count or indexed != count:
            raise RuntimeError(
                f"ours: {len(report.imported)} imported, {indexed} indexed, {count} expected"
            )

    def argv(self) -> list[str]:
        return bl.serve_argv(self.root / "settings-absent.json", self.data_dir, self.aet, self.port)

    def ready(self) -> bool:
        return self.log.exists() and "listening as" in self.log.read_text(errors="replace")


class OrthancServer(bl.OrthancProcess, Server):
    aet = ORTHANC_AET

    def __init__(self, root: Path, storage_access: str) -> None:
        super().__init__(root)
        self.setup_orthanc(root)
        self.storage_access = storage_access
        self.write_config()

    def config(self) -> dict:
        cfg = super().config()
        cfg.update(
            {
                "Name": "ws-bench-query",
                "DicomAlwaysAllowFind": True,  # findscu is not a configured modality
                "SyncStorageArea": False,  # loading is not timed; queries read the index
                "LimitFindResults": 0,  # the 1.10 defaults, stated: no cap on answers
                "LimitFindInstances": 0,
                "CaseSensitivePN": False,  # the default; ours matches PN case-insensitively too
                "StorageAccessOnFind": self.storage_access,
            }
        )
        return cfg

    def load(self, folder: Path, count: int) -> None:
        argv = ["storescu", "-aet", CALLING_AET, "-aec", self.aet, "+sd"]
        argv += [bl.LOOPBACK, str(self.port), str(folder)]
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=LOAD_TIMEOUT_S,
            env=bl.env_with(bl.DCMTK_ENV),
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"storescu to orthanc exited {proc.returncode}:\n{proc.stderr[-2000:]}"
            )
        bl.wait_until(lambda: self.count() == count, 120, "orthanc /statistics", self.alive)


# -- clients --------------------------------------------------------------------------------
def run_findscu(server: Server, shape: Shape, show: bool) -> tuple[float, int | None]:
    """Wall time of one findscu process (echoscu for the baseline); the number of
    matches when ``show``."""
    tool = "echoscu" if shape.level == ECHO else "findscu"
    argv = [tool, "-aet", CALLING_AET, "-aec", server.aet, "-to", "10", "-ta", "10"]
    argv += ["-td", str(int(QUERY_TIMEOUT_S))]
    if shape.level != ECHO:
        # -v for the final status line; findscu exits 0 even on a failure status
        argv += ["-v", "+sr"] if show else ["-sr"]
        argv += shape.findscu_args()
    argv += [bl.LOOPBACK, str(server.port)]
    seconds, proc = bl.timed(
        lambda: subprocess.run(
            argv,
            capture_output=True,
            text=True,
            errors="replace",  # responses carry ISO_IR 100 names
            timeout=QUERY_TIMEOUT_S,
            env=bl.env_with(bl.DCMTK_ENV),
        )
    )
    if proc.returncode != 0 or (not show and proc.stderr.strip()):
        raise RuntimeError(
            f"{tool} {shape.name} to {server.key}: exit {proc.returncode}\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    if not show or shape.level == ECHO:
        return seconds, None
    text = proc.stdout + proc.stderr
    final = re.findall(r"Received Final Find Response \((\w+)\)", text)
    if not final or final[-1] != "Success":
        raise RuntimeError(f"findscu {shape.name} to {server.key}: final status {final}")
    return seconds, len(re.findall(r"Find Response: \d+ \(Pending\)", text))


class PynetdicomClient:
    """One association per query, TCP_NODELAY on its socket; results keyed by UID."""

    def __init__(self) -> None:
        logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)
        self.ae = AE(ae_title=CALLING_AET)
        self.ae.add_requested_context(STUDY_ROOT_FIND)
        self.ae.add_requested_context(Verification)
        self.ae.acse_timeout = 10
        self.ae.dimse_timeout = QUERY_TIMEOUT_S
        self.ae.network_timeout = QUERY_TIMEOUT_S

    @staticmethod
    def _nodelay(event: evt.Event) -> None:
        sock = getattr(event.assoc.dul.socket, "socket", None)
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def find(self, server: Server, shape: Shape) -> tuple[float, list[str]]:
        identifier = shape.identifier()
        uids: list[str] = []
        start = time.perf_counter()
        assoc = self.ae.associate(
            bl.LOOPBACK,
            server.port,
            ae_title=server.aet,
            evt_handlers=[(evt.EVT_CONN_OPEN, self._nodelay)],
        )
        if not assoc.is_established:
            raise RuntimeError(f"pynetdicom: no association with {server.key}")
        try:
            final = None
            if shape.level == ECHO:
                status = assoc.send_c_echo()
                final = status.Status if status else None
            queries = [] if shape.level == ECHO else assoc.send_c_find(identifier, STUDY_ROOT_FIND)
            for status, ds in queries:
                if status is None:
                    raise RuntimeError(f"pynetdicom {shape.name} to {server.key}: no response")
                if status.Status in (0xFF00, 0xFF01):
                    uids.append(str(ds.get(UNIQUE[shape.level], "")) if ds else "")
                else:
                    final = status.Status
        finally:
            assoc.release()
        seconds = time.perf_counter() - start
        if final != 0x0000:
            raise RuntimeError(f"pynetdicom {shape.name} to {server.key}: final status {final}")
        return seconds, uids


# -- measuring --------------------------------------------------------------------------------
@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)

    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    def p90_ms(self) -> float:
        """Nearest-rank 90th percentile."""
        ordered = sorted(self.seconds)
        return ordered[max(0, -(-9 * len(ordered) // 10) - 1)] * 1000


@dataclass
class Measured:
    shape: Shape
    findscu: dict[str, Timing] = field(default_factory=dict)
    pynetdicom: dict[str, Timing] = field(default_factory=dict)
    findscu_count: dict[str, int | None] = field(default_factory=dict)
    pynetdicom_counts: dict[str, set[int]] = field(default_factory=dict)
    uids: dict[str, list[str]] = field(default_factory=dict)


def measure(
    shape: Shape, servers: list[Server], client: PynetdicomClient, runs: int, warmup: int
) -> Measured:
    m = Measured(shape)
    for server in servers:
        m.findscu[server.key] = Timing()
        m.pynetdicom[server.key] = Timing()
        m.pynetdicom_counts[server.key] = set()
        # warm-up: findscu with responses shown (their count), then pynetdicom (the UIDs)
        for w in range(warmup):
            _, count = run_findscu(server, shape, show=True)
            if w == 0:
                m.findscu_count[server.key] = count
            _, uids = client.find(server, shape)
            m.uids.setdefault(server.key, uids)
    for _ in range(runs):
        for server in servers:  # alternate, so drift on the machine hits both alike
            seconds, _ = run_findscu(server, shape, show=False)
            m.findscu[server.key].seconds.append(seconds)
            seconds, uids = client.find(server, shape)
            m.pynetdicom[server.key].seconds.append(seconds)
            if shape.level != ECHO:
                m.pynetdicom_counts[server.key].add(len(uids))
    return m


# -- report -------------------------------------------------------------------------------------
def count_cell(m: Measured, key: str) -> str:
    counts = {m.findscu_count.get(key), *m.pynetdicom_counts.get(key, set())}
    return "/".join(str(c) for c in sorted(c for c in counts if c is not None)) or "-"


def timing_table(results: list[Measured], keys: list[str], which: str) -> str:
    rows = []
    for m in results:
        t = getattr(m, which)
        cells = list(dict.fromkeys(count_cell(m, key) for key in keys))
        row = [m.shape.name, " vs ".join(cells)]  # one number unless the servers differ
        for key in keys:
            row += [f"{t[key].median_ms():.1f}", f"{t[key].p90_ms():.1f}"]
        if len(keys) == 2:
            row.append(bl.ratio(t[keys[1]].median_ms(), t[keys[0]].median_ms()))
        rows.append(row)
    headers = ["shape", "matches"]
    for key in keys:
        headers += [f"{key} median ms", f"{key} p90 ms"]
    if len(keys) == 2:
        headers.append(f"{keys[1]}/{keys[0]} (median)")
    return bl.table(headers, rows)


def count_notes(results: list[Measured], keys: list[str]) -> list[str]:
    notes = []
    for m in results:
        if m.shape.level == ECHO:
            continue
        per_server = {k: count_cell(m, k) for k in keys}
        line = f"{m.shape.name}: expected {m.shape.expected}; " + "; ".join(
            f"{k} findscu {m.findscu_count.get(k)}, pynetdicom {per_server[k]}" for k in keys
        )
        differs = len({per_server[k] for k in keys}) > 1 or any(
            m.findscu_count.get(k) != m.shape.expected
            or m.pynetdicom_counts[k] != {m.shape.expected}
            for k in keys
        )
        if len(keys) == 2:
            a, b = (set(m.uids.get(k, [])) for k in keys)
            dup = {k: len(m.uids.get(k, [])) - len(set(m.uids.get(k, []))) for k in keys}
            if a != b or any(dup.values()):
                differs = True
                line += (
                    f"; unique keys: {len(a - b)} only from {keys[0]}, {len(b - a)} only from "
                    f"{keys[1]}, duplicates {dup}"
                )
        notes.append(("DIFFERENT  " if differs else "same       ") + line)
    return notes


def report(
    args: argparse.Namespace,
    results: list[Measured],
    keys: list[str],
    files: int,
    load_seconds: dict[str, float],
) -> str:
    name_count = Counter(fold(s.patient.name) for s in args.catalogue)
    lines = [
        f"C-FIND latency benchmark (Study Root), {args.runs} timed runs per shape and server "
        f"after {args.warmup} warm-up, servers alternating run by run",
        f"machine: {bl.machine_line()}",
        f"code (when the node started): {args.code}",
        f"tools: {bl.tool_version(['findscu', '--version'])}; "
        f"{bl.tool_version([bl.ORTHANC, '--version'])} (StorageAccessOnFind="
        f"{args.orthanc_storage_access}, SQLite index, no plugins)",
        f"store: {args.studies} studies, {files} instances (CT_small.dcm copies), "
        f"{len(name_count)} distinct patient names, up to {args.series_per_study} series "
        f"a study, dates {FIRST_DAY:%Y-%m-%d}..{LAST_DAY:%Y-%m-%d}, modalities "
        f"{'/'.join(MODALITIES)}; loading (untimed for the comparison): "
        + ", ".join(f"{k} {v:.0f} s" for k, v in load_seconds.items()),
        "",
        "shapes:",
        *(f"  {m.shape.name}: {m.shape.describe()}" for m in results),
        "",
        "primary: DCMTK findscu, wall time of the whole process (start-up, association, "
        "query, release; responses not printed)",
        "",
        timing_table(results, keys, "findscu"),
        "",
        "secondary: pynetdicom in-process, one association per query (associate..release), "
        "no client start-up",
        "",
        timing_table(results, keys, "pynetdicom"),
        "",
        "matches (findscu counted on the warm-up run with responses shown; pynetdicom on "
        "every run; unique keys compared between servers):",
        *(f"  {n}" for n in count_notes(results, keys)),
    ]
    return "\n".join(lines)


def code_state() -> str:
    """HEAD and the uncommitted changes under workstation/ (what the node ran)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "workstation"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.split("\n")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    changed = [line[3:] for line in dirty if line.strip()]
    return f"{head or 'unknown'}" + (
        f", uncommitted: {', '.join(changed)}" if changed else ", clean"
    )


# -- main -----------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Time C-FIND (findscu and pynetdicom) against our node and Orthanc, "
        "both holding the same generated store."
    )
    p.add_argument("--studies", type=int, default=2000, help="studies (default 2000)")
    p.add_argument("--instances", type=int, default=20000, help="instances in all (default 20000)")
    p.add_argument("--series-per-study", type=int, default=2, help="series a study (default 2)")
    p.add_argument(
        "--patients",
        type=int,
        default=400,
        help="distinct patients, each with its own name (default 400; capped at --studies)",
    )
    p.add_argument("--runs", type=int, default=20, help="timed runs per shape (default 20)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument(
        "--month", default="201906", help="YYYYMM of the date range shape (default 201906)"
    )
    p.add_argument("--name-prefix", default="SMI", help="patient name wildcard prefix")
    p.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    p.add_argument(
        "--servers",
        default="ours,orthanc",
        help="comma-separated subset of ours,orthanc (default both)",
    )
    p.add_argument(
        "--orthanc-storage-access",
        choices=("Always", "Answers", "Never"),
        default="Always",
        help="Orthanc StorageAccessOnFind (default Always, Orthanc's own default)",
    )
    p.add_argument("--keep", action="store_true", help="keep the working folder")
    args = p.parse_args(argv)
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not args.servers or set(args.servers) - {"ours", "orthanc"}:
        p.error("--servers: choose from ours, orthanc")
    if args.studies < 1 or args.instances < args.studies:
        p.error("need --studies >= 1 and --instances >= --studies")
    if args.series_per_study < 1 or args.runs < 1 or args.warmup < 1 or args.patients < 1:
        p.error("--series-per-study, --runs, --warmup and --patients must be at least 1")
    if not re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", args.month):
        p.error("--month must be YYYYMM")
    args.patients = min(args.patients, args.studies)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with bl.work_dir("ws-bench-query-", keep=args.keep) as work:
        print("generating the catalogue ...", file=sys.stderr)
        args.catalogue = make_catalogue(
            args.studies, args.instances, args.series_per_study, args.patients, args.seed
        )
        src = work / "src"
        files = write_catalogue(args.catalogue, src)
        print(f"  {files} files in {src}", file=sys.stderr)
        shapes = make_shapes(args.catalogue, args.month, args.name_prefix)
        servers: list[Server] = []
        if "ours" in args.servers:
            servers.append(OurServer(work / "ours"))
        if "orthanc" in args.servers:
            servers.append(OrthancServer(work / "orthanc", args.orthanc_storage_access))
        args.code = "not started"
        load_seconds: dict[str, float] = {}
        started: list[Server] = []
        try:
            for server in servers:
                print(f"loading {server.key} ...", file=sys.stderr)
                if isinstance(server, OurServer):
                    load_seconds[server.key], _ = bl.timed(lambda s=server: s.load(src, files))
                    started.append(server)
                    args.code = code_state()
                    server.start()
                else:
                    started.append(server)
                    server.start()
                    load_seconds[server.key], _ = bl.timed(lambda s=server: s.load(src, files))
                print(f"  {load_seconds[server.key]:.1f} s", file=sys.stderr)
            client = PynetdicomClient()
            results = []
            for shape in shapes:
                print(f"timing {shape.name} ...", file=sys.stderr)
                results.append(measure(shape, servers, client, args.runs, args.warmup))
        except Exception:
            for server in started:
                print(f"{server.key} log:\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            for server in started:
                code = server.stop()
                if isinstance(server, OurServer) and code not in (0, None):
                    print(f"warning: workstation serve exited {code}", file=sys.stderr)
        print(report(args, results, [s.key for s in servers], files, load_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
