"""The benchmark (`make bench`, bench/run.sh): production's settings plus the bench app.

The only settings module that installs `bench` and routes its floor view, and the only one
with ``BENCH = True``, without which the bench commands refuse to run. Like production, it
refuses to start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``; bench/run.sh
sets them (with ``SECURE_SSL_REDIRECT=false``, as gunicorn is on plain-HTTP loopback).
"""

from .production import *  # noqa: F403
from .production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
BENCH = True
