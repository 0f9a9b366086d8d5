"""Import throughput: our importer against ``cp -r`` (and ``cp -r`` + ``sync``).

Generates N small CT files (copies of pydicom's CT_small.dcm with new UIDs) once, then
times, best of --repeat runs, each into a fresh destination:

  (a) ``workstation.store.import_paths`` in this process, into a fresh LocalStore
  (b) the ``workstation import`` CLI as a subprocess (start-up included)
  (c) ``cp -r`` of the same folder: the physical floor, nothing made durable
  (d) ``cp -r`` then ``sync``: a floor that is durable at the end, like our store

Run by hand: ``.venv/bin/python benchmarks/import.py [--count 2000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import benchlib as bl

from workstation.store import LocalStore, import_paths


@dataclass
class Result:
    name: str
    seconds: float
    durable: str


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Time our importer (in-process and CLI) against cp -r and cp -r + sync."
    )
    p.add_argument("--count", type=int, default=2000, help="files to import (default 2000)")
    p.add_argument("--per-study", type=int, default=100, help="instances per study (default 100)")
    p.add_argument("--repeat", type=int, default=1, help="runs per method; best is reported")
    p.add_argument("--keep", action="store_true", help="keep the working folder")
    args = p.parse_args(argv)
    if args.count < 1 or args.per_study < 1 or args.repeat < 1:
        p.error("--count, --per-study and --repeat must be at least 1")
    return args


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("workstation")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workstation"]


# -- the four methods: each copies ``src`` into the not yet existing ``dest`` -----------
def ours_in_process(src: Path, dest: Path, count: int) -> float:
    store = LocalStore(dest, min_free_space_mb=0)
    try:
        seconds, report = bl.timed(lambda: import_paths(store, [src]))
        stored = store.index.count("instance")
    finally:
        store.close()
    expect(
        len(report.imported) == count and stored == count,
        f"in-process import: {len(report.imported)} imported, {stored} indexed, {count} expected",
    )
    return seconds


def ours_cli(src: Path, dest: Path, count: int, config: Path) -> float:
    argv = [
        *cli_command(),
        "--config",
        str(config),
        "import",
        "--data-dir",
        str(dest),
        "--min-free-mb",
        "0",
        str(src),
    ]
    seconds, proc = bl.timed(
        lambda: subprocess.run(argv, capture_output=True, text=True, timeout=3600)
    )
    match = re.search(r"^imported: (\d+)$", proc.stdout, re.MULTILINE)
    imported = int(match.group(1)) if match else -1
    expect(
        proc.returncode == 0 and imported == count,
        f"workstation import: exit {proc.returncode}, {imported} imported, {count} expected\n"
        f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}",
    )
    return seconds


def copy_tree(src: Path, dest: Path, count: int, then_sync: bool) -> float:
    def run() -> None:
        subprocess.run(["cp", "-r", str(src), str(dest)], check=True, timeout=3600)
        if then_sync:
            subprocess.run(["sync"], check=True, timeout=3600)

    seconds, _ = bl.timed(run)
    copied = bl.count_files(dest)
    expect(copied == count, f"cp: {copied} files copied, {count} expected")
    return seconds


def expect(ok: bool, message: str) -> None:
    if not ok:
        raise RuntimeError(message)


def best_of(repeat: int, work: Path, tag: str, method: Callable[[Path], float]) -> float:
    """Best time of ``repeat`` runs, each into a fresh folder with no dirty pages pending."""
    times = []
    for k in range(repeat):
        dest = work / f"{tag}-{k}"
        bl.sync_disks()
        seconds = method(dest)
        print(f"  {tag} run {k + 1}/{repeat}: {seconds:.3f} s", file=sys.stderr)
        times.append(seconds)
        shutil.rmtree(dest, ignore_errors=True)
    return min(times)


def warm_up_cli(src: Path, work: Path, config: Path) -> None:
    """One untimed CLI import of a single file, so timed runs see warm .pyc files too."""
    one = work / "warm-src"
    one.mkdir()
    first = min(src.iterdir())
    (one / first.name).write_bytes(first.read_bytes())
    ours_cli(one, work / "warm-store", 1, config)


# -- report ----------------------------------------------------------------------------
def report(results: list[Result], count: int, total_bytes: int, per_study: int, repeat: int) -> str:
    rows = [
        [
            r.name,
            f"{r.seconds:.3f}",
            f"{count / r.seconds:.0f}",
            f"{total_bytes / bl.MB / r.seconds:.1f}",
            r.durable,
        ]
        for r in results
    ]
    by_name = {r.name: r for r in results}
    lines = [
        f"import benchmark: {count} files, {total_bytes / bl.MB:.1f} MB "
        f"({total_bytes / count / 1000:.1f} kB each, {bl.studies_for(count, per_study)} studies "
        f"x {per_study}), best of {repeat}",
        f"machine: {bl.machine_line()}",
        "page cache: warm (the source was read once before timing; dropping the cache needs "
        "root and is not done); `sync` before every run, untimed",
        "",
        bl.table(["method", "seconds", "files/s", "MB/s", "durable"], rows),
        "",
        "ratios (throughput, ours / floor):",
    ]
    for ours in (IN_PROCESS, CLI):
        for floor in (CP, CP_SYNC):
            a, b = by_name[ours], by_name[floor]
            lines.append(
                f"  {ours} / {floor}: {bl.ratio(b.seconds, a.seconds)} "
                f"(takes {bl.ratio(a.seconds, b.seconds)} as long)"
            )
    cli_extra = by_name[CLI].seconds - by_name[IN_PROCESS].seconds
    lines.append(f"  CLI start-up and overhead: {cli_extra:+.3f} s over in-process")
    return "\n".join(lines)


IN_PROCESS = "ours: import_paths (in-process)"
CLI = "ours: workstation import (CLI)"
CP = "cp -r"
CP_SYNC = "cp -r + sync"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with bl.work_dir("ws-bench-import-", keep=args.keep) as work:
        src = work / "src"
        print(f"generating {args.count} files in {src} ...", file=sys.stderr)
        total_bytes = bl.write_copies(bl.ct_small(), src, args.count, args.per_study)
        bl.warm_cache(src)
        config = work / "settings-absent.json"  # defaults, never the user's saved settings
        warm_up_cli(src, work, config)
        n = args.count
        methods: list[tuple[str, str, str, Callable[[Path], float]]] = [
            (IN_PROCESS, "in-process", "yes, fsync per file", lambda d: ours_in_process(src, d, n)),
            (CLI, "cli", "yes, fsync per file", lambda d: ours_cli(src, d, n, config)),
            (CP, "cp", "no", lambda d: copy_tree(src, d, n, then_sync=False)),
            (CP_SYNC, "cp-sync", "yes, at the end", lambda d: copy_tree(src, d, n, then_sync=True)),
        ]
        results = []
        for name, tag, durable, method in methods:
            print(f"timing {name} ...", file=sys.stderr)
            results.append(Result(name, best_of(args.repeat, work, tag, method), durable))
        print(report(results, n, total_bytes, args.per_study, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
