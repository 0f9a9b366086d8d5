"""C-STORE ingest throughput: our node against DCMTK storescp and Orthanc.

Two data sets, generated once: (A) N small CT images (copies of pydicom's CT_small.dcm,
about 39 kB), (B) M images of 512 x 512 16-bit MONOCHROME2 (about 0.5 MB). Each set is
sent by DCMTK ``storescu +sd`` over one association to a freshly started receiver:

  ours      ``workstation serve`` (fsync per file before the C-STORE response)
  storescp  DCMTK ``storescp -od DIR`` (no fsync)
  orthanc   Orthanc with a generated configuration (SyncStorageArea: fsync per file)

Only the storescu run is timed (its start-up and header scan included, the same for
every receiver); afterwards every receiver must hold all instances. All peers run with
TCP_NODELAY=1 (DESIGN.md section 8) and only loopback is ever addressed.

Run by hand: ``.venv/bin/python benchmarks/ingest.py [--small 2000] [--large 200]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import benchlib as bl

from workstation.config import Settings
from workstation.store import LocalStore

DCMTK_DEFAULT_PDU = 16384  # storescp --help: "default: 16384"
ORTHANC_DEFAULT_PDU = 16384  # Orthanc 1.10 MaximumPduLength default
START_TIMEOUT_S = 30.0
SEND_TIMEOUT_S = 1800.0


# -- receivers -------------------------------------------------------------------------
class Receiver(bl.ServerProcess):
    """A storage SCP started fresh in ``root``; subclasses say how to start and count."""

    durable = ""
    start_timeout_s = START_TIMEOUT_S
    log_tail_chars = 2000

    def __init__(self, root: Path, max_pdu: int | None, config: Path) -> None:
        super().__init__(root / "receiver.log")
        self.root = root
        self.max_pdu = max_pdu
        self.settings_file = config

    def prepare(self) -> None:
        """Create what the receiver needs in ``root`` before it starts."""

    def count(self) -> int:
        raise NotImplementedError

    def pdu(self) -> int:
        raise NotImplementedError

    def start(self) -> None:
        self.root.mkdir(parents=True)
        self.prepare()
        super().start()


class OurNode(Receiver):
    key = "ours"
    aet = "BENCHWS"
    durable = "yes, fsync per file"

    def argv(self) -> list[str]:
        extra = ["--max-pdu", str(self.max_pdu)] if self.max_pdu is not None else []
        return bl.serve_argv(self.settings_file, self.data_dir, self.aet, self.port, *extra)

    @property
    def data_dir(self) -> Path:
        return self.root / "store"

    def ready(self) -> bool:
        return self.log.exists() and "listening as" in self.log.read_text(errors="replace")

    def count(self) -> int:
        files = bl.count_files(self.data_dir, "*.dcm")
        store = LocalStore(self.data_dir, min_free_space_mb=0, check_on_open=False)
        try:
            indexed = store.index.count("instance")
        finally:
            store.close()
        if files != indexed:
            raise RuntimeError(f"ours: {files} .dcm files but {indexed} index rows")
        return indexed

    def pdu(self) -> int:
        return (
            self.max_pdu if self.max_pdu is not None else Settings().network.max_pdu
        )


class StoreScp(Receiver):
    key = "storescp"
    aet = "STORESCP"
    durable = "no"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    def prepare(self) -> None:
        self.out_dir.mkdir()

    def argv(self) -> list[str]:
        cmd = ["storescp", "-aet", self.aet, "-od", str(self.out_dir)]
        if self.max_pdu is not None:
            cmd += ["--max-pdu", str(self.max_pdu)]
        return [*cmd, str(self.port)]

    def count(self) -> int:
        return bl.count_files(self.out_dir)

    def pdu(self) -> int:
        return self.max_pdu if self.max_pdu is not None else DCMTK_DEFAULT_PDU


class OrthancServer(bl.OrthancProcess, Receiver):
    aet = "ORTHANCBENCH"
    durable = "yes, fsync per file"

    def __init__(self, root: Path, max_pdu: int | None, config: Path) -> None:
        super().__init__(root, max_pdu, config)
        self.setup_orthanc(root)

    def config(self) -> dict:
        cfg = super().config()
        cfg["Name"] = "ws-bench"
        cfg["SyncStorageArea"] = True  # the 1.10 default, stated: durable like ours
        if self.max_pdu is not None:
            cfg["MaximumPduLength"] = self.max_pdu
        return cfg

    def prepare(self) -> None:
        self.write_config()

    def count(self) -> int:
        n = super().count()
        if n < 0:
            raise RuntimeError("orthanc: /statistics did not answer")
        return n

    def pdu(self) -> int:
        return self.max_pdu if self.max_pdu is not None else ORTHANC_DEFAULT_PDU


RECEIVERS: dict[str, type[Receiver]] = {cls.key: cls for cls in (OurNode, StoreScp, OrthancServer)}


# -- one timed send ----------------------------------------------------------------------
@dataclass
class DataSet:
    key: str
    label: str
    folder: Path
    count: int
    total_bytes: int


@dataclass
class Result:
    receiver: Receiver
    data: DataSet
    seconds: float


def send(folder: Path, aet: str, port: int) -> subprocess.CompletedProcess:
    argv = ["storescu", "-aet", "BENCHSCU", "-aec", aet, "+sd", bl.LOOPBACK, str(port), str(folder)]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=SEND_TIMEOUT_S, env=bl.env_with(bl.DCMTK_ENV)
    )


def run_once(rx: Receiver, data: DataSet, notes: list[str]) -> float:
    """Start ``rx``, time one storescu run of ``data``, check the count, stop ``rx``."""
    try:
        rx.start()
        bl.sync_disks()
        seconds, proc = bl.timed(lambda: send(data.folder, rx.aet, rx.port))
        if proc.returncode != 0:
            raise RuntimeError(
                f"storescu to {rx.key} exited {proc.returncode}:\n"
                f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
            )
        stored = rx.count()
        if stored != data.count:
            raise RuntimeError(f"{rx.key} holds {stored} instances, {data.count} sent")
    except Exception:
        print(f"{rx.key} log:\n{rx.log_tail()}", file=sys.stderr)
        raise
    finally:
        code = rx.stop()
    if rx.key == OurNode.key and code != 0:
        notes.append(f"workstation serve exited {code} after SIGTERM (expected 0)")
    return seconds


def best_of(
    args: argparse.Namespace, work: Path, key: str, data: DataSet, notes: list[str]
) -> Result:
    """Best of ``args.repeat`` runs, each with a fresh receiver (its folder removed
    afterwards unless ``args.keep``)."""
    config = work / "settings-absent.json"  # defaults, never the user's saved settings
    best: Result | None = None
    for k in range(args.repeat):
        rx = RECEIVERS[key](work / f"{key}-{data.key}-{k}", args.max_pdu, config)
        seconds = run_once(rx, data, notes)
        print(f"  {key} set {data.key} run {k + 1}/{args.repeat}: {seconds:.3f} s", file=sys.stderr)
        if best is None or seconds < best.seconds:
            best = Result(rx, data, seconds)
        if not args.keep:
            shutil.rmtree(rx.root, ignore_errors=True)
    assert best is not None
    return best


# -- data and report ------------------------------------------------------------------
def make_sets(work: Path, small: int, large: int, per_study: int) -> list[DataSet]:
    sets = []
    for key, label, count, template in (
        ("A", "CT_small copies", small, bl.ct_small()),
        ("B", "512x512 16-bit", large, bl.enlarge(bl.ct_small())),
    ):
        if count == 0:
            continue
        folder = work / f"set-{key}"
        print(f"generating set {key}: {count} files in {folder} ...", file=sys.stderr)
        total = bl.write_copies(template, folder, count, per_study)
        bl.warm_cache(folder)
        sets.append(DataSet(key, label, folder, count, total))
    return sets


def report(results: list[Result], sets: list[DataSet], repeat: int, notes: list[str]) -> str:
    lines = [
        f"ingest benchmark: storescu +sd over one association, loopback, best of {repeat}",
        f"machine: {bl.machine_line()}",
        f"peers: {bl.tool_version(['storescp', '--version']).strip('$ ')}, "
        f"{bl.tool_version([bl.ORTHANC, '--version'])}, all with TCP_NODELAY=1",
        "page cache: warm (each set was read once before timing); `sync` before every run, "
        "untimed; a fresh receiver for every run",
    ]
    for d in sets:
        lines.append(
            f"set {d.key}: {d.count} x {d.label}, {d.total_bytes / bl.MB:.1f} MB "
            f"({d.total_bytes / d.count / 1000:.1f} kB each)"
        )
    rows = [
        [
            r.receiver.key,
            r.data.key,
            str(r.data.count),
            f"{r.seconds:.3f}",
            f"{r.data.count / r.seconds:.0f}",
            f"{r.data.total_bytes / bl.MB / r.seconds:.1f}",
            str(r.receiver.pdu()),
            r.receiver.durable,
        ]
        for r in results
    ]
    headers = [
        "receiver",
        "set",
        "instances",
        "seconds",
        "inst/s",
        "MB/s",
        "max PDU",
        "durable ack",
    ]
    lines += ["", bl.table(headers, rows), "", "ratios (throughput, ours / other):"]
    lines += ratio_lines(results, sets)
    if notes:
        lines += ["", "notes:", *(f"  {n}" for n in notes)]
    return "\n".join(lines)


def ratio_lines(results: list[Result], sets: list[DataSet]) -> list[str]:
    seconds = {(r.receiver.key, r.data.key): r.seconds for r in results}
    lines = []
    for d in sets:
        ours = seconds.get((OurNode.key, d.key))
        for other in (StoreScp.key, OrthancServer.key):
            theirs = seconds.get((other, d.key))
            if ours is not None and theirs is not None:
                lines.append(f"  set {d.key}: ours / {other}: {bl.ratio(theirs, ours)}")
    return lines or ["  (needs ours and another receiver)"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Time C-STORE ingest (storescu, one association) into our node, "
        "DCMTK storescp and Orthanc."
    )
    p.add_argument(
        "--small",
        type=int,
        default=2000,
        help="set A: copies of CT_small.dcm (default 2000; 0 skips the set)",
    )
    p.add_argument(
        "--large",
        type=int,
        default=200,
        help="set B: 512x512 16-bit images of ~0.5 MB (default 200; 0 skips)",
    )
    p.add_argument("--per-study", type=int, default=100, help="instances per study (default 100)")
    p.add_argument("--repeat", type=int, default=1, help="runs per receiver and set; best reported")
    p.add_argument(
        "--receivers",
        default=",".join(RECEIVERS),
        help=f"comma-separated subset of {','.join(RECEIVERS)} (default all)",
    )
    p.add_argument(
        "--max-pdu",
        type=int,
        help="max receive PDU for every receiver, 4096..131072 "
        "(default: each receiver's own default)",
    )
    p.add_argument("--keep", action="store_true", help="keep the working folder")
    args = p.parse_args(argv)
    args.receivers = [r.strip() for r in args.receivers.split(",") if r.strip()]
    unknown = set(args.receivers) - set(RECEIVERS)
    if unknown or not args.receivers:
        p.error(f"--receivers: choose from {', '.join(RECEIVERS)}")
    if args.small < 0 or args.large < 0 or args.small + args.large == 0:
        p.error("--small and --large must be >= 0, and not both 0")
    if args.per_study < 1 or args.repeat < 1:
        p.error("--per-study and --repeat must be at least 1")
    if args.max_pdu is not None and not 4096 <= args.max_pdu <= 131072:
        p.error("--max-pdu must be within 4096..131072 (the DCMTK and Orthanc range)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    notes: list[str] = []
    with bl.work_dir("ws-bench-ingest-", keep=args.keep) as work:
        sets = make_sets(work, args.small, args.large, args.per_study)
        results = []
        for data in sets:
            for key in args.receivers:
                print(f"timing {key} with set {data.key} ...", file=sys.stderr)
                results.append(best_of(args, work, key, data, notes))
        print(report(results, sets, args.repeat, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
