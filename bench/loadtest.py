"""Load the running portal page by page with wrk and print throughput, latency and the floor ratio.

Run by bench/run.sh (`make bench`); see docs/performance.md. Adding a page is one line in
PAGES: (name, method, path, body, expected status, p95 target in ms, who asks). Paths and
bodies may use {agreement}, {item}, {post_item}, {party} (the reporting party's pk), {today},
{draft} (the draft agreement's slug) and {reading} (the text reading's pk); see
bench/management/commands/bench_fixtures.py. Who asks: "manager" (the bench user's session),
"admin" (a DOC admin's session: drafts and text readings are an admin's) or "token" (the bench
user's read-only API token, as `Authorization: Bearer …`, no cookie).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


def drain(base: str, connections: int) -> None:
    """Wait until the web workers have answered what the previous page left queued.

    wrk stops sending when its seconds are up, but requests it sent are still queued at the sync
    workers: after the PDF report (seconds a request) the next page, the floor of the next round,
    measured the PDF's tail (its p95 was 2,958 ms in one run, 0 requests in another). As many
    requests to the floor as wrk had connections, at once, wait behind whatever is queued; when
    they all come back quickly, every worker is free.
    """

    def ask(_: int) -> float:
        started = time.monotonic()
        with urllib.request.urlopen(base + "/bench/floor", timeout=120) as answer:  # noqa: S310
            answer.read()
        return time.monotonic() - started

    with ThreadPoolExecutor(connections) as pool:
        for _ in range(60):
            if max(pool.map(ask, range(connections))) < 0.2:
                return


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str
    body: str | None = None
    expect: int = 200
    target_p95_ms: float | None = None
    vary_as_of: bool = False  # a random as_of day per request: the dashboard computed, not kept
    who: str = "manager"


PAGES = [
    Page("floor", "GET", "/bench/floor"),
    Page("agreement list", "GET", "/agreements/", target_p95_ms=100),
    Page("agreement page", "GET", "/agreements/{agreement}/", target_p95_ms=100),
    Page("item page", "GET", "/agreements/{agreement}/commitments/{item}/", target_p95_ms=100),
    Page("dashboard", "GET", "/dashboard/", target_p95_ms=150),
    Page("dashboard (agreement)", "GET", "/dashboard/?agreement={agreement}", target_p95_ms=150),
    Page(
        "dashboard (not kept)",
        "GET",
        "/dashboard/?agreement={agreement}",
        target_p95_ms=150,
        vary_as_of=True,
    ),
    Page(
        "item list (filtered)",
        "GET",
        "/commitments/?agreement={agreement}&status=at_risk&party=DOC",
        target_p95_ms=100,
    ),
    Page("item list (all)", "GET", "/commitments/", target_p95_ms=100),
    Page("landing (302 to the dashboard)", "GET", "/", expect=302, target_p95_ms=100),
    Page("My work", "GET", "/my-work/", target_p95_ms=100),
    Page("updates list", "GET", "/updates/", target_p95_ms=100),
    Page("meeting list", "GET", "/meetings/", target_p95_ms=100),
    Page("outreach list", "GET", "/events/", target_p95_ms=100),
    Page("contacts list", "GET", "/contacts/", target_p95_ms=100),
    # One word, and a quoted phrase of the MOA's annex that every copy of it carries.
    Page("search (a word)", "GET", "/search/?q=minimis", target_p95_ms=150),
    Page("search (a phrase)", "GET", "/search/?q=%22de+minimis+threshold%22", target_p95_ms=150),
    # Words of most progress narratives: thousands of matches of each kind, counted and ranked to the cap.
    Page("search (common words)", "GET", "/search/?q=partner+agency", target_p95_ms=150),
    # The same words as a quoted phrase: a phrase query (<->) must check every match's word
    # positions, which the GIN index does not hold, so each match's document is read.
    Page("search (quoted phrase)", "GET", "/search/?q=%22partner+agency%22", target_p95_ms=150),
    Page("API agreements", "GET", "/api/v1/agreements/", target_p95_ms=100, who="token"),
    Page("API commitments", "GET", "/api/v1/commitments/", target_p95_ms=100, who="token"),
    Page("API progress updates", "GET", "/api/v1/progress-updates/", target_p95_ms=100, who="token"),
    Page("termination page", "GET", "/agreements/{agreement}/termination/", target_p95_ms=100),
    Page("draft page", "GET", "/agreements/{draft}/draft/", target_p95_ms=100, who="admin"),
    Page("text review page", "GET", "/agreements/new/read/{reading}/", target_p95_ms=100, who="admin"),
    Page(
        "progress post",
        "POST",
        "/agreements/{agreement}/commitments/{post_item}/updates/new/",
        "as_of={today}&status=on_track&percent_complete=50&narrative=Bench+load&next_steps="
        "&reporting_party={party}",
        302,
        150,
    ),
    Page("CSV export (summary)", "GET", "/dashboard/export/summary.csv?agreement={agreement}"),
    Page("CSV export (updates)", "GET", "/dashboard/export/updates.csv?agreement={agreement}"),
    Page("PDF report", "GET", "/dashboard/report/?agreement={agreement}&format=pdf"),
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


def credentials(page: Page, cookies: dict[str, str], token: str) -> tuple[str, str]:
    """The Cookie and Authorization header values the page is asked with."""
    if page.who == "token":
        if not token:
            sys.exit(f"{page.name}: no --token given.")
        return "", f"Bearer {token}"
    if not cookies.get(page.who):
        sys.exit(f"{page.name}: no --{page.who}-cookie given.")
    return cookies[page.who], ""


def prepare(
    base: str, page: Page, values: dict[str, str], cookie: str, auth: str, csrf: str
) -> tuple[str, str]:
    """The page's path and body, after one checked request."""
    path = page.path.format(**values)
    body = page.body.format(**values) if page.body else ""
    if page.method == "POST":
        body = f"{body}&csrfmiddlewaretoken={csrf}"
    headers = {"Cookie": cookie, "X-CSRFToken": csrf} if cookie else {"Authorization": auth}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    status = check(base + path, page, headers, body.encode() if page.method == "POST" else None)
    if status != page.expect:
        sys.exit(f"{page.name}: {path} answered {status}, expected {page.expect}; not benchmarking it.")
    return path, body


