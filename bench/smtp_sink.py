"""A loopback SMTP server for `manage.py bench_jobs`: accepts every message and counts it.

Why a process of its own: the jobs' delivery is timed against a real SMTP conversation (EHLO,
MAIL, RCPT, DATA over TCP), and a server in the same process would share its interpreter with
the sender and slow it. Run as `python -m bench.smtp_sink`: it prints the port it listens on,
then answers each line read on stdin ("count") with how many messages it has accepted so far,
and stops when stdin closes.
"""

from __future__ import annotations

import socket
import sys

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, _server, _session, _envelope) -> str:  # noqa: N802  (aiosmtpd's hook name)
        self.accepted += 1
        return "250 Message accepted"


def main() -> None:
    handler = CountingHandler()
    with socket.socket() as probe:  # a free port (aiosmtpd's start-up check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        print(port, flush=True)
        for _ in sys.stdin:
            print(handler.accepted, flush=True)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
