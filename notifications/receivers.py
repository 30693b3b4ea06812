"""Notices for what the apps below announce (their signals); they decide, this app delivers."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from agreements.permissions import ADMIN, party_users_with_role
from agreements.signals import modification_awaiting

from .models import Kind
from .services import notices_claim, notices_for, notices_send, recipients_from


@receiver(modification_awaiting)
def modification_awaiting_notices(sender: Any, *, modification, parties, reason: str, **kwargs) -> None:
    """Tell the awaited parties' admins, once per version of the proposal and recipient."""
    admins = party_users_with_role(parties=parties, role=ADMIN)
    notices = notices_for(
        agreement=modification.agreement,
        kind=Kind.MODIFICATION_AWAITING,
        occasion=f"modification {modification.number} version {modification.version}",
        recipients=recipients_from(users=admins),
        context={"modification": modification, "reason": reason},
        link=modification.get_absolute_url(),
    )
    notices_send(claimed=notices_claim(notices=notices))
