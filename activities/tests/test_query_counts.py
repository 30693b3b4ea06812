"""Pages cost a fixed number of queries, however many rows they show (no N+1)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services
from activities.selectors import TIMELINE_PAGE_SIZE
from activities.tests import files
from activities.tests.factories import MeetingFactory, MilestoneFactory, ProgressUpdateFactory
from agreements.tests.factories import AgreementFactory, CommitmentFactory
from core.time import today


def queries_for(client, url):
    """The queries of a page view; the request before it has started the idle clock, so the
    session is not written during either of the views compared (it is at most once a minute)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_updates(moa, doc, author, n):
    for i in range(n):
        services.progress_update_create(
            commitment=moa.commitments.get(code=f"DOC-A{i % 4 + 1}"),
            acting_user=author,
            reporting_party=doc,
            as_of=datetime.date(2018, 1, 1) + datetime.timedelta(days=i),
            status="on_track",
            percent_complete=i,
            narrative=f"Update {i}",
            files=[files.pdf(f"r{i}.pdf")],
        )


def test_update_list_queries_do_not_grow_with_rows(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    add_updates(moa, doc, doc_staff, 2)
    before = queries_for(client, reverse("activities:update_list"))
    add_updates(moa, doc, doc_staff, 8)
    assert queries_for(client, reverse("activities:update_list")) == before


def test_item_page_queries_do_not_grow_with_its_timeline(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    client.force_login(doc_staff)
    ProgressUpdateFactory(commitment=item, reporting_party=doc)
    MilestoneFactory(commitment=item, completed_on=datetime.date(2019, 1, 1))
    item.meetings.add(MeetingFactory(agreement=moa))
    before = queries_for(client, item.get_absolute_url())
    for _ in range(5):
        ProgressUpdateFactory(commitment=item, reporting_party=doc)
        MilestoneFactory(commitment=item, completed_on=datetime.date(2019, 1, 1))
        item.meetings.add(MeetingFactory(agreement=moa))
    assert queries_for(client, item.get_absolute_url()) == before


def test_every_page_of_a_long_timeline_costs_the_same_queries(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    client.force_login(doc_staff)
    ProgressUpdateFactory(commitment=item, reporting_party=doc)
    short = queries_for(client, item.get_absolute_url())
    for _ in range(TIMELINE_PAGE_SIZE * 2):
        ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff)
        item.meetings.add(MeetingFactory(agreement=moa))
    for page in (1, 2, 3, 4):
        assert queries_for(client, f"{item.get_absolute_url()}?page={page}") == short


def test_item_page_queries_do_not_grow_with_the_readers_own_editable_updates(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    client.force_login(doc_staff)
    ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff)
    before = queries_for(client, item.get_absolute_url())
    for _ in range(5):
        ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff)
    assert queries_for(client, item.get_absolute_url()) == before


def test_my_work_and_item_list_queries_do_not_grow_with_milestones(client, doc_staff, moa):
    client.force_login(doc_staff)
    item = moa.commitments.get(code="DOC-A1")
    MilestoneFactory(commitment=item, due_on=datetime.date(2019, 1, 1))
    home_before = queries_for(client, reverse("my_work"))
    list_before = queries_for(client, reverse("activities:commitment_list") + "?due=overdue")
    for _ in range(5):
        MilestoneFactory(commitment=item, due_on=datetime.date(2019, 1, 1))
    assert queries_for(client, reverse("my_work")) == home_before
    assert queries_for(client, reverse("activities:commitment_list") + "?due=overdue") == list_before


def test_meeting_and_event_lists_cost_the_same_queries_however_many_agreements_the_user_sees(
    client, doc_staff, doc, dhs, moa
):
    client.force_login(doc_staff)
    AgreementFactory(parties=[doc, dhs])  # more than one: the meeting list shows no one's quarters
    lists = [reverse("activities:meeting_list"), reverse("activities:event_list")]
    before = [queries_for(client, url) for url in lists]
    for _ in range(5):
        AgreementFactory(parties=[doc, dhs])
    assert [queries_for(client, url) for url in lists] == before


def test_every_page_of_the_item_list_costs_the_same_queries_however_many_items(
    client, doc_staff, doc, dhs, moa
):
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    before = queries_for(client, url)
    for _ in range(3):
        agreement = AgreementFactory(parties=[doc, dhs])
        for position in range(30):
            CommitmentFactory(agreement=agreement, position=position)
    for page in (1, 2, 3, 4, 6):
        assert queries_for(client, f"{url}?page={page}") == before


def test_my_work_costs_the_same_queries_however_many_items_stale_items_and_milestones(
    client, doc_staff, doc, dhs, moa
):
    def add(agreement, n):
        for _ in range(n):
            item = CommitmentFactory(agreement=agreement, lead_party=doc)  # never reported on: stale
            MilestoneFactory(commitment=item, due_on=today() - datetime.timedelta(days=2))
            MilestoneFactory(commitment=item, due_on=today() + datetime.timedelta(days=2))

    current = AgreementFactory(parties=[doc, dhs], executed_on=today() - datetime.timedelta(days=400))
    client.force_login(doc_staff)
    add(current, 2)
    before = queries_for(client, reverse("my_work"))
    add(current, 40)
    add(AgreementFactory(parties=[doc, dhs], executed_on=current.executed_on), 10)
    response = client.get(reverse("my_work"))
    assert response.context["stale_count"] == 52 and len(response.context["commitments"]) < 52
    assert queries_for(client, reverse("my_work")) == before
