"""Hostile uploads, each built in the test: the whole file's structure is checked for its kind,
nothing executable or active passes, zip bombs are refused unpacked, the request body is
bounded before it is read, and the optional clamd scan refuses what it flags."""

from __future__ import annotations

import binascii
import io
import shutil
import socket
import socketserver
import struct
import subprocess
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import Image

from activities.evidence import CappedUploadHandler, OversizedUpload, check_upload, clamd_scan
from activities.models import Evidence, ProgressUpdate
from activities.tests import files

HTML = b"<!doctype html><html><body><script>fetch('/people/').then(r=>r.text())</script></body></html>"


def _refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.upload(name, content))
    assert refusal.value.code == "content", refusal.value
    return refusal.value.messages[0]


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_html_polyglot_is_refused():
    polyglot = files.PDF.replace(b"\n", b"\n%" + HTML + b"\n", 1)
    assert polyglot.startswith(b"%PDF-")
    assert "HTML or script" in _refused("report.pdf", polyglot)


def test_pdf_with_javascript_is_refused():
    assert "JavaScript" in _refused("report.pdf", files.pdf_bytes(javascript="app.alert('hi');"))


def test_pdf_with_a_launch_action_is_refused():
    assert "launch action" in _refused("report.pdf", files.pdf_with_launch_action())


