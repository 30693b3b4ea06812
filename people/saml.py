"""Single sign-on by SAML 2.0, for agency identity providers that speak only SAML.

Built on djangosaml2 (pysaml2, which checks signatures with xmlsec1): its views start the
request and read the answer, and this module gives them the portal's rules, the same as the
OpenID Connect sign-on's (people.sso):

- several providers at once, configured from the environment (settings.SAML_PROVIDERS), each
  with its own metadata (its signing certificate); the portal's own metadata is served at
  `accounts:saml_metadata` for the agencies to register;
- an answer is accepted only with a signed assertion (`want_assertions_signed`), from the
  provider this browser's sign-on was started with, meant for this portal (audience and
  recipient), in response to a request this browser made, and within its validity;
- the person is the one active portal account with the asserted e-mail address; none is ever
  created and no role is ever given;
- each refusal is a plain sentence for the person, logged (logger `people.saml`) and recorded in
  the audit trail ("Single sign-on refused"); the assertion's authentication context (how the
  provider authenticated the person: PIV/CAC, MFA) is written on the "Signed in" event.

With a key of its own (SAML_SP_KEY_FILE/SAML_SP_CERT_FILE) the portal signs its requests and
publishes the certificate for encryption too (`encryption_keypairs`): providers that encrypt
their assertions (Login.gov's SAML does, by default) encrypt them to it, and pysaml2 decrypts
them before the same checks. An encrypted answer to a portal without a key cannot be read and
is refused like any other unreadable answer.

The configuration pysaml2 builds (the providers' metadata read, remote metadata fetched) is kept
for METADATA_SECONDS per process, not built at every request.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass
from typing import Any

import saml2
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from saml2.config import SPConfig

from agreements.signals import account_event

from .sso import SignOnRefused, account_for_email

logger = logging.getLogger("people.saml")

#: Where a SAML sign-on keeps, in djangosaml2's own session, the providers it was started with.
STARTED_KEY = "moa_saml_started"
#: Seconds a built configuration (with the providers' metadata) is kept before being built again.
METADATA_SECONDS = 3600
#: Attributes read for the e-mail address when the provider's setting names none.
EMAIL_ATTRIBUTES = (
    "mail",
    "email",
    "emailAddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    entity_id: str
    metadata_url: str
    metadata_file: str
    email_attribute: str


def providers() -> list[Provider]:
    """The configured providers, in the order the sign-in page lists them."""
    return [provider(slug) for slug in settings.SAML_PROVIDERS]


def provider(slug: str) -> Provider:
    conf = settings.SAML_PROVIDERS[slug]
    return Provider(
        slug=slug,
        name=conf.get("name") or slug,
        entity_id=conf["entity_id"],
        metadata_url=conf.get("metadata_url", ""),
        metadata_file=conf.get("metadata_file", ""),
        email_attribute=conf.get("email_attribute", ""),
    )


def provider_by_entity_id(entity_id: str) -> Provider | None:
    return next((p for p in providers() if p.entity_id == entity_id), None)


def sp_base_url(request: HttpRequest | None) -> str:
    """Where the portal is reached: SAML_SP_BASE_URL, or (unset, as in development) this request's."""
    if settings.SAML_SP_BASE_URL:
        return settings.SAML_SP_BASE_URL.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/") if request is not None else ""


def sp_entity_id(request: HttpRequest | None) -> str:
    return settings.SAML_SP_ENTITY_ID or sp_base_url(request) + reverse("accounts:saml_metadata")


