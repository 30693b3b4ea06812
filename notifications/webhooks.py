"""Webhooks on the wire: the Standard Webhooks signature, the rules a URL must meet, the POST.

No database here: services.py claims and delivers webhook deliveries as notices (the same
claim, lease, backoff and failed state as e-mail), and calls `post` for the send.

Server-side request forgery: a subscription's URL is an address the portal's worker will
connect to on an admin's say-so, so a URL whose host is (or resolves to) loopback, a private,
link-local, reserved or multicast address is refused, when it is saved and again at every
delivery. The delivery connects to the very address it checked (not to a second lookup of
the name, which a hostile DNS server could answer differently: DNS rebinding), sends the
name for TLS and in the Host header, follows no redirect and reads at most
WEBHOOK_RESPONSE_MAX_BYTES of the answer. Only https is allowed, unless WEBHOOK_ALLOW_LOOPBACK
(development and tests, refused in production) lets http reach a receiver on loopback.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import re
import secrets
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

SECRET_PREFIX = "whsec_"  # noqa: S105  # the prefix of every secret, not one
URL_MAX_LENGTH = 2000
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
#: What a path and query may keep as they are; anything else is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~?"


class UnsafeURL(ValueError):
    """A URL the portal will not deliver to; the message says why, for the field."""


def secret_new() -> str:
    """A new signing secret: whsec_ and 24 random bytes in base64, as Standard Webhooks writes it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def signature(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The webhook-signature header: v1, and the base64 HMAC-SHA256 of "id.timestamp.body"."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


# --- the URL rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A URL taken apart and checked: where to connect (`address`) and what to ask for."""

    scheme: str
    host: str  # the name (IDNA), or the address as written
    port: int
    path: str
    address: str  # the checked IP address the delivery connects to


def _allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def address_problem(address: str) -> str | None:
    """Why the portal will not connect to this IP address (None: a public address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "a reserved address"
    if ip.is_loopback:
        return None if _allow_loopback() else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a reserved address"
    return None


def _host(raw: str) -> str:
    """The host as the delivery names it: an IP address as written, a name in IDNA lower case."""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        pass
    try:
        name = raw.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UnsafeURL("The host name is not valid.") from None
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise UnsafeURL("The host name is not valid.")
    return name


def parse(url: Any) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of a URL the portal may deliver to, or UnsafeURL saying why."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURL("Enter the URL to deliver to.")
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise UnsafeURL(f"The URL is longer than {URL_MAX_LENGTH} characters.")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise UnsafeURL("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
        raw_host = parts.hostname
    except ValueError:
        raise UnsafeURL("This is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or (scheme == "http" and not _allow_loopback()):
        raise UnsafeURL("The URL must start with https://.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("Remove the user name and password from the URL.")
    if not raw_host:
        raise UnsafeURL("The URL has no host.")
    if port == 0:
        raise UnsafeURL("The URL's port is not valid.")
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    return scheme, _host(raw_host), port or (443 if scheme == "https" else 80), path


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURL(f"The host {host} could not be found.") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check(url: Any) -> Target:
    """The URL checked now, with the address to connect to; UnsafeURL if it may not be used.

    Every address the host resolves to must be allowed: a name with one public and one
    private address is refused, so which one a later lookup answers cannot matter.
    """
    scheme, host, port, path = parse(url)
    addresses = _addresses(host, port)
    if not addresses:
        raise UnsafeURL(f"The host {host} could not be found.")
    for address in addresses:
        problem = address_problem(address)
        if problem:
            raise UnsafeURL(
                f"The host {host} is {problem} ({address}); webhooks go to public addresses only."
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


def url_problem(url: Any) -> str | None:
    """Why the portal will not deliver to this URL, for the form (None: it will)."""
    try:
        check(url)
    except UnsafeURL as exc:
        return str(exc)
    return None


# --- the POST ----------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked address, whatever the name would resolve to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address, the certificate verified against the name."""

    def __init__(self, target: Target, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    text: str  # the start of the answer's body, for the operations page

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300


def post(*, url: str, body: str, headers: dict[str, str]) -> Answer:
    """POST the body to the URL (checked again now, connecting to the checked address).

    Raises UnsafeURL for a URL no longer allowed, OSError (and http.client's errors) for a
    receiver that is not there or too slow (WEBHOOK_TIMEOUT_SECONDS on every wait).
    A redirect is an answer like any other non-2xx: not followed.
    """
    target = check(url)
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout)
        if target.scheme == "https"
        else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request(
            "POST",
            target.path,
            body=body.encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "User-Agent": "MOA-Portal-Webhooks/1",
                **headers,
            },
        )
        response = connection.getresponse()
        data = response.read(settings.WEBHOOK_RESPONSE_MAX_BYTES)
        return Answer(status=response.status, text=data[:300].decode("utf-8", "replace"))
    finally:
        connection.close()


# --- the payloads ------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(*, format: str, event: dict[str, Any], timestamp: str) -> str:
    """The JSON body of a delivery in the subscription's format.

    `event`: type, title, summary, url, and the agreement and object (webhook_events.py).
    The Standard Webhooks format is {type, timestamp, data}; Teams gets an Adaptive Card in
    a message, Slack a text with a section block. Each links to the object's portal page.
    """
    title, summary, url = event["title"], event["summary"], event["url"]
    if format == "teams":
        body: dict[str, Any] = {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True},
                            {"type": "TextBlock", "text": summary, "wrap": True},
                        ],
                        "actions": [
                            {"type": "Action.OpenUrl", "title": "Open in the MOA Portal", "url": url}
                        ],
                    },
                }
            ],
        }
    elif format == "slack":
        text = f"*{_slack_escape(title)}*\n{_slack_escape(summary)}\n<{url}|Open in the MOA Portal>"
        body = {
            "text": f"{title}: {summary}",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        }
    else:
        body = {
            "type": event["type"],
            "timestamp": timestamp,
            "data": {
                "summary": summary,
                "url": url,
                "agreement": event.get("agreement"),
                "object": event.get("object"),
            },
        }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
