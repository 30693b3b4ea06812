"""Signal receivers of the audit app."""

from django.contrib.auth import get_user_model
from django.utils import timezone


def record_last_login_without_history(sender, user, **kwargs) -> None:
    """Django's update_last_login, but without saving the whole user (and a history row)."""
    user.last_login = timezone.now()
    get_user_model().objects.filter(pk=user.pk).update(last_login=user.last_login)
