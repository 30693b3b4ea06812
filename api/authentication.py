"""The API's token authentication: `Authorization: Bearer moa_…` (a personal access token).

The token is looked up by its SHA-256. A revoked or expired token, or one whose user is
deactivated, is refused at once (401): the user's being active is read on every request,
so deactivating a user stops their tokens without touching them. What the user may then see
and do is the same as in the browser (`api.views`); the token's scope only narrows it
(`api.permissions.TokenScope`).
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import AccessToken
from .services import TOKEN_PREFIX, access_token_used, token_digest


class AccessTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token after “Bearer”, with no spaces in it.")
        try:
            raw = header[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("That is not a portal token.") from exc
        if not raw.startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed("That is not a portal token.")
        token = (
            AccessToken.objects.select_related("user", "user__membership")
            .filter(token_hash=token_digest(raw))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown token.")
        if token.is_revoked:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                "This token has expired; create a new one on your tokens page."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is deactivated.")
        access_token_used(token=token, ip_address=get_client_ip_address(request._request) or None)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
