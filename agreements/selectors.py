"""Reads shared by the agreement pages: one query set per panel, no per-row queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, prefetch_related_objects

from core.time import long_date, today

from .models import Agreement, Commitment, Modification, ModificationExecution, Party


def agreement_list_for(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """The agreements as the lists page them: newest executed first; pk keeps pages stable."""
    return agreements.prefetch_related("parties").order_by("-executed_on", "short_name", "pk")


def parties_to(agreements: QuerySet[Agreement]) -> QuerySet[Party]:
    """The parties to any of the agreements (the choices of the lists' party filters)."""
    return Party.objects.filter(
        Exists(Agreement.parties.through.objects.filter(party=OuterRef("pk"), agreement__in=agreements))
    )


def agreement_page(agreement: Agreement) -> dict:
    """Everything the agreement page shows, fetched in a fixed number of queries."""
    # The term reads the parties and executed modifications the page lists anyway.
    prefetch_related_objects([agreement], "parties", "modifications__executions__party")
    parties = list(agreement.parties.all())
    commitments = list(
        agreement.commitments.select_related("source_section", "goal")
        .prefetch_related("lead_parties")
        .order_by("position")
    )
    by_kind: dict[str, list[Commitment]] = defaultdict(list)
    by_section: dict[int, list[Commitment]] = defaultdict(list)
    for c in commitments:
        # Links on the page go through the agreement: share the one already loaded rather
        # than fetching it again for every item and clause (one query each at scale).
        c.agreement = c.source_section.agreement = agreement
        by_kind[c.kind].append(c)
        by_section[c.source_section_id].append(c)
    sections = list(agreement.sections.order_by("position"))
    for s in sections:
        s.agreement = agreement
        s.created_items = by_section.get(s.pk, [])  # type: ignore[attr-defined]  # for the page only
    # Through the relation: contacts sits above agreements (and imports it), not the other way.
    contacts = list(
        agreement.points_of_contact.select_related("party").order_by("party__acronym", "position", "pk")
    )
    active_by_party = {p.pk: [c for c in contacts if c.party_id == p.pk and c.is_active] for p in parties}
    goals_by_party: dict[int, list[Commitment]] = defaultdict(list)
    items_by_party: dict[int, list[Commitment]] = defaultdict(list)
    # An item owed by some of the parties is listed under each of them; a joint one under none.
    for c in by_kind[Commitment.Kind.STRATEGIC_GOAL]:
        for p in [] if c.is_joint else c.leads:
            goals_by_party[p.pk].append(c)
    for c in by_kind[Commitment.Kind.ACTION_ITEM]:
        for p in [] if c.is_joint else c.leads:
            items_by_party[p.pk].append(c)
    return {
        "parties": parties,
        "authorities": list(agreement.authorities.select_related("party", "section")),
        "objectives": by_kind[Commitment.Kind.OBJECTIVE],
        "joint_activities": by_kind[Commitment.Kind.JOINT_ACTIVITY],
        "annex_by_party": [
            {"party": p, "goals": goals_by_party.get(p.pk, []), "items": items_by_party.get(p.pk, [])}
            for p in parties
        ],
        "signatories": list(agreement.signatories.select_related("party")),
        "contacts_by_party": [
            {
                "party": p,
                "contacts": [c for c in contacts if c.party_id == p.pk],
                "active": active_by_party[p.pk],
            }
            for p in parties
        ],
        "parties_without_contact": [p for p in parties if not active_by_party[p.pk]],
        # The clause that asks each party for a point of contact, when the agreement states one.
        "contacts_obligation": agreement.obligations.of_kind("contacts").select_related("section").first(),
        "modifications": list(agreement.modifications.all()),
        "modification_states": modification_states(agreement),
        "unsigned_parties": unsigned_parties(agreement),
        "term": agreement.term_on(today()),
        "sections": sections,
    }


# --- the agreement's life: signatures and modifications ------------------------------------------


@dataclass(frozen=True)
class ModificationState:
    """Where a modification stands, in words the page shows: "awaiting DHS", "in effect since …"."""

    modification: Modification
    label: str
    awaiting: list[Party]
    executed: list[ModificationExecution]
    in_effect: bool
    withdrawn: bool

    @property
    def open(self) -> bool:
        """Still a proposal: neither in effect nor withdrawn."""
        return not (self.in_effect or self.withdrawn)


def modification_state(modification: Modification, parties: list[Party]) -> ModificationState:
    """The state from the executions (prefetched with their parties) and the agreement's parties."""
    executed = sorted(modification.executions.all(), key=lambda e: (e.executed_on, e.party.acronym))
    done = {e.party_id for e in executed}
    awaiting = [p for p in parties if p.pk not in done]
    if modification.withdrawn_at is not None:
        label = f"withdrawn on {long_date(modification.withdrawn_at)}"
    elif parties and not awaiting:
        label = f"in effect since {long_date(max(e.executed_on for e in executed))}"
    else:
        label = "awaiting " + " and ".join(p.acronym for p in awaiting)
    return ModificationState(
        modification=modification,
        label=label,
        awaiting=awaiting,
        executed=executed,
        in_effect=bool(parties) and not awaiting and modification.withdrawn_at is None,
        withdrawn=modification.withdrawn_at is not None,
    )


def modification_states(agreement: Agreement) -> list[ModificationState]:
    """Every modification of the agreement with its state, newest first (two queries)."""
    parties = list(agreement.parties.all())
    modifications = agreement.modifications.prefetch_related("executions__party").order_by("-number")
    return [modification_state(m, parties) for m in modifications]


def unsigned_parties(agreement: Agreement) -> list[Party]:
    """The parties whose signature is not yet recorded (with a date)."""
    signed = set(agreement.signatories.filter(signed_on__isnull=False).values_list("party_id", flat=True))
    return [p for p in agreement.parties.all() if p.pk not in signed]
