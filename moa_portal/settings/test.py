"""Tests: real PostgreSQL and Redis, as CI runs them."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("SECRET_KEY", default="test-only-not-secret")  # noqa: S105
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://moa:moa@127.0.0.1:5432/moa_portal"),
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = REDIS_URL
CACHES = {"default": {**REDIS_CACHE, "LOCATION": env("CACHE_URL", default=REDIS_URL)}}  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Never inside the checkout: the root conftest gives each pytest run a fresh temporary folder.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=Path(tempfile.gettempdir()) / "moa-portal-test-evidence")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The bench app is installed so its tests run in `make test`; its floor view is not routed
# (ROOT_URLCONF stays the portal's: its tests use bench.urls) and BENCH stays off, so its
# commands refuse here unless a test turns BENCH on (bench/tests/conftest.py).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

# The API's fuzz tests send thousands of requests as one user within a minute; the throttle's
# own test sets its rates (api/tests/test_same_view_as_the_browser.py).
API_THROTTLE_RATES = {"user": "1000000/minute", "anon": "1000000/minute"}
# Admins signed in through the form by other apps' tests are not stopped at "add an authenticator
# app"; the tests of multi-factor sign-in turn the requirement on (people/tests/test_mfa.py).
PORTAL_MFA_REQUIRED_FOR_ADMINS = False

# Webhooks may go to a receiver on this machine over http (the tests start one on loopback).
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=True)
