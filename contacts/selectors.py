"""Reads for the points-of-contact pages."""

from __future__ import annotations

from django.db.models import QuerySet

from agreements.models import Agreement

from .models import PointOfContact


def contacts_by_agreement_and_party(
    agreements: QuerySet[Agreement], contacts: QuerySet[PointOfContact], manageable_party_ids: set[int]
) -> list[dict]:
    """Agreements, each with its parties, each with its contacts (active first), in two queries.

    Each party block says whether the reader may add and edit its contacts.
    """
    rows = list(
        contacts.filter(agreement__in=agreements)
        .select_related("party", "agreement")
        .order_by("party__acronym", "active_to", "position", "pk")
    )
    blocks = []
    for agreement in agreements.prefetch_related("parties").order_by("-executed_on", "short_name"):
        parties = []
        for party in agreement.parties.all():
            mine = [c for c in rows if c.agreement_id == agreement.pk and c.party_id == party.pk]
            active = [c for c in mine if c.is_active]
            parties.append(
                {
                    "party": party,
                    "active": active,
                    "inactive": [c for c in mine if not c.is_active],
                    "has_no_active_contact": not active,
                    "can_manage": party.pk in manageable_party_ids,
                }
            )
        blocks.append({"agreement": agreement, "parties": parties})
    return blocks
