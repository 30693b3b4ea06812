"""Reads of the notification log for pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import UNMUTABLE_KINDS, Kind, Mute, Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).select_related("agreement")


def muted_kinds(user: User) -> set[str]:
    return set(Mute.objects.filter(user=user).values_list("kind", flat=True))


def mutable_kinds() -> list[tuple[str, str]]:
    return [(value, label) for value, label in Kind.choices if value not in UNMUTABLE_KINDS]
