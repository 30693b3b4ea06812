"""What the webhooks are told: one delivery per event and subscription, claimed as a notice.

Every active subscription of a party to the agreement that chose the event gets the event;
the delivery is a notice (`Recipient.webhook`) under the log's unique key (agreement, kind,
occasion, `webhook:<id>`), so an event is delivered to a subscription once, whoever races to
claim it. The payload names the agreement (slug, title) and the object with its portal page,
and nothing a party's own users could not read in the portal (no narrative, no names).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse

from activities import reminders
from activities.models import Milestone, ProgressUpdate
from agreements.models import Agreement, Modification, Party
from core.notices import DueNotice

from .models import EVENT_OF_KIND, Kind, Notification, WebhookEvent, WebhookSubscription
from .services import Notice, Recipient, enqueue_on_commit, notices_claim, notices_send


def _url(link: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + link


def _agreement(agreement: Agreement) -> dict[str, str]:
    return {"slug": agreement.slug, "title": agreement.title, "url": _url(agreement.get_absolute_url())}


def _event(kind: str, agreement: Agreement, summary: str, link: str, obj: dict[str, Any]) -> dict[str, Any]:
    event_type = EVENT_OF_KIND[kind]
    label = dict(WebhookEvent.choices).get(event_type, "Test event").split(" (")[0]
    return {
        "type": event_type,
        "title": f"{label}: {agreement.short_name}",
        "summary": summary,
        "url": _url(link),
        "agreement": _agreement(agreement),
        "object": {**obj, "url": _url(link)},
    }


def subscribed(event_type: str) -> bool:
    """Whether any active subscription chose the event (one query; most portals have none)."""
    return any(
        event_type in events
        for events in WebhookSubscription.objects.filter(active=True).values_list("events", flat=True)
    )


def _active_subscriptions(event_type: str) -> list[WebhookSubscription]:
    return [
        s for s in WebhookSubscription.objects.filter(active=True).order_by("pk") if event_type in s.events
    ]


def webhook_notices(
    *, kind: str, items: Iterable[tuple[Agreement, str, dict[str, Any], str]]
) -> list[Notice]:
    """Deliveries of one kind of event to the subscriptions of each agreement's parties.

    `items`: (agreement, occasion, event, link) for each event. The subscriptions are read once.
    """
    items = list(items)
    if not items:
        return []
    subscriptions = _active_subscriptions(EVENT_OF_KIND[kind])
    if not subscriptions:
        return []
    notices = []
    for agreement, occasion, event, link in items:
        parties = {p.pk for p in agreement.parties.all()}
        for subscription in subscriptions:
            if subscription.party_id in parties:
                recipient = Recipient(user=None, email="", name=subscription.name, webhook=subscription)
                notices.append(
                    Notice(
                        agreement=agreement,
                        kind=kind,
                        occasion=occasion,
                        recipient=recipient,
                        context={"event": event},
                        link=link,
                    )
                )
    return notices


def deliver(notices: list[Notice]) -> list[Notification]:
    """Claim these deliveries and send the ones this call won (in a job: the worker sends)."""
    return notices_send(claimed=notices_claim(notices=notices))


def send_claimed(claimed: list[Notification]) -> list[Notification]:
    """In a request: send the claimed e-mail notices now, and leave the webhook deliveries to
    the worker (queued after the commit), so no page waits on another agency's server.

    A broker that is down loses nothing: the sweep sends them within a minute.
    """
    from .tasks import deliver_pending_notices

    if any(n.webhook_id is not None for n in claimed):
        enqueue_on_commit(deliver_pending_notices)
    return notices_send(claimed=[n for n in claimed if n.webhook_id is None])


# --- the events --------------------------------------------------------------------------------


def update_logged_notices(update: ProgressUpdate) -> list[Notice]:
    commitment = update.commitment
    agreement = commitment.agreement
    link = commitment.get_absolute_url()
    summary = (
        f"{update.reporting_party.acronym} logged an update on {commitment.code} {commitment.title}: "
        f"{update.get_status_display()}, {update.percent_complete}% as of {update.as_of.isoformat()}."
    )
    obj = {
        "type": "progress_update",
        "id": update.pk,
        "commitment": {"code": commitment.code, "title": commitment.title},
        "reporting_party": update.reporting_party.acronym,
        "as_of": update.as_of.isoformat(),
        "status": update.status,
        "percent_complete": update.percent_complete,
        "corrects": update.corrects_id,
    }
    event = _event(Kind.UPDATE_LOGGED, agreement, summary, link, obj)
    return webhook_notices(kind=Kind.UPDATE_LOGGED, items=[(agreement, f"update {update.pk}", event, link)])


def milestone_overdue_notices(milestones: Iterable[Milestone]) -> list[Notice]:
    items = []
    for milestone in milestones:
        commitment = milestone.commitment
        agreement = commitment.agreement
        link = commitment.get_absolute_url()
        due_on = milestone.due_on.isoformat()
        summary = f"The milestone “{milestone.title}” of {commitment.code} was due on {due_on}."
        obj = {
            "type": "milestone",
            "id": milestone.pk,
            "title": milestone.title,
            "due_on": milestone.due_on.isoformat(),
            "commitment": {"code": commitment.code, "title": commitment.title},
        }
        event = _event(Kind.MILESTONE_OVERDUE, agreement, summary, link, obj)
        items.append(
            (agreement, f"milestone {milestone.pk} overdue since {milestone.due_on.isoformat()}", event, link)
        )
    return webhook_notices(kind=Kind.MILESTONE_OVERDUE, items=items)


def milestones_overdue_send(*, on: datetime.date | None = None) -> list[Notification]:
    """The daily job: each milestone that fell overdue, to the subscriptions, once."""
    return deliver(milestone_overdue_notices(reminders.milestones_newly_overdue(on)))


def modification_awaiting_notices(modification: Modification, parties: Iterable[Party]) -> list[Notice]:
    agreement = modification.agreement
    awaited = sorted(p.acronym for p in parties)
    link = modification.get_absolute_url()
    summary = f"Modification {modification.number} “{modification.title}” awaits {', '.join(awaited)}."
    obj = {
        "type": "modification",
        "number": modification.number,
        "title": modification.title,
        "version": modification.version,
        "awaiting": awaited,
    }
    event = _event(Kind.MODIFICATION_AWAITING, agreement, summary, link, obj)
    occasion = f"modification {modification.number} version {modification.version}"
    return webhook_notices(kind=Kind.MODIFICATION_AWAITING, items=[(agreement, occasion, event, link)])


#: The term countdown's targets (agreements.countdown.Target) in words.
TARGET_WORDS = {
    "expiry": "the term ends",
    "notice_deadline": "the last day to give notice of non-renewal",
    "termination": "a notice of termination takes effect",
}


def term_notice_notices(due: Iterable[DueNotice]) -> list[Notice]:
    """The term countdown's notices (expiry, last day for notice of non-renewal, a notice's effect)."""
    items = []
    for d in due:
        agreement = d.agreement
        if agreement is None:  # the countdown is always about an agreement
            continue
        target_on = d.context["expires_on"]
        target = d.context["target"]
        link = d.link or agreement.get_absolute_url()
        days = d.context["days_left"]
        what = TARGET_WORDS.get(target, target.replace("_", " "))
        summary = f"{days} day{'s' if days != 1 else ''} left: {what} on {target_on.isoformat()}."
        obj = {"type": "term_countdown", "target": target, "on": target_on.isoformat(), "days_left": days}
        items.append((agreement, d.occasion, _event(Kind.TERM_NOTICE, agreement, summary, link, obj), link))
    return webhook_notices(kind=Kind.TERM_NOTICE, items=items)


def termination_notice_notices(
    *, agreement: Agreement, party: Party, what: str, occasion: str, day: datetime.date | None
) -> list[Notice]:
    link = reverse("agreements:termination", kwargs={"slug": agreement.slug})
    words = {
        "termination": "gave notice of termination",
        "termination_withdrawn": "withdrew its notice of termination",
        "non_renewal": "gave notice of non-renewal",
    }.get(what, what.replace("_", " "))
    summary = f"{party.acronym} {words}" + (f", effective {day.isoformat()}." if day else ".")
    obj = {
        "type": "termination_notice",
        "what": what,
        "party": party.acronym,
        "on": day.isoformat() if day else None,
    }
    event = _event(Kind.TERMINATION_NOTICE, agreement, summary, link, obj)
    return webhook_notices(kind=Kind.TERMINATION_NOTICE, items=[(agreement, occasion, event, link)])


def webhook_test_notice(subscription: WebhookSubscription, *, occasion: str) -> Notice:
    """A test delivery to one subscription (no agreement): what a receiver is sent, to try it."""
    link = reverse("webhooks:list")
    event = {
        "type": EVENT_OF_KIND[Kind.WEBHOOK_TEST],
        "title": f"Test event: {subscription.name}",
        "summary": (
            f"A test event from the MOA Portal for {subscription.party.acronym}'s "
            f"webhook “{subscription.name}”."
        ),
        "url": _url(link),
        "agreement": None,
        "object": {"type": "webhook_subscription", "id": subscription.pk, "url": _url(link)},
    }
    return Notice(
        agreement=None,
        kind=Kind.WEBHOOK_TEST,
        occasion=occasion,
        recipient=Recipient(user=None, email="", name=subscription.name, webhook=subscription),
        context={"event": event},
        link=link,
    )
