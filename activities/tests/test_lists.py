"""My work and the lists: filters from the URL contract, search and pagination."""

import datetime

from django.urls import reverse

from activities.selectors import MY_WORK_COMMITMENTS, MY_WORK_MILESTONES, commitments_visible_to
from activities.tests.factories import (
    FollowUpActionFactory,
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from activities.views import PAGE_SIZE
from agreements.models import Agreement, Commitment, CommitmentStatus
from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from core.time import today


def codes(response):
    return [item.code for item in response.context["page_obj"]]


def test_home_is_my_work_with_the_items_my_party_leads(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    shown = {item.code for item in response.context["commitments"]}
    assert "DOC-A1" in shown and "VI.5" in shown
    assert not any(code.startswith("DHS-") for code in shown)


def in_force_agreement(*parties):
    """An agreement of these parties in force today (the 2017 MOA's five years are over)."""
    return AgreementFactory(parties=list(parties), executed_on=today() - datetime.timedelta(days=400))


def test_my_work_flags_stale_items_and_overdue_milestones(client, doc_staff, doc, dhs, moa):
    # Stale follows the weekly digest: only agreements in force are owed updates.
    current = in_force_agreement(doc, dhs)
    item = CommitmentFactory(agreement=current, lead_party=doc, code="DOC-A1")
    fresh = CommitmentFactory(agreement=current, lead_party=doc, code="DOC-A2")
    ProgressUpdateFactory(commitment=fresh, reporting_party=doc, as_of=today())
    late = MilestoneFactory(commitment=item, due_on=today() - datetime.timedelta(days=3))
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    flagged = {(i.agreement_id, i.code): i.is_stale for i in response.context["commitments"]}
    assert flagged[current.pk, "DOC-A1"] and not flagged[current.pk, "DOC-A2"]
    assert response.context["stale_count"] == 1
    assert response.context["overdue_milestones"] == [late]
    assert "data-overdue-milestone" in response.content.decode()


def test_my_work_does_not_call_items_of_an_agreement_no_longer_in_force_stale(client, doc_staff, moa):
    assert not Agreement.objects.in_force().filter(pk=moa.pk).exists()  # expired in 2022
    assert Commitment.objects.stale().filter(agreement=moa).exists()
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    assert response.context["stale_count"] == 0
    assert not any(item.is_stale for item in response.context["commitments"])
    assert "data-stale" not in response.content.decode()


def test_my_work_stale_link_lists_exactly_the_stale_items_it_counts(client, doc_staff, doc, dhs, moa):
    current = in_force_agreement(doc, dhs)
    stale = [CommitmentFactory(agreement=current, lead_party=doc) for _ in range(3)]
    ProgressUpdateFactory(commitment=CommitmentFactory(agreement=current, lead_party=doc), as_of=today())
    CommitmentFactory(agreement=current, lead_party=dhs)  # stale, but not DOC's
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    assert response.context["stale_count"] == 3
    listed = client.get(response.context["stale_url"])
    assert sorted(codes(listed)) == sorted(item.code for item in stale)


def test_item_list_filters_by_party_and_kind(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(reverse("activities:commitment_list"), {"party": "DHS", "kind": "action_item"})
    assert codes(response) and all(code.startswith("DHS-A") for code in codes(response))


def test_item_list_filters_by_status_and_goal(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    item.status = CommitmentStatus.BLOCKED
    item.save()
    client.force_login(doc_staff)
    assert codes(client.get(reverse("activities:commitment_list"), {"status": "blocked"})) == ["DOC-A1"]
    goal_codes = codes(client.get(reverse("activities:commitment_list"), {"goal": item.goal.code}))
    assert "DOC-A1" in goal_codes and all(c.startswith("DOC-A") for c in goal_codes)


def test_item_list_due_filter_finds_overdue_and_soon(client, doc_staff, moa):
    MilestoneFactory(
        commitment=moa.commitments.get(code="DOC-A1"), due_on=today() - datetime.timedelta(days=1)
    )
    MilestoneFactory(
        commitment=moa.commitments.get(code="DOC-A2"), due_on=today() + datetime.timedelta(days=20)
    )
    MilestoneFactory(
        commitment=moa.commitments.get(code="DOC-A3"), due_on=today() + datetime.timedelta(days=60)
    )
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    assert codes(client.get(url, {"due": "overdue"})) == ["DOC-A1"]
    assert codes(client.get(url, {"due": "30"})) == ["DOC-A2"]
    assert sorted(codes(client.get(url, {"due": "90"}))) == ["DOC-A2", "DOC-A3"]


def test_item_list_stale_filter_and_search(client, doc_staff, doc, moa):
    ProgressUpdateFactory(commitment=moa.commitments.get(code="DOC-A1"), reporting_party=doc, as_of=today())
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    assert "DOC-A1" not in codes(client.get(url, {"stale": "1"}))
    assert codes(client.get(url, {"q": "de minimis"})) == ["DHS-A1"]


def test_item_list_agreement_filter_by_slug_and_pagination(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(reverse("activities:commitment_list"), {"agreement": moa.slug, "page": "2"})
    assert response.context["page_obj"].number == 2
    assert response.context["total"] == moa.commitments.count()


def test_item_list_hides_other_agreements(client, outsider, moa):
    client.force_login(outsider)
    assert client.get(reverse("activities:commitment_list")).context["total"] == 0


def test_update_list_filters_by_party_dates_and_search(client, doc_staff, doc, dhs, moa):
    a = ProgressUpdateFactory(
        commitment=moa.commitments.get(code="DOC-A1"),
        reporting_party=doc,
        as_of=datetime.date(2018, 1, 5),
        narrative="charter signed",
    )
    b = ProgressUpdateFactory(
        commitment=moa.commitments.get(code="DHS-A1"), reporting_party=dhs, as_of=datetime.date(2019, 1, 5)
    )
    client.force_login(doc_staff)
    url = reverse("activities:update_list")
    assert list(client.get(url, {"party": "DHS"}).context["page_obj"]) == [b]
    assert list(client.get(url, {"from": "2018-01-01", "to": "2018-12-31"}).context["page_obj"]) == [a]
    assert list(client.get(url, {"q": "charter"}).context["page_obj"]) == [a]
    assert list(client.get(url, {"kind": "action_item", "status": "on_track"}).context["page_obj"]) == [b, a]


def test_meeting_list_filters_by_quarter_and_kind(client, doc_staff, moa):
    q1 = MeetingFactory(agreement=moa, starts_at=datetime.datetime(2018, 2, 1, 15, tzinfo=datetime.UTC))
    MeetingFactory(agreement=moa, starts_at=datetime.datetime(2018, 5, 1, 15, tzinfo=datetime.UTC))
    wco = MeetingFactory(
        agreement=moa, kind="wco", starts_at=datetime.datetime(2018, 3, 1, 15, tzinfo=datetime.UTC)
    )
    client.force_login(doc_staff)
    url = reverse("activities:meeting_list")
    assert list(client.get(url, {"quarter": "2018-Q1"}).context["page_obj"]) == [wco, q1]
    assert list(client.get(url, {"quarter": "2018-Q1", "kind": "quarterly"}).context["page_obj"]) == [q1]


def test_meeting_list_explains_a_badly_written_quarter(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(reverse("activities:meeting_list"), {"quarter": "Q1 2018"})
    assert "for example 2018-Q1" in response.content.decode()


def test_event_list_filters_by_venue_party_and_quarter(client, doc_staff, doc, dhs, moa):
    home = OutreachEventFactory(agreement=moa, organising_party=doc, held_on=datetime.date(2018, 4, 20))
    abroad = OutreachEventFactory(
        agreement=moa,
        organising_party=dhs,
        held_on=datetime.date(2018, 8, 1),
        place="abroad",
        city="Geneva",
        country="Switzerland",
    )
    client.force_login(doc_staff)
    url = reverse("activities:event_list")
    assert list(client.get(url, {"venue": "abroad"}).context["page_obj"]) == [abroad]
    assert list(client.get(url, {"venue": "us", "party": "DOC"}).context["page_obj"]) == [home]
    assert list(client.get(url, {"quarter": "2018-Q3"}).context["page_obj"]) == [abroad]


def test_meeting_list_shows_each_quarter_held_or_missed(client, doc_staff, moa):
    MeetingFactory(agreement=moa, starts_at=datetime.datetime(2017, 12, 5, 15, tzinfo=datetime.UTC))
    client.force_login(doc_staff)
    response = client.get(reverse("activities:meeting_list"), {"agreement": moa.slug})
    (record,) = response.context["obligation_records"]
    states = {r.period.code: r.state for r in record.periods}
    assert states["2017-Q4"] == "held"
    assert states["2018-Q1"] == "missed"
    assert 'data-quarter="2017-Q4" data-state="held"' in response.content.decode()


def test_my_work_lists_my_open_follow_up_actions(client, doc_staff, moa):
    meeting = MeetingFactory(agreement=moa)
    FollowUpActionFactory(meeting=meeting, owner_user=doc_staff, description="Send the draft plan")
    FollowUpActionFactory(meeting=meeting, description="Someone else's job")
    client.force_login(doc_staff)
    page = client.get(reverse("my_work")).content.decode()
    assert "Send the draft plan" in page
    assert "Someone else&#x27;s job" not in page and "Someone else's job" not in page


def all_pages(client, query=None):
    """Every row of the item list, page after page, and the total the page states."""
    rows, number = [], 1
    while True:
        response = client.get(reverse("activities:commitment_list"), {**(query or {}), "page": number})
        rows += [item.pk for item in response.context["page_obj"]]
        if not response.context["page_obj"].has_next():
            return rows, response.context["total"]
        number += 1


def test_item_list_pages_follow_the_list_order_across_agreements(client, doc_staff, doc, dhs, moa):
    # Two agreements share a name: their items interleave by position, as the list orders them.
    for short_name, count, odd in (("AAA first MOA", 30, 0), ("ZZZ last MOA", 7, 0), ("AAA first MOA", 4, 1)):
        agreement = AgreementFactory(short_name=short_name, parties=[doc, dhs])
        for position in range(count):
            CommitmentFactory(agreement=agreement, position=100 + position * 2 + odd)
    AgreementFactory(short_name="BBB not ours")  # not visible: neither counted nor shown
    client.force_login(doc_staff)
    expected = list(commitments_visible_to(doc_staff).values_list("pk", flat=True))
    rows, total = all_pages(client)
    assert rows == expected
    assert total == len(expected) == moa.commitments.count() + 41


def test_filtered_item_list_pages_follow_the_list_order(client, doc_staff, doc, dhs, moa):
    other = AgreementFactory(short_name="AAA first MOA", parties=[doc, dhs])
    for position in range(30):
        CommitmentFactory(agreement=other, position=position, kind="action_item")
    client.force_login(doc_staff)
    expected = list(commitments_visible_to(doc_staff).filter(kind="action_item").values_list("pk", flat=True))
    assert all_pages(client, {"kind": "action_item"}) == (expected, len(expected))


def test_item_list_page_past_the_end_is_the_last_and_a_malformed_one_the_first(client, doc_staff, moa):
    client.force_login(doc_staff)
    url = reverse("activities:commitment_list")
    last = client.get(url, {"page": "999"}).context["page_obj"]
    assert last.number == last.paginator.num_pages > 1
    assert len(last) == moa.commitments.count() - (last.number - 1) * PAGE_SIZE
    assert client.get(url, {"page": "abc"}).context["page_obj"].number == 1


def rows_behind(client, url):
    """Every row of the list a link leads to, following its pages."""
    rows, page = [], 1
    while True:
        response = client.get(f"{url}{'&' if '?' in url else '?'}page={page}")
        rows += list(response.context["page_obj"])
        if not response.context["page_obj"].has_next():
            return rows
        page += 1


def test_my_work_shows_the_first_items_and_links_to_all_of_them_in_the_same_order(
    client, doc_staff, doc, dhs, moa
):
    current = in_force_agreement(doc, dhs)
    for _ in range(MY_WORK_COMMITMENTS):
        CommitmentFactory(agreement=current, lead_party=doc)
    CommitmentFactory(agreement=current, lead_party=dhs)
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    shown = [item.pk for item in response.context["commitments"]]
    total = moa.commitments.led_by(doc).count() + MY_WORK_COMMITMENTS
    assert len(shown) == MY_WORK_COMMITMENTS and response.context["commitments_count"] == total
    assert f"Showing the first {MY_WORK_COMMITMENTS} of {total}." in response.content.decode()
    assert f'href="{response.context["commitments_url"]}" data-items-link>See all {total} commitments' in (
        response.content.decode().replace("&amp;", "&")
    )
    listed = [item.pk for item in rows_behind(client, response.context["commitments_url"])]
    assert listed[: len(shown)] == shown and len(listed) == total
    assert set(listed[len(shown) :]) == set(
        Commitment.objects.filter(agreement__in=[moa, current])
        .led_by(doc)
        .exclude(pk__in=shown)
        .values_list("pk", flat=True)
    )


def test_my_work_shows_the_most_overdue_and_due_milestones_and_links_to_the_items_left_out(
    client, doc_staff, doc, dhs, moa
):
    current = in_force_agreement(doc, dhs)
    overdue, due = [], []
    for n in range(MY_WORK_MILESTONES + 2):
        overdue.append(
            MilestoneFactory(
                commitment=CommitmentFactory(agreement=current, lead_party=doc),
                due_on=today() - datetime.timedelta(days=n + 1),
            )
        )
        due.append(
            MilestoneFactory(
                commitment=CommitmentFactory(agreement=current, lead_party=doc),
                due_on=today() + datetime.timedelta(days=n),
            )
        )
    client.force_login(doc_staff)
    response = client.get(reverse("my_work"))
    content = response.content.decode()
    most_overdue = sorted(overdue, key=lambda m: m.due_on)
    assert response.context["overdue_milestones"] == most_overdue[:MY_WORK_MILESTONES]
    assert response.context["overdue_milestones_count"] == len(overdue)
    assert f"The {MY_WORK_MILESTONES} most overdue of {len(overdue)}." in content
    assert response.context["due_milestones"] == due[:MY_WORK_MILESTONES]
    assert response.context["due_milestones_count"] == len(due)
    assert f"The {MY_WORK_MILESTONES} due first of {len(due)}." in content
    overdue_listed = {item.pk for item in rows_behind(client, response.context["overdue_url"])}
    assert {m.commitment_id for m in most_overdue[MY_WORK_MILESTONES:]} <= overdue_listed
    due_listed = {item.pk for item in rows_behind(client, response.context["due_url"])}
    assert {m.commitment_id for m in due[MY_WORK_MILESTONES:]} <= due_listed


def test_meeting_and_event_lists_offer_recording_to_staff_of_a_party_to_an_agreement(client, moa, doc_staff):
    client.force_login(doc_staff)
    assert "Record a meeting" in client.get(reverse("activities:meeting_list")).content.decode()
    assert "Record an outreach event" in client.get(reverse("activities:event_list")).content.decode()


def test_meeting_and_event_lists_offer_no_recording_to_a_party_on_no_agreement(client, moa):
    client.force_login(UserFactory(party=PartyFactory(acronym="NPA"), roles=[STAFF]))
    assert "Record a meeting" not in client.get(reverse("activities:meeting_list")).content.decode()
    assert "Record an outreach event" not in client.get(reverse("activities:event_list")).content.decode()


def test_my_work_follows_a_new_overdue_milestone_a_new_report_and_a_completed_milestone(
    client, doc_staff, doc, dhs
):
    current = in_force_agreement(doc, dhs)
    item = CommitmentFactory(agreement=current, lead_party=doc, code="DOC-A1")
    client.force_login(doc_staff)
    first = client.get(reverse("my_work")).context
    assert (first["stale_count"], first["overdue_milestones_count"]) == (1, 0)
    late = MilestoneFactory(commitment=item, due_on=today() - datetime.timedelta(days=3))
    ProgressUpdateFactory(commitment=item, reporting_party=doc, as_of=today())
    again = client.get(reverse("my_work")).context
    assert (again["stale_count"], again["overdue_milestones_count"]) == (0, 1)
    assert again["overdue_milestones"] == [late]
    late.completed_on = today()
    late.save()
    assert client.get(reverse("my_work")).context["overdue_milestones"] == []


def test_the_updates_list_total_counts_an_update_saved_since_the_last_view(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    item = moa.commitments.get(code="DOC-A1")
    ProgressUpdateFactory(commitment=item, reporting_party=doc)
    assert client.get(reverse("activities:update_list")).context["total"] == 1
    ProgressUpdateFactory(commitment=item, reporting_party=doc)
    assert client.get(reverse("activities:update_list")).context["total"] == 2


def test_the_updates_list_total_is_each_partys_own_and_each_filters_own(client, doc, dhs, moa):
    other = AgreementFactory(parties=[dhs, PartyFactory(acronym="CBP")])
    ProgressUpdateFactory(
        commitment=moa.commitments.get(code="DOC-A1"), reporting_party=doc, status="on_track"
    )
    ProgressUpdateFactory(
        commitment=CommitmentFactory(agreement=other), reporting_party=dhs, status="at_risk"
    )
    url = reverse("activities:update_list")
    client.force_login(UserFactory(party=doc, roles=[STAFF]))
    assert client.get(url).context["total"] == 1
    client.force_login(UserFactory(party=dhs, roles=[STAFF]))
    assert client.get(url).context["total"] == 2
    assert client.get(url, {"status": "at_risk"}).context["total"] == 1


def test_the_item_page_calls_an_item_stale_only_while_its_agreement_is_in_force(
    client, doc_staff, doc, dhs, moa
):
    client.force_login(doc_staff)
    expired_item = moa.commitments.get(code="DOC-A1")  # the 2017 MOA's five years are over
    current_item = CommitmentFactory(agreement=in_force_agreement(doc, dhs), lead_party=doc, code="DOC-A1")
    assert "Stale: no recent update" not in client.get(expired_item.get_absolute_url()).content.decode()
    assert "Stale: no recent update" in client.get(current_item.get_absolute_url()).content.decode()


def test_a_kept_my_work_is_never_served_to_a_user_of_another_party(client, doc_staff, dhs_staff, moa):
    late = MilestoneFactory(
        commitment=moa.commitments.get(code="DOC-A1"), due_on=today() - datetime.timedelta(days=3)
    )
    client.force_login(doc_staff)
    doc_page = client.get(reverse("my_work")).context
    assert (doc_page["overdue_milestones_count"], doc_page["overdue_milestones"]) == (1, [late])
    client.force_login(dhs_staff)  # same agreement, same day, nothing changed: DOC's counts are kept
    dhs_page = client.get(reverse("my_work")).context
    assert (dhs_page["overdue_milestones_count"], dhs_page["overdue_milestones"]) == (0, [])


def test_meeting_list_heads_the_period_table_with_the_obligation_and_its_clause(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(reverse("activities:meeting_list"), {"agreement": moa.slug})
    assert "Quarterly meetings or conference calls (VI.5)" in response.content.decode()


def test_meeting_list_of_an_agreement_without_a_meeting_obligation_shows_no_period_table(client, db):
    agreement = AgreementFactory(obligations=[])
    user = UserFactory(party=agreement.parties.first(), roles=[STAFF])
    client.force_login(user)
    response = client.get(reverse("activities:meeting_list"), {"agreement": agreement.slug})
    assert response.context["obligation_records"] == []
    assert "quarter-record" not in response.content.decode()
