"""The daily jobs: what the domain apps decided is due, claimed exactly once and delivered.

agreements/countdown.py and activities/reminders.py decide what is due on a day and to whom
(plain data, `core.notices.DueNotice`); each `*_claim(on=...)` here turns that into notices of
its kind and claims them all at once in the notification log (a fixed number of queries however
many notices), and each `*_send(on=...)` claims and then sends the ones it won (a large claim is
queued in chunks for the mail workers: services.notices_send). The Celery tasks in tasks.py
call the `*_send` functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from activities import reminders
from activities.models import Milestone
from agreements import countdown
from agreements.models import Commitment
from core.notices import DueNotice
from core.time import today

from .models import Kind, Notification
from .services import (
    Notice,
    Recipient,
    notices_claim,
    notices_for,
    notices_send,
    recipient_for_user,
    recipients_from,
    users_by_email,
)
from .webhook_events import term_notice_notices


def claim_due(kind: str, due: Iterable[DueNotice]) -> list[Notification]:
    """Claim the notices of one kind that a domain app decided are due; the ones this run won."""
    return notices_claim(notices=notices_of(kind, due))


def notices_of(kind: str, due: Iterable[DueNotice]) -> list[Notice]:
    """The notices of one kind, one per recipient, for what a domain app decided is due.

    The portal users behind all the contacts' addresses are looked up in one query.
    """
    due = list(due)
    by_email = users_by_email(contacts=(c for d in due for c in d.contacts))
    notices: list[Notice] = []
    for d in due:
        notices += notices_for(
            agreement=d.agreement,
            kind=kind,
            occasion=d.occasion,
            recipients=recipients_from(users=d.users, contacts=d.contacts, by_email=by_email),
            context=d.context,
            link=d.link,
            attachment=d.attachment,
        )
    return notices


# --- the term countdown -----------------------------------------------------------------


def term_notices_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the due term notices, to the parties' managers and admins and their webhooks."""
    due = countdown.term_notices_to_send(on)
    return notices_claim(notices=notices_of(Kind.TERM_NOTICE, due) + term_notice_notices(due))


def term_notices_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim and send the due term notices; returns the notices this run claimed."""
    return notices_send(claimed=term_notices_claim(on=on))


# --- the agreements' meeting obligations ----------------------------------------------------


def meeting_reminders_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the due reminders before meetings that count for a meeting obligation."""
    return claim_due(Kind.MEETING_REMINDER, reminders.meeting_reminders_to_send(on))


def meeting_reminders_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the due reminders and send the ones this run won."""
    return notices_send(claimed=meeting_reminders_claim(on=on))


def unscheduled_quarter_notices_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the notices telling the parties' coordinators to schedule the period's meeting."""
    return claim_due(Kind.MEETING_UNSCHEDULED, reminders.unscheduled_period_notices_to_send(on))


def unscheduled_quarter_notices_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Tell the parties' coordinators to schedule the period's meeting."""
    return notices_send(claimed=unscheduled_quarter_notices_claim(on=on))


def minutes_nudges_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim a nudge to each organiser of a held meeting still without minutes, once per meeting."""
    return claim_due(Kind.MINUTES_MISSING, reminders.minutes_nudges_to_send(on))


def minutes_nudges_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Nudge each such meeting's organiser, once per meeting."""
    return notices_send(claimed=minutes_nudges_claim(on=on))


# --- the weekly digest of stale items and overdue milestones ----------------------------


@dataclass
class Digest:
    recipient: Recipient
    stale_items: list[Commitment] = field(default_factory=list)
    overdue_milestones: list[Milestone] = field(default_factory=list)


def stale_digests_due(on: datetime.date | None = None) -> list[Digest]:
    """The stale work (activities decides it), one digest per person who owns some of it.

    A contact whose address belongs to a portal user gets that user's digest.
    """
    work = reminders.stale_work_due(on)
    digests: dict[str, Digest] = {}
    for item in work.stale_items:
        if item.owner is None:  # stale_work_due reads owned items only
            continue
        r = recipient_for_user(user=item.owner)
        digests.setdefault(r.key, Digest(r)).stale_items.append(item)
    overdue = work.overdue_milestones
    by_email = users_by_email(contacts=(m.owner_contact for m in overdue if m.owner_contact))
    for milestone in overdue:
        users = [milestone.owner_user] if milestone.owner_user else []
        contacts = [milestone.owner_contact] if milestone.owner_contact else []
        for r in recipients_from(users=users, contacts=contacts, by_email=by_email):
            digests.setdefault(r.key, Digest(r)).overdue_milestones.append(milestone)
    return list(digests.values())


def stale_digests_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim one digest per owner for the ISO week of `on`."""
    on = on or today()
    link = reverse("activities:commitment_list") + "?stale=1"
    return notices_claim(
        notices=(
            Notice(
                agreement=None,
                kind=Kind.STALE_DIGEST,
                occasion=reminders.digest_week(on),
                recipient=digest.recipient,
                context={
                    "stale_items": digest.stale_items,
                    "overdue_milestones": digest.overdue_milestones,
                    "stale_days": settings.STALE_AFTER_DAYS,
                    "week": reminders.digest_week(on).removeprefix("week "),
                    "week_starts": on - datetime.timedelta(days=on.weekday()),
                },
                link=link,
            )
            for digest in stale_digests_due(on)
        )
    )


def stale_digests_send(*, on: datetime.date | None = None) -> list[Notification]:
    """One digest per owner per ISO week; a run later in the week catches up, once."""
    return notices_send(claimed=stale_digests_claim(on=on))


# --- what the jobs would send on a day, sending nothing (manage.py notices_due) ------------


def notices_due(*, on: datetime.date, slug: str | None = None) -> list[Notice]:
    """The notices the daily jobs would send on `on`: decided as they decide, not yet in the log.

    Nothing is claimed or sent. `slug` keeps one agreement's notices (the stale digests,
    which belong to no agreement, are left out then).
    """
    decided = [
        (Kind.TERM_NOTICE, countdown.term_notices_to_send(on, slug=slug)),
        (Kind.MEETING_REMINDER, reminders.meeting_reminders_to_send(on)),
        (Kind.MEETING_UNSCHEDULED, reminders.unscheduled_period_notices_to_send(on)),
        (Kind.MINUTES_MISSING, reminders.minutes_nudges_to_send(on)),
    ]
    notices: list[Notice] = []
    for kind, due in decided:
        notices += notices_of(
            kind, (d for d in due if slug is None or (d.agreement is not None and d.agreement.slug == slug))
        )
    if slug is None:
        week = reminders.digest_week(on)
        notices += [
            Notice(agreement=None, kind=Kind.STALE_DIGEST, occasion=week, recipient=d.recipient, context={})
            for d in stale_digests_due(on)
        ]
    sent = set(
        Notification.objects.filter(
            kind__in={n.kind for n in notices}, occasion__in={n.occasion for n in notices}
        ).values_list("agreement_id", "kind", "occasion", "recipient")
    )
    return [n for n in notices if n.key not in sent]
