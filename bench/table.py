"""Print one Markdown table of several `make bench` runs (one per scale) for docs/performance.md.

    .venv/bin/python bench/table.py 1=var/bench/moa_bench_s1 3=var/bench/moa_bench_s3 \\
        10=var/bench/moa_bench

Each directory is bench/run.sh's RUN_DIR of one run: results.json (the load), queries.json
(queries per page, bench_queries) and rss.log (the workers' memory). The target column is
judged on the last (largest) scale given.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def _rss(path: Path) -> str:
    """Each worker's RSS in MiB at the first and last sample, and the largest."""
    if not path.exists():
        return "–"
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    top: dict[str, int] = defaultdict(int)
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        _, worker, kb = parts
        first.setdefault(worker, int(kb))
        last[worker] = int(kb)
        top[worker] = max(top[worker], int(kb))
    return "; ".join(f"{first[w] / 1024:.0f} → {last[w] / 1024:.0f} (max {top[w] / 1024:.0f})" for w in first)


def main(args: list[str]) -> None:
    runs = [(scale, Path(d)) for scale, d in (a.split("=", 1) for a in args)]
    results = {s: {r["name"]: r for r in json.loads((d / "results.json").read_text())} for s, d in runs}
    queries: dict[str, dict[str, dict]] = {}
    for s, d in runs:
        q = d / "queries.json"
        queries[s] = {r["name"]: r for r in json.loads(q.read_text())} if q.exists() else {}
    names = list(results[runs[-1][0]])
    last = runs[-1][0]
    head = ["page", f"target (scale {last})", "queries " + " / ".join(s for s, _ in runs)]
    for s, _ in runs:
        head += [f"{s}: p50 / p95 / p99 ms", f"{s}: req/s (× floor)", f"{s}: load"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name in names:
        row = [name]
        r_last = results[last].get(name)
        target = ""
        if r_last and r_last.get("target_p95_ms"):
            met = r_last["p95_us"] / 1000 < r_last["target_p95_ms"]
            target = f"p95 < {r_last['target_p95_ms']:.0f}: {'met' if met else '**missed**'}"
        row.append(target)
        row.append(" / ".join(str(queries[s].get(name, {}).get("queries", "–")) for s, _ in runs))
        for s, _ in runs:
            r = results[s].get(name)
            if r is None:
                row += ["–", "–", "–"]
                continue
            floor = results[s]["floor"]["rps"]
            row.append(f"{r['p50_us'] / 1000:.1f} / {r['p95_us'] / 1000:.1f} / {r['p99_us'] / 1000:.1f}")
            row.append(f"{r['rps']:.1f} ({r['rps'] / floor:.2f})")
            row.append(f"{r.get('load1', 0):.1f}")
        print("| " + " | ".join(row) + " |")
    print()
    for s, d in runs:
        print(
            f"- scale {s}: gunicorn workers' RSS in MiB, first → last sample (largest): {_rss(d / 'rss.log')}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
