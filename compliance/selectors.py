"""What the compliance dashboard shows, computed in the database in a fixed number of queries.

One function per panel; each returns its numbers, the links behind them, and a signal (red,
amber or green) with the reason in words. Every panel reads "as of" a day, so a manager can
see the agreement as it stood at the end of any quarter. Pages, exports, the printable report
and any job share these functions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from activities.models import FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from activities.quarters import Quarter, QuarterState, quarterly_meeting_record, term_quarters
from activities.selectors import overdue_items
from agreements.models import Agreement, AgreementStatus, Commitment, CommitmentStatus, Party
from contacts.models import PointOfContact
from core.time import today

from . import links

# A term this close to its end needs a modification soon (VIII): the term panel turns amber.
TERM_WARNING_DAYS = 180
RECENT_ROWS = 8


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


RAG_LABELS = {Rag.GREEN: "On course", Rag.AMBER: "Needs attention", Rag.RED: "Action needed"}
RAG_ICONS = {Rag.GREEN: "✓", Rag.AMBER: "!", Rag.RED: "✕"}


@dataclass(frozen=True)
class Signal:
    """A panel's red/amber/green, always with its reason in words (colour is never the only sign)."""

    rag: Rag
    reason: str

    @property
    def label(self) -> str:
        return RAG_LABELS[self.rag]

    @property
    def icon(self) -> str:
        return RAG_ICONS[self.rag]


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: one agreement, optionally one party, as of a day."""

    agreement: Agreement
    as_of: datetime.date
    party: Party | None = None

    @property
    def is_past(self) -> bool:
        """True when the dashboard looks back: the lists behind its numbers show today's state."""
        return self.as_of < today()

    @property
    def party_acronym(self) -> str | None:
        return self.party.acronym if self.party else None

    def query(self, **extra) -> dict:
        """The filters as querystring values, for links to lists and exports."""
        return {"agreement": self.agreement.slug, "party": self.party_acronym, **extra}


def quarter_code(quarter: Quarter) -> str:
    """The URL contract's spelling of a quarter: `2018-Q1`."""
    return f"{quarter.year}-Q{quarter.number}"


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the portal's time zone: things before it happened by then."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


# --- term (VII, VIII) ----------------------------------------------------------------------


@dataclass
class TermPanel:
    signal: Signal
    status: str
    status_label: str
    executed_on: datetime.date | None
    original_expires_on: datetime.date | None
    expires_on: datetime.date | None
    terminated_on: datetime.date | None
    ends_on: datetime.date | None
    days_left: int | None
    days_since_end: int | None
    elapsed_percent: int | None
    changes: list[dict] = field(default_factory=list)


def term_panel(agreement: Agreement, as_of: datetime.date) -> TermPanel:
    """The term as it stood on `as_of`: only modifications every party had executed by then count."""
    party_count = len(agreement.parties.all())
    expires = agreement.original_expires_on
    changes = []
    effective = []
    for modification in agreement.modifications.all():
        executions = list(modification.executions.all())
        if party_count and len({e.party_id for e in executions}) >= party_count:
            effective_on = max(e.executed_on for e in executions)
            if effective_on <= as_of:
                effective.append((effective_on, modification.number, modification))
    for effective_on, _, modification in sorted(effective, key=lambda t: t[:2]):
        if modification.extends_term_to:
            changes.append(
                {
                    "modification": modification,
                    "effective_on": effective_on,
                    "from": expires,
                    "to": modification.extends_term_to,
                }
            )
            expires = modification.extends_term_to

    executed, terminated = agreement.executed_on, agreement.terminated_on
    if terminated and terminated > as_of:
        terminated = None
    ends_on = min(d for d in (terminated, expires) if d) if (terminated or expires) else None
    if terminated:
        status = AgreementStatus.TERMINATED
    elif executed is None or as_of < executed:
        status = AgreementStatus.DRAFT
    elif expires and as_of >= expires:
        status = AgreementStatus.EXPIRED
    else:
        status = AgreementStatus.IN_FORCE

    days_left = (expires - as_of).days if status == AgreementStatus.IN_FORCE and expires else None
    days_since_end = (as_of - ends_on).days if ends_on and ends_on <= as_of else None
    elapsed = None
    if executed and expires and expires > executed and as_of >= executed:
        done = (min(as_of, ends_on) - executed).days
        elapsed = max(0, min(100, round(100 * done / (expires - executed).days)))

    if status == AgreementStatus.TERMINATED:
        by = f" by {agreement.terminated_by.acronym}" if agreement.terminated_by_id else ""
        signal = Signal(Rag.RED, f"Terminated on {terminated:%-d %B %Y}{by}: no longer in force.")
    elif status == AgreementStatus.DRAFT:
        signal = Signal(Rag.AMBER, "Not yet in force: not executed by every party on this date.")
    elif status == AgreementStatus.EXPIRED:
        signal = Signal(
            Rag.RED,
            f"Expired on {expires:%-d %B %Y}, {days_since_end} days ago; no executed modification "
            "extended the term.",
        )
    elif days_left is not None and days_left <= TERM_WARNING_DAYS:
        signal = Signal(
            Rag.AMBER,
            f"Expires in {days_left} days, on {expires:%-d %B %Y}: extending it needs a written "
            "modification executed by every party (VIII).",
        )
    else:
        signal = Signal(Rag.GREEN, f"In force: {days_left} days left, until {expires:%-d %B %Y}.")
    return TermPanel(
        signal=signal,
        status=status,
        status_label=AgreementStatus(status).label,
        executed_on=executed,
        original_expires_on=agreement.original_expires_on,
        expires_on=expires,
        terminated_on=terminated,
        ends_on=ends_on,
        days_left=days_left,
        days_since_end=days_since_end,
        elapsed_percent=elapsed,
        changes=changes,
    )


