"""bench_jobs sends each job's notices over SMTP to its loopback server, which must receive them all."""

import re

from django.core.management import call_command

from bench.management.commands import bench_jobs
from notifications.tests.test_worker import ON, make_everything_due


def test_bench_jobs_delivers_each_notice_to_the_loopback_smtp_server(db, monkeypatch, capsys):
    make_everything_due()  # two term notices are due on ON
    monkeypatch.setattr(
        bench_jobs,
        "JOBS",
        [
            (
                "term countdown",
                "notifications.jobs.term_notices_send",
                {"on": ON},
                "notifications.jobs.term_notices_claim",
            )
        ],
    )
    call_command("bench_jobs")  # stops with an error if the server's count differs from the sent
    out = capsys.readouterr().out
    assert "notices go to the loopback SMTP server on 127.0.0.1:" in out
    first_run = re.search(r"term countdown\s+[\d.]+ s\s+\d+\s+(\d+)\s", out)
    assert first_run and first_run.group(1) == "2", out
    assert "deleted the 2 notification rows" in out
