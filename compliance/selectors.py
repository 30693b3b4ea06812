"""The compliance dashboard put together from its panels (compliance/panels/), and the report's lists.

Pages, exports, the printable report and any job share these functions; each panel computes
in the database in a fixed number of queries.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet

from activities.models import Meeting, OutreachEvent, ProgressUpdate
from agreements.agreement_file.document import ObligationKind
from agreements.models import Agreement, Obligation, Party

from .panels import (
    CommitmentsPanel,
    ContactsPanel,
    Filters,
    MeetingsPanel,
    OutreachPanel,
    RecentPanel,
    TermPanel,
    chart_data,
    commitments_panel,
    contacts_panel,
    end_of_day,
    meetings_panel,
    outreach_panel,
    recent_panel,
    term_panel,
)


def dashboard_agreement(agreements: QuerySet[Agreement], slug: str | None) -> Agreement | None:
    """The agreement to show (by slug, else the latest executed), with what the term panel needs."""
    agreements = agreements.select_related("terminated_by").prefetch_related(
        "parties", "modifications__executions"
    )
    if slug:
        return agreements.filter(slug=slug).first()
    return agreements.order_by(F("executed_on").desc(nulls_last=True), "short_name").first()


@dataclass(frozen=True)
class Dashboard:
    """Every panel of the dashboard for one agreement, as of a day, optionally for one party."""

    filters: Filters
    parties: list[Party]
    term: TermPanel
    commitments: CommitmentsPanel
    meeting_panels: list[MeetingsPanel]  # one per meeting obligation the agreement states
    contacts: ContactsPanel
    event_panels: list[OutreachPanel]  # one per event obligation the agreement states
    recent: RecentPanel

    @property
    def meetings(self) -> MeetingsPanel | None:
        """The first meeting obligation's panel (most agreements state one), or None."""
        return self.meeting_panels[0] if self.meeting_panels else None

    @property
    def outreach(self) -> OutreachPanel | None:
        """The first event obligation's panel, or None."""
        return self.event_panels[0] if self.event_panels else None

    @property
    def overview(self) -> list[tuple[str, object, str]]:
        """(name, panel, anchor) in the dashboard's order: a panel per obligation, by its title."""
        return [
            ("Term", self.term, "term"),
            ("Commitments", self.commitments, "commitments"),
            *((p.obligation.title, p, p.anchor) for p in self.meeting_panels),
            ("Points of contact", self.contacts, "contacts"),
            *((p.obligation.title, p, p.anchor) for p in self.event_panels),
            ("Recent activity", self.recent, "recent"),
        ]

    @property
    def charts(self) -> dict:
        return chart_data(self.commitments, self.outreach)

    def context(self) -> dict:
        """The dashboard as template context: each panel by its name, the overview and charts."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {
            **fields,
            "meetings": self.meetings,
            "outreach": self.outreach,
            "overview": self.overview,
            "charts": self.charts,
        }


def dashboard(filters: Filters) -> Dashboard:
    """Every panel as of the day: one per obligation the agreement states, in the file's order."""
    parties = list(filters.agreement.parties.all())
    obligations = list(Obligation.objects.filter(agreement=filters.agreement).select_related("section"))
    meeting_obligations = [o for o in obligations if o.kind == ObligationKind.MEETING]
    meetings = (
        list(Meeting.objects.filter(agreement=filters.agreement, is_cancelled=False))
        if meeting_obligations
        else []
    )
    contacts_obligation = next((o for o in obligations if o.kind == ObligationKind.CONTACTS), None)
    return Dashboard(
        filters=filters,
        parties=parties,
        term=term_panel(filters.agreement, filters.as_of),
        commitments=commitments_panel(filters, parties),
        meeting_panels=[meetings_panel(filters, o, meetings) for o in meeting_obligations],
        contacts=contacts_panel(filters, parties, contacts_obligation),
        event_panels=[outreach_panel(filters, o) for o in obligations if o.kind == ObligationKind.EVENT],
        recent=recent_panel(filters),
    )


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
        Meeting.objects.with_labels()
        .filter(
            agreement=filters.agreement,
            starts_at__gte=end_of_day(start - datetime.timedelta(days=1)),
            starts_at__lt=end_of_day(end),
        )
        .order_by("starts_at", "pk")
    )


def events_between(filters: Filters, start: datetime.date, end: datetime.date) -> list[OutreachEvent]:
    """Outreach events held in [start, end], organised by the chosen party if any."""
    events = OutreachEvent.objects.filter(agreement=filters.agreement, held_on__gte=start, held_on__lte=end)
    if filters.party:
        events = events.filter(organising_party=filters.party)
    return list(events.select_related("organising_party").order_by("held_on", "pk"))
