"""Notices for what the apps below announce (their signals); they decide, this app delivers."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.urls import reverse

from agreements.permissions import ADMIN, party_users_with_role
from agreements.signals import modification_awaiting, termination_notice_given

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


@receiver(termination_notice_given)
def termination_notice_notices(
    sender: Any, *, agreement, party, parties, what: str, occasion: str, day, **kwargs
) -> None:
    """Tell the other parties' admins that a party gave (or withdrew) notice, once per notice."""
    admins = party_users_with_role(parties=parties, role=ADMIN)
    notices = notices_for(
        agreement=agreement,
        kind=Kind.TERMINATION_NOTICE,
        occasion=occasion,
        recipients=recipients_from(users=admins),
        context={"party": party, "what": what, "day": day},
        link=reverse("agreements:termination", kwargs={"slug": agreement.slug}),
    )
    notices_send(claimed=notices_claim(notices=notices))
