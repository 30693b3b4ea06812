"""The outreach panel (VI.3): events per calendar quarter, in the United States and abroad."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max
from django.db.models.functions import TruncQuarter

from activities.models import OutreachEvent
from activities.quarters import Quarter, term_quarters

from .. import links
from .base import Filters, Rag, Signal, quarter_code


@dataclass(frozen=True)
class OutreachQuarter:
    quarter: Quarter
    code: str
    us: int
    abroad: int
    us_url: str
    abroad_url: str


@dataclass(frozen=True)
class OutreachPanel:
    signal: Signal
    quarters: list[OutreachQuarter]
    us: int
    abroad: int
    total: int
    last_held_on: datetime.date | None
    us_url: str
    abroad_url: str


def outreach_signal(us: int, abroad: int, last: datetime.date | None, on: datetime.date) -> Signal:
    """Red with no event, amber with events on one side only or none in a year, else green."""
    facts = {"us": us, "abroad": abroad, "total": us + abroad, "last": last}
    if us + abroad == 0:
        return Signal(Rag.RED, "outreach", "none", facts)
    if not us or not abroad:
        return Signal(Rag.AMBER, "outreach", "one_side", facts)
    if last is not None and last < on - datetime.timedelta(days=365):
        return Signal(Rag.AMBER, "outreach", "quiet", facts)
    return Signal(Rag.GREEN, "outreach", "active", facts)


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
            OutreachQuarter(
                quarter=q,
                code=code,
                us=c["us"],
                abroad=c["abroad"],
                us_url=links.list_url(
                    links.EVENT_LIST, **filters.query(venue="us", quarter=code, to=held_by)
                ),
                abroad_url=links.list_url(
                    links.EVENT_LIST, **filters.query(venue="abroad", quarter=code, to=held_by)
                ),
            )
        )
    us = sum(r.us for r in result)
    abroad = sum(r.abroad for r in result)
    last = events.aggregate(last=Max("held_on"))["last"] if (us or abroad) else None
    return OutreachPanel(
        signal=outreach_signal(us, abroad, last, on),
        quarters=result,
        us=us,
        abroad=abroad,
        total=us + abroad,
        last_held_on=last,
        us_url=links.list_url(links.EVENT_LIST, **filters.query(venue="us", to=held_by)),
        abroad_url=links.list_url(links.EVENT_LIST, **filters.query(venue="abroad", to=held_by)),
    )
