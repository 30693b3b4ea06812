"""The unread count in the header: one indexed COUNT, only for signed-in users."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications_count": SimpleLazyObject(
            lambda: Notification.objects.for_user(user).unread().count()
        )
    }