def test_pdf_header_over_garbage_is_refused():
    assert "does not parse as a PDF" in _refused("report.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 200)


def test_pdf_header_over_a_program_is_refused():
    _refused("report.pdf", b"%PDF-1.4\n" + files.EXE)


# --- CSV -----------------------------------------------------------------------------------------


def test_html_saved_as_csv_is_refused():
    assert "HTML or script" in _refused("data.csv", HTML)


def test_csv_with_a_script_in_a_cell_is_refused():
    _refused("data.csv", b"party,note\nDOC,<script>alert(1)</script>\n")


# --- legacy Office (OLE2) ----------------------------------------------------------------------------


def test_ole2_header_over_an_executable_as_doc_is_refused():
    content = files.OLE2_MAGIC + files.EXE + "WordDocument".encode("utf-16-le") + bytes(512)
    assert "not a sound legacy Office file" in _refused("minutes.doc", content)


def test_ole2_file_without_the_kinds_stream_is_refused():
    assert "WordDocument" in _refused("minutes.doc", files.ole2_bytes("Workbook"))


def test_ole2_file_with_macros_is_refused():
    assert "macros" in _refused("minutes.doc", files.ole2_bytes("WordDocument", "Macros"))


# --- Office Open XML -------------------------------------------------------------------------------


def test_docx_holding_an_exe_is_refused():
    content = files.ooxml_bytes("word/", extra={"word/embeddings/setup.exe": files.EXE})
    assert "holds a program (word/embeddings/setup.exe)" in _refused("minutes.docx", content)


def test_docx_holding_a_program_under_an_image_name_is_refused():
    content = files.ooxml_bytes("word/", extra={"word/media/image1.png": files.EXE})
    assert "holds a program" in _refused("minutes.docx", content)


def test_docx_with_a_macro_project_is_refused():
    content = files.ooxml_bytes("word/", extra={"word/vbaProject.bin": b"\x00\x01macro"})
    assert "macros" in _refused("minutes.docx", content)


def test_macro_enabled_document_renamed_docx_is_refused():
    content = files.ooxml_bytes("word/", main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    assert "macro-enabled" in _refused("minutes.docx", content)


def test_docx_with_a_part_outside_the_package_is_refused():
    content = files.ooxml_bytes("word/", extra={"../../evil.xml": b"<x/>"})
    assert "outside the package" in _refused("minutes.docx", content)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    return files.zip_bomb_docx()


def test_zip_bomb_docx_is_refused_from_its_directory(zip_bomb):
    assert len(zip_bomb) < 5 * 1024 * 1024  # small on disk, 1 GiB unpacked
    assert "zip bomb" in _refused("minutes.docx", zip_bomb)


def test_docx_with_too_many_parts_is_refused(settings):
    settings.EVIDENCE_ZIP_MAX_ENTRIES = 10
    content = files.ooxml_bytes("word/", extra={f"word/media/p{i}.xml": b"<x/>" for i in range(10)})
    assert "more than 10" in _refused("minutes.docx", content)


# --- images --------------------------------------------------------------------------------------


def test_jpeg_header_over_garbage_is_refused():
    content = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
    assert "damaged" in _refused("photo.jpg", content)


def test_image_with_html_in_a_comment_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "JPEG", comment=HTML)
    assert "HTML or script" in _refused("photo.jpg", buffer.getvalue())


# --- the request body ------------------------------------------------------------------------------


def _parse(body: bytes, handlers):
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    return MultiPartParser(meta, io.BytesIO(body), handlers).parse()


def test_a_file_past_the_cap_is_not_kept(settings, rf):
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    body = encode_multipart(BOUNDARY, {"evidence": files.upload("big.pdf", files.PDF + bytes(1024 * 1024))})
    request = rf.post("/")
    handlers = [CappedUploadHandler(request), MemoryFileUploadHandler(request)]
    _, uploaded = _parse(body, handlers)
    kept = uploaded["evidence"]
    assert isinstance(kept, OversizedUpload)
    assert kept.read() == b""
    with pytest.raises(ValidationError, match="files may be at most 64"):
        check_upload(kept)


def test_a_file_past_the_cap_keeps_the_form_and_saves_nothing(client, doc_staff, doc, moa, settings):
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    client.force_login(doc_staff)
    url = reverse("activities:update_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    data = {
        "as_of": "2021-06-30",
        "status": "on_track",
        "percent_complete": "40",
        "narrative": "Typed with care.",
        "next_steps": "",
        "reporting_party": str(doc.pk),
        "evidence": files.upload("big.pdf", files.PDF + bytes(256 * 1024)),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "files may be at most" in response.context["form"].errors["evidence"][0]
    assert "Typed with care." in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_a_body_over_the_request_limit_is_refused_unread(client, doc_staff, doc, moa, settings):
    client.force_login(doc_staff)
    url = reverse("activities:update_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    declared = 200 * 1024 * 1024
    # The body is not sent at all: the declared length alone is refused, so nothing reads it.
    response = client.generic("POST", url, b"", content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(declared))
    assert response.status_code == 413
    assert not ProgressUpdate.objects.exists()


# --- the virus scan (a clamd-protocol server on loopback) ----------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class _ClamdProtocol(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM as clamd does: reads length-prefixed chunks up to a zero length,
    answers "stream: OK" or "stream: Eicar-Test-Signature FOUND", NUL-terminated."""

    def handle(self) -> None:
        sock = self.request
        command = b""
        while not command.endswith(b"\0"):
            command += sock.recv(1)
        assert command == b"zINSTREAM\0"
        received = b""
        while True:
            (length,) = struct.unpack(">I", self._exactly(4))
            if length == 0:
                break
            received += self._exactly(length)
        self.server.scanned.append(received)
        verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in received else b"stream: OK\0"
        sock.sendall(verdict)

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.request.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data


@pytest.fixture
def clamd(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _ClamdProtocol)
    server.scanned = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_clean_file_passes_the_scan_whole(clamd):
    content = "party,note\n" + "DOC,fine\n" * 20000
    check_upload(files.upload("data.csv", content.encode()))
    assert clamd.scanned == [content.encode()]  # every byte, over several chunks


def test_file_the_scan_flags_is_refused(clamd):
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.upload("data.csv", b"note\n" + EICAR + b"\n"))
    assert refusal.value.code == "virus"
    assert "Eicar-Test-Signature" in refusal.value.messages[0]


def test_upload_is_refused_when_the_scan_is_unreachable(settings):
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.upload("data.csv", b"a,b\n1,2\n"))
    assert refusal.value.code == "scan"


def test_a_file_is_scanned_once_though_form_and_service_both_check_it(clamd):
    upload = files.upload("data.csv", b"a,b\n1,2\n")
    check_upload(upload)
    check_upload(upload)
    assert len(clamd.scanned) == 1


# --- the virus scan against a real clamd ----------------------------------------------------------

SIGNATURE_MARKER = b"MOA-PORTAL-CLAMD-TEST-SIGNATURE-7f3a"


@pytest.fixture(scope="module")
def real_clamd(tmp_path_factory):
    """clamd itself, loading one signature of our own (the official databases are not needed
    and cannot be downloaded here), on a free loopback port; .ci/services installs it."""
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    if not shutil.which(binary):
        pytest.fail("clamd is not installed; `bash .ci/services` installs clamav-daemon")
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "moa-test.ndb").write_text(
        f"MOA.Test.Signature:0:*:{binascii.hexlify(SIGNATURE_MARKER).decode()}\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (folder / "clamd.conf").write_text(
        f"DatabaseDirectory {folder}\nTCPSocket {port}\nTCPAddr 127.0.0.1\nForeground yes\n"
        f"LogFile {folder / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(folder / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(600):  # ready when it listens (it loads one signature: about a second)
            if process.poll() is not None:
                pytest.fail(f"clamd stopped: {(folder / 'clamd.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_real_clamd_passes_a_clean_file(real_clamd, settings):
    settings.CLAMAV_URL = real_clamd
    assert check_upload(files.pdf()).content_type == "application/pdf"


def test_real_clamd_refuses_a_file_with_its_signature(real_clamd, settings):
    settings.CLAMAV_URL = real_clamd
    with pytest.raises(ValidationError) as refusal:
        check_upload(files.upload("data.csv", b"note\n" + b"x" * 300_000 + SIGNATURE_MARKER))
    assert refusal.value.code == "virus"
    assert "MOA.Test.Signature" in refusal.value.messages[0]


def test_clamd_client_reads_a_reply_split_over_packets():
    class Slow(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            while not self.request.recv(65536).endswith(b"\0\0\0\0"):
                pass
            for piece in (b"stream: ", b"OK", b"\0"):
                self.request.sendall(piece)
                time.sleep(0.01)

    with socketserver.TCPServer(("127.0.0.1", 0), Slow) as server:
        threading.Thread(target=server.handle_request, daemon=True).start()
        assert clamd_scan(b"abc", f"tcp://127.0.0.1:{server.server_address[1]}", timeout=5) is None
