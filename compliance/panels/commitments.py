"""The commitments panel: items by status as of the day, per kind and per lead party; stale and
overdue work. Per party, a jointly led item counts for every party (the item list's rule)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from activities.models import FollowUpAction, Milestone, ProgressUpdate
from activities.selectors import overdue_items
from agreements.models import Commitment, CommitmentQuerySet, CommitmentStatus, Party

from .. import links
from .base import Filters, Rag, Signal


@dataclass(frozen=True)
class Cell:
    """One number of a table: the items of a status, and the list of exactly those items."""

    status: str
    n: int
    url: str


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    total: int
    total_url: str
    cells: list[Cell]


@dataclass(frozen=True)
class PartyRow:
    party: Party
    total: int
    total_url: str
    cells: list[Cell]


@dataclass(frozen=True)
class StatusTotal:
    status: str
    label: str
    n: int
    url: str


@dataclass(frozen=True)
class CommitmentsPanel:
    signal: Signal
    statuses: list[CommitmentStatus]
    by_kind: list[KindRow]
    by_party: list[PartyRow]
    totals: list[StatusTotal]
    total: int
    stale: list[Commitment]
    stale_url: str
    overdue_items: list[Commitment]  # a milestone or the target date passed: `due=overdue` lists them
    overdue_items_url: str
    overdue_milestones: list[Milestone]
    overdue_follow_ups: list[FollowUpAction]
    stale_after_days: int


def commitments_with_status_on(items: QuerySet[Commitment], on: datetime.date) -> QuerySet[Commitment]:
    """Annotate `status_as_of`: the status of the latest update as of `on`, else not started."""
    latest = (
        ProgressUpdate.objects.filter(commitment=OuterRef("pk"), as_of__lte=on)
        .latest_first()
        .values("status")[:1]
    )
    return items.annotate(status_as_of=Coalesce(Subquery(latest), Value(CommitmentStatus.NOT_STARTED)))


def _items(filters: Filters) -> CommitmentQuerySet:
    items = Commitment.objects.filter(agreement=filters.agreement)
    return items.led_by(filters.party) if filters.party else items


def commitments_signal(
    count: dict[str, int], *, overdue: int, follow_ups: int, stale: int, stale_after_days: int
) -> Signal:
    """Red for blocked or overdue work, amber for items at risk or stale, else green."""
    red = [("blocked", count[CommitmentStatus.BLOCKED]), ("overdue", overdue), ("follow_ups", follow_ups)]
    amber = [("at_risk", count[CommitmentStatus.AT_RISK]), ("stale", stale)]
    red, amber = [p for p in red if p[1]], [p for p in amber if p[1]]
    total = sum(count.values())
    facts = {"days": stale_after_days, "total": total}
    if red:
        return Signal(Rag.RED, "commitments", "problems", {**facts, "parts": red + amber})
    if amber:
        return Signal(Rag.AMBER, "commitments", "problems", {**facts, "parts": amber})
    if total == 0:
        return Signal(Rag.GREEN, "commitments", "empty", facts)
    done = count[CommitmentStatus.COMPLETE] + count[CommitmentStatus.ON_TRACK]
    return Signal(Rag.GREEN, "commitments", "on_course", {**facts, "done": done})


def commitments_panel(filters: Filters, parties: list[Party]) -> CommitmentsPanel:
    """Counts by status as of the day for each kind and per lead party, stale and overdue work.

    Per party, an item counts for each of its lead parties (every party when it is joint) —
    the same rule as the item list's `party` filter, so each
    number links to exactly the items it counts.
    """
    agreement, on = filters.agreement, filters.as_of
    counted = commitments_with_status_on(_items(filters), on).order_by()
    # status_as_of is the annotation commitments_with_status_on adds, which the stubs cannot see.
    kind_rows = counted.values("kind", "status_as_of").annotate(n=Count("pk"))  # type: ignore[misc]
    grid: dict[tuple[str, str], int] = {(r["kind"], r["status_as_of"]): r["n"] for r in kind_rows}

    def cell(status: str, n: int, **extra: str) -> Cell:
        return Cell(status, n, links.list_url(links.COMMITMENT_LIST, **filters.query(status=status, **extra)))

    by_kind = []
    for kind in Commitment.Kind:
        cells = [cell(s.value, grid.get((kind.value, s.value), 0), kind=kind.value) for s in CommitmentStatus]
        by_kind.append(
            KindRow(
                kind=kind.value,
                label=kind.label,
                total=sum(c.n for c in cells),
                total_url=links.list_url(links.COMMITMENT_LIST, **filters.query(kind=kind.value)),
                cells=cells,
            )
        )
    totals = [
        StatusTotal(
            status=s.value,
            label=s.label,
            n=sum(grid.get((k.value, s.value), 0) for k in Commitment.Kind),
            url=links.list_url(links.COMMITMENT_LIST, **filters.query(status=s.value)),
        )
        for s in CommitmentStatus
    ]

    lead_rows = (
        commitments_with_status_on(Commitment.objects.filter(agreement=agreement), on)
        .order_by()
        .values("lead_parties", "status_as_of")  # type: ignore[misc]  # annotated above
        .annotate(n=Count("pk"))
    )
    by_lead: dict[tuple[int | None, str], int] = {
        (r["lead_parties"], r["status_as_of"]): r["n"] for r in lead_rows
    }
    by_party = []
    for party in [filters.party] if filters.party else parties:
        cells = [
            Cell(
                s.value,
                by_lead.get((party.pk, s.value), 0),
                links.list_url(
                    links.COMMITMENT_LIST, agreement=agreement.slug, party=party.acronym, status=s.value
                ),
            )
            for s in CommitmentStatus
        ]
        by_party.append(
            PartyRow(
                party=party,
                total=sum(c.n for c in cells),
                total_url=links.list_url(
                    links.COMMITMENT_LIST, agreement=agreement.slug, party=party.acronym
                ),
                cells=cells,
            )
        )

    days = settings.STALE_AFTER_DAYS
    # The panel names the first stale and overdue items and counts them all: a row needs only
    # what its link and label show (an agreement of hundreds of items loaded every column).
    shown = ("id", "code", "title", "position", "agreement__slug")
    stale = list(
        _items(filters).stale(on, days).select_related("agreement").only(*shown).order_by("position", "pk")
    )
    late_milestones = Milestone.objects.overdue(on).filter(commitment__agreement=agreement)
    late_follow_ups = FollowUpAction.objects.overdue(on).filter(meeting__agreement=agreement)
    if filters.party:
        late_milestones = late_milestones.filter(commitment__in=Commitment.objects.led_by(filters.party))
        late_follow_ups = late_follow_ups.filter(
            Q(owner_user__membership__party=filters.party) | Q(owner_contact__party=filters.party)
        )
    milestones = list(late_milestones.select_related("commitment__agreement").order_by("due_on", "pk"))
    overdue = list(
        overdue_items(counted, on, status_field="status_as_of")
        .select_related("agreement")
        .only(*shown)
        .order_by("position", "pk")
    )
    follow_ups = list(late_follow_ups.select_related("meeting").order_by("due_on", "pk"))
    for follow_up in follow_ups:
        follow_up.meeting_url = links.url_for("activities:meeting_detail", pk=follow_up.meeting_id)

    count = {t.status: t.n for t in totals}
    return CommitmentsPanel(
        signal=commitments_signal(
            count, overdue=len(overdue), follow_ups=len(follow_ups), stale=len(stale), stale_after_days=days
        ),
        statuses=list(CommitmentStatus),
        by_kind=by_kind,
        by_party=by_party,
        totals=totals,
        total=sum(count.values()),
        stale=stale,
        stale_url=links.list_url(links.COMMITMENT_LIST, **filters.query(stale="1")),
        overdue_items=overdue,
        overdue_items_url=links.list_url(links.COMMITMENT_LIST, **filters.query(due="overdue")),
        overdue_milestones=milestones,
        overdue_follow_ups=follow_ups,
        stale_after_days=days,
    )
