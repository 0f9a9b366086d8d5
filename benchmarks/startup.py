"""GUI start-up time and browser filter latency over a store of 10 000 studies.

Generates once a store of S studies (default 10 000; one patient each, dates spread over
two years, 1-2 series of CT/MR/CR/US/DX, about 1.3 instances per study) as real files in
the store's layout plus their index rows, then measures

  start-up   ``python -m workstation --config ...`` (no command: the GUI) launched as a
             subprocess with ``WORKSTATION_EXIT_WHEN_SHOWN=ready``; the app prints the
             wall-clock time when the main window has been shown (first page of studies
             loaded) and when the store check is done and the node listens. Times are
             from just before the process was started. Baseline in the same run: a bare
             ``python -c "from PySide6.QtWidgets import QApplication; QApplication([])"``.
  filters    in this process, offscreen: the browser's model answering a filter (count
             + first page) and the browser widget repainted after it, for a name
             wildcard, a date range, a modality and a combination; median of N runs.

Targets: window shown in under 2 s; a filter answers in under 100 ms.

Run by hand: ``.venv/bin/python benchmarks/startup.py [--studies 10000] [--runs 5]
[--filter-runs 20] [--platform offscreen|xvfb]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

from workstation.store.local_store import LocalStore  # noqa: E402
from workstation.store.records import record_from_dataset  # noqa: E402

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
FAMILY = ["Smith", "Meyer", "Nguyen", "Garcia", "Okafor", "Rossi", "Kowalski", "Tanaka", "Berg"]
GIVEN = ["Anna", "John", "Maria", "Peter", "Lena", "Omar", "Yuki", "Paul"]
MODALITIES = ["CT", "MR", "CR", "US", "DX"]
START_TIMEOUT_S = 120.0
TARGET_SHOWN_S = 2.0
TARGET_FILTER_MS = 100.0


# -- the store ----------------------------------------------------------------------------
def _dataset(
    n: int, study_uid: str, series_uid: str, modality: str, number: int, today: dt.date
) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = CT_IMAGE
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.PatientName = f"{FAMILY[n % len(FAMILY)]}{n // len(FAMILY)}^{GIVEN[n % len(GIVEN)]}"
    ds.PatientID = f"PID{n:06d}"
    ds.PatientBirthDate = f"19{40 + n % 60:02d}0101"
    ds.PatientSex = "FM"[n % 2]
    ds.StudyDate = (today - dt.timedelta(days=n % 730)).strftime("%Y%m%d")
    ds.StudyTime = f"{8 + n % 10:02d}{n % 60:02d}00"
    ds.AccessionNumber = f"ACC{n:07d}"
    ds.StudyDescription = f"{modality} routine"
    ds.Modality = modality
    ds.SeriesNumber = number
    ds.SeriesDescription = f"{modality} series {number}"
    ds.InstanceNumber = 1
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    return ds


def build_store(root: Path, studies: int, today: dt.date) -> int:
    """Files in the store's layout (written plainly: a benchmark store need not be durable)
    and their rows through the index's add path, in one transaction. Returns the files."""
    store = LocalStore(root, check_on_open=False)
    written = 0
    try:
        with store.index.transaction() as c:
            for n in range(studies):
                study_uid = generate_uid()
                modalities = [MODALITIES[n % 5]] + ([MODALITIES[(n + 2) % 5]] if n % 3 == 0 else [])
                for number, modality in enumerate(modalities, start=1):
                    ds = _dataset(n, study_uid, generate_uid(), modality, number, today)
                    buf = BytesIO()
                    ds.save_as(buf, enforce_file_format=True)
                    rec = record_from_dataset(ds, ExplicitVRLittleEndian)
                    path = root / rec.rel_path
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(buf.getvalue())
                    store.index.add(c, rec, rec.rel_path, len(buf.getvalue()), "benchmark")
                    written += 1
    finally:
        store.close()
    return written


# -- start-up ---------------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)


