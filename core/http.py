"""The request a signed-in page receives, typed for the checker.

`LoginRequiredMiddleware` (settings) sends anonymous visitors to sign in before any view not
marked `login_not_required` runs, so those views always get an account in `request.user`.
Annotating them with `AuthenticatedRequest` says so to mypy; nothing changes at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
