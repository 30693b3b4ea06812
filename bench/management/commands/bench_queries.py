"""Count each benchmarked page's database queries, in-process, as the load generator's users.

The load (bench/loadtest.py) says how fast a page is; this says how much work it asks of the
database, which must not grow with the data: the same count at every scale. Each page of
`bench.loadtest.PAGES` (GET pages; the progress post is left out, it would add an update) is
requested with Django's test client as the same user or token as under load, once to warm
up and once counted (`CaptureQueriesContext`); a page that varies its `as_of` day is counted on
a day not asked before, so it is computed, not kept.

    manage.py bench_queries --draft draft-bench --reading 1 [--json var/bench/queries.json]
"""

import datetime
import json
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agreements.models import Party, today
from bench.data import BENCH_USERNAME, HOME_PARTY
from bench.guard import require_bench_settings
from bench.loadtest import PAGES, Page


class Command(BaseCommand):
    help = "Count the queries of every benchmarked page (constant across scales is the goal)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--agreement", default="bench-003")
        parser.add_argument("--item", default="IV.2.a")
        parser.add_argument("--draft", default="draft-bench")
        parser.add_argument("--reading", default="0")
        parser.add_argument(
            "--admin", default="", help="username of the DOC admin (bench_fixtures prints it)"
        )
        parser.add_argument(
            "--token", default="", help="the bench user's API token (bench_fixtures prints it)"
        )
        parser.add_argument("--json", type=Path)

    def handle(self, *args, **options) -> None:
        require_bench_settings("bench_queries")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            raise CommandError(
                "Add testserver to ALLOWED_HOSTS: the pages are asked with Django's test client."
            )
        User = get_user_model()
        clients = {"manager": Client(), "admin": Client(), "token": Client()}
        clients["manager"].force_login(User.objects.get(username=BENCH_USERNAME))
        if options["admin"]:
            clients["admin"].force_login(User.objects.get(username=options["admin"]))
        values = {
            "agreement": options["agreement"],
            "item": options["item"],
            "post_item": "",
            "party": str(Party.objects.get(acronym=HOME_PARTY).pk),
            "today": today().isoformat(),
            "draft": options["draft"],
            "reading": options["reading"],
        }
        results = []
        self.stdout.write(f"{'page':<32} {'status':>6} {'queries':>7} {'ms':>7} {'kB':>8}")
        for n, page in enumerate(p for p in PAGES if p.method == "GET"):
            if page.who == "admin" and not options["admin"] or page.who == "token" and not options["token"]:
                continue
            row = self._count(page, clients[page.who], values, options["token"], n)
            results.append(row)
            self.stdout.write(
                f"{row['name']:<32} {row['status']:>6} {row['queries']:>7} "
                f"{row['ms']:>7.1f} {row['kb']:>8.1f}"
            )
        if options["json"]:
            options["json"].write_text(json.dumps(results, indent=2))

    @staticmethod
    def _count(page: Page, client: Client, values: dict[str, str], token: str, n: int) -> dict:
        path = page.path.format(**values)
        headers = {"Authorization": f"Bearer {token}"} if page.who == "token" else {}
        if page.vary_as_of:
            # Warmed up on one day and counted on another, neither asked before: computed, not kept.
            client.get(f"{path}&as_of={today() - datetime.timedelta(days=400 + n)}", headers=headers)
            path = f"{path}&as_of={today() - datetime.timedelta(days=800 + n)}"
        else:
            client.get(path, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            elapsed = time.perf_counter() - started
        body = b"".join(response) if response.streaming else response.content
        return {
            "name": page.name,
            "path": path,
            "status": response.status_code,
            "queries": len(queries),
            "ms": elapsed * 1000,
            "kb": len(body) / 1024,
        }
