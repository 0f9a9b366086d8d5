"""Modality Worklist query of N items (default 500): our SCU against DCMTK findscu, on
DCMTK wlmscpfs and on Orthanc's ModalityWorklists plugin serving the same files.

Generates N worklist items (``.wl`` files: Latin-1 and UTF-8 names, three stations and
modalities, all scheduled today) once, serves them from

  wlmscpfs  ``-dfp <root>`` with the files in ``<root>/WLBENCH`` (``-csk``: the files'
            character set returned)
  orthanc   Orthanc 1.10 with the worklist plugin (``DefaultEncoding`` UTF-8)

and times the broad query ("any" date, no station or modality: every item), one warm-up
and R timed runs per server and client, clients alternating run by run:

  ours     ``query_worklist`` in this process with the identifier of
           ``dicom/worklist.broad_identifier`` (every A.10 return key): from the request
           (association opened) to the items collected, decoded and formatted as the
           command line prints them
  findscu  DCMTK ``findscu -W`` with the same identifier as a query file: wall time of the
           whole process (start-up, association, query, release; responses not printed)

The number of items is checked on every run of ours and on findscu's warm-up (responses
counted): a difference is reported, never hidden. Loopback only; TCP_NODELAY=1 for DCMTK.

Then the real GUI worklist tab (``WorklistTab``, its query on a ``WorklistQuery`` thread),
in this process on the platform ``QT_QPA_PLATFORM`` names (offscreen unless set), with
settings whose only remote node has the worklist role and points at wlmscpfs (broad query,
"any" date, no modality). One warm-up and R timed runs, each with a new tab (1400x800):

  tab shown  from ``show()`` (its first automatic refresh) to the table drawn: the first
             answer, columns fitted to the contents
  request    then from the click on Refresh to the table drawn again (the 500 rows
             replaced)

"table drawn": the tab's ``answered`` signal came (the model holds the rows), pending
events processed, and the table's viewport painted (``repaint()`` when no paint came yet);
the time is taken after that paint. findscu runs the tab's own identifier once per run,
alternating; the rows shown and any error are checked on every run.

Run by hand: ``.venv/bin/python benchmarks/worklist.py [--items 500] [--runs 5] [--no-gui]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import benchlib as bl
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE

from workstation.config.settings import (
    Role,
    Settings,
    WorklistDateWindow,
    WorklistSettings,
    make_node,
)
from workstation.dicom.worklist import broad_identifier
from workstation.dicom.worklist_items import item_line
from workstation.net.association import LocalAE
from workstation.net.scu.worklist import SOP_CLASS, query_worklist

AET = "WLBENCH"
ORTHANC_AET = "ORTHANCWLB"
CALLING_AET = "BENCHWL"
QUERY_TIMEOUT_S = 120.0
FAMILIES = ("MÜLLER", "DUPONT", "SMITH", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "ИВАНОВ", "NOWAK", "GARCÍA", "LEE")
GIVEN = ("HANS", "ZOÉ", "JOHN", "ΕΛΕΝΗ", "ПЁТР", "ANNA", "JOSÉ", "MIN")
CLIENTS = ("ours", "pynetdicom", "findscu")
STATIONS = (("ST_CT1", "CT"), ("ST_MR1", "MR"), ("ST_US1", "US"))


# -- the items --------------------------------------------------------------------------
def item(n: int, now: datetime) -> Dataset:
    family, given = FAMILIES[n % len(FAMILIES)], GIVEN[(n // len(FAMILIES)) % len(GIVEN)]
    name = f"{family}^{given}^{n:04d}"
    station, modality = STATIONS[n % len(STATIONS)]
    start = now.replace(hour=7, minute=0, second=0, microsecond=0) + timedelta(minutes=n)
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    try:
        name.encode("latin-1")
    except UnicodeEncodeError:
        ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = name
    ds.PatientID = f"WLB{n:05d}"
    ds.PatientBirthDate = f"19{50 + n % 50:02d}0101"
    ds.PatientSex = "MFO"[n % 3]
    ds.AccessionNumber = f"ACC{n:06d}"
    ds.ReferringPhysicianName = "REFERRER^RITA"
    ds.RequestedProcedureID = f"RP{n:05d}"
    ds.RequestedProcedureDescription = f"{modality} procedure"
    ds.StudyInstanceUID = generate_uid()
    ds.InstitutionName = "Benchmark Hospital"
    sps = Dataset()
    sps.ScheduledStationAETitle = station
    sps.ScheduledProcedureStepStartDate = start.strftime("%Y%m%d")
    sps.ScheduledProcedureStepStartTime = start.strftime("%H%M%S")
    sps.Modality = modality
    sps.ScheduledPerformingPhysicianName = "TECH^TERRY"
    sps.ScheduledProcedureStepDescription = f"{modality} step {n}"
    sps.ScheduledProcedureStepID = f"SPS{n:05d}"
    sps.ScheduledProcedureStepStatus = "SCHEDULED"
    ds.ScheduledProcedureStepSequence = [sps]
    ds.file_meta = meta()
    return ds


def meta() -> FileMetaDataset:
    fm = FileMetaDataset()
    fm.TransferSyntaxUID = ExplicitVRLittleEndian
    fm.MediaStorageSOPClassUID = SOP_CLASS
    fm.MediaStorageSOPInstanceUID = generate_uid()
    return fm


def write_items(folder: Path, count: int, now: datetime) -> None:
    folder.mkdir(parents=True)
    (folder / "lockfile").touch()
    for n in range(count):
        item(n, now).save_as(folder / f"item{n:05d}.wl", enforce_file_format=True)


def write_query(identifier: Dataset, path: Path) -> None:
    """The identifier as a query file for findscu."""
    ds = Dataset(identifier)
    ds.file_meta = meta()
    ds.save_as(path, enforce_file_format=True)


# -- servers ------------------------------------------------------------------------------
class Wlmscpfs(bl.ServerProcess):
    key = "wlmscpfs"
    aet = AET

    def __init__(self, root: Path, log: Path) -> None:
        super().__init__(log)
        self.db = root

    def argv(self) -> list[str]:
        return ["wlmscpfs", "-csk", "-dfp", str(self.db), str(self.port)]


class OrthancWorklist(bl.OrthancProcess):
    aet = ORTHANC_AET

    def __init__(self, root: Path, database: Path, log: Path) -> None:
        super().__init__(log)
        self.setup_orthanc(root)
        self.database = database

    def config(self) -> dict:
        config = super().config()
        config.update(
            {
                "DicomAlwaysAllowFindWorklist": True,
                "DefaultEncoding": "Utf8",
                "Plugins": ["/usr/share/orthanc/plugins/libModalityWorklists.so"],
                "Worklists": {"Enable": True, "Database": str(self.database)},
            }
        )
        return config


# -- clients ------------------------------------------------------------------------------
def run_ours(server: bl.ServerProcess, identifier: Dataset, limit: int) -> tuple[float, int]:
    node = make_node(name=server.key, ae_title=server.aet, host=bl.LOOPBACK, port=server.port)
    local = LocalAE(CALLING_AET, dimse_timeout_s=QUERY_TIMEOUT_S)
    started = time.perf_counter()
    answer = query_worklist(node, local, identifier, limit=limit, timeout_s=QUERY_TIMEOUT_S)
    lines = [item_line(i) for i in answer.items]
    return time.perf_counter() - started, len(lines)


def run_bare(server: bl.ServerProcess, identifier: Dataset) -> tuple[float, int]:
    """pynetdicom alone: associate, C-FIND, take every answer as it comes, release."""
    ae = AE(ae_title=CALLING_AET)
    ae.add_requested_context(SOP_CLASS)
    ae.dimse_timeout = QUERY_TIMEOUT_S
    started = time.perf_counter()
    assoc = ae.associate(bl.LOOPBACK, server.port, ae_title=server.aet)
    count = 0
    try:
        for status, answer in assoc.send_c_find(identifier, SOP_CLASS):
            if answer is not None and status.Status in (0xFF00, 0xFF01):
                count += 1
    finally:
        assoc.release()
        ae.shutdown()
    return time.perf_counter() - started, count


def run_findscu(server: bl.ServerProcess, query: Path, show: bool) -> tuple[float, int | None]:
    argv = [
        "findscu",
        "-W",
        "-aet",
        CALLING_AET,
        "-aec",
        server.aet,
        "-to",
        "60",
        "-td",
        str(int(QUERY_TIMEOUT_S)),
        *(["-v"] if show else []),
        bl.LOOPBACK,
        str(server.port),
        str(query),
    ]
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        env=bl.env_with(bl.DCMTK_ENV),
        capture_output=True,
        text=True,
        errors="replace",
        timeout=QUERY_TIMEOUT_S,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"findscu failed ({done.returncode}): {done.stdout[-500:]}{done.stderr[-500:]}"
        )
    count = None
    if show:
        count = sum(
            1
            for line in (done.stdout + done.stderr).splitlines()
            if "Find Response:" in line and "Pending" in line
        )
    return elapsed, count


# -- the GUI worklist tab -------------------------------------------------------------------
GUI_SIZE = (1400, 800)


@dataclass
class GuiResult:
    """Seconds per timed run, and what each run showed."""

    shown: list[float] = field(default_factory=list)
    refresh: list[float] = field(default_factory=list)
    findscu: list[float] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)
    findscu_count: int | None = None
    platform: str = ""
    identifier: Dataset | None = None  # the tab's broad query
    forced: int = 0  # paints forced with repaint() (no paint came from the event loop)
    paints: int = 0  # all paints measured


def gui_settings(server: bl.ServerProcess, data_dir: Path) -> Settings:
    """A station whose only remote node (worklist role) is ``server``; the broad query
    with "any" date and no modality, the limit at its maximum (999)."""
    node = make_node(
        name="RIS",
        ae_title=server.aet,
        host=bl.LOOPBACK,
        port=server.port,
        roles=frozenset({Role.WORKLIST}),
    )
    worklist = {
        "date_window": "any",
        "query_by_modality": False,
        "max_items": 999,  # the settings' maximum: more items than that are cut
        "response_timeout_s": int(QUERY_TIMEOUT_S),
    }
    return Settings(ae_title=CALLING_AET, data_dir=data_dir, remote_nodes=(node,),
                    worklist=worklist)  # fmt: skip


def run_gui(
    server: bl.ServerProcess, settings: Settings, now: datetime, runs: int, query: Path
) -> GuiResult:
    """One warm-up and ``runs`` timed runs of the tab (see the module docstring)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from workstation.ui.worklist import backend
    from workstation.ui.worklist.worklist_tab import WorklistTab

    def quiet(mode: object, context: object, message: str) -> None:
        if "propagateSizeHints" not in message:  # the offscreen plugin, once per window
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    result = GuiResult(platform=QApplication.platformName())
    node = backend.worklist_node(settings)
    if node is None:
        raise RuntimeError("the benchmark settings have no worklist node")
    result.identifier = backend.broad_request(settings, node, now).identifier
    write_query(result.identifier, query)

    class PaintCounter(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.paints = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.paints += 1
            return False

    def drawn(tab: WorklistTab, counter: PaintCounter, act: object, started: float) -> float:
        """``act()``, wait for the answer, then for the viewport painted: the seconds."""
        loop = QEventLoop()
        state = {"answered": False, "paints": 0}

        def on_answered() -> None:
            state["answered"], state["paints"] = True, counter.paints
            loop.quit()

        tab.answered.connect(on_answered)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(int(QUERY_TIMEOUT_S * 1000))
        try:
            act()  # type: ignore[operator]
            if not state["answered"]:
                loop.exec()
        finally:
            timer.stop()
            tab.answered.disconnect(on_answered)
        if not state["answered"]:
            raise RuntimeError(f"the tab got no answer in {QUERY_TIMEOUT_S:.0f} s")
        if tab.last_error is not None:
            raise RuntimeError(f"the tab's query failed: {tab.status.text()}")
        app.processEvents()  # delayed layouts and the update request
        forced = counter.paints == state["paints"]
        if forced:
            tab.table.viewport().repaint()
        elapsed = time.perf_counter() - started
        result.paints += 1
        result.forced += forced
        if counter.paints == state["paints"]:
            raise RuntimeError("the table was not painted after the answer")
        result.rows.add(tab.proxy.rowCount())
        return elapsed

    def one_run(timed: bool) -> None:
        tab = WorklistTab(lambda: settings, now=lambda: now)
        tab.resize(*GUI_SIZE)
        counter = PaintCounter()
        tab.table.viewport().installEventFilter(counter)
        try:
            shown = drawn(tab, counter, tab.show, time.perf_counter())
            refresh = drawn(tab, counter, tab.refresh_button.click, time.perf_counter())
        finally:
            tab.shutdown()
            tab.close()
            tab.deleteLater()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        if timed:
            result.shown.append(shown)
            result.refresh.append(refresh)

    one_run(timed=False)  # warm-up: fonts, styles, the first association
    result.findscu_count = run_findscu(server, query, show=True)[1]
    for _ in range(runs):
        one_run(timed=True)
        result.findscu.append(run_findscu(server, query, show=False)[0])
    return result


def gui_table(gui: GuiResult, ours_ms: float) -> str:
    findscu = statistics.median(gui.findscu) * 1000
    rows = []
    for label, times in (
        ("GUI: request -> table drawn", gui.refresh),
        ("GUI: tab shown -> table drawn (first answer, columns fitted)", gui.shown),
    ):
        med = statistics.median(times) * 1000
        rows.append(
            [
                label,
                "/".join(str(r) for r in sorted(gui.rows)),
                f"{med:.1f}",
                f"{max(times) * 1000:.1f}",
                f"{findscu:.1f}",
                bl.ratio(med, findscu),
                bl.ratio(med, ours_ms),
            ]
        )
    headers = [
        "measurement (wlmscpfs)",
        "rows",
        "median ms",
        "max ms",
        "findscu median ms (same query)",
        "GUI/findscu (median)",
        "GUI/ours (median)",
    ]
    return bl.table(headers, rows)


# -- main ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Time worklist queries: ours vs findscu.")
    p.add_argument("--items", type=int, default=500, help="worklist items (default 500)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per client and server")
    p.add_argument("--keep", action="store_true", help="keep the working folder")
    p.add_argument("--no-gui", action="store_true", help="skip the GUI worklist tab runs")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    now = datetime.now()
    ws = WorklistSettings(date_window=WorklistDateWindow.ANY, query_by_modality=False)
    identifier = broad_identifier(ws, "", now)
    limit = 999 if args.items <= 999 else args.items
    with bl.work_dir("wl-bench-", keep=args.keep) as work:
        t0 = time.perf_counter()
        write_items(work / "db" / AET, args.items, now)
        generated = time.perf_counter() - t0
        query = work / "query.dcm"
        write_query(identifier, query)
        servers: list[bl.ServerProcess] = [
            Wlmscpfs(work / "db", work / "wlmscpfs.log"),
            OrthancWorklist(work / "orthanc", work / "db" / AET, work / "orthanc.log"),
        ]
        (work / "orthanc").mkdir()
        results: dict[str, dict[str, list[float]]] = {}
        counts: dict[str, dict[str, set[int | None]]] = {}
        gui: GuiResult | None = None
        try:
            for server in servers:
                if isinstance(server, bl.OrthancProcess):
                    server.write_config()
                server.start()
            for server in servers:
                times = results.setdefault(server.key, {k: [] for k in CLIENTS})
                seen = counts.setdefault(server.key, {k: set() for k in CLIENTS})
                seen["ours"].add(run_ours(server, identifier, limit)[1])  # warm-up
                seen["pynetdicom"].add(run_bare(server, identifier)[1])
                seen["findscu"].add(run_findscu(server, query, show=True)[1])
                for _ in range(args.runs):
                    elapsed, n = run_ours(server, identifier, limit)
                    times["ours"].append(elapsed)
                    seen["ours"].add(n)
                    elapsed, n = run_bare(server, identifier)
                    times["pynetdicom"].append(elapsed)
                    seen["pynetdicom"].add(n)
                    times["findscu"].append(run_findscu(server, query, show=False)[0])
            if not args.no_gui:
                wlm = servers[0]
                settings = gui_settings(wlm, work / "gui-data")
                gui = run_gui(wlm, settings, now, args.runs, work / "query-gui.dcm")
        finally:
            for server in servers:
                server.stop()
    rows = []
    for key, times in results.items():
        med = {k: statistics.median(times[k]) * 1000 for k in CLIENTS}
        got = set().union(*counts[key].values())
        row = [key, "/".join(str(c) for c in sorted(got, key=str))]
        for k in CLIENTS:
            row += [f"{med[k]:.1f}", f"{max(times[k]) * 1000:.1f}"]
        row += [bl.ratio(med["ours"], med["findscu"]), bl.ratio(med["ours"], med["pynetdicom"])]
        rows.append(row)
    headers = ["server", "items"]
    for k in CLIENTS:
        headers += [f"{k} median ms", f"{k} max ms"]
    headers += ["ours/findscu (median)", "ours/pynetdicom (median)"]
    lines = [
        f"Modality Worklist query benchmark: {args.items} items, {args.runs} timed runs per "
        "client and server after one warm-up, clients alternating run by run",
        f"machine: {bl.machine_line()}",
        f"tools: {bl.tool_version(['findscu', '--version'])}; "
        f"{bl.tool_version(['wlmscpfs', '--version'])}; "
        f"{bl.tool_version([bl.ORTHANC, '--version'])} (ModalityWorklists plugin)",
        f"items generated in {generated:.1f} s (untimed for the comparison)",
        "",
        "ours: query_worklist in-process, request to items collected and formatted; "
        "pynetdicom: the bare C-FIND in-process (associate, answers taken undecoded, release); "
        "findscu: whole process (start-up included), responses not printed",
        "",
        bl.table(headers, rows),
        "",
        "items:",
    ]
    for key in results:
        got = set().union(*counts[key].values())
        state = "same     " if got == {args.items} else "DIFFERENT"
        lines.append(
            f"  {state} {key}: expected {args.items}; "
            + ", ".join(f"{k} {sorted(counts[key][k], key=str)}" for k in CLIENTS)
        )
    if gui is not None:
        same = "the same identifier as" if gui.identifier == identifier else "NOT the same as"
        state = "same     " if gui.rows == {args.items} == {gui.findscu_count} else "DIFFERENT"
        lines += [
            "",
            f"GUI worklist tab ({gui.platform}, {GUI_SIZE[0]}x{GUI_SIZE[1]}, a new tab per "
            f"run) on wlmscpfs, {args.runs} timed runs after one warm-up; its broad query is "
            f"{same} the query above; findscu with the tab's query, alternating:",
            "",
            gui_table(gui, statistics.median(results["wlmscpfs"]["ours"]) * 1000),
            "",
            f"  {state} rows shown: expected {args.items}; tab {sorted(gui.rows)}, "
            f"findscu {gui.findscu_count}",
            f"  table drawn by the event loop after the answer in {gui.paints - gui.forced} "
            f"of {gui.paints} measurements (warm-up included), forced with repaint() in "
            f"{gui.forced}",
        ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
