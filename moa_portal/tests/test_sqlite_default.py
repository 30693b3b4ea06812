"""README's first command runs the portal on SQLite (the embedded default), not PostgreSQL.

Code written for PostgreSQL (sequences, LATERAL joins, generated columns) must keep a path that
SQLite takes: this runs what `make setup` and `make run` do, on a SQLite file of the test's own,
and opens the main pages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

PAGES = """
from django.contrib.auth import get_user_model
from django.test import Client
from agreements.models import Agreement

client = Client()
client.force_login(get_user_model().objects.get(username="doc.manager"))
moa = Agreement.objects.get()
for url in [
    "/my-work/", f"/dashboard/?agreement={moa.slug}", moa.get_absolute_url(), "/search/?q=minimis",
    "/commitments/", "/updates/", "/meetings/", f"/dashboard/report/?agreement={moa.slug}&format=pdf",
]:
    print(client.get(url, HTTP_HOST="127.0.0.1").status_code, url)
"""


def _manage(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_portal_sets_up_and_serves_its_pages_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "moa_portal.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "REDIS_URL": settings.REDIS_URL,  # no broker folder written into the checkout
        "MEDIA_ROOT": str(tmp_path / "evidence"),
    }
    _manage("migrate", "--no-input", env=env)
    _manage("import_agreement", "agreements/data/doc-dhs-ecommerce-moa-2017.yaml", env=env)
    _manage("demo_users", env=env)
    _manage("demo_data", env=env)
    printed = _manage("shell", env=env, stdin=PAGES)
    answers = [line for line in printed.splitlines() if re.match(r"^\d{3} /", line)]
    assert [line.split(" ", 1)[0] for line in answers] == ["200"] * 8, printed
