"""Worklist files the worklist tests and benchmarks write, and the two real providers.

Items are pydicom Datasets saved as Part 10 ``.wl`` files. DCMTK ``wlmscpfs`` serves
``<root>/<AE title>/*.wl`` (a ``lockfile`` in each AE folder); Orthanc's
ModalityWorklists plugin serves the ``.wl`` files of the folder named in its JSON
configuration (``{"Worklists": {"Enable": true, "Database": dir}}``).

The catalog (:data:`CATALOG`) is scheduled around :data:`NOW` (2026-03-10 15:00):
ISO_IR 100, UTF-8 (Greek, Cyrillic) and ASCII names, four stations and modalities,
yesterday, today and tomorrow, a duplicate, two steps of one study, a cancelled and a
discontinued step.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from tests.ports import free_port
from workstation.config.settings import (
    BroadKey,
    RemoteNode,
    WorklistDateWindow,
    WorklistSettings,
    make_node,
)
from workstation.dicom.worklist import (
    ITEM_FIELDS,
    DateWindow,
    PatientQuery,
    broad_identifier,
    broad_window,
    patient_identifier,
)
from workstation.errors import AssociationRejectedError, PeerConnectError
from workstation.net.association import LocalAE
from workstation.net.scu.worklist import SOP_CLASS, WorklistAnswer, query_worklist

LOOPBACK = "127.0.0.1"
WLMSCPFS = "wlmscpfs"
ORTHANC_BIN = "/usr/sbin/Orthanc"
WORKLIST_PLUGIN = "/usr/share/orthanc/plugins/libModalityWorklists.so"
NOW = datetime(2026, 3, 10, 15, 0, 0)
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Spec:
    """One worklist item (one Scheduled Procedure Step)."""

    name: str  # tag used in tests and file names
    patient_name: str
    patient_id: str
    station_aet: str
    modality: str
    start: datetime
    charset: str = "ISO_IR 100"  # "" = no Specific Character Set (ASCII)
    accession: str = ""
    requested_procedure_id: str = ""
    sps_id: str = ""
    status: str = "SCHEDULED"
    study_uid: str = field(default_factory=generate_uid)
    referring_physician: str = ""
    birth_date: str = "19700101"
    sex: str = "O"
    description: str = "Procedure"


def item_dataset(spec: Spec) -> Dataset:
    """The worklist item of ``spec`` as a Part 10 data set (SOP Class MWL FIND)."""
    ds = Dataset()
    if spec.charset:
        ds.SpecificCharacterSet = spec.charset
    ds.PatientName = spec.patient_name
    ds.PatientID = spec.patient_id
    ds.PatientBirthDate = spec.birth_date
    ds.PatientSex = spec.sex
    ds.AccessionNumber = spec.accession or f"ACC-{spec.name}"
    ds.ReferringPhysicianName = spec.referring_physician
    ds.RequestedProcedureID = spec.requested_procedure_id or f"RP-{spec.name}"
    ds.RequestedProcedureDescription = f"{spec.description} {spec.name}"
    ds.StudyInstanceUID = spec.study_uid
    ds.RequestedProcedurePriority = "ROUTINE"
    ds.InstitutionName = "Test Hospital"
    sps = Dataset()
    sps.ScheduledStationAETitle = spec.station_aet
    sps.ScheduledProcedureStepStartDate = spec.start.strftime("%Y%m%d")
    sps.ScheduledProcedureStepStartTime = spec.start.strftime("%H%M%S")
    sps.Modality = spec.modality
    sps.ScheduledPerformingPhysicianName = "Tech^Terry"
    sps.ScheduledProcedureStepDescription = f"Step {spec.name}"
    sps.ScheduledProcedureStepID = spec.sps_id or f"SPS-{spec.name}"
    sps.ScheduledProcedureStepStatus = spec.status
    code = Dataset()
    code.CodeValue = f"P-{spec.modality}"
    code.CodingSchemeDesignator = "99TEST"
    code.CodeMeaning = f"{spec.modality} protocol"
    sps.ScheduledProtocolCodeSequence = [code]
    ds.ScheduledProcedureStepSequence = [sps]
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = SOP_CLASS
    meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta = meta
    return ds


def write_items(folder: Path, specs: Iterable[Spec]) -> list[Path]:
    """``folder/<name>.wl`` for each spec, and the ``lockfile`` wlmscpfs wants."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lockfile").touch()
    paths = []
    for spec in specs:
        path = folder / f"{spec.name}.wl"
        item_dataset(spec).save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def bulk_specs(
    count: int, *, station: str = "ST_BULK", modality: str = "CR", start: datetime = NOW
) -> list[Spec]:
    """``count`` distinct items (Latin-1 names), one minute apart from ``start``."""
    return [
        Spec(
            f"bulk{n:04d}",
            f"Bülk^Patient{n:04d}",
            f"BULK{n:04d}",
            station,
            modality,
            start + timedelta(minutes=n),
        )
        for n in range(count)
    ]


