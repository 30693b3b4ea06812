"""The weekly stale digest: to each owner, their stale items and overdue milestones, once a week."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from activities.tests.factories import MilestoneFactory, ProgressUpdateFactory
from agreements.models import CommitmentStatus
from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from notifications.models import Kind, Notification
from notifications.tasks import send_stale_digests
from notifications.tests.factories import PointOfContactFactory

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2021, 6, 28)  # ISO week 2021-W26


def run_on(day: datetime.date) -> int:
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(7), ZoneInfo("America/New_York"))):
        return send_stale_digests()


@pytest.fixture
def agreement():
    return AgreementFactory()


@pytest.fixture
def owner():
    return UserFactory(username="owner")


def stale_item(agreement, owner, **kwargs):
    item = CommitmentFactory(agreement=agreement, owner=owner, **kwargs)
    ProgressUpdateFactory(commitment=item, as_of=MONDAY - datetime.timedelta(days=120))
    return item


def test_owner_gets_their_stale_items_and_overdue_milestones(agreement, owner):
    item = stale_item(agreement, owner, title="Share data on shipments")
    MilestoneFactory(
        commitment=item, owner_user=owner, title="Draft protocol", due_on=MONDAY - datetime.timedelta(days=3)
    )
    run_on(MONDAY)
    notice = Notification.objects.get()
    assert (notice.kind, notice.recipient, notice.occasion) == (
        Kind.STALE_DIGEST,
        "owner@example.gov",
        "week 2021-W26",
    )
    [message] = mail.outbox
    assert (
        message.subject
        == "Your week of June 28, 2021 (2021-W26): 1 commitment without a recent update, 1 overdue milestone"
    )
    assert "Share data on shipments" in message.body and "Draft protocol" in message.body
    assert item.get_absolute_url() in message.alternatives[0].content


def test_fresh_and_complete_items_are_not_in_the_digest(agreement, owner):
    fresh = CommitmentFactory(agreement=agreement, owner=owner)
    ProgressUpdateFactory(commitment=fresh, as_of=MONDAY - datetime.timedelta(days=10))
    done = stale_item(agreement, owner)
    done.status = CommitmentStatus.COMPLETE
    done.save()
    assert run_on(MONDAY) == 0


def test_each_owner_gets_only_their_own_items(agreement, owner):
    stale_item(agreement, owner, title="Mine")
    stale_item(agreement, UserFactory(username="colleague"), title="Theirs")
    run_on(MONDAY)
    mine = Notification.objects.get(recipient="owner@example.gov")
    assert "Mine" in mine.body_text and "Theirs" not in mine.body_text


def test_one_digest_per_week_however_often_the_job_runs(agreement, owner):
    stale_item(agreement, owner)
    assert run_on(MONDAY) == 1
    assert run_on(MONDAY) == 0
    assert run_on(MONDAY + datetime.timedelta(days=4)) == 0
    assert len(mail.outbox) == 1


def test_the_next_week_brings_the_next_digest(agreement, owner):
    stale_item(agreement, owner)
    run_on(MONDAY)
    run_on(MONDAY + datetime.timedelta(days=7))
    assert sorted(Notification.objects.values_list("occasion", flat=True)) == [
        "week 2021-W26",
        "week 2021-W27",
    ]


def test_a_missed_monday_is_caught_up_later_that_week(agreement, owner):
    stale_item(agreement, owner)
    assert run_on(MONDAY + datetime.timedelta(days=2)) == 1
    assert Notification.objects.get().occasion == "week 2021-W26"


def test_a_milestone_owned_by_a_contact_reaches_them_by_email(agreement):
    contact = PointOfContactFactory(agreement=agreement, email="poc@example.gov")
    MilestoneFactory(
        commitment=CommitmentFactory(agreement=agreement),
        owner_user=None,
        owner_contact=contact,
        created_by=UserFactory(),
        due_on=MONDAY - datetime.timedelta(days=1),
    )
    run_on(MONDAY)
    assert mail.outbox[0].to == ["poc@example.gov"]


def test_completed_milestones_are_not_overdue(agreement, owner):
    MilestoneFactory(
        commitment=CommitmentFactory(agreement=agreement),
        owner_user=owner,
        due_on=MONDAY - datetime.timedelta(days=10),
        completed_on=MONDAY - datetime.timedelta(days=11),
    )
    assert run_on(MONDAY) == 0


def test_items_of_an_agreement_no_longer_in_force_are_left_out(owner):
    stale_item(AgreementFactory(executed_on=datetime.date(2015, 1, 1)), owner)
    assert run_on(MONDAY) == 0


def test_the_digest_links_to_the_owners_stale_items_in_the_list(client):
    party = PartyFactory()
    agreement = AgreementFactory(parties=[party])
    owner = UserFactory(username="owner", party=party, roles=[STAFF])
    item = stale_item(agreement, owner)
    run_on(MONDAY)
    notice = Notification.objects.get(user=owner)
    client.force_login(owner)
    with time_machine.travel(
        datetime.datetime.combine(MONDAY, datetime.time(9), ZoneInfo("America/New_York"))
    ):
        response = client.get(notice.link)
    assert response.status_code == 200
    assert f'data-item="{item.code}"' in response.content.decode()


def test_the_digest_writes_each_line_with_its_day_and_link_and_the_portal_shows_it_without_links(
    agreement, settings
):
    owner = UserFactory(username="pat", first_name="Pat", last_name="Lee")
    item = stale_item(agreement, owner, code="IV.2.a", title="Share data on shipments")
    MilestoneFactory(
        commitment=item, owner_user=owner, title="Draft protocol", due_on=MONDAY - datetime.timedelta(days=3)
    )
    settings.PORTAL_URL = "https://moa.example.gov/"
    run_on(MONDAY)
    notice = Notification.objects.get()
    url = f"https://moa.example.gov{item.get_absolute_url()}"
    item_line = f"- {agreement.short_name} IV.2.a Share data on shipments"
    item_line += " (last update as of February 28, 2021)"
    milestone_line = "- IV.2.a Draft protocol, due June 25, 2021"
    assert notice.body_text == (
        "Dear Pat Lee,\n\n"
        "Commitments you own with no progress update in the last 90 days:\n"
        f"{item_line}: {url}\n\n"
        "Your overdue milestones:\n"
        f"{milestone_line}: {url}\n\n"
        "Open it in the MOA Portal: https://moa.example.gov/commitments/?stale=1\n\n"
        "The MOA Portal\n"
    )
    assert notice.summary == (
        "Commitments you own with no progress update in the last 90 days:\n"
        f"{item_line}\n\n"
        "Your overdue milestones:\n"
        f"{milestone_line}"
    )
    assert "(last update as of February 28, 2021)</li>" in notice.body_html
    assert f'<a href="{url}">IV.2.a Draft protocol</a>, due June 25, 2021</li>' in notice.body_html
