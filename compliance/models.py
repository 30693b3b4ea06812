"""What the compliance app keeps of its own: each user's private calendar feed token, and who
receives which agreement's quarterly report by e-mail."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


def new_feed_token() -> str:
    """A random, URL-safe secret: the only credential the calendar feed asks for."""
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret in a user's private iCalendar URL (`/calendar/<token>.ics`).

    Calendar clients cannot sign in, so the token is the credential. Its owner can revoke it
    (the old URL stops working) or regenerate it (a new URL, the old one stops working). The
    audit history records when that happened but never the token itself.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = "calendar feed token"

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:calendar_feed", kwargs={"token": self.token})


class ReportSubscription(models.Model):
    """A manager's request to receive an agreement's quarterly report as PDF by e-mail.

    The report goes out after each calendar quarter's end (the report's own quarters,
    `activities.quarters.Quarter`), once per subscription and quarter: the notification log's
    claim keeps it to once (moa_portal/tasks.py runs the job). Unsubscribing deletes the row;
    the audit history keeps both.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agreement"], name="report_subscription_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} receives the quarterly report of {self.agreement}"
