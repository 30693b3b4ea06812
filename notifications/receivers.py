"""Notices for what the apps below announce (their signals); they decide, this app delivers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from activities.invitations import Invitee, meeting_invitation
from activities.models import Meeting, ProgressUpdate
from activities.signals import meeting_invitation_due, update_logged
from agreements.permissions import ADMIN, party_users_with_role
from agreements.signals import modification_awaiting, termination_notice_given

from . import webhook_events
from .models import Kind, WebhookEvent
from .services import Recipient, notices_claim, notices_for, notices_send, recipients_from


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
    notices += webhook_events.modification_awaiting_notices(modification, parties)
    webhook_events.send_claimed(notices_claim(notices=notices))


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
    notices += webhook_events.termination_notice_notices(
        agreement=agreement, party=party, what=what, occasion=occasion, day=day
    )
    webhook_events.send_claimed(notices_claim(notices=notices))


@receiver(update_logged)
def update_logged_deliveries(sender: Any, *, update: ProgressUpdate, **kwargs: Any) -> None:
    """Tell the webhooks of the agreement's parties that an update was logged, once per update."""
    if not webhook_events.subscribed(WebhookEvent.UPDATE_LOGGED):
        return
    update = ProgressUpdate.objects.select_related("commitment__agreement", "reporting_party").get(
        pk=update.pk
    )
    webhook_events.send_claimed(notices_claim(notices=webhook_events.update_logged_notices(update)))


def _invitees(recipients: list[Recipient]) -> list[Invitee]:
    return [Invitee(email=r.email, name=r.name) for r in recipients if r.email]


@receiver(meeting_invitation_due)
def meeting_invitation_notices(
    sender: Any,
    *,
    meeting: Meeting,
    cancelled: bool,
    removed_users: list,
    removed_contacts: list,
    **kwargs: Any,
) -> None:
    """Send the meeting's attendees (and its organiser) a calendar invitation by e-mail: a
    REQUEST, or a CANCEL when the meeting is off; attendees taken off it get a CANCEL too.

    One notice per recipient and version of the invitation (the meeting's `sequence`), so a
    re-sent signal never mails anyone twice; the delivery is the notices' (claimed, leased,
    retried from the row with the same invitation).
    """
    meeting = Meeting.objects.select_related("agreement", "organiser").get(pk=meeting.pk)
    attendees = recipients_from(
        users=[meeting.organiser, *meeting.attendee_users.all()], contacts=meeting.attendee_contacts.all()
    )
    organiser_email = meeting.organiser.email or settings.DEFAULT_FROM_EMAIL
    link = meeting.get_absolute_url()
    url = settings.PORTAL_URL.rstrip("/") + link
    context = {"meeting": meeting, "meeting_starts": timezone.localtime(meeting.starts_at)}
    notices = notices_for(
        agreement=meeting.agreement,
        kind=Kind.MEETING_INVITATION,
        occasion=f"meeting {meeting.pk} invitation {meeting.sequence}",
        recipients=attendees,
        context={**context, "cancelled": cancelled},
        link=link,
        calendar=meeting_invitation(
            meeting, cancel=cancelled, organiser_email=organiser_email, invitees=_invitees(attendees), url=url
        ),
    )
    still_invited = {r.key for r in attendees}
    taken_off = recipients_from(users=removed_users, contacts=removed_contacts)
    removed = [r for r in taken_off if r.key not in still_invited]
    if removed and not cancelled:
        notices += notices_for(
            agreement=meeting.agreement,
            kind=Kind.MEETING_INVITATION,
            occasion=f"meeting {meeting.pk} invitation {meeting.sequence}",
            recipients=removed,
            context={**context, "cancelled": True, "removed": True},
            link=link,
            calendar=meeting_invitation(
                meeting, cancel=True, organiser_email=organiser_email, invitees=_invitees(removed), url=url
            ),
        )
    notices_send(claimed=notices_claim(notices=notices))
