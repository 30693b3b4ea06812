"""Test settings with a real SMTP server on loopback (MOA_TEST_SMTP_PORT), for a worker process."""

import os

from moa_portal.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("MOA_TEST_SMTP_PORT", "25"))
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""  # noqa: S105
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
