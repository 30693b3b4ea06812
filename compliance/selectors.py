"""The compliance dashboard put together from its panels (compliance/panels/), and the report's lists.

Pages, exports, the printable report and any job share these functions; each panel computes
in the database in a fixed number of queries.
"""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet

from activities.models import Meeting, OutreachEvent, ProgressUpdate
from agreements.models import Agreement

from .panels import (
    Filters,
    chart_data,
    commitments_panel,
    contacts_panel,
    end_of_day,
    meetings_panel,
    outreach_panel,
    recent_panel,
    term_panel,
)

# The overview's order, names and anchors: (panel key, name shown).
OVERVIEW = (
    ("term", "Term"),
    ("commitments", "Commitments"),
    ("meetings", "Quarterly meetings"),
    ("contacts", "Points of contact"),
    ("outreach", "Outreach"),
    ("recent", "Recent activity"),
)


def dashboard_agreement(agreements: QuerySet[Agreement], slug: str | None) -> Agreement | None:
    """The agreement to show (by slug, else the latest executed), with what the term panel needs."""
    agreements = agreements.select_related("terminated_by").prefetch_related(
        "parties", "modifications__executions"
    )
    if slug:
        return agreements.filter(slug=slug).first()
    return agreements.order_by(F("executed_on").desc(nulls_last=True), "short_name").first()


def dashboard(filters: Filters) -> dict:
    """Every panel of the dashboard for one agreement, as of a day, optionally for one party."""
    parties = list(filters.agreement.parties.all())
    panels = {
        "term": term_panel(filters.agreement, filters.as_of),
        "commitments": commitments_panel(filters, parties),
        "meetings": meetings_panel(filters),
        "contacts": contacts_panel(filters, parties),
        "outreach": outreach_panel(filters),
        "recent": recent_panel(filters),
    }
    return {
        "filters": filters,
        "parties": parties,
        **panels,
        "overview": [(name, panels[key], key) for key, name in OVERVIEW],
        "charts": chart_data(panels["commitments"], panels["outreach"]),
    }


def updates_between(filters: Filters, start: datetime.date, end: datetime.date) -> list[ProgressUpdate]:
    """Progress updates as of a day in [start, end], by the chosen party if any: a quarter's news."""
    updates = ProgressUpdate.objects.filter(
        commitment__agreement=filters.agreement, as_of__gte=start, as_of__lte=end
    )
    if filters.party:
        updates = updates.filter(reporting_party=filters.party)
    return list(
        updates.select_related("commitment__agreement", "reporting_party").latest_first(
            "commitment__position"
        )
    )


def meetings_between(filters: Filters, start: datetime.date, end: datetime.date) -> list[Meeting]:
    """Meetings of the agreement held on a local day in [start, end] (meetings are joint)."""
    return list(
        Meeting.objects.filter(
            agreement=filters.agreement,
            starts_at__gte=end_of_day(start - datetime.timedelta(days=1)),
            starts_at__lt=end_of_day(end),
        ).order_by("starts_at", "pk")
    )


def events_between(filters: Filters, start: datetime.date, end: datetime.date) -> list[OutreachEvent]:
    """Outreach events held in [start, end], organised by the chosen party if any."""
    events = OutreachEvent.objects.filter(agreement=filters.agreement, held_on__gte=start, held_on__lte=end)
    if filters.party:
        events = events.filter(organising_party=filters.party)
    return list(events.select_related("organising_party").order_by("held_on", "pk"))
