"""2D viewer speed and memory over a 300-slice 512 x 512 CT series.

Builds (in a child process, so the build does not count in the peak memory) a series from
``CT_small.dcm``: its 128 x 128 pixels upsampled 4x to 512 x 512, new UIDs, Image Position
(Patient) stepping 1 mm along z, Instance Number 1..N. Then, in this process with the Qt
platform given (offscreen by default, or xvfb when Xvfb runs / ``xvfb-run`` is used):

  first image   ViewerTab created from the store index (as the app opens a series: no header
                read up front), first slice decoded and
                rendered) and shown, events processed: seconds from the start
  scroll        frames per second through the whole stack (set_index + processEvents),
                first pass (decoded from disk, prefetcher ahead) and second (cached)
  window/level  window changes per second on one slice (render + setImage + events)
  memory        peak RSS growth (VmHWM after - VmRSS before opening) vs the raw pixel
                size N x 512 x 512 x 2 bytes

Targets: first image < 0.3 s, scroll and window/level >= 60/s, memory < 1.5 x raw.

Run by hand: ``.venv/bin/python benchmarks/viewer.py [--slices 300] [--platform offscreen]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIZE = 512


def build(folder: Path, slices: int) -> None:
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    small = ds.pixel_array
    big = np.kron(small, np.ones((SIZE // small.shape[0], SIZE // small.shape[1]), small.dtype))
    ds.Rows = ds.Columns = SIZE
    ds.PixelData = big.astype(small.dtype).tobytes()
    ds.PixelSpacing = [float(v) * 128 / SIZE for v in ds.PixelSpacing]
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.SeriesDescription = "Viewer benchmark"
    folder.mkdir(parents=True, exist_ok=True)
    order = np.random.default_rng(1).permutation(slices)  # files not in slice order
    for n in order:
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = int(n) + 1
        ds.ImagePositionPatient = [0.0, 0.0, float(n)]
        ds.SliceLocation = float(n)
        ds.save_as(folder / f"{ds.SOPInstanceUID}.dcm", enforce_file_format=True)


def proc_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(folder: Path, slices: int) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from workstation.store import LocalStore, import_paths
    from workstation.store.series_info import indexed_images
    from workstation.ui.viewer.viewer_tab import ViewerTab

    app = QApplication.instance() or QApplication([])
    paths = sorted(folder.glob("*.dcm"))
    # the app opens a series from the store's index: import it first (untimed)
    store = LocalStore(folder.parent / "store", min_free_space_mb=0)
    import_paths(store, [folder])
    with store.index.reader() as c:
        series_uid = c.execute("SELECT series_uid FROM series").fetchone()[0]
    results: dict[str, float] = {}
    rss_before = proc_kb("VmRSS")
    t0 = time.perf_counter()
    tab = ViewerTab([], "CT", indexed=indexed_images(store, series_uid))
    tab.resize(900, 900)
    tab.show()
    app.processEvents()
    first = time.perf_counter() - t0
    vp = tab.viewports[0]
    assert vp.count() == slices
    try:
        results["first image s"] = first
        for label in ("scroll cold /s", "scroll warm /s"):
            vp.set_index(0)
            app.processEvents()
            t = time.perf_counter()
            for i in range(1, slices):
                vp.set_index(i)
                app.processEvents()
            results[label] = (slices - 1) / (time.perf_counter() - t)
        vp.set_index(slices // 2)
        c, w = vp.window_center_width()
        steps = 300
        t = time.perf_counter()
        for k in range(steps):
            vp.set_window(c + (k % 50), w + (k % 70))
            app.processEvents()
        results["window/level /s"] = steps / (time.perf_counter() - t)
        raw = slices * SIZE * SIZE * 2
        grown = (proc_kb("VmHWM") - rss_before) * 1024
        results["peak RSS growth MB"] = grown / 1e6
        results["raw series MB"] = raw / 1e6
        results["memory / raw"] = grown / raw
    finally:
        tab.shutdown()
        tab.deleteLater()
        app.processEvents()
        store.close()
    # for comparison, afterwards: ordering by reading every header (a folder without index)
    t0 = time.perf_counter()
    by_headers = ViewerTab(paths, "CT")
    by_headers.resize(900, 900)
    by_headers.show()
    app.processEvents()
    results["first image, all headers s"] = time.perf_counter() - t0
    by_headers.shutdown()
    by_headers.deleteLater()
    app.processEvents()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=300)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.build, args.slices)
        return
    os.environ["QT_QPA_PLATFORM"] = args.platform
    with tempfile.TemporaryDirectory(prefix="viewer-bench-") as tmp:
        folder = Path(tmp) / "series"
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--build", str(folder), "--slices", str(args.slices)],
            check=True,
        )
        print(f"built {args.slices} slices of {SIZE}x{SIZE} in {time.perf_counter() - t:.1f} s")
        results = measure(folder, args.slices)
    targets = {
        "first image s": ("<", 0.3),
        "scroll cold /s": (">=", 60),
        "scroll warm /s": (">=", 60),
        "window/level /s": (">=", 60),
        "memory / raw": ("<", 1.5),
    }
    print(f"platform: {args.platform}")
    for name, value in results.items():
        target = targets.get(name)
        mark = ""
        if target:
            op, limit = target
            ok = value < limit if op == "<" else value >= limit
            mark = f"  (target {op} {limit:g}: {'ok' if ok else 'MISSED'})"
        print(f"{name:>22}: {value:10.3f}{mark}")


if __name__ == "__main__":
    main()
