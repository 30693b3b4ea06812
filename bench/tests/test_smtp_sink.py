"""The loopback SMTP server bench_jobs delivers to: a real SMTP conversation, every message counted."""

import smtplib
import subprocess
import sys
from email.message import EmailMessage

from django.conf import settings


def test_the_sink_accepts_messages_over_smtp_and_counts_them():
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink"],
        cwd=settings.BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(sink.stdout.readline())
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@example.gov", "b@example.gov", "Due"
        message.set_content("A notice.")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for _ in range(3):
                smtp.send_message(message)
        sink.stdin.write("count\n")
        sink.stdin.flush()
        assert int(sink.stdout.readline()) == 3
    finally:
        sink.stdin.close()
        assert sink.wait(timeout=30) == 0
