"""What a request through the API may do, before the portal's own rules are asked.

Only the two things the browser has no equivalent of are decided here: a request must come
from a signed-in user (a session or a token), and a read-only token may not write. Everything
else, which records a user sees and which they may change, is the same function the pages
call (`agreements.permissions`, `activities.permissions`, `contacts.permissions`), asked by
the views in `api.views`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from .models import AccessToken


class SignedInWithScope(permissions.BasePermission):
    """A signed-in, active user; with a token, a write needs a read-and-write token."""

    message = "This token is read only: create a read-and-write token to make changes."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            self.message = "Sign in, or send a personal access token (Authorization: Bearer …)."
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, AccessToken) or token.can_write
