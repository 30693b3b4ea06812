"""The points of contact panel: each party has an active point of contact and coordinator.

The clause it cites is the agreement's contacts obligation, when it states one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from agreements.models import Obligation, Party
from contacts.models import PointOfContact

from .. import links
from .base import Filters, Rag, Signal


@dataclass(frozen=True)
class PartyContacts:
    party: Party
    active: int
    coordinators: int


@dataclass(frozen=True)
class ContactsPanel:
    signal: Signal
    parties: list[PartyContacts]
    without_contact: list[Party]
    list_url: str
    obligation: Obligation | None  # the agreement's contacts obligation, if it states one


def contacts_signal(rows: list[PartyContacts], obligation: Obligation | None = None) -> Signal:
    """Red when a party has no active contact, amber when one has no coordinator, else green."""
    without = [r.party for r in rows if not r.active]
    without_coordinator = [r.party for r in rows if r.active and not r.coordinators]
    if without:
        return Signal(Rag.RED, "contacts", "no_contact", {"parties": without, "obligation": obligation})
    if without_coordinator:
        return Signal(Rag.AMBER, "contacts", "no_coordinator", {"parties": without_coordinator})
    return Signal(Rag.GREEN, "contacts", "complete")


def contacts_panel(
    filters: Filters, parties: list[Party], obligation: Obligation | None = None
) -> ContactsPanel:
    """Each party has at least one active point of contact on the day, or a warning."""
    counts = (
        PointOfContact.objects.filter(agreement=filters.agreement)
        .active(filters.as_of)
        .order_by()
        .values("party_id")
        .annotate(n=Count("pk"), coordinators=Count("pk", filter=Q(is_coordinator=True)))
    )
    by_party = {r["party_id"]: r for r in counts}
    shown = [filters.party] if filters.party else parties
    rows = [
        PartyContacts(
            party=p,
            active=by_party.get(p.pk, {}).get("n", 0),
            coordinators=by_party.get(p.pk, {}).get("coordinators", 0),
        )
        for p in shown
    ]
    return ContactsPanel(
        signal=contacts_signal(rows, obligation),
        parties=rows,
        without_contact=[r.party for r in rows if not r.active],
        list_url=links.list_url(links.CONTACT_LIST, agreement=filters.agreement.slug),
        obligation=obligation,
    )
