"""Reads shared by the agreement pages: one query set per panel, no per-row queries."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef, QuerySet, prefetch_related_objects

from core.time import today

from .models import Agreement, Commitment, Party


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
        "term": agreement.term_on(today()),
        "sections": sections,
    }
