"""Who keeps a party's webhook subscriptions: that party's admins (and technical admins).

Built on agreements.permissions.can_manage_party, the rule for a party's other records.
"""

from __future__ import annotations

from django.db.models import QuerySet

from agreements.models import Party
from agreements.permissions import User, can_manage_party, is_admin, manageable_parties


def can_keep_webhooks(user: User) -> bool:
    """The webhooks pages are for admins."""
    return is_admin(user)


def can_keep_webhooks_of(user: User, party: Party) -> bool:
    return can_manage_party(user, party)


def webhook_parties(user: User) -> QuerySet[Party]:
    """The parties whose subscriptions the user keeps: their own (every party for a superuser)."""
    return manageable_parties(user)
