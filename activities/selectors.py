"""Reads for the progress pages: each list in a fixed number of queries, whatever its length."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from agreements.models import Agreement, Commitment, CommitmentQuerySet, CommitmentStatus, Obligation
from agreements.permissions import User, party_of, viewer_scope, visible_agreements
from core import cache, paging
from core.links import list_url
from core.time import long_date, today

from .models import Evidence, FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from .quarters import local_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User as Account

DUE_SOON_DAYS = 30


# What the item list and My work show of an item: joining every item's clause and goal (long
# texts) only to sort and drop all but a page of them was most of the list's query time.
ITEM_ROW_FIELDS = (
    "agreement__slug",
    "agreement__short_name",
    "kind",
    "code",
    "title",
    "status",
)


def commitments_visible_to(user: User) -> CommitmentQuerySet:
    """Every tracked item of the agreements the user sees, with what the list shows."""
    return (
        Commitment.objects.filter(agreement__in=visible_agreements(user))
        .select_related("agreement")
        .prefetch_related("lead_parties", "agreement__parties")
        .only(*ITEM_ROW_FIELDS)
        .with_last_update_on()
        # The key last: a total order, so a page read from the list's far end (core/paging.py)
        # holds the same rows as read from its start.
        .order_by("agreement__short_name", "position", "pk")
    )


def updates_visible_to(user: User) -> QuerySet[ProgressUpdate]:
    return (
        ProgressUpdate.objects.filter(commitment__agreement__in=visible_agreements(user))
        # Joined: the item and its agreement (the row's link). Read apart, a page at a time: the
        # party, the author and the corrected update. Joining all six tables cost PostgreSQL
        # 10-14 ms to plan against 1-2 ms to run at scale 10 (docs/performance.md); two small
        # queries by key cost well under one.
        .select_related("commitment__agreement")
        .prefetch_related("reporting_party", "author", "corrects", "evidence")
        .latest_first()
    )


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    return (
        Meeting.objects.with_labels()
        .filter(agreement__in=visible_agreements(user))
        .select_related("agreement", "organiser")
        .prefetch_related("follow_ups")
        .order_by("-starts_at", "-pk")
    )


def events_visible_to(user: User) -> QuerySet[OutreachEvent]:
    return (
        OutreachEvent.objects.with_labels()
        .filter(agreement__in=visible_agreements(user))
        .select_related("agreement", "organising_party")
        .order_by("-held_on", "-pk")
    )


def overdue_items(
    items: QuerySet[Commitment], on: datetime.date, *, status_field: str = "status"
) -> QuerySet[Commitment]:
    """Items overdue on a day: a milestone due before it and not done by then, or the item's own
    target date passed while it is not complete.

    One rule for the item list's `due=overdue` and the dashboard's count, so the count links to
    exactly the items it counts; the dashboard passes its as-of status annotation.
    """
    milestones = Milestone.objects.filter(commitment=OuterRef("pk")).overdue(on)
    late = Q(target_date__lt=on) & ~Q(**{status_field: CommitmentStatus.COMPLETE})
    return items.filter(Exists(milestones) | late)


# My work shows the first rows of each list, most urgent first, with how many there are and a
# link to the whole filtered list: a DOC manager leads thousands of items and has thousands of
# overdue milestones over 200 agreements, and drawing them all took 0.9 s and 3.4 MB a request.
MY_WORK_COMMITMENTS = 25
MY_WORK_MILESTONES = 10


def _commitments_of(party, **filters: str) -> str:
    """The item list with these filters, of the party's items when there is a party."""
    return list_url("activities:commitment_list", party=party.acronym if party else None, **filters)


def _first_milestone_ids(milestones: QuerySet[Milestone]) -> list[int]:
    """The first few by id: joining the items and owners of all of them (6,008 overdue in the
    benchmark) before keeping ten took 20 ms."""
    return list(milestones.values_list("pk", flat=True)[:MY_WORK_MILESTONES])


def _milestones(ids: list[int]) -> list[Milestone]:
    return list(
        Milestone.objects.filter(pk__in=ids)
        .select_related("commitment__agreement", "owner_user", "owner_contact")
        .order_by("due_on", "pk")
    )


