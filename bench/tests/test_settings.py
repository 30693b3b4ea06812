"""Only settings/bench.py reaches the bench: production and local settings neither install
it, nor route its floor view, nor offer its commands, nor turn BENCH on.

Each settings module is loaded in a subprocess of its own, as `manage.py` or gunicorn would
load it (this process's settings are the test settings, which install the app for these tests).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH_COMMANDS = ["bench_jobs", "bench_session", "generate_bench_data"]
PROBE = f"""
import json

import django

django.setup()

from django.apps import apps
from django.conf import settings
from django.core.management import get_commands
from django.urls import Resolver404, resolve

try:
    floor = resolve("/bench/floor")._func_path
except Resolver404:
    floor = None
print(json.dumps({{
    "installed": apps.is_installed("bench"),
    "floor": floor,
    "commands": sorted(set(get_commands()) & set({BENCH_COMMANDS!r})),
    "bench": getattr(settings, "BENCH", False),
}}))
"""


def load(settings_module: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        # What production refuses to start without; nothing here connects to the database.
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://moa:moa@127.0.0.1:5432/moa_portal"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def loaded() -> dict[str, dict]:
    modules = ["production", "local", "bench"]
    return {name: load(f"moa_portal.settings.{name}") for name in modules}


@pytest.mark.parametrize("name", ["production", "local"])
def test_the_bench_app_is_not_installed(loaded, name):
    assert loaded[name]["installed"] is False


@pytest.mark.parametrize("name", ["production", "local"])
def test_the_floor_url_is_404(loaded, name):
    assert loaded[name]["floor"] is None


@pytest.mark.parametrize("name", ["production", "local"])
def test_there_are_no_bench_commands(loaded, name):
    assert loaded[name]["commands"] == []


@pytest.mark.parametrize("name", ["production", "local"])
def test_bench_is_off(loaded, name):
    assert loaded[name]["bench"] is False


def test_the_bench_settings_install_route_and_allow_the_bench(loaded):
    assert loaded["bench"] == {
        "installed": True,
        "floor": "bench.views.floor",
        "commands": BENCH_COMMANDS,
        "bench": True,
    }