def config_dict(request: HttpRequest | None) -> dict[str, Any]:
    """pysaml2's configuration of the portal as a service provider, from the settings."""
    base = sp_base_url(request)
    local = [p.metadata_file for p in providers() if p.metadata_file]
    remote = [{"url": p.metadata_url} for p in providers() if p.metadata_url and not p.metadata_file]
    conf: dict[str, Any] = {
        "entityid": sp_entity_id(request),
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "service": {
            "sp": {
                "name": "MOA Portal",
                "endpoints": {
                    "assertion_consumer_service": [
                        (base + reverse("accounts:saml_acs"), saml2.BINDING_HTTP_POST)
                    ],
                },
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": bool(settings.SAML_SP_KEY_FILE),
                "idp": {p.entity_id: {} for p in providers()},
            }
        },
        "metadata": {"local": local, "remote": remote},
    }
    if settings.SAML_SP_KEY_FILE:
        conf["key_file"] = settings.SAML_SP_KEY_FILE
        conf["cert_file"] = settings.SAML_SP_CERT_FILE
        # The same key decrypts: its certificate is published for encryption as well.
        conf["encryption_keypairs"] = [
            {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
        ]
    return conf


_kept: dict[str, tuple[float, SPConfig]] = {}
_kept_lock = threading.Lock()


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """The configuration djangosaml2's views use (settings.SAML_CONFIG_LOADER names this),
    kept for METADATA_SECONDS: building it reads every provider's metadata."""
    conf = config_dict(request)
    key = repr(conf)
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None and time.monotonic() - kept[0] < METADATA_SECONDS:
            return kept[1]
    built = SPConfig()
    built.load(conf)
    with _kept_lock:
        _kept.clear()  # one configuration in force at a time
        _kept[key] = (time.monotonic(), built)
    return built


def started(saml_session: Any, p: Provider) -> None:
    """Note that this browser started a sign-on with this provider (checked on its answer)."""
    entity_ids = list(saml_session.get(STARTED_KEY) or [])
    if p.entity_id not in entity_ids:
        entity_ids.append(p.entity_id)
    saml_session[STARTED_KEY] = entity_ids[-5:]


@dataclass(frozen=True)
class SignedOn:
    user: Any
    provider: Provider
    authn_context: str
    authn_authorities: list[str]
    subject: str


def _email(session_info: dict[str, Any], p: Provider) -> str:
    attributes = session_info.get("ava") or {}
    names = (p.email_attribute,) if p.email_attribute else EMAIL_ATTRIBUTES
    for name in names:
        values = attributes.get(name) or []
        if values and isinstance(values[0], str) and values[0].strip():
            return values[0].strip()
    name_id = session_info.get("name_id")
    if not p.email_attribute and name_id is not None and getattr(name_id, "format", "") == NAMEID_EMAIL:
        return str(name_id.text or "").strip()
    return ""


def finish(saml_session: Any, session_info: dict[str, Any]) -> SignedOn:
    """The portal account a verified assertion names; raise SignOnRefused otherwise. pysaml2 has
    checked the signature, audience, recipient, validity and the request it answers."""
    issuer = str(session_info.get("issuer") or "")
    p = provider_by_entity_id(issuer)
    if p is None or issuer not in (saml_session.get(STARTED_KEY) or []):
        raise SignOnRefused(
            "This answer comes from an identity provider this sign-in was not started with. "
            "Please start again from the sign-in page.",
            why=f"issuer {issuer[:200]!r} is not the provider this sign-on started with",
        )
    email = _email(session_info, p)
    if not email or len(email) > 254:
        raise SignOnRefused(
            f"{p.name} did not tell the portal your e-mail address.", why="no e-mail attribute"
        )
    account = account_for_email(email)
    context, authorities = "", []
    for class_ref, authorities_of, *_ in session_info.get("authn_info") or []:
        context = str(class_ref or "")
        authorities = [str(a) for a in authorities_of or []]
        break
    name_id = session_info.get("name_id")
    return SignedOn(
        user=account,
        provider=p,
        authn_context=context,
        authn_authorities=authorities,
        subject=str(getattr(name_id, "text", "") or ""),
    )


#: What a person is told when pysaml2 refused the answer, by the kind of refusal.
_REFUSALS = (
    (
        ("SignatureError", "IncorrectlySigned", "MissingKey", "Signature missing"),
        "The identity provider's answer was not signed, or its signature did not check out, "
        "so you were not signed in.",
    ),
    (
        ("Audience", "recipient", "VerificationError"),
        "The identity provider's answer was meant for another service, not this portal, "
        "so you were not signed in.",
    ),
    (
        ("UnsolicitedResponse", "Unsolicited"),
        "This answer does not match a sign-in started in this browser, or it was already used. "
        "Please start again from the sign-in page.",
    ),
    (
        ("ResponseLifetimeExceed", "ToEarly", "too old", "Too old"),
        "The identity provider's answer has expired. Please start again from the sign-in page.",
    ),
    (
        # pysaml2's word for an answer whose assertion it could not find, as when it was
        # encrypted to a key the portal does not hold.
        ("StatusInvalidAuthnResponseStatement",),
        "The identity provider's answer could not be read by this portal (it may be encrypted "
        "to another key), so you were not signed in.",
    ),
    (
        ("StatusError", "Status"),
        "The identity provider did not sign you in.",
    ),
)
UNREADABLE = "The identity provider's answer could not be accepted, so you were not signed in."


def refusal_for(exception: BaseException | None) -> SignOnRefused:
    """A refusal by pysaml2 (or djangosaml2) as a plain sentence, with what went wrong for the log."""
    if isinstance(exception, SignOnRefused):
        return exception
    names = {c.__name__ for c in type(exception).__mro__} if exception is not None else set()
    text = f"{type(exception).__name__}: {exception}"[:300] if exception is not None else "no answer"
    for markers, message in _REFUSALS:
        if any(m in names or m in text for m in markers):
            return SignOnRefused(message, why=text)
    return SignOnRefused(UNREADABLE, why=text)


def refused(request: HttpRequest, refusal: SignOnRefused) -> None:
    """Log a refusal and record it in the audit trail."""
    logger.warning("SAML single sign-on refused: %s", refusal.why)
    account_event.send(
        sender=refused,
        kind="sso_refused",
        user=refusal.user,
        username=refusal.username,
        request=request,
        detail=f"SAML: {refusal.why}"[:200],
    )


def describe(signed_on: SignedOn) -> str:
    """How the person was signed in, for the audit trail's "Signed in" event."""
    context = signed_on.authn_context or "none given"
    return f"by SAML single sign-on through {signed_on.provider.name} (authn context: {context})"
