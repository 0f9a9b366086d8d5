"""Hostile C-FIND patterns: time against pattern length, ours and Orthanc in the same run,
and a second client's C-ECHO latency while the first sends such queries.

The store is query.py's generated catalogue (copies of CT_small with varied names),
loaded into ``workstation serve`` and into Orthanc 1.10. Each pattern is ``*`` repeated
N times and one letter in Patient Name (Study level, all studies candidates): the shape
that made a backtracking matcher take minutes. If our time grows linearly with N (or
less), the column "ours / ours at N=3" grows at most like N / 3.

The latency part: one client sends the longest pattern again and again while another
times C-ECHOs (association, echo, release); the table puts those next to the echo times
of an idle node.

Run by hand: ``.venv/bin/python benchmarks/hostile.py [--studies 300] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

import benchlib as bl
import query as q

# N stars and one letter: at most 64 characters, a PN component's limit (longer ones are
# refused with A900 before any matching: the last row shows that refusal's time)
PATTERN_STARS = (3, 7, 15, 31, 63)
REFUSED_STARS = 1000
ECHOES = 20


def star_shape(stars: int, catalogue: list[q.Study]) -> q.Shape:
    names = {s.uid for s in catalogue if q.fold(s.patient.name).endswith("N")}
    return q.Shape(
        name=f"{stars} x '*' + N",
        level="STUDY",
        keys={"PatientName": "*" * stars + "N", "StudyInstanceUID": ""},
        expected=len(names),
    )


def find(client: q.PynetdicomClient, server: q.Server, shape: q.Shape) -> tuple[float, str]:
    """Seconds of one query and its outcome: the number of matches, or the failure."""
    start = time.perf_counter()
    try:
        _s, uids = client.find(server, shape)
        outcome = str(len(uids))
    except RuntimeError as exc:  # a failure status (query.py raises on anything not 0000)
        outcome = "refused " + str(exc).rsplit("final status ", 1)[-1]
        if outcome.split()[-1].isdigit():
            outcome = f"refused {int(outcome.split()[-1]):04X}"
    return time.perf_counter() - start, outcome


def time_pattern(client: q.PynetdicomClient, server: q.Server, shape: q.Shape, runs: int):
    find(client, server, shape)  # warm-up
    seconds = []
    outcome = ""
    for _ in range(runs):
        s, outcome = find(client, server, shape)
        seconds.append(s)
    return statistics.median(seconds), outcome


def echo_latency(client: q.PynetdicomClient, server: q.Server, count: int) -> list[float]:
    echo = q.Shape(name="echo", level=q.ECHO, keys={}, expected=0)
    return [client.find(server, echo)[0] for _ in range(count)]


def latency_under_load(server: q.Server, shape: q.Shape) -> tuple[list[float], int]:
    """Echo times from one client while another sends ``shape`` without pause."""
    stop = threading.Event()
    sent = [0]

    def load() -> None:
        loader = q.PynetdicomClient()
        while not stop.is_set():
            loader.find(server, shape)
            sent[0] += 1

    thread = threading.Thread(target=load, name="hostile-load", daemon=True)
    thread.start()
    try:
        time.sleep(0.2)
        times = echo_latency(q.PynetdicomClient(), server, ECHOES)
    finally:
        stop.set()
        thread.join(q.QUERY_TIMEOUT_S)
    return times, sent[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--studies", type=int, default=300)
    p.add_argument("--instances", type=int, default=600)
    p.add_argument("--runs", type=int, default=3, help="timed runs per pattern (median)")
    p.add_argument("--servers", default="ours,orthanc", help="ours,orthanc or one of them")
    args = p.parse_args(argv)
    wanted = [s.strip() for s in args.servers.split(",") if s.strip()]
    with bl.work_dir("ws-bench-hostile-") as work:
        catalogue = q.make_catalogue(args.studies, args.instances, 2, args.studies, seed=7)
        src = work / "src"
        files = q.write_catalogue(catalogue, src)
        servers: list[q.Server] = []
        if "ours" in wanted:
            servers.append(q.OurServer(work / "ours"))
        if "orthanc" in wanted:
            servers.append(q.OrthancServer(work / "orthanc", "Never"))
        started: list[q.Server] = []
        try:
            for server in servers:
                print(f"loading {server.key} ...", file=sys.stderr)
                started.append(server)
                if isinstance(server, q.OurServer):
                    server.load(src, files)
                    server.start()
                else:
                    server.start()
                    server.load(src, files)
            client = q.PynetdicomClient()
            all_stars = (*PATTERN_STARS, REFUSED_STARS)
            shapes = [star_shape(n, catalogue) for n in all_stars]
            timing: dict[tuple[str, int], tuple[float, str]] = {}
            for shape, stars in zip(shapes, all_stars, strict=True):
                for server in servers:
                    print(f"timing {shape.name} on {server.key} ...", file=sys.stderr)
                    timing[server.key, stars] = time_pattern(client, server, shape, args.runs)
            idle = {s.key: echo_latency(client, s, ECHOES) for s in servers}
            loaded = {s.key: latency_under_load(s, shapes[-2]) for s in servers}
        finally:
            for server in started:
                server.stop()
    keys = [s.key for s in servers]
    print("# Hostile C-FIND patterns\n")
    print(f"{bl.machine_line()}; {files} instances in {args.studies} studies; "
          f"median of {args.runs} runs; pynetdicom client, one association per query\n")  # fmt: skip
    headers = ["pattern"] + [f"{k} ms" for k in keys] + ["matches"]
    if "ours" in keys:
        headers.append(f"ours / ours at N={PATTERN_STARS[0]}")
    if len(keys) == 2:
        headers.append("ours / orthanc")
    rows = []
    for stars, shape in zip(all_stars, shapes, strict=True):
        row = [shape.name] + [ms(timing[k, stars][0]) for k in keys]
        row.append(" / ".join(str(timing[k, stars][1]) for k in keys) + f" (expected {shape.expected})")
        if "ours" in keys:
            row.append(f"{timing['ours', stars][0] / timing['ours', PATTERN_STARS[0]][0]:.2f}")
        if len(keys) == 2:
            row.append(bl.ratio(timing["ours", stars][0], timing[keys[1], stars][0]))
        rows.append(row)
    print(bl.table(headers, rows))
    print(f"\n## A second client's C-ECHO while the first sends {shapes[-2].name} non-stop\n")
    rows = []
    for k in keys:
        busy, sent = loaded[k]
        rows.append([k, ms(statistics.median(idle[k])), ms(statistics.median(busy)),
                     ms(max(busy)), str(sent)])  # fmt: skip
    print(bl.table(["server", "idle echo median ms", "loaded echo median ms",
                    "loaded echo max ms", "hostile queries meanwhile"], rows))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