def my_work(user: Account, on: datetime.date | None = None) -> dict[str, Any]:
    """The items the user's party leads or co-leads, with what is due, overdue and stale.

    A user without a party (a superuser) sees every item of the agreements they can see.
    Each list is cut to its first rows, with its full count (the items: up to COUNT_UP_TO,
    core/paging.py); a fixed number of queries.
    Stale follows the weekly digest: only items of agreements in force are owed updates.
    """
    on = on or today()
    party = party_of(user)
    visible = commitments_visible_to(user)
    if party is not None:
        visible = visible.led_by(party)

    def party_wide_lists() -> dict[str, Any]:
        """What is counted and chosen over everything the party leads (thousands of items in a
        department): the same for every member of the party, so kept until the records change.
        The first rows are kept as keys, in the item list's order (agreement name, position: an
        index on the agreements' names walks them in that order and stops at 25), with which of
        them are stale; the counts stop past COUNT_UP_TO."""
        led = Commitment.objects.filter(agreement__in=visible_agreements(user))
        if party is not None:
            led = led.led_by(party)
        stale = led.stale_in_force(on)
        first = list(visible.values_list("pk", flat=True)[:MY_WORK_COMMITMENTS])
        soon = on + datetime.timedelta(days=DUE_SOON_DAYS)
        open_milestones = (
            Milestone.objects.filter(commitment__in=led.values("pk"))
            .open()
            .filter(due_on__lte=soon)
            .order_by("due_on", "pk")
        )
        return {
            "first": first,
            "first_stale": set(stale.filter(pk__in=first).values_list("pk", flat=True)),
            "commitments": paging.count_up_to(visible, paging.COUNT_UP_TO),
            "stale": stale.count(),
            **open_milestones.aggregate(
                overdue=Count("pk", filter=Q(due_on__lt=on)), due=Count("pk", filter=Q(due_on__gte=on))
            ),
            "overdue_ids": _first_milestone_ids(open_milestones.filter(due_on__lt=on)),
            "due_ids": _first_milestone_ids(open_milestones.filter(due_on__gte=on)),
        }

    party_wide = cache.kept(
        "my-work-party",  # renamed when what is kept changes: a value of the old shape is never read
        [viewer_scope(user), f"led-by-{party.pk if party else 'any'}", on.isoformat()],
        party_wide_lists,
    )
    # The first rows read by key, in the order kept (the list's order).
    by_pk = {c.pk: c for c in visible.filter(pk__in=party_wide["first"]).order_by()}
    commitments = [by_pk[pk] for pk in party_wide["first"] if pk in by_pk]
    for commitment in commitments:
        commitment.is_stale = commitment.pk in party_wide["first_stale"]
    commitments_count, commitments_count_is_exact = party_wide["commitments"]
    milestones = _milestones(party_wide["overdue_ids"] + party_wide["due_ids"])
    follow_ups = list(
        FollowUpAction.objects.filter(
            meeting__agreement__in=visible_agreements(user), completed_on__isnull=True
        )
        .filter(owner_user=user)
        .select_related("meeting")
        .order_by("due_on", "pk")
    )
    owned = list(
        Commitment.objects.filter(agreement__in=visible_agreements(user), owner=user)
        .exclude(status=CommitmentStatus.COMPLETE)
        .select_related("agreement")
        .order_by(F("target_date").asc(nulls_last=True), "pk")[:MY_WORK_COMMITMENTS]
    )
    for item in owned:
        item.target_date_passed = bool(item.target_date and item.target_date < on)  # type: ignore[attr-defined]  # for the page
    return {
        "party": party,
        "owned_commitments": owned,
        "commitments": commitments,
        "commitments_count": commitments_count,
        "commitments_count_is_exact": commitments_count_is_exact,
        "commitments_counted_up_to": paging.COUNT_UP_TO,
        "overdue_milestones": [m for m in milestones if m.due_on < on],
        "overdue_milestones_count": party_wide["overdue"],
        "due_milestones": [m for m in milestones if m.due_on >= on],
        "due_milestones_count": party_wide["due"],
        "stale_count": party_wide["stale"],
        "follow_ups": follow_ups,
        "on": on,
        "due_soon_days": DUE_SOON_DAYS,
        "stale_days": settings.STALE_AFTER_DAYS,
        # Where each list continues: the same rows in the same order, all of them.
        "commitments_url": _commitments_of(party),
        "stale_url": _commitments_of(party, stale="1", in_force="1"),
        "overdue_url": _commitments_of(party, due="overdue"),
        "due_url": _commitments_of(party, due=str(DUE_SOON_DAYS)),
    }


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing that happened on an item: an update, a meeting, an event, a milestone, a
    follow-up action linked to it (on the day of the meeting that decided it)."""

    kind: str  # "update" | "meeting" | "event" | "milestone" | "follow_up"
    on: datetime.date
    at: datetime.datetime
    record: Any
    evidence: list[Evidence] = field(default_factory=list)


# The item page shows its timeline a page at a time: an item reported on weekly for years has
# hundreds of entries, and drawing them all was most of the page's time (docs/performance.md).
TIMELINE_PAGE_SIZE = 20


@dataclass(frozen=True)
class TimelinePage:
    """One page of an item's timeline, newest first; `number` counts from 1."""

    entries: list[TimelineEntry]
    number: int
    size: int
    has_next: bool
    # The item's latest update, whichever page this is: the updates are read newest first.
    latest_update: ProgressUpdate | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.entries else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.entries)


