"""Signal receivers of the audit app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def record_last_login_without_history(sender: Any, user: User, **kwargs: Any) -> None:
    """Django's update_last_login, but without saving the whole user (and a history row)."""
    user.last_login = timezone.now()
    get_user_model().objects.filter(pk=user.pk).update(last_login=user.last_login)
