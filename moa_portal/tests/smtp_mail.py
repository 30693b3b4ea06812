"""Settings for a Celery worker process that a delivery test starts: mail goes over SMTP to the
test's own loopback server (aiosmtpd, moa_portal/tests/smtp.py) on port MOA_TEST_SMTP_PORT."""

import os

from moa_portal.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("MOA_TEST_SMTP_PORT", "25"))
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = EMAIL_USE_SSL = False
