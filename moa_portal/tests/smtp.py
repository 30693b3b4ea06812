"""Mail servers on loopback for the delivery tests: a real SMTP server (aiosmtpd) that records
what it accepted, and a hung one that accepts connections and never says a word.

Both keep their port across stop() and start(), so a portal configured once sees the same
server go down and come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections import Counter
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Recorder:
    def __init__(self, delay: float = 0) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server: the message is taken, the reply waits
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


class RecordingSMTP:
    """aiosmtpd on 127.0.0.1:port, recording every message it accepted (across restarts)."""

    def __init__(self, port: int | None = None, delay: float = 0) -> None:
        self.port = port or free_port()
        self.recorder = _Recorder(delay)
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def received(self) -> Counter:
        """Each recipient address, with how many messages it got."""
        with self.recorder.lock:
            return Counter(address for rcpts, _ in self.recorder.messages for address in rcpts)

    def subjects(self) -> list[str]:
        with self.recorder.lock:
            return [message_from_bytes(data)["Subject"] for _, data in self.recorder.messages]


class HungSMTP:
    """Accepts every connection on 127.0.0.1:port and never answers (no greeting, no reply)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.connections: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        listener = self.listener

        def accept() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                self.connections.append(conn)

        self.thread = threading.Thread(target=accept, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for conn in self.connections:
            conn.close()
        self.connections.clear()
        if self.thread is not None:
            self.thread.join(timeout=5)
