"""Writes of the compliance app: the calendar feed token's life cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .models import CalendarFeedToken, new_feed_token

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def calendar_feed_token_regenerate(*, acting_user: User) -> CalendarFeedToken:
    """Give the user a new feed URL; any earlier one stops working at once."""
    feed, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=acting_user)
    if not created:
        feed.token = new_feed_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


@transaction.atomic
def calendar_feed_token_revoke(*, acting_user: User) -> bool:
    """Stop the user's feed URL from working; True if there was one to revoke."""
    feed = CalendarFeedToken.objects.select_for_update().filter(user=acting_user).first()
    if feed is None:
        return False
    feed.delete()
    return True
