"""An event obligation's panel (e.g. outreach): events per calendar quarter, per place, and its balance.

One panel per event obligation the agreement states; none when it states none. The places
and the balance rule ("in the United States and abroad" is one) come from the agreement's
vocabularies and obligation, and the clause is cited from data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max
from django.db.models.functions import TruncQuarter

from activities.models import OutreachEvent
from activities.quarters import Quarter
from agreements.agreement_file.document import CADENCE_MONTHS, CadenceKind
from agreements.models import Obligation, VocabularyEntry
from agreements.obligations import Vocabulary

from .. import links
from .base import SHOWN_PERIODS, Filters, Rag, Signal, quarter_code


@dataclass(frozen=True)
class PlaceCount:
    key: str  # a key of the agreement's event places
    label: str
    n: int
    url: str  # the event list showing these events

    @property
    def phrase(self) -> str:
        """The label inside a sentence: "In the United States" reads "in the United States"."""
        return self.label[:1].lower() + self.label[1:]


@dataclass(frozen=True)
class OutreachQuarter:
    quarter: Quarter
    code: str
    places: list[PlaceCount]


@dataclass(frozen=True)
class OutreachPanel:
    obligation: Obligation
    signal: Signal
    quarters: list[OutreachQuarter]
    places: list[PlaceCount]  # totals over the term, per place
    total: int
    last_held_on: datetime.date | None

    @property
    def anchor(self) -> str:
        return f"obligation-{self.obligation.code}"

    @property
    def last_quarters(self) -> list[OutreachQuarter]:
        """The last four quarters up to the as-of day; the others are one "Show all" away."""
        return self.quarters[-SHOWN_PERIODS:]

    @property
    def earlier_quarters(self) -> list[OutreachQuarter]:
        return self.quarters[:-SHOWN_PERIODS]


def outreach_signal(
    obligation: Obligation, places: list[PlaceCount], last: datetime.date | None, on: datetime.date
) -> Signal:
    """Red with no event; amber when the balance rule is unmet, or none within the cadence's
    span (a year for an annual obligation); else green."""
    total = sum(p.n for p in places)
    facts = {"obligation": obligation, "places": places, "total": total, "last": last}
    if total == 0:
        return Signal(Rag.RED, "outreach", "none", facts)
    if obligation.has_balance:
        missing = [p for p in places if p.key in obligation.balance_each_of and not p.n]
        if missing:
            held = [p for p in places if p.n]
            return Signal(Rag.AMBER, "outreach", "unbalanced", {**facts, "missing": missing, "held": held})
    months = (
        CADENCE_MONTHS.get(CadenceKind(obligation.cadence)) if obligation.cadence in CADENCE_MONTHS else None
    )
    if months and last is not None and last < on - relativedelta(months=months):
        return Signal(Rag.AMBER, "outreach", "quiet", {**facts, "span": months})
    return Signal(Rag.GREEN, "outreach", "active", facts)


def outreach_panel(filters: Filters, obligation: Obligation) -> OutreachPanel:
    """The obligation's events per calendar quarter and per place, as of the day."""
    agreement, on = filters.agreement, filters.as_of
    place_labels = VocabularyEntry.objects.labels(agreement, Vocabulary.EVENT_PLACES)
    events = OutreachEvent.objects.filter(agreement=agreement, held_on__lte=on)
    if filters.party:
        events = events.filter(organising_party=filters.party)
    rows = events.order_by().annotate(q=TruncQuarter("held_on")).values("q", "place").annotate(n=Count("pk"))
    counts: dict[Quarter, dict[str, int]] = {}
    for r in rows:
        by_place = counts.setdefault(Quarter.containing(r["q"]), {})
        by_place[r["place"]] = by_place.get(r["place"], 0) + r["n"]
        place_labels.setdefault(r["place"], r["place"])
    quarters: list[Quarter] = []
    if agreement.executed_on:
        last_day = min(
            d for d in (on, agreement.ends_on and agreement.ends_on - datetime.timedelta(days=1)) if d
        )
        q = Quarter.containing(agreement.executed_on)
        while q.starts_on <= last_day:
            quarters.append(q)
            q = q.next()
    quarters = sorted(set(quarters) | set(counts), key=lambda q: (q.year, q.number))
    held_by = on.isoformat()

    def count(key: str, n: int, **query: str) -> PlaceCount:
        url = links.list_url(links.EVENT_LIST, **filters.query(venue=key, **query, to=held_by))
        return PlaceCount(key, place_labels[key], n, url)

    result = [
        OutreachQuarter(
            quarter=q,
            code=quarter_code(q),
            places=[count(k, counts.get(q, {}).get(k, 0), quarter=quarter_code(q)) for k in place_labels],
        )
        for q in quarters
    ]
    totals = [count(k, sum(row.places[i].n for row in result)) for i, k in enumerate(place_labels)]
    total = sum(p.n for p in totals)
    last = events.aggregate(last=Max("held_on"))["last"] if total else None
    return OutreachPanel(
        obligation=obligation,
        signal=outreach_signal(obligation, totals, last, on),
        quarters=result,
        places=totals,
        total=total,
        last_held_on=last,
    )