_STUDY_A = generate_uid()
CATALOG: tuple[Spec, ...] = (
    Spec(
        "A",
        "Müller^Hans",
        "PID-A",
        "ST_CT1",
        "CT",
        datetime(2026, 3, 10, 9, 0),
        study_uid=_STUDY_A,
        referring_physician="Weiß^Anna",
        sex="M",
    ),
    # the same study and step again in a second file: shown once
    Spec(
        "A_dup",
        "Müller^Hans",
        "PID-A",
        "ST_CT1",
        "CT",
        datetime(2026, 3, 10, 9, 0),
        study_uid=_STUDY_A,
        sps_id="SPS-A",
        accession="ACC-A",
        requested_procedure_id="RP-A",
        referring_physician="Weiß^Anna",
        sex="M",
    ),
    # a second step of the same study: its own item
    Spec(
        "J",
        "Müller^Hans",
        "PID-A",
        "ST_MR1",
        "MR",
        datetime(2026, 3, 10, 10, 0),
        study_uid=_STUDY_A,
        accession="ACC-A",
        requested_procedure_id="RP-A",
        referring_physician="Weiß^Anna",
        sex="M",
    ),
    Spec(
        "B",
        "Ωμέγα^Ελένη",
        "PID-B",
        "ST_MR1",
        "MR",
        datetime(2026, 3, 10, 20, 0),
        charset="ISO_IR 192",
        sex="F",
    ),
    Spec(
        "C",
        "Иванов^Пётр",
        "PID-C",
        "ST_CT1",
        "CT",
        datetime(2026, 3, 9, 10, 0),
        charset="ISO_IR 192",
        sex="M",
    ),
    Spec("D", "Dupont^Zoé", "PID-D", "ST_MR1", "MR", datetime(2026, 3, 9, 22, 0), sex="F"),
    Spec("E", "Nakamura^Yuki", "PID-E", "ST_US1", "US", datetime(2026, 3, 11, 2, 0), charset=""),
    Spec("F", "Schmidt^Jürgen", "PID-F", "ST_CT1", "CT", datetime(2026, 3, 11, 14, 0)),
    Spec(
        "G",
        "Canceled^Carl",
        "PID-G",
        "ST_CT1",
        "CT",
        datetime(2026, 3, 10, 11, 0),
        status="CANCELED",
    ),
    Spec(
        "H",
        "Discont^Dora",
        "PID-H",
        "ST_CT1",
        "CT",
        datetime(2026, 3, 10, 12, 0),
        status="DISCONTINUED",
    ),
    Spec("I", "Old^Otto", "PID-I", "ST_XA1", "XA", datetime(2026, 3, 1, 8, 0)),
)
CATALOG_BY_NAME = {s.name: s for s in CATALOG}
# The steps each broad window shows at NOW (the items' (PatientID, SPS ID)).
WINDOWS = {
    "today": {"A", "J", "B"},
    "yesterday-today": {"A", "J", "B", "C", "D"},
    "today-12h": {"A", "J", "B", "E"},
    "today-24h": {"A", "J", "B", "D", "E", "F"},
    "any": {"A", "J", "B", "C", "D", "E", "F", "I"},
}


def step_names(items: Iterable[object]) -> list[str]:
    """The catalog names of worklist items, by their SPS ID (``SPS-<name>``)."""
    return sorted(item.sps_id.removeprefix("SPS-") for item in items)


