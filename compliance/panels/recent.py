"""The recent activity panel: the latest progress updates, meetings and contact changes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from activities.models import Meeting, ProgressUpdate
from contacts.models import PointOfContact

from .. import links
from .base import Filters, Rag, Signal, end_of_day

RECENT_ROWS = 8


@dataclass(frozen=True)
class RecentMeeting:
    meeting: Meeting
    url: str


@dataclass(frozen=True)
class ContactChange:
    change: Any  # a PointOfContact history record
    url: str


@dataclass(frozen=True)
class RecentPanel:
    signal: Signal
    updates: list[ProgressUpdate]
    updates_url: str
    meetings: list[RecentMeeting]
    contact_changes: list[ContactChange]


def recent_signal(updates: list[ProgressUpdate], on: datetime.date, days: int) -> Signal:
    """Green when progress was reported in the last `days` days, else amber."""
    if not updates:
        return Signal(Rag.AMBER, "recent", "none")
    facts = {"latest": updates[0].as_of, "days": days}
    if updates[0].as_of >= on - datetime.timedelta(days=days):
        return Signal(Rag.GREEN, "recent", "reported", facts)
    return Signal(Rag.AMBER, "recent", "quiet", facts)


def recent_panel(filters: Filters) -> RecentPanel:
    """The latest progress updates, meetings and point-of-contact changes up to the day."""
    agreement, on = filters.agreement, filters.as_of
    reported = ProgressUpdate.objects.filter(commitment__agreement=agreement, as_of__lte=on)
    if filters.party:
        reported = reported.filter(reporting_party=filters.party)
    updates = list(
        reported.select_related("commitment__agreement", "reporting_party", "author").latest_first()[
            :RECENT_ROWS
        ]
    )
    meetings = list(
        Meeting.objects.filter(agreement=agreement, starts_at__lt=end_of_day(on)).order_by(
            "-starts_at", "-pk"
        )[:RECENT_ROWS]
    )
    changes = PointOfContact.history.filter(agreement_id=agreement.pk, history_date__lt=end_of_day(on))
    if filters.party:
        changes = changes.filter(party_id=filters.party.pk)
    changes = list(
        changes.select_related("party", "history_user").order_by("-history_date", "-history_id")[:RECENT_ROWS]
    )
    return RecentPanel(
        signal=recent_signal(updates, on, settings.STALE_AFTER_DAYS),
        updates=updates,
        updates_url=links.list_url(links.UPDATE_LIST, **filters.query()),
        meetings=[RecentMeeting(m, links.url_for("activities:meeting_detail", pk=m.pk)) for m in meetings],
        contact_changes=[ContactChange(c, links.url_for("audit:contact_history", pk=c.id)) for c in changes],
    )
