"""Reads for the points-of-contact pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet, prefetch_related_objects

from agreements.models import Agreement, Party
from core.sorting import Column, ordering
from core.time import today

from .models import PointOfContact

# Whole agreements per page of the list: an agreement's parties and contacts are never split
# across pages (the "no active contact" warnings need them all). The benchmark's agreements
# have 7 to 14 contacts, so a page shows about 40.
AGREEMENTS_PER_PAGE = 4

#: The columns a party's contacts may be sorted by (`?sort=`); unsorted, the agreement's order.
SORT_COLUMNS = {
    "role": Column("Role title", ("role_title",)),
    "office": Column("Office", ("office",)),
    "person": Column("Person", ("person_name",)),
    "serving": Column("Serving", ("active_from",), first_descending=True),
}


def contacts_by_agreement_and_party(
    agreements: Iterable[Agreement],
    contacts: QuerySet[PointOfContact],
    manageable_party_ids: set[int],
    party: Party | None = None,
    sort: str | None = None,
) -> list[dict]:
    """The given agreements (one page of the list), each with its parties, each with its contacts
    (active first), in two queries however many contacts there are.

    Each party block says whether the reader may add and edit its contacts; each contact gets
    `active` (in office today), worked out once here rather than by every `is_active` the
    template would read. With `party`, each agreement shows that party's block only; with
    `sort` (a key of SORT_COLUMNS, `-` first for descending), each party's contacts in that order.
    """
    agreements = list(agreements)
    prefetch_related_objects(agreements, "parties")
    on = today()
    grouped: dict[tuple[int, int], list[PointOfContact]] = defaultdict(list)
    active_pks: set[int] = set()
    if party is not None:
        contacts = contacts.filter(party=party)
    within = (
        ordering(SORT_COLUMNS[sort.lstrip("-")], descending=sort.startswith("-"))
        if sort and sort.lstrip("-") in SORT_COLUMNS
        else ["active_to", "position", "pk"]
    )
    for contact in contacts.filter(agreement__in=[a.pk for a in agreements]).order_by(
        "agreement", "party__acronym", *within
    ):
        in_office = contact.is_active_on(on)
        contact.active = in_office  # type: ignore[attr-defined]  # read by contacts/contact_row.html
        if in_office:
            active_pks.add(contact.pk)
        grouped[contact.agreement_id, contact.party_id].append(contact)
    blocks = []
    for agreement in agreements:
        parties = []
        for each in agreement.parties.all():
            if party is not None and each.pk != party.pk:
                continue
            mine = grouped.get((agreement.pk, each.pk), [])
            active = [c for c in mine if c.pk in active_pks]
            parties.append(
                {
                    "party": each,
                    "active": active,
                    "inactive": [c for c in mine if c.pk not in active_pks],
                    "has_no_active_contact": not active,
                    "can_manage": each.pk in manageable_party_ids,
                }
            )
        blocks.append({"agreement": agreement, "parties": parties})
    return blocks