# --- commitments ---------------------------------------------------------------------------


def commitments_with_status_on(items: QuerySet[Commitment], on: datetime.date) -> QuerySet[Commitment]:
    """Annotate `status_as_of`: the status of the latest update as of `on`, else not started."""
    latest = (
        ProgressUpdate.objects.filter(commitment=OuterRef("pk"), as_of__lte=on)
        .order_by("-as_of", "-created_at", "-pk")
        .values("status")[:1]
    )
    return items.annotate(status_as_of=Coalesce(Subquery(latest), Value(CommitmentStatus.NOT_STARTED)))


def _items(filters: Filters) -> QuerySet[Commitment]:
    items = Commitment.objects.filter(agreement=filters.agreement)
    return items.led_by(filters.party) if filters.party else items


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@dataclass
class CommitmentsPanel:
    signal: Signal
    statuses: list[dict]  # [{value, label}]
    by_kind: list[dict]  # [{kind, label, total, total_url, cells: [{status, n, url}]}]
    by_party: list[dict]  # [{party, total, total_url, cells: [...]}]
    totals: list[dict]  # per status: {status, label, n, url}
    total: int
    stale: list[Commitment]
    stale_url: str
    overdue_items: list[Commitment]  # a milestone or the target date passed: `due=overdue` lists them
    overdue_items_url: str
    overdue_milestones: list[Milestone]
    overdue_follow_ups: list[FollowUpAction]
    stale_after_days: int


