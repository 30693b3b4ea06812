"""Factories for the notification log."""

import datetime

import factory

from agreements.tests.factories import AgreementFactory, UserFactory
from contacts.models import PointOfContact
from notifications.models import Kind, Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    agreement = factory.SubFactory(AgreementFactory)
    kind = Kind.MEETING_REMINDER
    occasion = factory.Sequence(lambda n: f"occasion {n}")
    user = factory.SubFactory(UserFactory)
    recipient = factory.LazyAttribute(lambda o: o.user.email.lower())
    email = factory.LazyAttribute(lambda o: o.user.email)
    subject = "Reminder: Quarterly call"
    body_text = "The quarterly call is tomorrow."
    body_html = "<p>The quarterly call is tomorrow.</p>"
    summary = "The quarterly call is tomorrow."
    status = Notification.Status.SENT


class PointOfContactFactory(factory.django.DjangoModelFactory):
    """A point of contact in office since 2020 (contacts has no factory of its own yet)."""

    class Meta:
        model = PointOfContact

    agreement = factory.SubFactory(AgreementFactory)
    party = factory.LazyAttribute(lambda o: o.agreement.parties.first())
    role_title = "Program lead"
    person_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.gov")
    active_from = datetime.date(2020, 1, 1)
