"""The private calendar feed: it parses, shows what its owner may see, and can be revoked."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from activities.tests.factories import (
    FollowUpActionFactory,
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
)
from agreements.tests.factories import AgreementFactory, CommitmentFactory
from compliance.models import CalendarFeedToken
from compliance.services import calendar_feed_token_regenerate
from compliance.tests.conftest import NY, grow

pytestmark = pytest.mark.django_db


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def feed(staff):
    return calendar_feed_token_regenerate(acting_user=staff)


def test_feed_parses_and_holds_meetings_milestones_and_term_dates(client, pact, staff, feed):
    meeting = MeetingFactory(
        agreement=pact, organiser=staff, starts_at=datetime.datetime(2021, 5, 12, 10, tzinfo=NY)
    )
    milestone = MilestoneFactory(commitment=CommitmentFactory(agreement=pact, code="VI.2"), owner_user=staff)
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    assert found[f"meeting-{meeting.pk}@moa-portal"]["dtstart"].dt == meeting.starts_at
    assert found[f"milestone-{milestone.pk}@moa-portal"]["dtstart"].dt == milestone.due_on
    assert found[f"agreement-{pact.pk}-executed@moa-portal"]["dtstart"].dt == datetime.date(2020, 1, 15)
    assert found[f"agreement-{pact.pk}-expires@moa-portal"]["dtstart"].dt == datetime.date(2025, 1, 15)


def test_feed_holds_the_due_day_of_each_owed_period_of_an_obligation(client, pact, staff, feed):
    quarterly = pact.obligations.get(code="quarterly-meetings")
    found = events(client.get(feed.get_absolute_url()))
    due = found[f"obligation-{quarterly.pk}-2020-Q2@moa-portal"]
    assert due["dtstart"].dt == datetime.date(2020, 6, 30)
    assert str(due["summary"]).endswith("due, Quarterly meetings or conference calls (VI.5), 2020 Q2")
    assert f"obligation-{quarterly.pk}-2025-Q1@moa-portal" not in found  # 14 days of the term: not owed


def test_feed_holds_outreach_events_on_the_day_they_are_held(client, pact, abc, staff, feed):
    event = OutreachEventFactory(
        agreement=pact, organising_party=abc, title="Exporters forum", city="Chicago"
    )
    found = events(client.get(feed.get_absolute_url()))
    entry = found[f"event-{event.pk}@moa-portal"]
    assert entry["dtstart"].dt == datetime.date(2021, 4, 20)
    assert str(entry["summary"]) == f"{pact.short_name}: Exporters forum, Chicago, United States"
    assert str(entry["url"]) == f"http://testserver/events/{event.pk}/"


def test_feed_holds_follow_up_actions_on_their_due_day_with_their_owner(client, pact, staff, feed):
    meeting = MeetingFactory(
        agreement=pact, organiser=staff, starts_at=datetime.datetime(2021, 5, 12, 10, tzinfo=NY)
    )
    follow_up = FollowUpActionFactory(
        meeting=meeting, description="Circulate the draft paper.\nWith the annex.", owner_user=staff
    )
    found = events(client.get(feed.get_absolute_url()))
    entry = found[f"follow-up-{follow_up.pk}@moa-portal"]
    assert entry["dtstart"].dt == datetime.date(2021, 6, 1)
    assert str(entry["summary"]) == f"Follow-up due: Circulate the draft paper., {follow_up.owner_name}"
    assert str(entry["url"]) == f"http://testserver/meetings/{meeting.pk}/"


def test_feed_leaves_out_events_and_follow_ups_of_other_parties_agreements(client, pact, staff, feed):
    other = AgreementFactory(slug="other")
    OutreachEventFactory(agreement=other)
    FollowUpActionFactory(meeting=MeetingFactory(agreement=other))
    uids = events(client.get(feed.get_absolute_url()))
    assert not any(uid.startswith(("event-", "follow-up-")) for uid in uids)


def test_calendar_page_has_a_copy_button_and_subscribe_instructions(client, pact, staff, feed):
    client.force_login(staff)
    page = client.get(reverse("compliance:calendar")).content.decode()
    assert 'data-copy-target="feed-url"' in page
    assert "/static/js/calendar.js" in page
    assert "Outlook" in page and "Google Calendar" in page
    assert "<script>" not in page  # no inline script: the page's CSP forbids it


def test_feed_leaves_out_agreements_of_other_parties(client, pact, staff, feed):
    other = AgreementFactory(slug="other")
    MeetingFactory(agreement=other, organiser=staff)
    uids = events(client.get(feed.get_absolute_url()))
    assert not any(f"agreement-{other.pk}-" in uid for uid in uids)
    assert not any(uid.startswith("meeting-") for uid in uids)


def test_revoked_token_no_longer_opens_the_feed(client, pact, staff, feed):
    old_url = feed.get_absolute_url()
    client.force_login(staff)
    response = client.post(reverse("compliance:calendar_revoke"))
    assert response.status_code == 302
    client.logout()
    assert client.get(old_url).status_code == 404
    assert not CalendarFeedToken.objects.filter(user=staff).exists()


def test_regenerated_token_replaces_the_old_url(client, pact, staff, feed):
    old_url = feed.get_absolute_url()
    client.force_login(staff)
    client.post(reverse("compliance:calendar_regenerate"))
    client.logout()
    new_url = CalendarFeedToken.objects.get(user=staff).get_absolute_url()
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_unknown_token_is_404(client, pact):
    assert client.get(reverse("compliance:calendar_feed", kwargs={"token": "nope"})).status_code == 404


def test_feed_of_a_deactivated_user_is_404(client, pact, staff, feed):
    staff.is_active = False
    staff.save()
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_owner_page_shows_the_private_address(client, pact, staff, feed):
    client.force_login(staff)
    response = client.get(reverse("compliance:calendar"))
    assert response.status_code == 200
    assert f"http://testserver/calendar/{feed.token}.ics" in response.content.decode()


def test_history_of_the_token_never_holds_the_secret(staff, feed):
    assert "token" not in {f.name for f in CalendarFeedToken.history.model._meta.fields}


def test_changing_the_calendar_needs_a_post(client, staff):
    client.force_login(staff)
    assert client.get(reverse("compliance:calendar_revoke")).status_code == 405


@pytest.mark.parametrize("factor", [1, 10])
def test_feed_answers_in_a_fixed_number_of_queries(
    client, pact, abc, xyz, staff, feed, factor, django_assert_max_num_queries
):
    grow(pact, [abc, xyz], staff, factor)
    with django_assert_max_num_queries(9):  # the obligations of every agreement: one query
        assert client.get(feed.get_absolute_url()).status_code == 200
