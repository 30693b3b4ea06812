"""A production configuration that would send nothing, or send it wrong, is refused.

The same rules run as a system check (ids moa_portal.E001–E007, E010 for SAML sign-on, E011
for passkeys and E012 for pickers:
`manage.py check --deploy`, `migrate` and every management command report them) and at the
start of every production process: gunicorn (moa_portal/wsgi.py), the Celery worker and beat
(moa_portal/celery.py) raise ImproperlyConfigured instead of starting. Each message names the
setting to fix. The rules apply when PORTAL_PRODUCTION is true (settings/production.py) or with
`check --deploy`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

NOT_DELIVERING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints mail instead of sending it",
    "django.core.mail.backends.locmem.EmailBackend": "keeps mail in memory instead of sending it",
    "django.core.mail.backends.filebased.EmailBackend": "writes mail to files instead of sending it",
    "django.core.mail.backends.dummy.EmailBackend": "throws mail away",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}  # noqa: S104


def _is_local(host: str) -> bool:
    host = host.lower().strip("[]")
    return host in LOCAL_HOSTS or host.endswith(".localhost") or host.startswith("127.")


def configuration_problems() -> list[Error]:
    """What in these settings would stop the portal from working in production."""
    problems = []
    backend = settings.EMAIL_BACKEND
    if backend in NOT_DELIVERING_BACKENDS:
        problems.append(
            Error(
                f"EMAIL_BACKEND is {backend}: it {NOT_DELIVERING_BACKENDS[backend]},"
                " and notices would be marked sent.",
                hint="Set EMAIL_URL to the mail server, e.g. smtp+tls://user:password@smtp.example.gov:587.",
                id="moa_portal.E001",
            )
        )
    broker = str(settings.CELERY_BROKER_URL)
    if broker.startswith(("filesystem://", "memory://")):
        problems.append(
            Error(
                f"The Celery broker is {broker.split(':')[0]}://:"
                " jobs would queue in a folder on one machine.",
                hint="Set REDIS_URL, e.g. redis://127.0.0.1:6379/0.",
                id="moa_portal.E002",
            )
        )
    url = urlsplit(settings.PORTAL_URL)
    if _is_local(url.hostname or ""):
        problems.append(
            Error(
                f"PORTAL_URL is {settings.PORTAL_URL}: links in e-mail would point at this machine.",
                hint="Set PORTAL_URL to the portal's public address, e.g. https://moa.example.gov.",
                id="moa_portal.E003",
            )
        )
    if url.scheme != "https":
        problems.append(
            Error(
                f"PORTAL_URL is {settings.PORTAL_URL}: links in e-mail must use https.",
                hint="Set PORTAL_URL to an https:// address.",
                id="moa_portal.E004",
            )
        )
    sender = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >").lower()
    if "@" not in settings.DEFAULT_FROM_EMAIL or _is_local(sender) or "." not in sender:
        problems.append(
            Error(
                f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL}:"
                " mail from a local address is refused or lost.",
                hint="Set DEFAULT_FROM_EMAIL to an address of the agency's domain,"
                " e.g. MOA Portal <moa-portal@example.gov>.",
                id="moa_portal.E005",
            )
        )
    cache = settings.CACHES["default"]["BACKEND"]
    if not cache.endswith("RedisCache"):
        problems.append(
            Error(
                f"The cache is {cache}: processes would not share kept values or the worker's heartbeat.",
                hint="Set REDIS_URL (or CACHE_URL) to a Redis server.",
                id="moa_portal.E006",
            )
        )
    if getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False):
        problems.append(
            Error(
                "WEBHOOK_ALLOW_LOOPBACK is on: webhook URLs could reach this machine over plain http.",
                hint="Unset WEBHOOK_ALLOW_LOOPBACK (it is for development and tests).",
                id="moa_portal.E007",
            )
        )
    if getattr(settings, "PORTAL_PICKER_LIMIT", 50) < 0:
        problems.append(
            Error(
                f"PORTAL_PICKER_LIMIT is {settings.PORTAL_PICKER_LIMIT}: below none.",
                hint="Set PORTAL_PICKER_LIMIT to 0 or more (50 by default): the most choices a picker lists.",
                id="moa_portal.E012",
            )
        )
    problems.extend(saml_problems())
    problems.extend(passkey_problems())
    return problems


def _within(host: str, rp_id: str) -> bool:
    return host == rp_id or host.endswith("." + rp_id)


def passkey_problems() -> list[Error]:
    """Passkeys that no browser would create or accept: a relying party id that is an address or
    not the portal's host (or a domain above it), or an origin that is plain http or outside the
    id's domain. A browser refuses the first two; the last would accept passkeys from elsewhere."""
    rp_id = settings.OTP_WEBAUTHN_RP_ID.lower()
    problems = []
    portal_host = (urlsplit(settings.PORTAL_URL).hostname or "").lower()
    if not rp_id or rp_id.replace(".", "").isdigit() or ":" in rp_id or not _within(portal_host, rp_id):
        problems.append(
            Error(
                f"OTP_WEBAUTHN_RP_ID is {rp_id or 'empty'}: browsers create passkeys only for the"
                f" portal's host ({portal_host}) or a domain it is under, never an IP address.",
                hint="Unset OTP_WEBAUTHN_RP_ID (the host of PORTAL_URL), or set it to a domain the"
                " portal's host ends with, e.g. moa.example.gov or example.gov.",
                id="moa_portal.E011",
            )
        )
    for origin in settings.OTP_WEBAUTHN_ALLOWED_ORIGINS:
        parts = urlsplit(origin)
        if parts.scheme != "https" or not _within((parts.hostname or "").lower(), rp_id) or parts.path:
            problems.append(
                Error(
                    f"OTP_WEBAUTHN_ALLOWED_ORIGINS has {origin}: a passkey origin must be an https://"
                    f" address (no path) within {rp_id or 'the relying party id'}.",
                    hint="Unset OTP_WEBAUTHN_ALLOWED_ORIGINS (PORTAL_URL's origin), or list https://"
                    " addresses of the portal, e.g. https://moa.example.gov.",
                    id="moa_portal.E011",
                )
            )
    return problems


