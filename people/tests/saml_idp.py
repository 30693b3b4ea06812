"""A real SAML 2.0 identity provider on loopback, for the tests: pysaml2's IdP (`saml2.server.
Server`) with its own key and self-signed certificate made at test time, serving its metadata and
its single sign-on endpoint (HTTP-Redirect binding in, signed assertions out by HTTP-POST) from a
thread. Nothing in it is a mock of the portal: the portal's sign-on reads its metadata over HTTP,
and checks its signatures with xmlsec1.

A test sets how the next answer goes wrong, if it should (`answer`): unsigned, signed and then
altered, meant for another audience, or naming an e-mail address of its choice.
"""

from __future__ import annotations

import base64
import datetime
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import saml2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

PIV_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:X509"


def self_signed(directory: Path, name: str) -> tuple[str, str]:
    """A new RSA key and a self-signed certificate for it, as PEM files (pysaml2 signs with files)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


@dataclass
class Answer:
    """How the IdP answers the next request."""

    email: str = ""
    sign: bool = True
    tamper_email: str = ""  # sign, then change the e-mail address in the signed XML
    audience: str = ""  # another service's entity id in the audience restriction
    authn_context: str = PIV_CONTEXT
    encrypt: bool = False  # encrypt the signed assertion to the portal's published certificate
    encrypt_to: str = ""  # ... or to this certificate (PEM file): someone else's


@dataclass
class LoopbackIdP:
    directory: Path
    name: str = "idp"
    answer: Answer = field(default_factory=Answer)
    server: ThreadingHTTPServer | None = None
    idp: Server | None = None

    def start(self) -> None:
        self.key_file, self.cert_file = self_signed(self.directory, self.name)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def entity_id(self) -> str:
        return f"{self.base}/{self.name}/metadata"

    @property
    def metadata_url(self) -> str:
        return self.entity_id

    def config(self, sp_metadata: str = "") -> IdPConfig:
        conf: dict[str, Any] = {
            "entityid": self.entity_id,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "service": {
                "idp": {
                    "name": f"Loopback {self.name}",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.base}/{self.name}/sso", saml2.BINDING_HTTP_REDIRECT)
                        ]
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                }
            },
        }
        if sp_metadata:
            conf["metadata"] = {"inline": [sp_metadata]}
        return IdPConfig().load(conf)

    def trust(self, sp_metadata: str) -> None:
        """Know the portal (its answer address) from the portal's own metadata."""
        self.idp = Server(config=self.config(sp_metadata))

    def encryption_cert(self, answer: Answer) -> str:
        """The certificate to encrypt to: the one the portal's metadata publishes for encryption
        (as the IdP would find it), or the answer's `encrypt_to`."""
        if answer.encrypt_to:
            return Path(answer.encrypt_to).read_text()
        assert self.idp is not None
        sp = next(iter(self.idp.metadata.service_providers()))
        certs = self.idp.metadata.certs(sp, "spsso", "encryption")
        assert certs, "the portal's metadata publishes no certificate for encryption"
        return certs[0][1]

    def metadata(self) -> bytes:
        return create_metadata_string(None, config=self.config(), valid=24)

    def sso(self, query: str) -> str:
        """Answer an authentication request (its query string): the HTML form a browser would post."""
        assert self.idp is not None, "call trust() with the portal's metadata first"
        params = {k: v[0] for k, v in parse_qs(query).items()}
        request = self.idp.parse_authn_request(params["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT)
        args = self.idp.response_args(request.message, [saml2.BINDING_HTTP_POST])
        answer = self.answer
        if answer.audience:
            args["sp_entity_id"] = answer.audience
        response = self.idp.create_authn_response(
            {"mail": [answer.email], "givenName": ["Dana"]},
            userid=answer.email,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=answer.email),
            authn={"class_ref": answer.authn_context, "authn_auth": self.entity_id},
            sign_assertion=answer.sign,
            sign_response=False,
            encrypt_assertion=answer.encrypt,
            encrypt_cert_assertion=self.encryption_cert(answer) if answer.encrypt else None,
            **{k: args[k] for k in ("in_response_to", "destination", "sp_entity_id", "name_id_policy")},
        )
        xml = str(response)
        if answer.tamper_email:
            xml = xml.replace(answer.email, answer.tamper_email)
        http = self.idp.apply_binding(
            saml2.BINDING_HTTP_POST,
            xml,
            args["destination"],
            params.get("RelayState", ""),
            response=True,
        )
        return http["data"]


def _handler(owner: LoopbackIdP) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            body: str | bytes
            if url.path == f"/{owner.name}/metadata":
                body, kind = owner.metadata(), "application/samlmetadata+xml"
            elif url.path == f"/{owner.name}/sso":
                body, kind = owner.sso(url.query), "text/html"
            else:
                self.send_error(404)
                return
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def posted_form(html: str) -> tuple[str, dict[str, str]]:
    """The address and fields of the auto-posting form an IdP answers with."""
    action = re.search(r'<form[^>]*action="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    return action, fields


def decoded(saml_response: str) -> str:
    return base64.b64decode(saml_response).decode()
