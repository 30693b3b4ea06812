"""Backup and restore as docs/operations.md says: pg_dump, pg_restore into an empty database, the
evidence folder copied with tar; the portal on the restored copy shows the same pages.

Two gunicorn processes on loopback, one on the test database and one on the restored copy,
answer the same requests with the same session (sessions are in the database too).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from activities.models import Evidence
from activities.tests.factories import MeetingFactory, ProgressUpdateFactory
from moa_portal.tests.test_deploy import _stop, free_port, get, session_of, wait_for_port
from notifications.tests.test_worker import database_url

ROOT = Path(settings.BASE_DIR)
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def pg_env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
    }


def gunicorn(database: str, media_root: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "moa_portal.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "moa_portal.settings.test",
            "DATABASE_URL": database,
            "MEDIA_ROOT": str(media_root),
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_for_port(port, "gunicorn")
    return process, port


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_into_an_empty_database_gives_the_same_pages(moa, doc_staff, doc_admin, tmp_path, settings):
    evidence_root = tmp_path / "evidence"
    settings.MEDIA_ROOT = evidence_root
    item = moa.commitments.order_by("position").first()
    update = ProgressUpdateFactory(
        commitment=item, reporting_party=doc_staff.membership.party, author=doc_staff
    )
    content = b"minutes of the quarterly call\n"
    evidence = Evidence.objects.create(
        file=SimpleUploadedFile("minutes.txt", content),
        original_name="minutes.txt",
        content_type="text/plain",
        size=len(content),
        sha256="0" * 64,
        progress_update=update,
        uploaded_by=doc_staff,
    )
    MeetingFactory(agreement=moa, organiser=doc_staff)
    cookies = session_of(doc_admin)

    # The backup: a custom-format dump and a tarball of the evidence folder.
    dump, archive = tmp_path / "moa_portal.dump", tmp_path / "evidence.tar.gz"
    name = connection.settings_dict["NAME"]
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", name], env=pg_env(), check=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(evidence_root, arcname="evidence")

    # The restore: an empty database, the dump into it, the evidence into a new folder.
    restored = f"moa_restore_{uuid.uuid4().hex[:8]}"
    restored_root = tmp_path / "restored"
    subprocess.run(["createdb", restored], env=pg_env(), check=True)
    processes = []
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            env=pg_env(),
            check=True,
        )
        with tarfile.open(archive) as tar:
            tar.extractall(restored_root, filter="data")
        original, original_port = gunicorn(database_url(), evidence_root, tmp_path / "original.log")
        processes.append(original)
        copy, copy_port = gunicorn(
            database_url().rsplit("/", 1)[0] + f"/{restored}",
            restored_root / "evidence",
            tmp_path / "copy.log",
        )
        processes.append(copy)

        pages = [
            reverse("my_work"),
            reverse("agreements:list"),
            moa.get_absolute_url(),
            item.get_absolute_url(),
            reverse("activities:update_list"),
            reverse("activities:meeting_list"),
            reverse("contacts:list"),
            reverse("people:list"),
            reverse("audit:log"),
            reverse("activities:evidence_download", kwargs={"pk": evidence.pk}),
        ]
        for page in pages:
            before, after = get(original_port, page, cookies), get(copy_port, page, cookies)
            assert (before.status, after.status) == (200, 200), page
            assert CSRF.sub(b"", before.body) == CSRF.sub(b"", after.body), page
        assert get(copy_port, pages[-1], cookies).body == content
    finally:
        for process in processes:
            _stop(process)
        subprocess.run(["dropdb", "--if-exists", restored], env=pg_env(), check=False)
