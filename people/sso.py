"""Single sign-on by OpenID Connect: authorisation code with PKCE, several providers at once.

Written on PyJWT and requests rather than django-allauth or mozilla-django-oidc: allauth's
social accounts come with its own sign-in flow, account adapter and dozens of URLs beside the
portal's sign-in (people.mfa says the same of its MFA); mozilla-django-oidc serves one provider
per deployment, and agencies need several (each agency's own IdP, Login.gov). What the portal
needs is one small, explicit flow:

1. `start`: a fresh `state`, `nonce` and PKCE `code_verifier` (S256) kept in the session, then the
   provider's authorisation endpoint (read from its discovery document).
2. `finish`: the `state` must be one this session started, for this provider; the code is
   exchanged at the token endpoint with the verifier; the ID token's signature (the provider's
   JWKS), `iss`, `aud`, `exp` and `nonce` are checked; the e-mail must be verified (from the ID
   token or, if absent there, the userinfo endpoint, as Login.gov gives it).
3. The account is the one active portal account with that e-mail address. None is ever created
   and no role is ever given: an admin creates the account and grants the party and role first.

Every refusal raises `SignOnRefused` with a plain sentence for the person, and is logged (logger
`people.sso`) and recorded in the audit trail. The ID token's `amr` and `acr` (how the provider
authenticated the person: PIV/CAC, MFA) are kept in the session and written on the "Signed in"
audit event: a single sign-on relies on the provider's MFA, not the portal's.

Providers are configured from the environment (settings.OIDC_PROVIDERS; .env.example). Client
authentication at the token endpoint is `client_secret_basic` when a secret is set, else none (a
public client, PKCE only); Login.gov's `private_key_jwt` is not implemented.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from agreements.signals import account_event

logger = logging.getLogger("people.sso")

FLOWS_KEY = "moa_oidc_flows"
#: Where a sign-on keeps what it proved: provider, subject, amr, acr.
SIGNED_ON_KEY = "moa_sso"
#: Seconds a started sign-on may take at the provider before its state is forgotten.
FLOW_SECONDS = 600
#: Sign-ons a session may have started and not finished (several tabs), oldest dropped first.
FLOWS_KEPT = 5
HTTP_TIMEOUT = 10
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class SignOnRefused(Exception):
    """A single sign-on that may not go on; the message is for the person signing in."""

    def __init__(self, message: str, *, why: str, username: str = "", user: Any = None) -> None:
        super().__init__(message)
        self.why = why
        self.username = username
        self.user = user


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    acr_values: str


def providers() -> list[Provider]:
    """The configured providers, in the order the sign-in page lists them."""
    return [provider(slug) for slug in settings.OIDC_PROVIDERS]


def provider(slug: str) -> Provider:
    conf = settings.OIDC_PROVIDERS[slug]
    return Provider(
        slug=slug,
        name=conf.get("name") or slug,
        issuer=conf["issuer"].rstrip("/"),
        client_id=conf["client_id"],
        client_secret=conf.get("client_secret", ""),
        scopes=conf.get("scopes") or "openid email",
        acr_values=conf.get("acr_values", ""),
    )


def discovery(p: Provider) -> dict[str, Any]:
    """The provider's discovery document (cached an hour); its issuer must be the one configured."""
    key = f"oidc:discovery:{p.issuer}"
    doc = cache.get(key)
    if doc is None:
        try:
            response = requests.get(f"{p.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            doc = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SignOnRefused(
                f"{p.name} cannot be reached just now. Please try again later.",
                why=f"discovery failed: {exc}",
            ) from exc
        endpoints = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(doc, dict) or not all(isinstance(doc.get(key), str) for key in endpoints):
            raise SignOnRefused(
                f"{p.name} is not configured correctly. Please tell the portal's administrators.",
                why="discovery document lacks an endpoint",
            )
        if str(doc.get("issuer", "")).rstrip("/") != p.issuer:
            raise SignOnRefused(
                f"{p.name} is not configured correctly. Please tell the portal's administrators.",
                why=f"discovery names issuer {doc.get('issuer')!r}",
            )
        cache.set(key, doc, 3600)
    return doc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def redirect_uri(request: HttpRequest, p: Provider) -> str:
    return request.build_absolute_uri(reverse("accounts:sso_callback", kwargs={"provider": p.slug}))