# No item comes near this many pages; a larger `?page=` is past the end all the same.
TIMELINE_MAX_PAGE = 100_000


def timeline_page_number(value: str | None) -> int:
    """`?page=` as a page number: anything that is not a positive whole number is the first page."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), TIMELINE_MAX_PAGE)


def commitment_timeline(
    commitment: Commitment,
    page: int = 1,
    size: int = TIMELINE_PAGE_SIZE,
    completed_milestones: list[Milestone] | None = None,
) -> TimelinePage:
    """Updates, meetings, outreach events, completed milestones and the follow-up actions linked
    to the item (dated by the meeting that decided them), newest first, a page at a time.

    Ordered by the day each happened, then by when it was entered: two updates with the same
    as-of day show the later entry first, matching the item's current status. Each kind is read
    in that same order, only as far as this page reaches (the newest `page × size` + 1 of each
    cannot leave out an entry of the page), so the cost is the page's, not the item's history;
    evidence is loaded for the entries shown only. `completed_milestones` saves a query when
    the caller has the item's milestones already.
    """
    reach = page * size + 1
    updates = list(
        commitment.updates.select_related("reporting_party", "author", "corrects")
        .annotate(is_corrected=Exists(ProgressUpdate.objects.filter(corrects=OuterRef("pk"))))
        .latest_first()[:reach]
    )
    meetings = list(
        commitment.meetings.with_labels().select_related("organiser").order_by("-starts_at", "-pk")[:reach]
    )
    events = list(
        commitment.outreach_events.select_related("organising_party").order_by(
            "-held_on", "-created_at", "-pk"
        )[:reach]
    )
    follow_ups = list(
        commitment.follow_ups.select_related("meeting", "owner_user", "owner_contact").order_by(
            "-meeting__starts_at", "-pk"
        )[:reach]
    )
    if completed_milestones is None:
        completed_milestones = list(commitment.milestones.filter(completed_on__isnull=False))
    entries = (
        [TimelineEntry("update", u.as_of, u.created_at, u) for u in updates]
        + [TimelineEntry("meeting", local_date(m.starts_at), m.starts_at, m) for m in meetings]
        + [TimelineEntry("event", e.held_on, e.created_at, e) for e in events]
        + [
            TimelineEntry("follow_up", local_date(f.meeting.starts_at), f.meeting.starts_at, f)
            for f in follow_ups
        ]
        + [
            TimelineEntry("milestone", ms.completed_on, ms.created_at, ms)
            for ms in completed_milestones
            if ms.completed_on is not None
        ]
    )
    entries.sort(key=lambda e: (e.on, e.at, e.record.pk), reverse=True)
    if page > 1 and len(entries) <= (page - 1) * size:
        # Past the end (every kind ran out before `reach`, so these are all the entries):
        # the last page, as Paginator.get_page does.
        page = max(1, -(-len(entries) // size))
    shown = entries[(page - 1) * size : page * size]
    evidence = _evidence_of(shown)
    shown = [replace(e, evidence=evidence.get((e.kind, e.record.pk), [])) for e in shown]
    return TimelinePage(
        shown,
        page,
        size,
        has_next=len(entries) > page * size,
        latest_update=updates[0] if updates else None,
    )


# The evidence file's link to each kind of timeline entry that can carry files.
EVIDENCE_OWNER = {"update": "progress_update_id", "meeting": "meeting_id", "event": "outreach_event_id"}


def _evidence_of(entries: list[TimelineEntry]) -> dict[tuple[str, int], list[Evidence]]:
    """The evidence files of these entries, by (kind, pk): one query for the three kinds."""
    wanted = Q()
    for kind, column in EVIDENCE_OWNER.items():
        ids = [e.record.pk for e in entries if e.kind == kind]
        if ids:
            wanted |= Q(**{f"{column}__in": ids})
    found: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
    if wanted:
        for file in Evidence.objects.filter(wanted):
            for kind, column in EVIDENCE_OWNER.items():
                if getattr(file, column) is not None:
                    found[(kind, getattr(file, column))].append(file)
    return found


def commitment_page(commitment: Commitment, timeline_page: int = 1) -> dict[str, Any]:
    """What the item page shows besides the item itself."""
    milestones = list(commitment.milestones.select_related("owner_user", "owner_contact").order_by("due_on"))
    timeline = commitment_timeline(
        commitment, timeline_page, completed_milestones=[m for m in milestones if m.completed_on]
    )
    return {
        "milestones": milestones,
        "timeline": timeline.entries,
        "timeline_page": timeline,
        "latest_update": timeline.latest_update,
        "is_stale": Commitment.objects.stale_in_force().filter(pk=commitment.pk).exists(),
        # The item's own target date passed while it is not complete (overdue_items' second half).
        "target_date_passed": bool(
            commitment.target_date
            and commitment.target_date < today()
            and commitment.status != CommitmentStatus.COMPLETE
        ),
        "complete_status": CommitmentStatus.COMPLETE,
    }


def meeting_page(meeting: Meeting) -> Meeting:
    """The meeting with its attendees, items, follow-ups and evidence loaded."""
    return (
        Meeting.objects.with_labels()
        .select_related("agreement", "organiser")
        .prefetch_related(
            "attendee_contacts__party",
            "attendee_users__membership__party",
            "items",
            Prefetch(
                "follow_ups",
                queryset=FollowUpAction.objects.select_related(
                    "owner_user", "owner_contact", "commitment__agreement"
                ),
            ),
            "evidence",
        )
        .get(pk=meeting.pk)
    )


def event_page(event: OutreachEvent) -> OutreachEvent:
    return (
        OutreachEvent.objects.with_labels()
        .select_related("agreement", "organising_party")
        .prefetch_related("items", "evidence")
        .get(pk=event.pk)
    )


def meeting_duplicates(
    agreement: Agreement, *, kind: str, starts_at: datetime.datetime, exclude_pk: int | None = None
) -> list[Meeting]:
    """Meetings of the agreement of the same kind on the same local day: a second one is
    probably the same meeting recorded twice, so the form asks before saving it."""
    day = timezone.localtime(starts_at).date()
    qs = Meeting.objects.filter(agreement=agreement, kind=kind, starts_at__date=day).order_by("starts_at")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:5])


# --- the agenda draft of an upcoming meeting ------------------------------------------------------

#: Each list of the agenda draft shows at most this many rows, with how many more there are: a
#: meeting of a department-wide agreement would otherwise list hundreds of updates.
AGENDA_LIMIT = 25
#: The statuses that put a commitment at risk: reaching one since the last meeting is a new risk.
RISK_STATUSES = (CommitmentStatus.AT_RISK, CommitmentStatus.BLOCKED)


@dataclass(frozen=True)
class NewRisk:
    """A commitment at risk (or blocked) now that was not at the last meeting."""

    commitment: Commitment
    status_before: str  # the status's label as of the last meeting ("Not started" without an update)
    update: ProgressUpdate | None  # the latest update, the one that says so


@dataclass(frozen=True)
class AgendaDraft:
    """What changed since the last held meeting of the same obligation (of the agreement, when no
    meeting obligation counts this meeting's kind), for an upcoming meeting's agenda.

    Each list is cut at AGENDA_LIMIT rows; its `*_count` says how many there are in all.
    """

    meeting: Meeting
    previous: Meeting | None
    since: datetime.datetime | None
    updates: list[ProgressUpdate]
    updates_count: int
    new_risks: list[NewRisk]
    overdue_milestones: list[Milestone]
    overdue_milestones_count: int
    open_follow_ups: list[FollowUpAction]
    open_follow_ups_count: int

    @property
    def is_empty(self) -> bool:
        return not (self.updates or self.new_risks or self.overdue_milestones or self.open_follow_ups)

    @property
    def text(self) -> str:
        """The draft as plain text, as it goes into the meeting's agenda (agenda_text)."""
        return agenda_text(self)


def series_kinds(meeting: Meeting) -> list[str] | None:
    """The meeting kinds of the meeting's obligation: those the agreement's meeting obligations
    that count this meeting's kind count. None: any kind (no such obligation, or one counting
    every kind), so "the last meeting" is the agreement's last meeting of any kind."""
    obligations = Obligation.objects.meetings().filter(agreement_id=meeting.agreement_id)
    counting = [o for o in obligations if not o.meeting_kinds or meeting.kind in o.meeting_kinds]
    if not counting or any(not o.meeting_kinds for o in counting):
        return None
    return sorted({kind for o in counting for kind in o.meeting_kinds})


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The last meeting held before this one of the same obligation: begun by now, not cancelled."""
    before = min(meeting.starts_at, timezone.now())
    held = Meeting.objects.filter(agreement_id=meeting.agreement_id, is_cancelled=False, starts_at__lt=before)
    kinds = series_kinds(meeting)
    if kinds is not None:
        held = held.filter(kind__in=kinds)
    return held.exclude(pk=meeting.pk).order_by("-starts_at", "-pk").first()


def agenda_draft(meeting: Meeting, viewer: User) -> AgendaDraft | None:
    """The generated agenda draft of an upcoming meeting, or None: for a meeting held, begun or
    cancelled (its agenda is history), or one of an agreement the viewer does not see.

    Since the last held meeting of the same obligation (previous_meeting): the progress updates
    entered since it; the commitments newly at risk or blocked (their status then against now);
    the milestones overdue now; and the follow-up actions of earlier meetings still open, which
    so roll onto each next meeting until they are done. Only the meeting's own agreement is read.
    """
    if meeting.is_cancelled or not meeting.is_upcoming:
        return None
    if not visible_agreements(viewer).filter(pk=meeting.agreement_id).exists():
        return None
    previous = previous_meeting(meeting)
    since = previous.starts_at if previous else None
    commitments = Commitment.objects.filter(agreement_id=meeting.agreement_id)

    updates = ProgressUpdate.objects.filter(commitment__in=commitments)
    if since is not None:
        updates = updates.filter(created_at__gt=since)
    updates = updates.select_related("commitment", "reporting_party").order_by(
        "commitment__position", "-as_of", "-created_at", "-pk"
    )

    at_risk = commitments.filter(status__in=RISK_STATUSES).order_by("position")
    if since is not None:
        at_risk = at_risk.filter(updates__created_at__gt=since).distinct()
    before = _status_before(at_risk, since)
    latest = {
        u.commitment_id: u
        for u in ProgressUpdate.objects.filter(commitment__in=at_risk.values("pk"))
        .latest_first("commitment_id")
        .distinct("commitment_id")
    }
    labels = dict(CommitmentStatus.choices)
    new_risks = [
        NewRisk(c, labels[before.get(c.pk, CommitmentStatus.NOT_STARTED)], latest.get(c.pk))
        for c in at_risk[:AGENDA_LIMIT]
        if before.get(c.pk, CommitmentStatus.NOT_STARTED) != c.status
    ]

    overdue = (
        Milestone.objects.filter(commitment__in=commitments)
        .overdue()
        .select_related("commitment", "owner_user", "owner_contact")
        .order_by("due_on", "pk")
    )
    follow_ups = (
        FollowUpAction.objects.filter(
            meeting__agreement_id=meeting.agreement_id,
            meeting__starts_at__lt=meeting.starts_at,
            completed_on__isnull=True,
        )
        .exclude(meeting=meeting)
        .select_related("meeting", "commitment", "owner_user", "owner_contact")
        .order_by("due_on", "pk")
    )
    return AgendaDraft(
        meeting=meeting,
        previous=previous,
        since=since,
        updates=list(updates[:AGENDA_LIMIT]),
        updates_count=updates.count(),
        new_risks=new_risks,
        overdue_milestones=list(overdue[:AGENDA_LIMIT]),
        overdue_milestones_count=overdue.count(),
        open_follow_ups=list(follow_ups[:AGENDA_LIMIT]),
        open_follow_ups_count=follow_ups.count(),
    )


def _status_before(commitments: QuerySet[Commitment], since: datetime.datetime | None) -> dict[int, str]:
    """Each commitment's status as of `since`: its latest update entered by then (none: not started)."""
    if since is None:
        return {}
    rows = (
        ProgressUpdate.objects.filter(commitment__in=commitments.values("pk"), created_at__lte=since)
        .latest_first("commitment_id")
        .distinct("commitment_id")
        .values_list("commitment_id", "status")
    )
    return dict(rows)


def _more(shown: int, total: int) -> list[str]:
    return [f"- … and {total - shown} more"] if total > shown else []


def agenda_text(draft: AgendaDraft) -> str:
    """The agenda draft in plain words, one line per entry, under the draft's four headings."""
    if draft.previous is not None:
        since = f"since the last meeting, “{draft.previous.title}” ({long_date(draft.previous.starts_at)})"
    else:
        since = "since the agreement began (no earlier meeting is recorded)"
    lines = [f"Changes {since}", ""]
    lines.append("Progress updates since the last meeting")
    for u in draft.updates:
        narrative = " ".join(u.narrative.split())
        narrative = narrative if len(narrative) <= 160 else narrative[:159] + "…"
        lines.append(
            f"- {u.commitment.code} {u.commitment.title}: {u.get_status_display()}, "
            f"{u.percent_complete} % as of {long_date(u.as_of)} — {narrative}"
        )
    lines += _more(len(draft.updates), draft.updates_count) or ([] if draft.updates else ["- None."])
    lines += ["", "New risks"]
    for r in draft.new_risks:
        lines.append(
            f"- {r.commitment.code} {r.commitment.title}: now {r.commitment.get_status_display()} "
            f"(was {r.status_before})"
        )
    lines += [] if draft.new_risks else ["- None."]
    lines += ["", "Milestones now overdue"]
    for m in draft.overdue_milestones:
        owner = f", {m.owner_name}" if m.owner_name else ""
        lines.append(f"- {m.commitment.code} {m.title}: due {long_date(m.due_on)}{owner}")
    lines += _more(len(draft.overdue_milestones), draft.overdue_milestones_count) or (
        [] if draft.overdue_milestones else ["- None."]
    )
    lines += ["", "Open follow-ups from earlier meetings"]
    for f in draft.open_follow_ups:
        about = f" [{f.commitment.code}]" if f.commitment is not None else ""
        lines.append(
            f"- {' '.join(f.description.split())}{about} — {f.owner_name or 'no owner'}, due "
            f"{long_date(f.due_on)} (from “{f.meeting.title}”, {long_date(f.meeting.starts_at)})"
        )
    lines += _more(len(draft.open_follow_ups), draft.open_follow_ups_count) or (
        [] if draft.open_follow_ups else ["- None."]
    )
    return "\n".join(lines)


def owner_suggestions(owners: QuerySet, text: str) -> QuerySet:
    """The possible owners whose name, e-mail address or user name contains the text, by name:
    what the owner picker suggests (core.pickers). `owners` is permissions.owner_choices of the
    item, the same set the assignment form accepts; the caller takes the first few."""
    words = text.split()
    for word in words:
        owners = owners.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(username__icontains=word)
        )
    return owners.select_related("membership__party").order_by("last_name", "first_name", "pk")