def commitments_panel(filters: Filters, parties: list[Party]) -> CommitmentsPanel:
    """Counts by status as of the day for each kind and per lead party, stale and overdue work.

    Per party, an item counts for the party that leads it and for every party when it is led
    jointly (they co-lead it) — the same rule as the item list's `party` filter, so each
    number links to exactly the items it counts.
    """
    agreement, on = filters.agreement, filters.as_of
    statuses = [{"value": s.value, "label": s.label} for s in CommitmentStatus]
    counted = commitments_with_status_on(_items(filters), on).order_by()
    kind_rows = counted.values("kind", "status_as_of").annotate(n=Count("pk"))
    grid: dict[tuple[str, str], int] = {(r["kind"], r["status_as_of"]): r["n"] for r in kind_rows}

    def cell(status: str, n: int, **extra) -> dict:
        return {
            "status": status,
            "n": n,
            "url": links.list_url(links.ITEM_LIST, **filters.query(status=status, **extra)),
        }

    by_kind = []
    for kind in Commitment.Kind:
        cells = [cell(s.value, grid.get((kind.value, s.value), 0), kind=kind.value) for s in CommitmentStatus]
        by_kind.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "total": sum(c["n"] for c in cells),
                "total_url": links.list_url(links.ITEM_LIST, **filters.query(kind=kind.value)),
                "cells": cells,
            }
        )
    totals = [
        {
            "status": s.value,
            "label": s.label,
            "n": sum(grid.get((k.value, s.value), 0) for k in Commitment.Kind),
            "url": links.list_url(links.ITEM_LIST, **filters.query(status=s.value)),
        }
        for s in CommitmentStatus
    ]

    lead_rows = (
        commitments_with_status_on(Commitment.objects.filter(agreement=agreement), on)
        .order_by()
        .values("lead_party_id", "status_as_of")
        .annotate(n=Count("pk"))
    )
    by_lead: dict[tuple[int | None, str], int] = {
        (r["lead_party_id"], r["status_as_of"]): r["n"] for r in lead_rows
    }
    by_party = []
    for party in [filters.party] if filters.party else parties:
        cells = []
        for s in CommitmentStatus:
            n = by_lead.get((party.pk, s.value), 0) + by_lead.get((None, s.value), 0)
            url = links.list_url(
                links.ITEM_LIST, agreement=agreement.slug, party=party.acronym, status=s.value
            )
            cells.append({"status": s.value, "n": n, "url": url})
        by_party.append(
            {
                "party": party,
                "total": sum(c["n"] for c in cells),
                "total_url": links.list_url(links.ITEM_LIST, agreement=agreement.slug, party=party.acronym),
                "cells": cells,
            }
        )

    days = settings.STALE_AFTER_DAYS
    # The panel names the first stale and overdue items and counts them all: a row needs only
    # what its link and label show (an agreement of hundreds of items loaded every column).
    shown = ("id", "code", "title", "position", "agreement__slug")
    stale = list(
        _items(filters).stale(on, days).select_related("agreement").only(*shown).order_by("position", "pk")
    )
    milestones = Milestone.objects.overdue(on).filter(commitment__agreement=agreement)
    follow_ups = FollowUpAction.objects.overdue(on).filter(meeting__agreement=agreement)
    if filters.party:
        milestones = milestones.filter(
            Q(commitment__lead_party=filters.party) | Q(commitment__lead_party__isnull=True)
        )
        follow_ups = follow_ups.filter(
            Q(owner_user__membership__party=filters.party) | Q(owner_contact__party=filters.party)
        )
    milestones = list(milestones.select_related("commitment__agreement").order_by("due_on", "pk"))
    overdue = list(
        overdue_items(counted, on, status_field="status_as_of")
        .select_related("agreement")
        .only(*shown)
        .order_by("position", "pk")
    )
    follow_ups = list(follow_ups.select_related("meeting").order_by("due_on", "pk"))
    for follow_up in follow_ups:
        follow_up.meeting_url = links.url_for("activities:meeting_detail", pk=follow_up.meeting_id)

    count = {t["status"]: t["n"] for t in totals}
    total = sum(count.values())
    red = []
    if count[CommitmentStatus.BLOCKED]:
        red.append(_count(count[CommitmentStatus.BLOCKED], "item blocked", "items blocked"))
    if overdue:
        red.append(_count(len(overdue), "overdue item"))
    if follow_ups:
        red.append(_count(len(follow_ups), "overdue meeting follow-up"))
    amber = []
    if count[CommitmentStatus.AT_RISK]:
        amber.append(_count(count[CommitmentStatus.AT_RISK], "item at risk", "items at risk"))
    if stale:
        amber.append(
            _count(len(stale), f"item with no update in {days} days", f"items with no update in {days} days")
        )
    if red:
        signal = Signal(Rag.RED, "; ".join(red + amber) + ".")
    elif amber:
        signal = Signal(Rag.AMBER, "; ".join(amber) + ".")
    elif total == 0:
        signal = Signal(Rag.GREEN, "No tracked items.")
    else:
        done = count[CommitmentStatus.COMPLETE] + count[CommitmentStatus.ON_TRACK]
        signal = Signal(
            Rag.GREEN,
            f"{done} of {total} items on track or complete; none blocked, at risk, stale or overdue.",
        )
    return CommitmentsPanel(
        signal=signal,
        statuses=statuses,
        by_kind=by_kind,
        by_party=by_party,
        totals=totals,
        total=total,
        stale=stale,
        stale_url=links.list_url(links.ITEM_LIST, **filters.query(stale="1")),
        overdue_items=overdue,
        overdue_items_url=links.list_url(links.ITEM_LIST, **filters.query(due="overdue")),
        overdue_milestones=milestones,
        overdue_follow_ups=follow_ups,
        stale_after_days=days,
    )