def time_start(config: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(window shown, node ready, process exit) in seconds from just before the start."""
    from workstation.app import EXIT_WHEN_SHOWN_ENV, READY_MARKER, SHOWN_MARKER

    env = dict(env)
    env[EXIT_WHEN_SHOWN_ENV] = "ready"
    t0 = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workstation", "--config", str(config)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=START_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        stop(proc)
        raise RuntimeError("the application did not show its window in time") from None
    t_exit = time.time() - t0
    marks = dict(line.split() for line in out.splitlines() if line.startswith(("main-", "node-")))
    if proc.returncode != 0 or SHOWN_MARKER not in marks:
        raise RuntimeError(f"exit {proc.returncode}: {out}\n{err}")
    return float(marks[SHOWN_MARKER]) - t0, float(marks[READY_MARKER]) - t0, t_exit


def time_bare_qt(env: dict[str, str]) -> float:
    code = "from PySide6.QtWidgets import QApplication; QApplication([])"
    t0 = time.time()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=START_TIMEOUT_S)
    return time.time() - t0


# -- filters -------------------------------------------------------------------------------------
def time_filters(root: Path, runs: int, today: dt.date) -> list[tuple[str, float, float, int]]:
    """(filter, model median ms, browser-with-repaint median ms, matches) per filter."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from workstation.dicom.query_form import DatePreset
    from workstation.store.browse import StudyFilter, preset_range
    from workstation.ui.browser.browser_widget import PatientBrowser
    from workstation.ui.browser.study_model import StudyTableModel

    app = QApplication.instance() or QApplication([])
    store = LocalStore(root, check_on_open=False)
    lo, hi = preset_range(DatePreset.LAST_30_DAYS, today)
    cases = [
        ("name wildcard 'smi*'", StudyFilter(patient_name="smi*")),
        ("name inner wildcard '*er1?^*'", StudyFilter(patient_name="*er1?^*")),
        ("date range: last 30 days", StudyFilter(date_from=lo, date_to=hi)),
        ("modality MR", StudyFilter(modality="MR")),
        (
            "name + date + modality",
            StudyFilter(patient_name="m*", date_from=lo, date_to=hi, modality="CT"),
        ),
        ("patient ID prefix", StudyFilter(patient_id="PID0042")),
    ]
    results = []
    try:
        model = StudyTableModel(store.index)
        browser = PatientBrowser(store)
        browser.resize(1400, 800)
        browser.show()
        app.processEvents()
        for label, flt in cases:
            model_ms, widget_ms = [], []
            for _ in range(runs):
                model.set_filter(StudyFilter())  # from "everything" to the filter each time
                t = time.perf_counter()
                model.set_filter(flt)
                model_ms.append((time.perf_counter() - t) * 1000)
                browser.set_filter(StudyFilter())
                app.processEvents()
                t = time.perf_counter()
                browser.set_filter(flt)
                browser.study_table.viewport().repaint()
                app.processEvents()
                widget_ms.append((time.perf_counter() - t) * 1000)
            results.append(
                (label, statistics.median(model_ms), statistics.median(widget_ms), model.total())
            )
        browser.shutdown()
        browser.close()
    finally:
        store.close()
    return results


# -- main ------------------------------------------------------------------------------------------
def start_xvfb() -> tuple[subprocess.Popen, str]:
    sys.path.insert(0, str(Path(__file__).parent))
    from screenshots import free_display
    from screenshots import start_xvfb as start

    display = free_display()
    return start(display), f":{display}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="start-ups timed")
    parser.add_argument("--filter-runs", type=int, default=20)
    parser.add_argument("--platform", choices=["offscreen", "xvfb"], default="offscreen")
    parser.add_argument("--keep", action="store_true", help="keep the generated store")
    args = parser.parse_args()

    today = dt.date.today()
    work = Path(tempfile.mkdtemp(prefix="ws-startup-"))
    xvfb = None
    try:
        root = work / "store"
        t = time.perf_counter()
        files = build_store(root, args.studies, today)
        print(
            f"store: {args.studies} studies, {files} files, built in {time.perf_counter() - t:.1f} s ({root})"
        )

        env = dict(os.environ)
        env.pop("WAYLAND_DISPLAY", None)
        if args.platform == "xvfb":
            xvfb, display = start_xvfb()
            env["DISPLAY"] = display
            env.pop("QT_QPA_PLATFORM", None)
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
        config = work / "settings.json"
        settings = {
            "ae_title": "BENCHGUI",
            "port": free_port(),
            "bind_address": "127.0.0.1",
            "data_dir": str(root),
            "min_free_space_mb": 0,
        }
        config.write_text(json.dumps(settings))

        bare = [time_bare_qt(env) for _ in range(3)]
        print(
            f"\nbaseline, bare Python + QApplication ({args.platform}): median {statistics.median(bare):.2f} s"
        )
        shown, ready, exits = [], [], []
        for n in range(args.runs):
            s, r, e = time_start(config, env)
            shown.append(s)
            ready.append(r)
            exits.append(e)
            print(
                f"  start {n + 1}: window shown {s:.2f} s, store checked + node listening {r:.2f} s, exited {e:.2f} s"
            )
        med = statistics.median(shown)
        print(
            f"start-up ({args.platform}, {args.studies} studies): window shown median {med:.2f} s "
            f"(min {min(shown):.2f}, max {max(shown):.2f}; target < {TARGET_SHOWN_S:.0f} s: "
            f"{'met' if med < TARGET_SHOWN_S else 'MISSED'}), node listening median "
            f"{statistics.median(ready):.2f} s, ratio to bare Qt {med / statistics.median(bare):.1f}x"
        )

        print(f"\nbrowser filters over {args.studies} studies, median of {args.filter_runs}:")
        print(f"  {'filter':34} {'matches':>8} {'model ms':>9} {'+repaint ms':>12}")
        worst = 0.0
        for label, model_ms, widget_ms, total in time_filters(root, args.filter_runs, today):
            worst = max(worst, widget_ms)
            print(f"  {label:34} {total:8d} {model_ms:9.1f} {widget_ms:12.1f}")
        print(
            f"slowest filter with repaint: {worst:.1f} ms (target < {TARGET_FILTER_MS:.0f} ms: "
            f"{'met' if worst < TARGET_FILTER_MS else 'MISSED'})"
        )
    finally:
        if xvfb is not None:
            stop(xvfb)
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
