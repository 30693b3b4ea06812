"""Who sees and keeps the points of contact."""

from __future__ import annotations

from django.db.models import QuerySet

from agreements.permissions import User, can_manage_party, visible_agreements

from .models import PointOfContact


def visible_contacts(user: User) -> QuerySet[PointOfContact]:
    """Points of contact of the agreements the user can see (read access for every staff user)."""
    return PointOfContact.objects.filter(agreement__in=visible_agreements(user))


def can_manage_contact(user: User, contact) -> bool:
    """Admins add, edit and deactivate their own party's contacts on agreements they can see."""
    return (
        can_manage_party(user, contact.party)
        and visible_agreements(user).filter(pk=contact.agreement_id).exists()
    )