# --- quarterly meetings (VI.5) -------------------------------------------------------------


@dataclass
class MeetingsPanel:
    signal: Signal
    quarters: list[dict]  # [{quarter, code, state, reason, meeting, meeting_url, list_url}]
    held: int
    missed: int
    upcoming: int


def meetings_panel(filters: Filters) -> MeetingsPanel:
    """Each calendar quarter of the term held, missed or upcoming as of the day (VI.5)."""
    agreement, on = filters.agreement, filters.as_of
    meetings = list(
        Meeting.objects.filter(agreement=agreement, kind=Meeting.Kind.QUARTERLY, is_cancelled=False)
    )
    records = quarterly_meeting_record(agreement, as_of=on, meetings=meetings)
    quarters = []
    for r in records:
        code = quarter_code(r.quarter)
        quarters.append(
            {
                "quarter": r.quarter,
                "code": code,
                "state": r.state.value,
                "reason": r.reason,
                "meeting": r.meeting,
                "meeting_url": links.url_for("activities:meeting_detail", pk=r.meeting.pk)
                if r.meeting
                else None,
                "list_url": links.list_url(
                    links.MEETING_LIST, agreement=agreement.slug, kind=Meeting.Kind.QUARTERLY, quarter=code
                ),
            }
        )
    ended = [q for q in quarters if q["quarter"].ends_on < on]
    held = sum(q["state"] == QuarterState.HELD for q in quarters)
    missed = sum(q["state"] == QuarterState.MISSED for q in quarters)
    upcoming = sum(q["state"] == QuarterState.UPCOMING for q in quarters)
    recent = ended[-4:]
    recent_missed = [q for q in recent if q["state"] == QuarterState.MISSED]
    if not quarters:
        signal = Signal(Rag.AMBER, "The term has not started: no quarter to meet in yet.")
    elif not ended:
        signal = Signal(Rag.GREEN, "No quarter of the term has ended yet.")
    elif ended[-1]["state"] == QuarterState.MISSED:
        last = ended[-1]
        signal = Signal(
            Rag.RED,
            f"The last quarter ({last['quarter']}) had no quarterly meeting with minutes: {last['reason']}",
        )
    elif recent_missed:
        names = ", ".join(str(q["quarter"]) for q in recent_missed)
        signal = Signal(
            Rag.AMBER, f"Missed {len(recent_missed)} of the last {len(recent)} quarters ({names})."
        )
    else:
        signal = Signal(Rag.GREEN, f"Met, with minutes, in each of the last {len(recent)} quarters.")
    return MeetingsPanel(signal=signal, quarters=quarters, held=held, missed=missed, upcoming=upcoming)


# --- points of contact (VI.1) --------------------------------------------------------------


@dataclass
class ContactsPanel:
    signal: Signal
    parties: list[dict]  # [{party, active, coordinators}]
    without_contact: list[Party]
    list_url: str


def contacts_panel(filters: Filters, parties: list[Party]) -> ContactsPanel:
    """Each party has at least one active point of contact on the day (VI.1), or a warning."""
    rows = (
        PointOfContact.objects.filter(agreement=filters.agreement)
        .active(filters.as_of)
        .order_by()
        .values("party_id")
        .annotate(n=Count("pk"), coordinators=Count("pk", filter=Q(is_coordinator=True)))
    )
    by_party = {r["party_id"]: r for r in rows}
    shown = [filters.party] if filters.party else parties
    result = [
        {
            "party": p,
            "active": by_party.get(p.pk, {}).get("n", 0),
            "coordinators": by_party.get(p.pk, {}).get("coordinators", 0),
        }
        for p in shown
    ]
    without = [r["party"] for r in result if not r["active"]]
    without_coordinator = [r["party"] for r in result if r["active"] and not r["coordinators"]]
    if without:
        names = ", ".join(p.acronym for p in without)
        signal = Signal(
            Rag.RED, f"No active point of contact for {names} (VI.1 asks each party to name one)."
        )
    elif without_coordinator:
        names = ", ".join(p.acronym for p in without_coordinator)
        signal = Signal(Rag.AMBER, f"No active coordinator for {names}: nobody receives the meeting notices.")
    else:
        signal = Signal(Rag.GREEN, "Every party has an active point of contact and coordinator.")
    return ContactsPanel(
        signal=signal,
        parties=result,
        without_contact=without,
        list_url=links.list_url(links.CONTACT_LIST, agreement=filters.agreement.slug),
    )