# -- the providers ------------------------------------------------------------------------
def stop(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Stop ``proc`` by its pid: SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def echo_ok(aet: str, port: int, calling: str = "ECHOSCU") -> bool:
    done = subprocess.run(
        ["echoscu", "-aet", calling, "-aec", aet, LOOPBACK, str(port)],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return done.returncode == 0


@dataclass
class Provider:
    """A running worklist provider: who to call, the process, its log."""

    kind: str
    aet: str
    port: int
    proc: subprocess.Popen
    log: Path
    root: Path | None = None  # wlmscpfs: the folder of the AE folders

    @property
    def host(self) -> str:
        return LOOPBACK

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_wlmscpfs(root: Path, aet: str, *extra: str, log: Path | None = None) -> Provider:
    """wlmscpfs on a free port serving ``root`` (``root/<AET>/*.wl``), answered AE
    ``aet``; ``extra`` options (e.g. ``-csk``). Waits, bounded, for an echo."""
    import time

    port = free_port()
    log = log or root.parent / f"wlmscpfs-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [WLMSCPFS, "-dfp", str(root), *extra, str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"wlmscpfs exited {proc.returncode}: {log.read_text()}")
        if echo_ok(aet, port):
            return Provider("wlmscpfs", aet, port, proc, log, root)
        time.sleep(0.1)
    stop(proc)
    raise AssertionError("wlmscpfs did not answer")


def start_orthanc(
    folder: Path, database: Path, aet: str = "ORTHANC_WL", encoding: str = "Latin1"
) -> Provider:
    """Orthanc with the worklist plugin serving ``database``, on free loopback ports,
    checking the called AE title; waits, bounded, for an echo. Orthanc answers in its
    ``DefaultEncoding`` (``encoding``) whatever the file's or the query's character set:
    with Latin1, Greek or Cyrillic names come back without their letters."""
    import time

    folder.mkdir(parents=True, exist_ok=True)
    dicom_port = free_port()
    http_port = free_port()
    while http_port == dicom_port:
        http_port = free_port()
    config = {
        "Name": "WL_TEST",
        "DicomAet": aet,
        "DicomPort": dicom_port,
        "HttpPort": http_port,
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "DicomCheckCalledAet": True,
        "DicomAlwaysAllowEcho": True,
        "DicomAlwaysAllowFindWorklist": True,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DefaultEncoding": encoding,
        "Plugins": [WORKLIST_PLUGIN],
        "Worklists": {"Enable": True, "Database": str(database)},
    }
    config_path = folder / "orthanc.json"
    config_path.write_text(json.dumps(config, indent=2))
    log = folder / "orthanc.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [ORTHANC_BIN, str(config_path)], stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"Orthanc exited {proc.returncode}: {log.read_text(errors='replace')}"
            )
        if echo_ok(aet, dicom_port):
            return Provider("orthanc", aet, dicom_port, proc, log)
        time.sleep(0.2)
    stop(proc)
    raise AssertionError("Orthanc did not answer")


# -- the checks both providers' tests run --------------------------------------------------
@dataclass(frozen=True)
class Peer:
    """Where the catalog is served (``aet``) and the bulk items (``bulk_aet``, or a
    separate provider at ``bulk_port``)."""

    aet: str
    host: str
    port: int
    bulk_aet: str = ""
    bulk_port: int = 0

    def node(self, aet: str | None = None, port: int | None = None) -> RemoteNode:
        return make_node(
            name="worklist", ae_title=aet or self.aet, host=self.host, port=port or self.port
        )


LOCAL = LocalAE("WS_WL_TEST", connect_timeout_s=10, acse_timeout_s=10, dimse_timeout_s=30)


def query(
    peer: Peer,
    identifier: Dataset,
    *,
    window: DateWindow | None = None,
    limit: int = 999,
    node: RemoteNode | None = None,
) -> WorklistAnswer:
    return query_worklist(
        node or peer.node(), LOCAL, identifier, limit=limit, timeout_s=30, window=window
    )


def broad(peer: Peer, window: str = "any", **settings: object) -> WorklistAnswer:
    values: dict[str, object] = {"query_by_modality": False}
    values.update(settings)
    ws = WorklistSettings(date_window=WorklistDateWindow(window), **values)
    return query(peer, broad_identifier(ws, "ST_CT1", NOW), window=broad_window(ws, NOW))


def check_broad_windows(peer: Peer, window: str) -> None:
    answer = broad(peer, window)
    names = step_names(answer.items)
    assert len(names) == len(set(names)), names  # de-duplicated (A and A_dup)
    assert set(names) == WINDOWS[window]
    assert not answer.truncated


def check_station(peer: Peer) -> None:
    ws = WorklistSettings(
        date_window=WorklistDateWindow.ANY, query_by_station_aet=True, query_by_modality=False
    )
    for station, expected in [
        ("ST_CT1", {"A", "C", "F"}),
        ("ST_MR1", {"J", "B", "D"}),
        ("ST_US1", {"E"}),
        ("ST_NONE", set()),
    ]:
        answer = query(peer, broad_identifier(ws, station, NOW))
        assert set(step_names(answer.items)) == expected, station
    # station + modality + today
    ws = WorklistSettings(
        date_window=WorklistDateWindow.TODAY,
        query_by_station_aet=True,
        query_by_modality=True,
        modality="MR",
    )
    answer = query(peer, broad_identifier(ws, "ST_MR1", NOW), window=broad_window(ws, NOW))
    assert set(step_names(answer.items)) == {"J", "B"}
    # the station configured return-only: every station's steps of today
    ws = WorklistSettings(
        date_window=WorklistDateWindow.TODAY,
        query_by_station_aet=True,
        query_by_modality=False,
        return_only=frozenset({BroadKey.STATION_AET}),
    )
    answer = query(peer, broad_identifier(ws, "ST_NONE", NOW), window=broad_window(ws, NOW))
    assert set(step_names(answer.items)) == WINDOWS["today"]


def check_modality(peer: Peer) -> None:
    for modality, expected in [
        ("CT", {"A", "C", "F"}),
        ("MR", {"J", "B", "D"}),
        ("US", {"E"}),
        ("XA", {"I"}),
        ("NM", set()),
    ]:
        ws = WorklistSettings(date_window=WorklistDateWindow.ANY, modality=modality)
        answer = query(peer, broad_identifier(ws, "", NOW))
        assert set(step_names(answer.items)) == expected, modality
        assert all(item.modality == modality for item in answer.items)
    # modality and date return-only: everything
    ws = WorklistSettings(
        date_window=WorklistDateWindow.TODAY,
        modality="NM",
        return_only=frozenset({BroadKey.MODALITY, BroadKey.START_DATE}),
    )
    answer = query(peer, broad_identifier(ws, "", NOW), window=broad_window(ws, NOW))
    assert set(step_names(answer.items)) == WINDOWS["any"]


def check_patient_keys(peer: Peer) -> None:
    cases = [
        (PatientQuery(patient_name="Müller"), {"A", "J"}),  # Latin-1, prefix
        (PatientQuery(patient_name="Ωμέγα"), {"B"}),  # UTF-8
        (PatientQuery(patient_name="Иван*^П*"), {"C"}),  # UTF-8 with wildcards
        (PatientQuery(patient_name="Nak?mura^*"), {"E"}),
        (PatientQuery(patient_id="PID-D"), {"D"}),
        (PatientQuery(accession_number="ACC-F"), {"F"}),
        (PatientQuery(requested_procedure_id="RP-E"), {"E"}),
        (PatientQuery(referring_physician="Weiß"), {"A", "J"}),
        (PatientQuery(patient_id="PID-A", accession_number="ACC-A"), {"A", "J"}),
        (PatientQuery(patient_id="PID-G"), set()),  # cancelled: hidden
        (PatientQuery(patient_id="PID-H"), set()),  # discontinued: hidden
        (PatientQuery(patient_id="PID-I"), {"I"}),  # no date: any day
        (PatientQuery(patient_id="NOBODY"), set()),
    ]
    for keys, expected in cases:
        answer = query(peer, patient_identifier(keys))
        assert set(step_names(answer.items)) == expected, keys


def check_names_decoded(peer: Peer) -> None:
    answer = broad(peer, "any")
    names = {
        step: item.patient_name
        for step, item in ((i.sps_id.removeprefix("SPS-"), i) for i in answer.items)
    }
    for name in WINDOWS["any"]:
        assert names[name] == CATALOG_BY_NAME[name].patient_name, name
    b = next(i for i in answer.items if i.sps_id == "SPS-A")
    assert b.referring_physician == "Weiß^Anna"


def check_limit(peer: Peer) -> None:
    node = peer.node(peer.bulk_aet or None, peer.bulk_port or None)
    ws = WorklistSettings(date_window=WorklistDateWindow.ANY, query_by_modality=False)
    answer = query(peer, broad_identifier(ws, "", NOW), limit=3, node=node)
    assert len(answer.items) == 3
    assert answer.answers == 3
    assert answer.truncated
    full = query(peer, broad_identifier(ws, "", NOW), node=node)
    assert len(full.items) == 40 and not full.truncated
    assert all(i.patient_name.startswith("Bülk^") for i in full.items)


def check_refused(peer: Peer, wrong_aet: str) -> None:
    ws = WorklistSettings(date_window=WorklistDateWindow.ANY, query_by_modality=False)
    with pytest.raises(AssociationRejectedError) as info:
        query(peer, broad_identifier(ws, "", NOW), node=peer.node(aet=wrong_aet))
    text = info.value.message()
    assert "reject" in text.lower(), text
    # nothing broke: the right AE answers at once
    assert broad(peer, "today").items


def check_dead_node() -> None:
    port = free_port()  # nothing listens there
    node = make_node(name="dead", ae_title="DEAD", host=LOOPBACK, port=port)
    ws = WorklistSettings(date_window=WorklistDateWindow.ANY)
    with pytest.raises(PeerConnectError) as info:
        query_worklist(node, LOCAL, broad_identifier(ws, "", NOW), limit=10, timeout_s=5)
    text = info.value.message()
    assert f"127.0.0.1:{port}" in text and "refused" in text, text


def run_cli(*args: str, config: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "workstation", "--config", str(config), "worklist", *args]
    return subprocess.run(cmd, capture_output=True, timeout=120, check=False)


def cli_lines(done: subprocess.CompletedProcess) -> list[dict[str, str]]:
    lines = done.stdout.decode("utf-8").splitlines()
    return [dict(f.split("=", 1) for f in line.split("\t")) for line in lines]


def check_cli(peer: Peer, tmp_path: Path) -> None:
    config = tmp_path / "settings.json"
    where = f"{peer.aet}@{peer.host}:{peer.port}"
    done = run_cli("--from", where, "--date", "any", "--modality", "MR", config=config)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    rows = cli_lines(done)
    assert {r["ScheduledProcedureStepID"] for r in rows} == {"SPS-J", "SPS-B", "SPS-D"}
    b = next(r for r in rows if r["ScheduledProcedureStepID"] == "SPS-B")
    spec = CATALOG_BY_NAME["B"]
    assert b["PatientName"] == spec.patient_name  # UTF-8 on stdout
    assert b["Modality"] == "MR" and b["ScheduledStationAETitle"] == "ST_MR1"
    assert b["ScheduledProcedureStepStartDate"] == "20260310"
    assert b["ScheduledProcedureStepStartTime"] == "200000"
    assert b["StudyInstanceUID"] == spec.study_uid
    assert list(b)[:13] == list(ITEM_FIELDS[:13])
    assert b"3 worklist items" in done.stderr and b"complete" in done.stderr
    # -k: a patient key and a step key
    done = run_cli(
        "--from",
        where,
        "--date",
        "any",
        "-k",
        "PatientName=Dupont*",
        "-k",
        "ScheduledStationAETitle=ST_MR1",
        config=config,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert [r["PatientName"] for r in cli_lines(done)] == ["Dupont^Zoé"]
    # -k: an extra key is printed; a start date replaces the --date window
    done = run_cli(
        "--from",
        where,
        "--date",
        "today",
        "-k",
        "ScheduledProcedureStepStartDate=20260310",
        "-k",
        "InstitutionName",
        "-k",
        "Modality=MR",
        config=config,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    rows = cli_lines(done)
    assert {r["ScheduledProcedureStepID"] for r in rows} == {"SPS-J", "SPS-B"}
    assert all(r["InstitutionName"] == "Test Hospital" for r in rows)
    assert list(rows[0])[-1] == "InstitutionName"
    # --station-aet, Latin-1 name in -k
    done = run_cli(
        "--from",
        where,
        "--date",
        "any",
        "--station-aet",
        "ST_CT1",
        "-k",
        "PatientName=Schmidt^Jürgen",
        config=config,
    )
    assert [r["PatientID"] for r in cli_lines(done)] == ["PID-F"]
    # the limit
    if peer.bulk_aet or peer.bulk_port:
        bulk = f"{peer.bulk_aet or peer.aet}@{peer.host}:{peer.bulk_port or peer.port}"
        done = run_cli("--from", bulk, "--date", "any", "--limit", "3", config=config)
        assert done.returncode == 0
        assert len(cli_lines(done)) == 3
        assert b"limit of 3" in done.stderr and b"C-CANCEL" in done.stderr
    # failures: exit 1 with the error message
    done = run_cli("--from", f"WRONG_AE@{peer.host}:{peer.port}", config=config)
    assert done.returncode == 1 and done.stdout == b""
    assert b"error: " in done.stderr and b"reject" in done.stderr.lower()
    dead = free_port()
    done = run_cli("--from", f"DEAD@{LOOPBACK}:{dead}", config=config)
    assert done.returncode == 1
    assert f"127.0.0.1:{dead}".encode() in done.stderr and b"refused" in done.stderr
    # bad input: exit 2
    done = run_cli("--from", where, "-k", "NoSuchKeyword=1", config=config)
    assert done.returncode == 2 and b"NoSuchKeyword" in done.stderr
