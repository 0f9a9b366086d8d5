"""Before/after: ingest.py, query.py and viewer.py run from two source trees, side by side.

Each tree runs its own copy of the benchmark scripts with its own venv (``TREE/.venv``),
so "before" is a ``git archive`` of the old commit with the same packages installed:

  git -C . archive <commit> | tar -x -C /tmp/before
  python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install -e '/tmp/before[test]'

The two trees alternate run by run, the order turned round every round (A B, B A, ...), so
drift on the machine hits both alike. Every figure each script prints is parsed; the table
shows each figure's median over the rounds before and after, their ratio and a flag when
the ratio is outside the tolerance (default +-5 %), with which way is better for it.

Run by hand: ``.venv/bin/python benchmarks/compare.py --before /tmp/before [--rounds 3]``;
``--smoke`` checks the whole chain with tiny sizes and one round (its figures mean nothing).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import benchlib as bl

HERE = Path(__file__).resolve().parent.parent
BENCHMARKS = ("ingest", "query", "viewer")
SMOKE_ARGS = {
    "ingest": "--small 20 --large 4 --receivers ours",
    "query": "--studies 10 --instances 40 --runs 1 --servers ours",
    "viewer": "--slices 10",
}
RUN_TIMEOUT_S = 3600.0
Figures = dict[str, float | str]  # figure name -> number, or text compared for equality


# -- parsing what the scripts print ------------------------------------------------------
def number(cell: str) -> float | None:
    try:
        return float(cell.strip().rstrip("x"))
    except ValueError:
        return None


def value(cell: str) -> float | str:
    n = number(cell)
    return cell.strip() if n is None else n


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """The Markdown tables in ``text`` (benchlib.table): headers and rows of cells."""
    found: list[tuple[list[str], list[list[str]]]] = []
    block: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            if not line.startswith("|-"):
                block.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif block:
            found.append((block[0], block[1:]))
            block = []
    return found


def table_figures(prefix: str, headers: list[str], rows: list[list[str]], keys: int) -> Figures:
    """One figure per cell, named by the first ``keys`` cells of its row and its header."""
    figures: Figures = {}
    for row in rows:
        label = " ".join(row[:keys])
        for header, cell in zip(headers[keys:], row[keys:], strict=True):
            figures[f"{prefix}{label}: {header}"] = value(cell)
    return figures


def parse_ingest(text: str) -> Figures:
    figures: Figures = {}
    for headers, rows in tables(text):
        figures.update(table_figures("", headers, rows, keys=2))
    for m in re.finditer(r"^\s+set (\w+): (.+?): ([\d.]+)x$", text, re.MULTILINE):
        figures[f"set {m[1]}: {m[2]} throughput ratio"] = float(m[3])
    return figures


def parse_query(text: str) -> Figures:
    figures: Figures = {}
    for (headers, rows), client in zip(tables(text), ("findscu", "pynetdicom"), strict=False):
        figures.update(table_figures(f"{client} ", headers, rows, keys=1))
    load = re.search(r"loading \(untimed for the comparison\): (.+)$", text, re.MULTILINE)
    for m in re.finditer(r"(\w+) ([\d.]+) s", load[1] if load else ""):
        figures[f"load {m[1]}: s"] = float(m[2])
    for m in re.finditer(r"^\s+(same|DIFFERENT)\s+(.+?): expected", text, re.MULTILINE):
        figures[f"matches {m[2]}"] = m[1]
    return figures


def parse_viewer(text: str) -> Figures:
    figures: Figures = {}
    built = re.search(r"^built \d+ slices of \S+ in ([\d.]+) s$", text, re.MULTILINE)
    if built:
        figures["build (child process) s"] = float(built[1])
    for m in re.finditer(r"^\s*(.+?):\s+(-?[\d.]+)(?:\s+\(target.*\))?$", text, re.MULTILINE):
        figures[m[1]] = float(m[2])
    return figures


PARSERS: dict[str, Callable[[str], Figures]] = {
    "ingest": parse_ingest,
    "query": parse_query,
    "viewer": parse_viewer,
}


# -- which way is better --------------------------------------------------------------------
NEUTRAL = ("instances", "max PDU", "raw series MB", "matches")


def higher_is_better(name: str) -> bool | None:
    """True for rates and throughput ratios, False for times and memory, None otherwise."""
    if any(name.endswith(n) or name.startswith(n) for n in NEUTRAL):
        return None
    if name.endswith(("/s", "throughput ratio", "(median)")):
        return True
    if name.endswith((" s", "seconds", " ms", " MB", "/ raw")):
        return False
    return None


def flag(name: str, before: float, after: float, tolerance: float) -> str:
    if before == after:
        return ""
    if before == 0:
        return "changed"
    change = after / before - 1
    if abs(change) <= tolerance:
        return ""
    better = higher_is_better(name)
    if better is None:
        return f"changed {change:+.1%}"
    return f"{'better' if (change > 0) == better else 'WORSE'} {change:+.1%}"


# -- running -------------------------------------------------------------------------------
def child_env() -> dict[str, str]:
    """This environment without what would make one tree's Python see the other's code."""
    env = dict(os.environ)
    for key in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(key, None)
    return env


def check_tree(tree: Path, python: Path) -> None:
    """Fail early unless ``python`` imports the package from ``tree``."""
    proc = subprocess.run(
        [str(python), "-c", "import workstation; print(workstation.__file__)"],
        cwd=tree,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    where = Path(proc.stdout.strip() or "?").resolve()
    if proc.returncode != 0 or not where.is_relative_to(tree.resolve()):
        sys.exit(f"{python} does not import workstation from {tree}: {where} {proc.stderr}")


def run(tree: Path, python: Path, bench: str, args: list[str], log: Path) -> str | None:
    """One run of ``bench`` from ``tree``; its stdout, or None when it failed (see ``log``)."""
    argv = [str(python), str(tree / "benchmarks" / f"{bench}.py"), *args]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            cwd=tree,
            env=child_env(),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=RUN_TIMEOUT_S,
        )
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out, err, code = str(exc.stdout or ""), str(exc.stderr or ""), "timeout"
    seconds = time.monotonic() - start
    log.write_text(f"$ {shlex.join(argv)}\n{out}\n--- stderr ---\n{err}", encoding="utf-8")
    print(f"  {log.stem}: exit {code}, {seconds:.0f} s", file=sys.stderr)
    return out if code == 0 else None


def show(v: float | str) -> str:
    if isinstance(v, str):
        return v
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def summary(values: list[float | str]) -> float | str | None:
    """The median of numbers; the distinct texts otherwise; None for no runs."""
    if not values:
        return None
    if all(isinstance(v, float) for v in values):
        return statistics.median(values)  # type: ignore[type-var]
    return "/".join(sorted({str(v) for v in values}))


def report(
    bench: str, extra: str, before: list[Figures], after: list[Figures], tolerance: float
) -> str:
    names = list(dict.fromkeys(n for runs in (before, after) for figs in runs for n in figs))
    rows = []
    for name in names:
        b = [figs[name] for figs in before if name in figs]
        a = [figs[name] for figs in after if name in figs]
        mb, ma = summary(b), summary(a)
        ratio, note = "-", ""
        if mb is None or ma is None:
            note = "missing " + ("after" if ma is None else "before")
        elif isinstance(mb, float) and isinstance(ma, float):
            ratio = f"{ma / mb:.3f}" if mb else "-"
            note = flag(name, mb, ma, tolerance)
        elif mb != ma:
            note = "differs"
        rows.append(
            [
                name,
                "-" if mb is None else show(mb),
                "-" if ma is None else show(ma),
                ratio,
                note or "ok",
                " ".join(map(show, b)) or "-",
                " ".join(map(show, a)) or "-",
            ]
        )
    headers = ["figure", "before (median)", "after (median)", "after/before", "flag"]
    headers += ["before runs", "after runs"]
    title = f"## {bench}.py {extra}".rstrip()
    return f"{title}\n\n" + (bl.table(headers, rows) if rows else "(no figures)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", type=Path, required=True, help="the old tree (a git archive)")
    p.add_argument("--after", type=Path, default=HERE, help=f"the new tree (default {HERE})")
    p.add_argument("--before-python", type=Path, help="default BEFORE/.venv/bin/python")
    p.add_argument("--after-python", type=Path, help="default AFTER/.venv/bin/python")
    p.add_argument("--rounds", type=int, default=3, help="runs of each tree (default 3)")
    p.add_argument("--benchmarks", default=",".join(BENCHMARKS), help="subset, comma-separated")
    for bench in BENCHMARKS:
        p.add_argument(f"--{bench}", default="", metavar="ARGS", help=f"arguments of {bench}.py")
    p.add_argument("--tolerance", type=float, default=5.0, help="flag beyond +-this %% (5)")
    p.add_argument("--smoke", action="store_true", help="1 round, tiny sizes: the chain only")
    p.add_argument("--log-dir", type=Path, help="each run's output (default: a tmp folder)")
    args = p.parse_args(argv)
    args.benchmarks = [b.strip() for b in args.benchmarks.split(",") if b.strip()]
    if not args.benchmarks or set(args.benchmarks) - set(BENCHMARKS):
        p.error(f"--benchmarks: choose from {', '.join(BENCHMARKS)}")
    if args.smoke:
        args.rounds = 1
        for bench in BENCHMARKS:
            setattr(args, bench, getattr(args, bench) or SMOKE_ARGS[bench])
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    args.before_python = args.before_python or args.before / ".venv" / "bin" / "python"
    args.after_python = args.after_python or args.after / ".venv" / "bin" / "python"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sides = {"before": (args.before, args.before_python), "after": (args.after, args.after_python)}
    for tree, python in sides.values():
        check_tree(tree, python)
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="ws-bench-compare-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    figures: dict[tuple[str, str], list[Figures]] = {}
    failed: list[str] = []
    for k in range(args.rounds):
        order = ["before", "after"] if k % 2 == 0 else ["after", "before"]
        for bench in args.benchmarks:
            for side in order:
                tree, python = sides[side]
                log = log_dir / f"{bench}-{side}-{k + 1}.log"
                out = run(tree, python, bench, shlex.split(getattr(args, bench)), log)
                if out is None:
                    failed.append(str(log))
                    continue
                figures.setdefault((bench, side), []).append(PARSERS[bench](out))
    lines = [
        f"before/after: {args.rounds} round(s), trees alternating (order turned every round), "
        f"median of the rounds, flag beyond +-{args.tolerance:g} %",
        f"machine: {bl.machine_line()}",
        f"before: {args.before} ({args.before_python})",
        f"after:  {args.after} ({args.after_python})",
        f"logs: {log_dir}",
    ]
    for bench in args.benchmarks:
        before, after = (figures.get((bench, side), []) for side in ("before", "after"))
        lines += ["", report(bench, getattr(args, bench), before, after, args.tolerance / 100)]
    if failed:
        lines += ["", "FAILED runs (see their logs):", *(f"  {f}" for f in failed)]
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
