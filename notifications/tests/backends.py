"""E-mail backends standing in for an SMTP server that is down, refuses one address, or counts connections."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as MemoryEmailBackend

REFUSED_ADDRESS = "refused@example.gov"


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


class RefusingOneAddressBackend(MemoryEmailBackend):
    """Delivers to mail.outbox, except a message to REFUSED_ADDRESS, which the server refuses."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if REFUSED_ADDRESS in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED_ADDRESS: (550, b"No such mailbox")})
        return super().send_messages(email_messages)


class CountingConnectionsBackend(MemoryEmailBackend):
    """Delivers to mail.outbox and counts the connections opened (as an SMTP handshake would be)."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return True
