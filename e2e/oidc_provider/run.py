"""Start the throwaway OpenID provider (serve.py) on a free loopback port, for as long as a
`with` block lasts, and sign a person in at it the way a browser would (for tests without one)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "moa-portal"
CLIENT_SECRET = "moa-portal-test-secret"  # noqa: S105
PASSWORD = "provider-password-1"  # noqa: S105
#: Bounded wait for the provider to answer after it starts (migrations on SQLite).
START_ATTEMPTS = 300


@dataclass(frozen=True)
class RunningProvider:
    url: str
    issuer: str
    client_id: str
    client_secret: str

    def portal_config(self, name: str = "Test IdP") -> dict[str, str]:
        """The entry of settings.OIDC_PROVIDERS for this provider."""
        return {
            "name": name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scopes": "openid email",
            "acr_values": "",
        }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@contextmanager
def running_provider(
    *, redirect_uris: list[str], users: dict[str, dict], workdir: Path
) -> Iterator[RunningProvider]:
    """users: username -> {"email", "email_verified"?, "amr"?, "acr"?, "wrong"?: {claim: value}}."""
    port = _free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "OIDC_TEST_DB": str(workdir / "provider.sqlite3"),
        "OIDC_TEST_RSA_KEY": _rsa_pem(),
        "OIDC_TEST_USERS": json.dumps({name: {"password": PASSWORD, **u} for name, u in users.items()}),
        "OIDC_TEST_CLIENT": json.dumps(
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
        ),
        "PYTHONPATH": str(REPO),
    }
    log = (workdir / "provider.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "e2e.oidc_provider.serve", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(START_ATTEMPTS):
            if process.poll() is not None:
                raise RuntimeError(f"the OpenID provider stopped: {(workdir / 'provider.log').read_text()}")
            try:
                if requests.get(f"{url}/o/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the OpenID provider did not start")
        yield RunningProvider(url=url, issuer=f"{url}/o", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def sign_in_at_provider(authorize_url: str, username: str, password: str = PASSWORD) -> str:
    """Follow the portal's redirect to the provider, sign in there as a browser would, and return
    the address the provider sends the browser back to (the portal's callback, with code and state)."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    login_url = urljoin(authorize_url, response.headers["Location"])
    page = browser.get(login_url, timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_value = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    response = browser.post(
        login_url,
        data={"csrfmiddlewaretoken": csrf, "username": username, "password": password, "next": next_value},
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    response = browser.get(
        urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]