# --- outreach (VI.3) -----------------------------------------------------------------------


@dataclass
class OutreachPanel:
    signal: Signal
    quarters: list[dict]  # [{quarter, code, us, abroad, us_url, abroad_url}]
    us: int
    abroad: int
    total: int
    last_held_on: datetime.date | None
    us_url: str
    abroad_url: str


def outreach_panel(filters: Filters) -> OutreachPanel:
    """Outreach events per calendar quarter, in the United States and abroad (VI.3)."""
    agreement, on = filters.agreement, filters.as_of
    events = OutreachEvent.objects.filter(agreement=agreement, held_on__lte=on)
    if filters.party:
        events = events.filter(organising_party=filters.party)
    rows = (
        events.order_by()
        .annotate(q=TruncQuarter("held_on"))
        .values("q", "in_united_states")
        .annotate(n=Count("pk"))
    )
    counts: dict[Quarter, dict[str, int]] = {}
    for r in rows:
        q = Quarter.containing(r["q"])
        counts.setdefault(q, {"us": 0, "abroad": 0})["us" if r["in_united_states"] else "abroad"] += r["n"]
    quarters = sorted(set(term_quarters(agreement, until=on)) | set(counts), key=lambda q: (q.year, q.number))
    held_by = on.isoformat()
    result = []
    for q in quarters:
        code = quarter_code(q)
        c = counts.get(q, {"us": 0, "abroad": 0})
        result.append(
            {
                "quarter": q,
                "code": code,
                "us": c["us"],
                "abroad": c["abroad"],
                "us_url": links.list_url(
                    links.EVENT_LIST, **filters.query(venue="us", quarter=code, to=held_by)
                ),
                "abroad_url": links.list_url(
                    links.EVENT_LIST, **filters.query(venue="abroad", quarter=code, to=held_by)
                ),
            }
        )
    us = sum(r["us"] for r in result)
    abroad = sum(r["abroad"] for r in result)
    last = events.aggregate(last=Max("held_on"))["last"] if (us or abroad) else None
    total = us + abroad
    if total == 0:
        signal = Signal(Rag.RED, "No outreach event held yet; VI.3 asks for events in the U.S. and abroad.")
    elif not us or not abroad:
        where = "in the United States" if us else "abroad"
        signal = Signal(Rag.AMBER, f"Events held only {where}; VI.3 asks for both.")
    elif last < on - datetime.timedelta(days=365):
        signal = Signal(
            Rag.AMBER, f"No outreach event in the last 12 months (the latest on {last:%-d %B %Y})."
        )
    else:
        signal = Signal(
            Rag.GREEN,
            f"{_count(total, 'event')}: {us} in the U.S., {abroad} abroad; the latest on {last:%-d %B %Y}.",
        )
    return OutreachPanel(
        signal=signal,
        quarters=result,
        us=us,
        abroad=abroad,
        total=total,
        last_held_on=last,
        us_url=links.list_url(links.EVENT_LIST, **filters.query(venue="us", to=held_by)),
        abroad_url=links.list_url(links.EVENT_LIST, **filters.query(venue="abroad", to=held_by)),
    )


# --- recent activity -----------------------------------------------------------------------


@dataclass
class RecentPanel:
    signal: Signal
    updates: list[ProgressUpdate]
    updates_url: str
    meetings: list[dict]  # [{meeting, url}]
    contact_changes: list[dict]  # [{change, url}]


