"""Settings and an e-mail backend for a Celery worker process that a resilience test kills.

Each message is written to its own file in MOA_TEST_MAIL_DIR (so what was sent survives the
worker's death) after a pause of MOA_TEST_MAIL_DELAY seconds, which makes a job of several
notices last long enough to be killed in the middle. Messages expire from the broker's
unacked set after two seconds, so a restarted worker takes back the killed worker's job at once.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

from moa_portal.settings.test import *  # noqa: F403

EMAIL_BACKEND = "moa_portal.tests.slow_mail.SlowFileEmailBackend"
EMAIL_FILE_PATH = os.environ.get("MOA_TEST_MAIL_DIR", "/tmp/moa-test-mail")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


class SlowFileEmailBackend(FileEmailBackend):
    """Each message in a file of its own, even when the caller keeps one connection open for a
    run of sends (Django's file backend writes all that one open connection sends to one file)."""

    def open(self):
        return False  # no file of the connection's own: each message opens one

    def close(self):
        pass

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            time.sleep(float(os.environ.get("MOA_TEST_MAIL_DELAY", "0")))
            sent += FileEmailBackend(file_path=self.file_path).send_messages([message])
        return sent
