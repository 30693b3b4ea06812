"""The item page's timeline, a page at a time: newest first, and every entry reachable."""

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from activities import services
from activities.models import Evidence
from activities.selectors import TIMELINE_PAGE_SIZE, commitment_timeline
from activities.tests import files
from activities.tests.factories import (
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from core.time import long_date

NEW_YORK = ZoneInfo("America/New_York")


def weekly_updates(item, party, author, count):
    """`count` updates a week apart from 2018-01-01, newest first."""
    updates = [
        ProgressUpdateFactory(
            commitment=item,
            reporting_party=party,
            author=author,
            as_of=datetime.date(2018, 1, 1) + datetime.timedelta(weeks=i),
            percent_complete=i % 101,
        )
        for i in range(count)
    ]
    return updates[::-1]


def shown(response):
    return [entry.record for entry in response.context["timeline"]]


def test_the_item_page_shows_the_newest_entries_and_links_to_older_ones(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    updates = weekly_updates(item, doc, doc_staff, TIMELINE_PAGE_SIZE + 5)
    client.force_login(doc_staff)
    response = client.get(item.get_absolute_url())
    assert shown(response) == updates[:TIMELINE_PAGE_SIZE]
    page = response.content.decode()
    assert 'href="?page=2#timeline-heading" rel="next">Older entries</a>' in page
    assert "Newer entries" not in page
    assert f"Entries 1–{TIMELINE_PAGE_SIZE}." in page


def test_the_older_entries_continue_where_the_newest_left_off_and_link_back(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    updates = weekly_updates(item, doc, doc_staff, TIMELINE_PAGE_SIZE + 5)
    client.force_login(doc_staff)
    response = client.get(item.get_absolute_url(), {"page": "2"})
    assert shown(response) == updates[TIMELINE_PAGE_SIZE:]
    page = response.content.decode()
    assert 'href="?page=1#timeline-heading" rel="prev">Newer entries</a>' in page
    assert "Older entries" not in page
    assert f"Entries {TIMELINE_PAGE_SIZE + 1}–{TIMELINE_PAGE_SIZE + 5}." in page


def test_every_entry_of_every_kind_is_on_exactly_one_page_in_timeline_order(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    records = weekly_updates(item, doc, doc_staff, 30)
    for week in range(0, 150, 15):
        meeting = MeetingFactory(
            agreement=moa,
            organiser=doc_staff,
            starts_at=datetime.datetime(2018, 1, 3, 10, tzinfo=NEW_YORK) + datetime.timedelta(weeks=week),
        )
        item.meetings.add(meeting)
        event = OutreachEventFactory(
            agreement=moa,
            organising_party=doc,
            created_by=doc_staff,
            held_on=datetime.date(2018, 1, 1) + datetime.timedelta(weeks=week // 3),
        )
        item.outreach_events.add(event)
        milestone = MilestoneFactory(
            commitment=item,
            owner_user=doc_staff,
            completed_on=datetime.date(2018, 1, 1) + datetime.timedelta(weeks=week // 5),
        )
        records += [meeting, event, milestone]
    MilestoneFactory(commitment=item, owner_user=doc_staff)  # open: not on the timeline
    client.force_login(doc_staff)
    pages, number = [], 1
    while True:
        response = client.get(item.get_absolute_url(), {"page": number})
        pages.append(shown(response))
        if not response.context["timeline_page"].has_next:
            break
        number += 1
    assert len(pages) == 3
    everything = [entry.record for entry in commitment_timeline(item, size=len(records)).entries]
    assert [record for page in pages for record in page] == everything
    assert sorted(map(repr, everything)) == sorted(map(repr, records))


def test_a_page_past_the_end_shows_the_last_page(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    updates = weekly_updates(item, doc, doc_staff, TIMELINE_PAGE_SIZE + 3)
    client.force_login(doc_staff)
    response = client.get(item.get_absolute_url(), {"page": "9"})
    assert response.context["timeline_page"].number == 2
    assert shown(response) == updates[TIMELINE_PAGE_SIZE:]


def test_a_page_number_that_is_not_one_shows_the_newest_entries(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    updates = weekly_updates(item, doc, doc_staff, TIMELINE_PAGE_SIZE + 3)
    client.force_login(doc_staff)
    for page in ("abc", "0", "-2", "99999999999999999999999999"):
        response = client.get(item.get_absolute_url(), {"page": page})
        assert response.status_code == 200
        expected = updates[TIMELINE_PAGE_SIZE:] if page.startswith("9") else updates[:TIMELINE_PAGE_SIZE]
        assert shown(response) == expected


def test_a_short_timeline_has_no_page_links(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    weekly_updates(item, doc, doc_staff, 3)
    client.force_login(doc_staff)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'aria-label="Timeline pages"' not in page
    assert "Entries 1–" not in page


def test_the_status_line_shows_the_latest_update_on_older_pages_too(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    latest = weekly_updates(item, doc, doc_staff, TIMELINE_PAGE_SIZE + 3)[0]
    client.force_login(doc_staff)
    response = client.get(item.get_absolute_url(), {"page": "2"})
    assert response.context["latest_update"] == latest
    assert (
        f"{latest.percent_complete}% complete, as of {long_date(latest.as_of)}" in response.content.decode()
    )


def test_a_corrected_update_is_marked_on_the_timeline_and_its_correction_names_it(
    client, doc_staff, doc, moa
):
    item = moa.commitments.get(code="DOC-A1")
    wrong = ProgressUpdateFactory(
        commitment=item, reporting_party=doc, author=doc_staff, as_of=datetime.date(2019, 3, 31)
    )
    ProgressUpdateFactory(
        commitment=item,
        reporting_party=doc,
        author=doc_staff,
        as_of=datetime.date(2019, 3, 31),
        corrects=wrong,
    )
    client.force_login(doc_staff)
    response = client.get(item.get_absolute_url())
    flags = {entry.record.pk: entry.record.is_corrected for entry in response.context["timeline"]}
    assert flags[wrong.pk] is True and list(flags.values()).count(True) == 1
    page = response.content.decode()
    assert page.count("<strong>Corrected</strong> by a later update.") == 1
    assert "<strong>Corrects</strong> the update as of March 31, 2019" in page


def test_each_entry_shows_its_own_evidence_files(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    update = ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff)
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    item.meetings.add(meeting)
    item.outreach_events.add(event)
    services.evidence_attach(files=[files.pdf("update.pdf")], acting_user=doc_staff, progress_update=update)
    services.evidence_attach(files=[files.pdf("minutes.pdf")], acting_user=doc_staff, meeting=meeting)
    services.evidence_attach(
        files=[files.pdf("photos.pdf"), files.pdf("agenda.pdf")], acting_user=doc_staff, outreach_event=event
    )
    client.force_login(doc_staff)
    response = client.get(item.get_absolute_url())
    names = {
        (entry.kind, entry.record.pk): sorted(file.original_name for file in entry.evidence)
        for entry in response.context["timeline"]
    }
    assert names == {
        ("update", update.pk): ["update.pdf"],
        ("meeting", meeting.pk): ["minutes.pdf"],
        ("event", event.pk): ["agenda.pdf", "photos.pdf"],
    }
    page = response.content.decode()
    for file in Evidence.objects.all():
        assert reverse("activities:evidence_download", args=[file.pk]) in page