def recent_panel(filters: Filters) -> RecentPanel:
    """The latest progress updates, meetings and point-of-contact changes up to the day."""
    agreement, on = filters.agreement, filters.as_of
    updates = ProgressUpdate.objects.filter(commitment__agreement=agreement, as_of__lte=on)
    if filters.party:
        updates = updates.filter(reporting_party=filters.party)
    updates = list(
        updates.select_related("commitment__agreement", "reporting_party", "author").order_by(
            "-as_of", "-created_at", "-pk"
        )[:RECENT_ROWS]
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
    days = settings.STALE_AFTER_DAYS
    if updates and updates[0].as_of >= on - datetime.timedelta(days=days):
        signal = Signal(Rag.GREEN, f"Progress last reported as of {updates[0].as_of:%-d %B %Y}.")
    elif updates:
        signal = Signal(
            Rag.AMBER,
            f"No progress reported in the last {days} days (the latest as of {updates[0].as_of:%-d %B %Y}).",
        )
    else:
        signal = Signal(Rag.AMBER, "No progress reported yet.")
    return RecentPanel(
        signal=signal,
        updates=updates,
        updates_url=links.list_url(links.UPDATE_LIST, **filters.query()),
        meetings=[
            {"meeting": m, "url": links.url_for("activities:meeting_detail", pk=m.pk)} for m in meetings
        ],
        contact_changes=[
            {"change": c, "url": links.url_for("audit:contact_history", pk=c.id)} for c in changes
        ],
    )


# --- the whole dashboard -------------------------------------------------------------------


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
    overview = [
        ("Term", panels["term"], "term"),
        ("Commitments", panels["commitments"], "commitments"),
        ("Quarterly meetings", panels["meetings"], "meetings"),
        ("Points of contact", panels["contacts"], "contacts"),
        ("Outreach", panels["outreach"], "outreach"),
        ("Recent activity", panels["recent"], "recent"),
    ]
    return {
        "filters": filters,
        "parties": parties,
        **panels,
        "overview": overview,
        "charts": chart_data(panels),
    }


# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
STATUS_COLOURS = {
    CommitmentStatus.NOT_STARTED: "#999999",
    CommitmentStatus.ON_TRACK: "#009E73",
    CommitmentStatus.AT_RISK: "#E69F00",
    CommitmentStatus.BLOCKED: "#D55E00",
    CommitmentStatus.COMPLETE: "#0072B2",
}
STATUS_PATTERNS = {
    CommitmentStatus.NOT_STARTED: "dots",
    CommitmentStatus.ON_TRACK: "none",
    CommitmentStatus.AT_RISK: "diagonal",
    CommitmentStatus.BLOCKED: "cross",
    CommitmentStatus.COMPLETE: "horizontal",
}


def chart_data(panels: dict) -> dict:
    """The numbers the charts draw (read by static/js/dashboard.js from json_script)."""
    commitments: CommitmentsPanel = panels["commitments"]
    outreach: OutreachPanel = panels["outreach"]
    return {
        "commitments": {
            "labels": [k["label"] for k in commitments.by_kind],
            "datasets": [
                {
                    "label": s.label,
                    "color": STATUS_COLOURS[s],
                    "pattern": STATUS_PATTERNS[s],
                    "data": [k["cells"][i]["n"] for k in commitments.by_kind],
                    "urls": [k["cells"][i]["url"] for k in commitments.by_kind],
                }
                for i, s in enumerate(CommitmentStatus)
            ],
        },
        "outreach": {
            "labels": [str(q["quarter"]) for q in outreach.quarters],
            "datasets": [
                {
                    "label": "In the United States",
                    "color": "#0072B2",
                    "pattern": "none",
                    "data": [q["us"] for q in outreach.quarters],
                    "urls": [q["us_url"] for q in outreach.quarters],
                },
                {
                    "label": "Abroad",
                    "color": "#E69F00",
                    "pattern": "diagonal",
                    "data": [q["abroad"] for q in outreach.quarters],
                    "urls": [q["abroad_url"] for q in outreach.quarters],
                },
            ],
        },
    }


def updates_between(filters: Filters, start: datetime.date, end: datetime.date) -> list[ProgressUpdate]:
    """Progress updates as of a day in [start, end], by the chosen party if any: a quarter's news."""
    updates = ProgressUpdate.objects.filter(
        commitment__agreement=filters.agreement, as_of__gte=start, as_of__lte=end
    )
    if filters.party:
        updates = updates.filter(reporting_party=filters.party)
    return list(
        updates.select_related("commitment__agreement", "reporting_party").order_by(
            "commitment__position", "-as_of", "-pk"
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