def start(request: HttpRequest, p: Provider, *, next_url: str) -> str:
    """Begin a sign-on: remember state, nonce and verifier; return the provider's address."""
    doc = discovery(p)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    flows = {s: f for s, f in _flows(request).items() if time.time() - f["at"] < FLOW_SECONDS}
    flows[state] = {
        "provider": p.slug,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "at": time.time(),
    }
    request.session[FLOWS_KEY] = dict(sorted(flows.items(), key=lambda kv: kv[1]["at"])[-FLOWS_KEPT:])
    params = {
        "response_type": "code",
        "client_id": p.client_id,
        "redirect_uri": redirect_uri(request, p),
        "scope": p.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    if p.acr_values:
        params["acr_values"] = p.acr_values
    return f"{doc['authorization_endpoint']}?{urlencode(params)}"


def _flows(request: HttpRequest) -> dict[str, dict[str, Any]]:
    flows = request.session.get(FLOWS_KEY)
    return flows if isinstance(flows, dict) else {}


@dataclass(frozen=True)
class SignedOn:
    user: Any
    provider: Provider
    next_url: str
    amr: list[str]
    acr: str
    subject: str


def finish(request: HttpRequest, p: Provider) -> SignedOn:
    """Check the provider's answer and find the portal account; raise SignOnRefused if anything is off."""
    if request.GET.get("error"):
        raise SignOnRefused(
            f"{p.name} did not sign you in ({request.GET.get('error', '')[:100]}).",
            why=f"provider answered error {request.GET.get('error', '')[:100]!r}",
        )
    state, code = request.GET.get("state", ""), request.GET.get("code", "")
    flows = _flows(request)
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS_KEY] = flows
    if flow is None or flow.get("provider") != p.slug or time.time() - flow["at"] > FLOW_SECONDS:
        raise SignOnRefused(
            "This sign-in link is not one this browser started, or it has expired. Please start again.",
            why="state mismatch",
        )
    if not code:
        raise SignOnRefused(f"{p.name} sent no authorisation code. Please start again.", why="no code")
    doc = discovery(p)
    tokens = _exchange(p, doc, code=code, verifier=flow["verifier"], redirect_to=redirect_uri(request, p))
    claims = _verified_id_token(p, doc, tokens.get("id_token", ""), nonce=flow["nonce"])
    email, verified = claims.get("email"), claims.get("email_verified")
    if not email and tokens.get("access_token") and doc.get("userinfo_endpoint"):
        info = _userinfo(p, doc, tokens["access_token"])
        if info.get("sub") != claims.get("sub"):
            raise SignOnRefused(
                f"{p.name} answered inconsistently. Please try again.", why="userinfo sub differs"
            )
        email, verified = info.get("email"), info.get("email_verified")
    if not isinstance(email, str) or not email:
        raise SignOnRefused(f"{p.name} did not tell the portal your e-mail address.", why="no e-mail claim")
    if verified is not True and str(verified).lower() != "true":
        raise SignOnRefused(
            f"{p.name} has not verified your e-mail address ({email}), so the portal cannot match it to an "
            "account. Verify it with the identity provider and try again.",
            why=f"e-mail {email} not verified",
            username=email,
        )
    account = account_for_email(email)
    amr = claims.get("amr")
    return SignedOn(
        user=account,
        provider=p,
        next_url=flow.get("next") or "",
        amr=[str(a) for a in amr] if isinstance(amr, list) else ([str(amr)] if amr else []),
        acr=str(claims.get("acr") or ""),
        subject=str(claims.get("sub")),
    )


