"""Writes of the compliance app: the calendar feed token's life cycle, the report subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .models import CalendarFeedToken, ReportSubscription, new_feed_token
from .permissions import can_subscribe_report

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from agreements.models import Agreement


class SubscriptionRefused(Exception):
    """The user may not receive this agreement's report (not a manager of one of its parties)."""


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


@transaction.atomic
def report_subscribe(*, acting_user: User, agreement: Agreement) -> ReportSubscription:
    """Send the user the agreement's quarterly report after each quarter's end; subscribing twice is once."""
    if not can_subscribe_report(acting_user, agreement):
        raise SubscriptionRefused("Only managers of the agreement's parties receive its report.")
    subscription, _ = ReportSubscription.objects.get_or_create(user=acting_user, agreement=agreement)
    return subscription


@transaction.atomic
def report_unsubscribe(*, acting_user: User, agreement: Agreement) -> bool:
    """Stop sending the user the agreement's report; True if they were subscribed.

    Anyone may stop their own subscription, even after losing the right to it.
    """
    subscription = ReportSubscription.objects.filter(user=acting_user, agreement=agreement).first()
    if subscription is None:
        return False
    subscription.delete()
    return True