def run_wrk(
    base: str, page: Page, path: str, body: str, seconds: int, args, cookie: str, auth: str, csrf: str
) -> dict:
    env = {
        **os.environ,
        "BENCH_METHOD": page.method,
        "BENCH_BODY": body,
        "BENCH_COOKIE": cookie,
        "BENCH_AUTHORIZATION": auth,
        "BENCH_CSRF": csrf,
        "BENCH_EXPECT": str(page.expect),
        "BENCH_VARY_AS_OF": "1" if page.vary_as_of else "",
    }
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "report.lua"),
        base + path,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def combine(rounds: list[dict], path: str) -> dict:
    """Requests and errors add up over the rounds; each percentile is the median round's."""

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    total = {k: sum(r[k] for r in rounds) for k in ("requests", "duration_us", "unexpected_status")}
    total |= {k: sum(r[k] for r in rounds) for k in ("socket_errors", "timeouts")}
    total |= {k: median(k) for k in ("p50_us", "p95_us", "p99_us", "load1")}
    total["rps"] = total["requests"] / (total["duration_us"] / 1e6)
    total["path"] = path
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8199")
    parser.add_argument("--cookie", required=True, help="sessionid=… of the signed-in bench user")
    parser.add_argument("--admin-cookie", default="", help="sessionid=… of a signed-in DOC admin")
    parser.add_argument("--token", default="", help="the bench user's API token (read only)")
    parser.add_argument("--draft", default="draft-bench", help="slug of an admin's draft agreement")
    parser.add_argument("--reading", default="0", help="pk of an admin's text reading")
    parser.add_argument("--agreement", default="bench-003", help="slug of the agreement to load")
    parser.add_argument("--item", default="IV.2.a", help="code of the tracked item to load")
    parser.add_argument(
        "--post-item",
        default="IV.2.b",
        help="code of the item the progress post reports on (not --item: its timeline would grow)",
    )
    parser.add_argument("--party", default="1", help="pk of the reporting party (the user's own, DOC)")
    parser.add_argument(
        "--today",
        default="",
        help="the portal's today (its TIME_ZONE's, which the progress post's day may not pass); "
        "the machine's local date if not given",
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per page")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="split each page's time into this many runs, taken in turn with the other pages, "
        "so load from elsewhere on the machine falls on every page alike",
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--only",
        nargs="*",
        help="page names to run, or their first word (`search`: every search page); the floor always runs",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as the token
    cookies = {"manager": f"{args.cookie}; csrftoken={csrf}"}
    if args.admin_cookie:
        cookies["admin"] = f"{args.admin_cookie}; csrftoken={csrf}"
    values = {
        "agreement": args.agreement,
        "item": args.item,
        "party": args.party,
        "post_item": args.post_item,
        "today": args.today or datetime.datetime.now().astimezone().date().isoformat(),
        "draft": args.draft,
        "reading": args.reading,
    }
    pages = [
        p
        for p in PAGES
        if p.name == "floor" or not args.only or p.name in args.only or p.name.split(" ")[0] in args.only
    ]
    seconds = max(1, args.duration // args.rounds)
    print(
        f"wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds of {seconds} s per page, "
        f"pages in turn, against {args.base}",
        flush=True,
    )
    asked = [credentials(page, cookies, args.token) for page in pages]
    prepared = [
        prepare(args.base, page, values, cookie, auth, csrf)
        for page, (cookie, auth) in zip(pages, asked, strict=True)
    ]
    rounds: list[list[dict]] = [[] for _ in pages]
    for n in range(args.rounds):
        for i, (page, (path, body), (cookie, auth)) in enumerate(zip(pages, prepared, asked, strict=True)):
            drain(args.base, args.connections)
            load_before = os.getloadavg()[0]
            r = run_wrk(args.base, page, path, body, seconds, args, cookie, auth, csrf)
            # The machine is shared: the 1-minute load average beside every round's figures.
            r["load1"] = (load_before + os.getloadavg()[0]) / 2
            rounds[i].append(r)
            rps = r["requests"] / (r["duration_us"] / 1e6)
            print(
                f"  round {n + 1} {page.name}: {rps:.1f} req/s, p95 {r['p95_us'] / 1000:.1f} ms, "
                f"load {r['load1']:.1f}",
                flush=True,
            )
    results = []
    for page, (path, _), page_rounds in zip(pages, prepared, rounds, strict=True):
        r = combine(page_rounds, path)
        r["name"], r["target_p95_ms"] = page.name, page.target_p95_ms
        results.append(r)
    floor = results[0]["rps"]
    print()
    print(
        f"{'page':<30} {'req/s':>7} {'× floor':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'errors':>6} {'load':>5}  target"
    )
    for r in results:
        errors = r["unexpected_status"] + r["socket_errors"] + r["timeouts"]
        target = ""
        if r["target_p95_ms"]:
            met = "met" if r["p95_us"] / 1000 < r["target_p95_ms"] else "MISSED"
            target = f"p95 < {r['target_p95_ms']:.0f} ms: {met}"
        print(
            f"{r['name']:<30} {r['rps']:7.1f} {r['rps'] / floor:8.2f} {r['p50_us'] / 1000:7.1f} "
            f"{r['p95_us'] / 1000:7.1f} {r['p99_us'] / 1000:7.1f} {errors:6d} {r['load1']:5.1f}  {target}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
