"""Load the running portal page by page with wrk and print throughput, latency and the floor ratio.

Run by bench/run.sh (`make bench`); see docs/performance.md. Adding a page is one line in
PAGES: (name, method, path, body, expected status, p95 target in ms). Paths and bodies may
use {agreement}, {item} and {today}.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str
    body: str | None = None
    expect: int = 200
    target_p95_ms: float | None = None


PAGES = [
    Page("floor", "GET", "/bench/floor"),
    Page("agreement list", "GET", "/agreements/", target_p95_ms=100),
    Page("agreement page", "GET", "/agreements/{agreement}/", target_p95_ms=100),
    Page("item page", "GET", "/agreements/{agreement}/items/{item}/", target_p95_ms=100),
    # Once merged, each of these is one line (targets from issue 8):
    # Page("dashboard", "GET", "/dashboard/?agreement={agreement}", target_p95_ms=150),
    # Page("item list", "GET", "/items/?party=DOC&status=at_risk&kind=action_item", target_p95_ms=100),
    # Page("progress post", "POST", "/agreements/{agreement}/items/{item}/updates/new/",
    #      "as_of={today}&status=on_track&percent_complete=50&narrative=Bench", 302, 150),
    # Page("CSV export", "GET", "/dashboard/export/items.csv?agreement={agreement}"),
]


def check(url: str, page: Page, headers: dict[str, str], body: bytes | None) -> int:
    """One request before the load, so a page that is broken or redirects to login fails loudly."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=body, headers=headers, method=page.method)  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def run_page(base: str, page: Page, values: dict[str, str], args, cookie: str, csrf: str) -> dict:
    path = page.path.format(**values)
    body = page.body.format(**values) if page.body else ""
    if page.method == "POST":
        body = f"{body}&csrfmiddlewaretoken={csrf}"
    headers = {"Cookie": cookie, "X-CSRFToken": csrf}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    status = check(base + path, page, headers, body.encode() if page.method == "POST" else None)
    if status != page.expect:
        sys.exit(f"{page.name}: {path} answered {status}, expected {page.expect}; not benchmarking it.")
    env = {
        **os.environ,
        "BENCH_METHOD": page.method,
        "BENCH_BODY": body,
        "BENCH_COOKIE": cookie,
        "BENCH_CSRF": csrf,
        "BENCH_EXPECT": str(page.expect),
    }
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "report.lua"),
        base + path,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["path"] = path
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8199")
    parser.add_argument("--cookie", required=True, help="sessionid=… of a signed-in user")
    parser.add_argument("--agreement", default="bench-003", help="slug of the agreement to load")
    parser.add_argument("--item", default="IV.2.a", help="code of the tracked item to load")
    parser.add_argument("--duration", type=int, default=20, help="seconds per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="page names to run (the floor always runs)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as the token
    cookie = f"{args.cookie}; csrftoken={csrf}"
    values = {
        "agreement": args.agreement,
        "item": args.item,
        "today": datetime.datetime.now().astimezone().date().isoformat(),
    }
    pages = [p for p in PAGES if p.name == "floor" or not args.only or p.name in args.only]
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s per page against {args.base}",
        flush=True,
    )
    results = []
    for page in pages:
        r = run_page(args.base, page, values, args, cookie, csrf)
        r["name"], r["target_p95_ms"] = page.name, page.target_p95_ms
        results.append(r)
        print(f"  {page.name}: {r['rps']:.1f} req/s, p95 {r['p95_us'] / 1000:.1f} ms", flush=True)
    floor = results[0]["rps"]
    print()
    print(
        f"{'page':<22} {'req/s':>7} {'× floor':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'errors':>6}  target"
    )
    for r in results:
        errors = r["unexpected_status"] + r["socket_errors"] + r["timeouts"]
        target = ""
        if r["target_p95_ms"]:
            met = "met" if r["p95_us"] / 1000 < r["target_p95_ms"] else "MISSED"
            target = f"p95 < {r['target_p95_ms']:.0f} ms: {met}"
        print(
            f"{r['name']:<22} {r['rps']:7.1f} {r['rps'] / floor:8.2f} {r['p50_us'] / 1000:7.1f} "
            f"{r['p95_us'] / 1000:7.1f} {r['p99_us'] / 1000:7.1f} {errors:6d}  {target}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