def saml_problems() -> list[Error]:
    """SAML sign-on that could not work: answers sent to a plain-http address, a provider whose
    signing certificate the portal cannot read (no metadata, or metadata fetched over http,
    which anyone on the path could replace), or no xmlsec1 to check signatures with."""
    if not settings.SAML_PROVIDERS:
        return []
    problems = []
    if not settings.SAML_SP_BASE_URL.startswith("https://"):
        problems.append(
            Error(
                f"SAML_SP_BASE_URL is {settings.SAML_SP_BASE_URL or 'not set'}: identity providers"
                " must send their answers to the portal's https:// address.",
                hint="Set SAML_SP_BASE_URL to the portal's public address, e.g. https://moa.example.gov.",
                id="moa_portal.E010",
            )
        )
    for slug, conf in settings.SAML_PROVIDERS.items():
        name = "SAML_" + slug.upper().replace("-", "_")
        url, path = conf.get("metadata_url", ""), conf.get("metadata_file", "")
        if not (path and Path(path).is_file()) and not url.startswith("https://"):
            problems.append(
                Error(
                    f"{name}: no readable metadata ({name}_METADATA_FILE) and no https://"
                    f" {name}_METADATA_URL: the provider's signing certificate is unknown.",
                    hint=f"Set {name}_METADATA_FILE to the provider's metadata file.",
                    id="moa_portal.E010",
                )
            )
    if shutil.which("xmlsec1") is None:
        problems.append(
            Error(
                "xmlsec1 is not installed: SAML signatures cannot be checked.",
                hint="Install Debian's xmlsec1 package.",
                id="moa_portal.E010",
            )
        )
    return problems


@register("moa_portal")
def production_configuration(app_configs=None, **kwargs) -> list[Error]:
    if getattr(settings, "PORTAL_PRODUCTION", False):
        return configuration_problems()
    return []


@register("moa_portal", deploy=True)
def deploy_configuration(app_configs=None, **kwargs) -> list[Error]:
    """`check --deploy` under any settings says what production would refuse."""
    if getattr(settings, "PORTAL_PRODUCTION", False):
        return []  # production_configuration reports them already
    return configuration_problems()


def refuse_broken_configuration() -> None:
    """Raise, naming every setting to fix, if a production process would start broken."""
    if not getattr(settings, "PORTAL_PRODUCTION", False):
        return
    problems = configuration_problems()
    if problems:
        lines = [f"{p.id}: {p.msg} {p.hint}" for p in problems]
        raise ImproperlyConfigured("The production configuration is refused:\n" + "\n".join(lines))