def account_for_email(email: str) -> Any:
    """The one active account with this e-mail address: single sign-on (OpenID Connect or SAML)
    matches a person to an account an admin made, and never makes one."""
    matches = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
    if len(matches) != 1:
        raise SignOnRefused(
            f"No portal account has the e-mail address {email}. Accounts are not created by signing in: "
            "ask your agency's portal admin to add you.",
            why=f"e-mail {email} matches {'no' if not matches else 'more than one'} active account",
            username=email,
        )
    return matches[0]


def _exchange(
    p: Provider, doc: dict[str, Any], *, code: str, verifier: str, redirect_to: str
) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_to,
        "code_verifier": verifier,
    }
    auth = None
    if p.client_secret:
        auth = (p.client_id, p.client_secret)
    else:
        data["client_id"] = p.client_id
    try:
        response = requests.post(doc["token_endpoint"], data=data, auth=auth, timeout=HTTP_TIMEOUT)
        body = response.json()
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SignOnRefused(
            f"{p.name} cannot be reached just now. Please try again.", why=f"token: {exc}"
        ) from exc
    if response.status_code != 200 or not isinstance(body, dict) or "id_token" not in body:
        raise SignOnRefused(
            f"{p.name} refused to complete the sign-in. Please start again.",
            why=f"token endpoint answered {response.status_code}: {str(body)[:200]}",
        )
    return body


def _verified_id_token(p: Provider, doc: dict[str, Any], token: str, *, nonce: str) -> dict[str, Any]:
    try:
        key = jwt.PyJWKClient(doc["jwks_uri"], timeout=HTTP_TIMEOUT).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            audience=p.client_id,
            issuer=p.issuer,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            leeway=60,
        )
    except jwt.InvalidAudienceError as exc:
        raise SignOnRefused(
            f"{p.name} signed you in for another application. Please start again.", why=f"ID token: {exc}"
        ) from exc
    except jwt.InvalidIssuerError as exc:
        raise SignOnRefused(
            f"The sign-in did not come from {p.name}. Please start again.", why=f"ID token: {exc}"
        ) from exc
    except (jwt.PyJWTError, KeyError) as exc:
        raise SignOnRefused(
            f"{p.name}'s answer could not be verified. Please start again.", why=f"ID token: {exc}"
        ) from exc
    # A token may name several audiences; then it must be issued to us (azp).
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != p.client_id:
        raise SignOnRefused(f"{p.name} signed you in for another application.", why="azp is not this client")
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignOnRefused(
            "This sign-in answer does not belong to the sign-in this browser started. Please start again.",
            why="nonce mismatch",
        )
    return claims


def _userinfo(p: Provider, doc: dict[str, Any], access_token: str) -> dict[str, Any]:
    try:
        response = requests.get(
            doc["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=HTTP_TIMEOUT,
        )
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignOnRefused(
            f"{p.name} cannot be reached just now. Please try again.", why=f"userinfo: {exc}"
        ) from exc
    return info if isinstance(info, dict) else {}


def refused(request: HttpRequest, p: Provider | None, refusal: SignOnRefused) -> None:
    """Log a refusal and record it in the audit trail."""
    name = p.slug if p else "?"
    logger.warning("single sign-on through %s refused: %s", name, refusal.why)
    account_event.send(
        sender=refused,
        kind="sso_refused",
        user=refusal.user,
        username=refusal.username,
        request=request,
        detail=f"{name}: {refusal.why}",
    )


def describe(signed_on: SignedOn) -> str:
    """How the person was signed in, for the audit trail's "Signed in" event."""
    amr = ", ".join(signed_on.amr) or "none given"
    acr = signed_on.acr or "none given"
    return f"by single sign-on through {signed_on.provider.name} (amr: {amr}; acr: {acr})"


def password_sign_in_allowed(user: Any) -> bool:
    """Under Force SSO only the break-glass accounts (technical admins) may use a password."""
    if not settings.PORTAL_FORCE_SSO:
        return True
    return user.get_username() in settings.PORTAL_SSO_BREAK_GLASS_USERNAMES
