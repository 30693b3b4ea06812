"""The reference deployment, exercised: Debian's nginx in front of gunicorn on loopback, and the
systemd units through `systemd-analyze verify`.

nginx runs deploy/nginx/moa-portal.conf rendered for the test (its ports and folders
substituted, TLS dropped: the rest is the file as shipped); gunicorn runs the portal under test
settings on the test database with EVIDENCE_ACCEL_REDIRECT set, as production does.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from activities.models import Evidence
from activities.tests.factories import ProgressUpdateFactory
from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from moa_portal.deploy_site import MIB, SITE, client_max_body_size, render_site, write_nginx_folder
from notifications.tests.test_worker import database_url

ROOT = Path(settings.BASE_DIR)
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
EVIDENCE_MAX_BYTES = 1 * MIB  # small, so the test's too-large request is small too
REQUEST_MAX_BYTES = 2 * MIB  # a form's files together; nginx refuses a larger body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        assert time.monotonic() < deadline, f"{what} did not listen on {port} within {seconds} s"
        time.sleep(0.1)


@dataclass
class Stack:
    nginx_port: int
    gunicorn_port: int
    static_root: Path
    evidence_root: Path
    gunicorn_log: Path


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    """collectstatic into a folder of the test's, gunicorn on the test database, nginx in front."""
    tmp = tmp_path_factory.mktemp("deploy")
    os.chmod(tmp, 0o755)  # noqa: S103  (nginx's workers read static files and evidence from here)
    static_root, evidence_root = tmp / "static", tmp / "evidence"
    evidence_root.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "moa_portal.settings.test",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(evidence_root),
        "EVIDENCE_ACCEL_REDIRECT": "/_evidence/",
        "EVIDENCE_MAX_BYTES": str(EVIDENCE_MAX_BYTES),
        "REQUEST_MAX_BYTES": str(REQUEST_MAX_BYTES),
    }
    # The static files go where nginx serves them; gunicorn is not told (it would serve them too).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env={**env, "STATIC_ROOT": str(static_root)},
        check=True,
    )
    (static_root / "only-in-static-root.txt").write_text("served by nginx\n")

    gunicorn_port, nginx_port = free_port(), free_port()
    gunicorn_log = tmp / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "moa_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{gunicorn_port}",
            "--workers",
            "1",
            "--access-logfile",
            str(gunicorn_log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site = render_site(
        SITE.read_text(),
        port=nginx_port,
        upstreams=[gunicorn_port],
        static_root=static_root,
        evidence_root=evidence_root,
        max_bytes=REQUEST_MAX_BYTES,
    )
    conf = write_nginx_folder(tmp, site)
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    nginx = subprocess.Popen(
        [nginx_bin, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(gunicorn_port, "gunicorn")
        wait_for_port(nginx_port, "nginx")
        yield Stack(nginx_port, gunicorn_port, static_root, evidence_root, gunicorn_log)
    finally:
        _stop(nginx)
        _stop(gunicorn)


def get(port: int, path: str, cookies: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def session_of(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def test_the_reference_site_allows_what_the_portal_allows_in_one_request():
    """A form's several files together may reach REQUEST_MAX_BYTES; the portal, not nginx,
    refuses a single file over EVIDENCE_MAX_BYTES, with its own message beside the field."""
    size = re.search(r"client_max_body_size (\S+);", SITE.read_text()).group(1)
    assert size == client_max_body_size(60 * MIB)
    assert settings.REQUEST_MAX_BYTES == 60 * MIB  # the default the reference site is written for


def test_nginx_refuses_a_too_large_upload_before_the_portal_sees_it(stack):
    path = "/too-large-upload-probe/"
    with socket.create_connection(("127.0.0.1", stack.nginx_port), timeout=30) as s:
        s.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Length: {3 * EVIDENCE_MAX_BYTES}\r\nConnection: close\r\n\r\n"
            ).encode()
            + b"x" * 1024
        )
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                answer += chunk
    head = answer.decode(errors="replace")
    assert head.startswith("HTTP/1.1 413")
    assert "<center>nginx</center>" in head
    assert path not in stack.gunicorn_log.read_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_evidence_is_sent_by_nginx_and_only_to_a_permitted_user(stack, settings):
    settings.MEDIA_ROOT = stack.evidence_root
    party = PartyFactory(acronym="AAA")
    agreement = AgreementFactory(parties=[party, PartyFactory(acronym="BBB")])
    staff = UserFactory(username="aaa.staff", party=party, roles=[STAFF])
    outsider = UserFactory(username="outsider", party=PartyFactory(acronym="NPA"), roles=[STAFF])
    update = ProgressUpdateFactory(commitment=CommitmentFactory(agreement=agreement), reporting_party=party)
    content = b"date,shipments\n2021-06-30,42\n"
    evidence = Evidence.objects.create(
        file=SimpleUploadedFile("shipments.csv", content),
        original_name="shipments.csv",
        content_type="text/csv",
        size=len(content),
        sha256="0" * 64,
        progress_update=update,
        uploaded_by=staff,
    )
    url = reverse("activities:evidence_download", kwargs={"pk": evidence.pk})

    through_nginx = get(stack.nginx_port, url, session_of(staff))
    assert through_nginx.status == 200
    assert through_nginx.body == content
    assert through_nginx.getheader("Content-Disposition") == 'attachment; filename="shipments.csv"'
    assert through_nginx.getheader("X-Content-Type-Options") == "nosniff"
    # The portal only checked the permission and pointed nginx at the file.
    from_portal = get(stack.gunicorn_port, url, session_of(staff))
    assert from_portal.status == 200 and from_portal.body == b""
    assert from_portal.getheader("X-Accel-Redirect") == f"/_evidence/{evidence.file.name}"

    assert get(stack.nginx_port, url, session_of(outsider)).status == 404
    assert get(stack.nginx_port, url).status == 302  # to the sign-in page
    # The internal location cannot be asked for directly.
    assert get(stack.nginx_port, f"/_evidence/{evidence.file.name}", session_of(staff)).status == 404


def test_static_files_come_from_nginx(stack):
    marker = get(stack.nginx_port, "/static/only-in-static-root.txt")
    assert marker.status == 200 and marker.body == b"served by nginx\n"
    assert get(stack.gunicorn_port, "/static/only-in-static-root.txt").status == 404
    css = next(p for p in sorted(stack.static_root.rglob("*.css")))
    response = get(stack.nginx_port, f"/static/{css.relative_to(stack.static_root)}")
    assert response.status == 200 and response.body == css.read_bytes()
    assert response.getheader("Cache-Control") == "max-age=2592000, public"


def test_pages_pass_through_nginx_to_the_portal(stack):
    response = get(stack.nginx_port, "/healthz")
    assert response.status == 200 and b'"database": "ok"' in response.body


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_the_systemd_unit_passes_systemd_analyze_verify(unit, tmp_path):
    """The unit as shipped, with the install folder replaced by this checkout (its commands exist)."""
    assert shutil.which("systemd-analyze"), (
        "systemd-analyze is needed (Debian package systemd; .ci/run installs it)"
    )
    text = (
        unit.read_text()
        .replace("/srv/moa-portal/app/.venv", sys.prefix)
        .replace("/srv/moa-portal/app", str(ROOT))
    )
    rendered = tmp_path / unit.name
    rendered.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(rendered)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr
    for must in (
        "User=moa-portal",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "Restart=",
    ):
        assert must in text
