"""C-STORE send throughput: our Storage SCU against DCMTK ``storescu``, both to ``storescp``.

The ingest set of ``benchmarks/ingest.py`` (set A: N copies of pydicom's CT_small.dcm
with new UIDs, 100 to a study) is generated once and imported into a local store. Then,
best of --repeat rounds, each sender sends every instance over one association to a
freshly started DCMTK ``storescp -od DIR`` (TCP_NODELAY=1, loopback), and the receiver
must hold all instances afterwards:

  ours (job)   the "send" job's service in this process (``run_send``): UIDs resolved
               through the index, every answer recorded in the send state
  ours (CLI)   ``workstation send --data-dir ... --to ...`` as a subprocess, start-up included
  storescu     DCMTK ``storescu +sd`` on the generated files (the same bytes the store holds)

The senders alternate within each round so that a busy moment of the machine does not
fall on one of them only. Run by hand:
``.venv/bin/python benchmarks/send.py [--count 2000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import benchlib as bl

from workstation.config import Settings
from workstation.config.settings import make_node
from workstation.services.send_job import run_send
from workstation.store import LocalStore, import_paths

RECEIVER_AET = "STORESCP"
SENDER_AET = "BENCHSCU"
SEND_TIMEOUT_S = 1800.0
DCMTK_DEFAULT_PDU = 16384


class StoreScp(bl.ServerProcess):
    key = "storescp"
    aet = RECEIVER_AET
    start_timeout_s = 30.0

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True)
        super().__init__(root / "storescp.log")
        self.out = root / "out"
        self.out.mkdir()

    def argv(self) -> list[str]:
        return ["storescp", "-aet", self.aet, "-od", str(self.out), str(self.port)]

    def count(self) -> int:
        return bl.count_files(self.out)


@dataclass
class Result:
    name: str
    seconds: list[float]

    @property
    def best(self) -> float:
        return min(self.seconds)


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("workstation")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workstation"]


def ours_job(
    settings: Settings, store: LocalStore, studies: list[str]
) -> Callable[[StoreScp], None]:
    def send(rx: StoreScp) -> None:
        node = make_node(name="bench", ae_title=rx.aet, host=bl.LOOPBACK, port=rx.port)
        outcome = run_send(settings, store, node, studies, uuid.uuid4().hex)
        if outcome.failed or len(outcome.records) != outcome.total:
            raise RuntimeError(f"ours: {outcome.summary()}")

    return send


def ours_cli(work: Path, data_dir: Path, studies: list[str]) -> Callable[[StoreScp], None]:
    def send(rx: StoreScp) -> None:
        argv = [*cli_command(), "--config", str(work / "settings-absent.json"), "send",
                "--data-dir", str(data_dir), "--aet", SENDER_AET,
                "--to", f"{rx.aet}@{bl.LOOPBACK}:{rx.port}", *studies]  # fmt: skip
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=SEND_TIMEOUT_S)
        if proc.returncode != 0:
            raise RuntimeError(f"workstation send exited {proc.returncode}: {proc.stderr[-2000:]}")

    return send


def storescu(folder: Path) -> Callable[[StoreScp], None]:
    def send(rx: StoreScp) -> None:
        argv = ["storescu", "-aet", SENDER_AET, "-aec", rx.aet, "+sd", bl.LOOPBACK, str(rx.port),
                str(folder)]  # fmt: skip
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=SEND_TIMEOUT_S,
                              env=bl.env_with(bl.DCMTK_ENV))  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"storescu exited {proc.returncode}: {proc.stderr[-2000:]}")

    return send


def run_once(
    work: Path, name: str, send: Callable[[StoreScp], None], count: int, keep: bool
) -> float:
    """A fresh storescp, one timed send, the count checked, storescp stopped."""
    rx = StoreScp(work / f"rx-{uuid.uuid4().hex[:8]}")
    try:
        rx.start()
        bl.sync_disks()
        seconds, _ = bl.timed(lambda: send(rx))
        received = rx.count()
        if received != count:
            raise RuntimeError(f"{name}: storescp holds {received} instances, {count} sent")
    except Exception:
        print(f"{name}: storescp log:\n{rx.log_tail()}", file=sys.stderr)
        raise
    finally:
        rx.stop()
    if not keep:
        shutil.rmtree(rx.log.parent, ignore_errors=True)
    return seconds


def report(results: list[Result], count: int, total_bytes: int, repeat: int) -> str:
    lines = [
        f"send benchmark: {count} x CT_small copies ({total_bytes / bl.MB:.1f} MB, "
        f"{total_bytes / count / 1000:.1f} kB each) to DCMTK storescp over one association, "
        f"loopback, best of {repeat}",
        f"machine: {bl.machine_line()}",
        f"peers: {bl.tool_version(['storescp', '--version']).strip('$ ')}, TCP_NODELAY=1; "
        f"receiver max PDU {DCMTK_DEFAULT_PDU} (storescp default)",
        "page cache: warm; `sync` before every run, untimed; a fresh storescp for every run",
        "",
    ]
    rows = [
        [r.name, f"{r.best:.3f}", f"{count / r.best:.0f}", f"{total_bytes / bl.MB / r.best:.1f}",
         " ".join(f"{s:.2f}" for s in r.seconds)]
        for r in results
    ]  # fmt: skip
    lines.append(bl.table(["sender", "seconds", "inst/s", "MB/s", "all runs (s)"], rows))
    by_name = {r.name: r for r in results}
    theirs = by_name.get("storescu")
    if theirs is not None:
        lines += ["", "ratios (throughput, ours / storescu; target >= 0.5x):"]
        for r in results:
            if r is not theirs:
                lines.append(f"  {r.name}: {bl.ratio(theirs.best, r.best)}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time our C-STORE SCU against storescu, to storescp.")
    p.add_argument("--count", type=int, default=2000, help="CT_small copies (default 2000)")
    p.add_argument("--per-study", type=int, default=100, help="instances per study (default 100)")
    p.add_argument("--repeat", type=int, default=3, help="rounds; the best run is reported")
    p.add_argument("--no-cli", action="store_true", help="leave out the CLI subprocess row")
    p.add_argument("--keep", action="store_true", help="keep the working folder")
    args = p.parse_args(argv)
    if args.count < 1 or args.per_study < 1 or args.repeat < 1:
        p.error("--count, --per-study and --repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with bl.work_dir("ws-bench-send-", keep=args.keep) as work:
        folder = work / "set-A"
        print(f"generating {args.count} files in {folder} ...", file=sys.stderr)
        total_bytes = bl.write_copies(bl.ct_small(), folder, args.count, args.per_study)
        data_dir = work / "store"
        settings = Settings(ae_title=SENDER_AET, data_dir=data_dir, min_free_space_mb=0)
        with LocalStore(data_dir, min_free_space_mb=0) as store:
            imported = import_paths(store, [folder])
            if len(imported.imported) != args.count:
                raise RuntimeError(f"import: {imported.summary()}")
            with store.index.reader() as c:
                studies = [
                    r[0] for r in c.execute("SELECT study_uid FROM study ORDER BY study_uid")
                ]
            bl.warm_cache(folder)
            bl.warm_cache(data_dir)
            senders: list[tuple[str, Callable[[StoreScp], None]]] = [
                ("ours (job)", ours_job(settings, store, studies)),
                ("storescu", storescu(folder)),
            ]
            if not args.no_cli:
                senders.insert(1, ("ours (CLI)", ours_cli(work, data_dir, studies)))
            results = {name: Result(name, []) for name, _ in senders}
            for k in range(args.repeat):
                for name, send in senders:
                    seconds = run_once(work, name, send, args.count, args.keep)
                    results[name].seconds.append(seconds)
                    print(f"  round {k + 1}/{args.repeat} {name}: {seconds:.3f} s", file=sys.stderr)
        print(report(list(results.values()), args.count, total_bytes, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
