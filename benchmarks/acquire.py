"""The examination's per-file cost: ``workstation acquire`` against plain ``workstation import``.

Generates N small CT files (copies of pydicom's CT_small.dcm with new UIDs, one series)
once, then times, best of --repeat runs, each into a fresh store:

  (a) ``import_paths`` in this process                      (store only)
  (b) ``ExamService.add_files`` in this process             (re-stamp + store + step rows)
  (c) ``workstation import`` (CLI, start-up included)
  (d) ``workstation acquire --unscheduled`` without MPPS    (CLI: register, add, complete)
  (e) ``workstation acquire`` with the strict MPPS SCP of ``tests/peers`` (N-CREATE and
      the final N-SET listing the N instances; the SCP runs in this process)

and prints the per-file cost of each and the ratios acquire / import.

Run by hand: ``.venv/bin/python benchmarks/acquire.py [--count 100] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import benchlib as bl

from workstation.dicom.registration import ManualForm, manual
from workstation.services.exam import ExamService, FileOutcome
from workstation.store import LocalStore, import_paths

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Per-file cost of acquire against import.")
    p.add_argument("--count", type=int, default=100, help="files per run (default 100)")
    p.add_argument("--repeat", type=int, default=3, help="runs per method; best is reported")
    p.add_argument("--keep", action="store_true", help="keep the working folder")
    args = p.parse_args(argv)
    if args.count < 1 or args.repeat < 1:
        p.error("--count and --repeat must be at least 1")
    return args


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("workstation")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workstation"]


def expect(ok: bool, message: str) -> None:
    if not ok:
        raise RuntimeError(message)


def form() -> ManualForm:
    return ManualForm(patient_name="Bench^Betty", patient_id="BENCH-1", modality="CT")


# -- the methods: each stores ``src`` into the not yet existing ``dest`` ----------------
def import_in_process(src: Path, dest: Path, count: int) -> float:
    store = LocalStore(dest, min_free_space_mb=0)
    try:
        seconds, report = bl.timed(lambda: import_paths(store, [src]))
    finally:
        store.close()
    expect(len(report.imported) == count, f"import: {len(report.imported)} of {count}")
    return seconds


def exam_in_process(src: Path, dest: Path, count: int, settings: object) -> float:
    store = LocalStore(dest, min_free_space_mb=0)
    try:
        exam = ExamService(store, lambda *a: 0, lambda: settings)  # no MPPS node: no jobs
        step = exam.open_step(manual(form(), today=date.today()))
        seconds, results = bl.timed(lambda: exam.add_files(step, [src]))
        exam.complete(step)
    finally:
        store.close()
    stored = sum(1 for r in results if r.outcome is FileOutcome.STORED)
    expect(stored == count, f"exam: {stored} of {count} stored")
    return seconds


def run_cli(argv: list[str], what: str) -> float:
    seconds, proc = bl.timed(
        lambda: subprocess.run(argv, capture_output=True, text=True, timeout=3600)
    )
    expect(proc.returncode == 0, f"{what}: exit {proc.returncode}\n{proc.stdout[-2000:]}"
           f"{proc.stderr[-2000:]}")  # fmt: skip
    return seconds


def import_cli(src: Path, dest: Path, config: Path) -> float:
    return run_cli([*cli_command(), "--config", str(config), "import", "--data-dir", str(dest),
                    "--min-free-mb", "0", str(src)], "workstation import")  # fmt: skip


def acquire_cli(src: Path, dest: Path, config: Path, mpps: str | None = None) -> float:
    f = form()
    argv = [*cli_command(), "--config", str(config), "acquire", "--data-dir", str(dest),
            "--min-free-mb", "0", "--port", str(bl.free_port()), "--bind", "127.0.0.1",
            "--unscheduled", "--patient-name", f.patient_name, "--patient-id", f.patient_id,
            "--modality", f.modality, "--wait", "300"]  # fmt: skip
    if mpps:
        argv += ["--mpps", mpps]
    return run_cli([*argv, str(src)], "workstation acquire")


def best_of(repeat: int, work: Path, tag: str, method: Callable[[Path], float]) -> float:
    times = []
    for k in range(repeat):
        dest = work / f"{tag}-{k}"
        bl.sync_disks()
        seconds = method(dest)
        print(f"  {tag} run {k + 1}/{repeat}: {seconds:.3f} s", file=sys.stderr)
        times.append(seconds)
        shutil.rmtree(dest, ignore_errors=True)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    from workstation.config.settings import Settings

    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.peers.mpps_scp import StrictMppsScp

    scp = StrictMppsScp(bl.free_port())
    scp.start()
    try:
        with bl.work_dir("ws-bench-acquire-", keep=args.keep) as work:
            src = work / "src"
            print(f"generating {args.count} files in {src} ...", file=sys.stderr)
            total_bytes = bl.write_copies(bl.ct_small(), src, args.count, args.count)
            bl.warm_cache(src)
            config = work / "settings-absent.json"
            settings = Settings(data_dir=work / "unused", min_free_space_mb=0, mpps_enabled=False)
            n = args.count
            mpps = f"{scp.ae_title}@127.0.0.1:{scp.port}"
            import_cli(src, work / "warm-import", config)  # warm .pyc files, untimed
            acquire_cli(src, work / "warm-acquire", config)
            methods: list[tuple[str, str, Callable[[Path], float]]] = [
                ("import_paths (in-process)", "imp", lambda d: import_in_process(src, d, n)),
                ("ExamService.add_files (in-process)", "exam",
                 lambda d: exam_in_process(src, d, n, settings)),
                ("workstation import (CLI)", "imp-cli", lambda d: import_cli(src, d, config)),
                ("workstation acquire, no MPPS (CLI)", "acq-cli",
                 lambda d: acquire_cli(src, d, config)),
                ("workstation acquire, with MPPS (CLI)", "acq-mpps",
                 lambda d: acquire_cli(src, d, config, mpps)),
            ]  # fmt: skip
            results = []
            for name, tag, method in methods:
                print(f"timing {name} ...", file=sys.stderr)
                results.append((name, best_of(args.repeat, work, tag, method)))
    finally:
        scp.stop()
    rows = [[name, f"{s:.3f}", f"{s / n * 1000:.2f}"] for name, s in results]
    t = dict(results)
    print(f"acquire benchmark: {n} files, {total_bytes / bl.MB:.1f} MB, best of {args.repeat}")
    print(f"machine: {bl.machine_line()}")
    print()
    print(bl.table(["method", "seconds", "ms/file"], rows))
    print()
    print("ratios (time, acquire / import):")
    print(f"  in-process: {bl.ratio(t['ExamService.add_files (in-process)'], t['import_paths (in-process)'])}")
    print(f"  CLI, no MPPS: {bl.ratio(t['workstation acquire, no MPPS (CLI)'], t['workstation import (CLI)'])}")
    print(f"  CLI, with MPPS: {bl.ratio(t['workstation acquire, with MPPS (CLI)'], t['workstation import (CLI)'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
