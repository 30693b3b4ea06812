"""Give the loaded agreements people and a quarter of work, so a first look shows a living agreement.

For development only (`make run` runs it after `demo_users`): the points of contact the
agreement file names by title only get fictitious names, `.example` addresses (a domain
reserved for examples, RFC 2606) and 555-01xx telephone numbers (reserved for fiction); and an
agreement with no progress yet gets the last quarter of its term (up to today) of progress
updates, a quarterly meeting with minutes and follow-up actions, and outreach events, entered
through the same services the pages use, by the demo users. Run again, it changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from activities import services as activities
from activities.models import Meeting, ProgressUpdate
from activities.quarters import Quarter
from agreements.models import Agreement, CommitmentStatus, Party, VocabularyEntry
from agreements.obligations import Vocabulary
from agreements.permissions import STAFF
from contacts import services as contacts
from contacts.models import PointOfContact
from core.time import today
from people.management.commands.demo_users import demo_username

#: Fictitious people: any likeness to a real official is chance.
DEMO_NAMES = (
    "Avery Chen",
    "Jordan Patel",
    "Morgan Alvarez",
    "Riley Okafor",
    "Casey Lindqvist",
    "Quinn Delgado",
    "Harper Nakamura",
    "Rowan Kowalski",
    "Emerson Abara",
    "Sasha Moreau",
)

#: (status, percent complete, narrative, next steps) for the commitments, in order.
DEMO_PROGRESS = (
    (
        CommitmentStatus.ON_TRACK,
        60,
        "The working group met twice; the draft de minimis data-sharing protocol is with both "
        "legal offices for review.",
        "Circulate the cleared draft to the co-leads.",
    ),
    (
        CommitmentStatus.AT_RISK,
        35,
        "The U.S. position paper for the WCO e-commerce working group is still in interagency review; "
        "the submission window closes next month.",
        "Escalate the review to the deputy level.",
    ),
    (
        CommitmentStatus.ON_TRACK,
        75,
        "Joint outreach materials for small exporters are drafted and tested with two trade associations.",
        "Publish the materials on both agencies' websites.",
    ),
    (
        CommitmentStatus.COMPLETE,
        100,
        "The shared glossary of e-commerce terms is final and published.",
        "",
    ),
    (
        CommitmentStatus.BLOCKED,
        20,
        "The pilot data exchange waits on a signed interconnection security agreement.",
        "Ask both CIO offices for a signature date.",
    ),
    (
        CommitmentStatus.NOT_STARTED,
        0,
        "Planning starts once the pilot data exchange is running.",
        "",
    ),
)


def _email(name: str, party: Party) -> str:
    first, last = name.lower().split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@{party.acronym.lower()}.example"


class Command(BaseCommand):
    help = "Give the loaded agreements fictitious contacts and a quarter of progress, meetings and events."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args: Any, allow_production: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo data is for development; DEBUG is off.")
        agreements = list(Agreement.objects.order_by("pk"))
        if not agreements:
            raise CommandError("No agreement is loaded: import an agreement first.")
        for agreement in agreements:
            named = self._name_contacts(agreement)
            recorded = self._record_a_quarter(agreement)
            self.stdout.write(f"{agreement.short_name}: {named} contact(s) named; {recorded}")

    def _name_contacts(self, agreement: Agreement) -> int:
        named = 0
        for n, contact in enumerate(
            PointOfContact.objects.filter(agreement=agreement).select_related("party").order_by("pk")
        ):
            if contact.person_name:
                continue
            name = DEMO_NAMES[n % len(DEMO_NAMES)]
            contacts.contact_update(
                contact=contact,
                expected_version=contact.version,
                person_name=name,
                email=contact.email or _email(name, contact.party),
                phone=contact.phone or f"202-555-01{n % 100:02d}",
            )
            named += 1
        return named

    def _staff(self, party: Party):
        user = get_user_model().objects.filter(username=demo_username(party, STAFF)).first()
        if user is None:
            raise CommandError(
                "Run `manage.py demo_users` first: the demo data is entered by the demo users."
            )
        return user

    def _record_a_quarter(self, agreement: Agreement) -> str:
        if ProgressUpdate.objects.filter(commitment__agreement=agreement).exists():
            return "it already has progress, left as it is."
        if agreement.executed_on is None:
            return "not executed, no progress to show."
        last_day = min(d for d in (today(), agreement.ends_on) if d)
        quarter = Quarter.containing(last_day)
        first_day = max(quarter.starts_on, agreement.executed_on)
        parties = list(agreement.parties.order_by("pk"))
        staff = {p.pk: self._staff(p) for p in parties}
        span = (last_day - first_day).days
        commitments = list(agreement.commitments.order_by("position", "pk")[: len(DEMO_PROGRESS)])
        for n, (commitment, (status, percent, narrative, next_steps)) in enumerate(
            zip(commitments, DEMO_PROGRESS, strict=False)
        ):
            party = (commitment.leads or parties)[0]
            activities.progress_update_create(
                commitment=commitment,
                acting_user=staff[party.pk],
                reporting_party=party,
                as_of=first_day + datetime.timedelta(days=span * (n + 1) // (len(DEMO_PROGRESS) + 1)),
                status=status,
                percent_complete=percent,
                narrative=narrative,
                next_steps=next_steps,
            )
        meetings = self._meeting(agreement, first_day, span, staff[parties[0].pk], commitments)
        events = self._events(agreement, first_day, span, parties, staff, commitments)
        return f"{len(commitments)} update(s), {meetings} meeting(s), {events} event(s) in {quarter}."

    def _meeting(self, agreement, first_day, span, organiser, commitments) -> int:
        kinds = VocabularyEntry.objects.labels(agreement, Vocabulary.MEETING_KINDS)
        if not kinds:
            return 0
        day = first_day + datetime.timedelta(days=span // 2)
        starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        if starts_at > timezone.now():
            return 0
        attendees = list(
            PointOfContact.objects.filter(agreement=agreement, active_to__isnull=True).order_by("pk")
        )
        follow_up_due = min(day + datetime.timedelta(days=21), max(day, today()))
        activities.meeting_create(
            agreement=agreement,
            acting_user=organiser,
            kind=next(iter(kinds)),
            title=f"{agreement.short_name}: quarterly call",
            starts_at=starts_at,
            format=Meeting.Format.VIDEO,
            location="Video conference (link sent with the invitation)",
            agenda="1. Progress on each commitment\n2. The pilot data exchange\n3. Outreach plans",
            minutes=(
                "Each lead reported on its commitments. The pilot data exchange is blocked on the "
                "interconnection agreement; both CIO offices will be asked for a date. Outreach "
                "materials are ready for publication."
            ),
            decisions="Publish the outreach materials; escalate the position paper review.",
            attendee_contacts=attendees,
            items=commitments[:3],
            follow_ups=[
                {
                    "description": "Ask both CIO offices for the interconnection agreement's signature date.",
                    "owner_contact": attendees[0] if attendees else None,
                    "owner_user": None if attendees else organiser,
                    "due_on": follow_up_due,
                },
                {
                    "description": "Send the cleared protocol draft to the co-leads.",
                    "owner_user": organiser,
                    "owner_contact": None,
                    "due_on": follow_up_due,
                    # Linked, so it shows on that commitment's timeline too.
                    "commitment": commitments[0] if commitments else None,
                },
            ],
        )
        return 1

    def _events(self, agreement, first_day, span, parties, staff, commitments) -> int:
        places = list(VocabularyEntry.objects.labels(agreement, Vocabulary.EVENT_PLACES))
        audiences = list(VocabularyEntry.objects.labels(agreement, Vocabulary.AUDIENCES))
        plans = (
            ("Small exporters forum on e-commerce", "Chicago", "United States"),
            ("Cross-border parcels workshop", "Brussels", "Belgium"),
        )
        for n, (title, city, country) in enumerate(plans):
            party = parties[n % len(parties)]
            activities.outreach_event_create(
                agreement=agreement,
                acting_user=staff[party.pk],
                organising_party=party,
                title=title,
                held_on=first_day + datetime.timedelta(days=span * (n + 1) // 3),
                city=city,
                country=country,
                place=places[n % len(places)] if places else "",
                audiences=audiences[:2],
                attendance=80 + 45 * n,
                outcomes="Participants asked for a single contact point for e-commerce questions.",
                items=commitments[2:3],
            )
        return len(plans)
