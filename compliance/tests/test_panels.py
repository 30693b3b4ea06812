"""Each dashboard panel's computation (compliance/panels/), against hand-built data."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from activities.tests.factories import (
    FollowUpActionFactory,
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from agreements.models import CommitmentStatus
from agreements.tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ModificationExecutionFactory,
    ModificationFactory,
    ObligationFactory,
    PartyFactory,
    SectionFactory,
    UserFactory,
)
from compliance import panels, selectors
from compliance.panels import Filters, Rag
from contacts.models import PointOfContact
from core.time import today

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


@pytest.fixture
def abc():
    return PartyFactory(acronym="ABC")


@pytest.fixture
def xyz():
    return PartyFactory(acronym="XYZ")


@pytest.fixture
def agreement(abc, xyz):
    return AgreementFactory(
        slug="pact", executed_on=datetime.date(2020, 1, 15), term_years=5, parties=[abc, xyz]
    )


def filters(agreement, day, party=None):
    agreement = selectors.dashboard_agreement(type(agreement).objects.all(), agreement.slug)
    return Filters(agreement=agreement, as_of=day, party=party)


def cell(panel, kind, status):
    row = next(r for r in panel.by_kind if r.kind == kind)
    return next(c for c in row.cells if c.status == status)


# --- term ----------------------------------------------------------------------------------


def test_term_in_force_counts_days_left_and_elapsed_share(agreement):
    term = panels.term_panel(
        filters(agreement, datetime.date(2022, 7, 15)).agreement, datetime.date(2022, 7, 15)
    )
    assert term.status == "in_force"
    assert term.days_left == (datetime.date(2025, 1, 15) - datetime.date(2022, 7, 15)).days
    assert term.elapsed_percent == 50
    assert term.signal.rag == Rag.GREEN


def test_term_near_its_end_is_amber_and_says_a_modification_is_needed(agreement):
    term = panels.term_panel(agreement, datetime.date(2024, 12, 1))
    assert term.signal.rag == Rag.AMBER
    assert "45 days" in term.signal.reason and "modification" in term.signal.reason


def test_terminated_agreement_is_red_with_the_day_and_party(agreement, abc):
    agreement.terminated_on = datetime.date(2021, 3, 1)
    agreement.terminated_by = abc
    agreement.save()
    term = panels.term_panel(agreement, datetime.date(2021, 6, 30))
    assert term.status == "terminated"
    assert term.signal.rag == Rag.RED
    assert term.signal.reason == "Terminated on March 1, 2021 by ABC: no longer in force."
    assert term.days_since_end == 121


def test_termination_after_the_as_of_day_does_not_show_then(agreement, abc):
    agreement.terminated_on = datetime.date(2021, 3, 1)
    agreement.terminated_by = abc
    agreement.save()
    term = panels.term_panel(agreement, datetime.date(2021, 1, 1))
    assert term.status == "in_force"
    assert term.terminated_on is None


def test_expired_agreement_is_red(agreement):
    term = panels.term_panel(agreement, datetime.date(2025, 3, 1))
    assert term.status == "expired"
    assert term.signal.rag == Rag.RED
    assert term.elapsed_percent == 100


def test_term_extension_counts_only_once_every_party_executed_it_by_the_day(agreement, abc, xyz):
    mod = ModificationFactory(agreement=agreement, extends_term_to=datetime.date(2027, 1, 15))
    ModificationExecutionFactory(modification=mod, party=abc, executed_on=datetime.date(2024, 7, 1))
    ModificationExecutionFactory(modification=mod, party=xyz, executed_on=datetime.date(2024, 8, 1))
    agreement = filters(agreement, datetime.date(2024, 9, 1)).agreement
    before = panels.term_panel(agreement, datetime.date(2024, 7, 15))
    after = panels.term_panel(agreement, datetime.date(2024, 9, 1))
    assert (before.expires_on, before.changes) == (datetime.date(2025, 1, 15), [])
    assert after.expires_on == datetime.date(2027, 1, 15)
    assert [c.effective_on for c in after.changes] == [datetime.date(2024, 8, 1)]


# --- commitments ---------------------------------------------------------------------------


def test_status_as_of_is_the_latest_update_by_that_day_else_not_started(agreement, abc):
    item = CommitmentFactory(agreement=agreement, kind="objective", lead_party=abc)
    CommitmentFactory(agreement=agreement, kind="objective", lead_party=abc)
    ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 1, 10), status=CommitmentStatus.ON_TRACK)
    ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 5, 10), status=CommitmentStatus.AT_RISK)
    past = panels.commitments_panel(filters(agreement, datetime.date(2021, 3, 31)), [abc])
    now = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30)), [abc])
    assert cell(past, "objective", "on_track").n == 1
    assert cell(past, "objective", "not_started").n == 1
    assert cell(now, "objective", "at_risk").n == 1
    assert cell(now, "objective", "on_track").n == 0


def test_joint_items_count_for_every_party_that_co_leads_them(agreement, abc, xyz):
    CommitmentFactory(agreement=agreement, lead_party=abc)
    CommitmentFactory(agreement=agreement, lead_party=None)
    panel = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30)), [abc, xyz])
    totals = {row.party.acronym: row.total for row in panel.by_party}
    assert totals == {"ABC": 2, "XYZ": 1}


def test_party_filter_keeps_items_it_leads_or_co_leads(agreement, abc, xyz):
    CommitmentFactory(agreement=agreement, lead_party=abc)
    CommitmentFactory(agreement=agreement, lead_party=xyz)
    CommitmentFactory(agreement=agreement, lead_party=None)
    panel = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30), xyz), [abc, xyz])
    assert panel.total == 2
    assert [row.party for row in panel.by_party] == [xyz]


def test_stale_item_makes_the_panel_amber_and_is_listed(agreement):
    item = CommitmentFactory(agreement=agreement)
    ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 1, 4), status=CommitmentStatus.ON_TRACK)
    fresh = CommitmentFactory(agreement=agreement)
    ProgressUpdateFactory(commitment=fresh, as_of=datetime.date(2021, 6, 1), status=CommitmentStatus.ON_TRACK)
    panel = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30)), [])
    assert panel.stale == [item]
    assert panel.signal.rag == Rag.AMBER
    assert "1 commitment with no update in 90 days" in panel.signal.reason


def test_blocked_item_and_overdue_work_make_the_panel_red(agreement):
    item = CommitmentFactory(agreement=agreement)
    ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 6, 1), status=CommitmentStatus.BLOCKED)
    MilestoneFactory(commitment=item, due_on=datetime.date(2021, 6, 1))
    FollowUpActionFactory(meeting=MeetingFactory(agreement=agreement), due_on=datetime.date(2021, 6, 2))
    panel = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30)), [])
    assert panel.signal.rag == Rag.RED
    assert panel.signal.reason == "1 commitment blocked; 1 overdue commitment; 1 overdue meeting follow-up."
    assert len(panel.overdue_milestones) == 1 and len(panel.overdue_follow_ups) == 1


def test_milestone_done_late_was_overdue_as_of_a_day_before_it_was_done(agreement):
    item = CommitmentFactory(agreement=agreement)
    MilestoneFactory(
        commitment=item, due_on=datetime.date(2021, 3, 1), completed_on=datetime.date(2021, 5, 1)
    )
    past = panels.commitments_panel(filters(agreement, datetime.date(2021, 3, 31)), [])
    now = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30)), [])
    assert (len(past.overdue_milestones), len(now.overdue_milestones)) == (1, 0)


def test_every_count_links_to_the_item_list_with_its_filters(agreement, abc):
    panel = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30), abc), [abc])
    assert cell(panel, "action_item", "at_risk").url == (
        "/commitments/?agreement=pact&party=ABC&status=at_risk&kind=action_item"
    )
    assert panel.stale_url == "/commitments/?agreement=pact&party=ABC&stale=1"
    assert panel.overdue_items_url == "/commitments/?agreement=pact&party=ABC&due=overdue"
    assert panel.by_party[0].cells[3].url == "/commitments/?agreement=pact&party=ABC&status=blocked"


def meetings_panel(f):
    """The panel of the agreement's (only) meeting obligation."""
    return panels.meetings_panel(f, f.agreement.obligations.meetings().get())


def outreach_panel(f):
    """The panel of the agreement's (only) event obligation."""
    return panels.outreach_panel(f, f.agreement.obligations.events().get())


# --- quarterly meetings --------------------------------------------------------------------


def test_quarter_with_a_meeting_but_no_minutes_is_missed_and_red_when_it_is_the_last(agreement):
    meeting = MeetingFactory(
        agreement=agreement, starts_at=datetime.datetime(2020, 5, 12, 10, tzinfo=NY), minutes=""
    )
    panel = meetings_panel(filters(agreement, datetime.date(2020, 7, 15)))
    q2 = next(q for q in panel.periods if q.code == "2020-Q2")
    assert q2.state == "missed"
    assert q2.meeting == meeting
    assert q2.meeting_url == f"/meetings/{meeting.pk}/"
    assert q2.list_url == "/meetings/?agreement=pact&kind=quarterly&quarter=2020-Q2"
    assert panel.signal.rag == Rag.RED
    assert "no minutes" in panel.signal.reason


def test_meetings_held_in_the_last_quarters_are_green(agreement):
    for month in (2, 5, 8, 11):
        MeetingFactory(agreement=agreement, starts_at=datetime.datetime(2020, month, 12, 10, tzinfo=NY))
    panel = meetings_panel(filters(agreement, datetime.date(2021, 1, 15)))
    assert panel.signal.rag == Rag.GREEN
    assert panel.held == 4


def test_an_older_missed_quarter_is_amber(agreement):
    for month in (5, 8, 11):
        MeetingFactory(agreement=agreement, starts_at=datetime.datetime(2020, month, 12, 10, tzinfo=NY))
    panel = meetings_panel(filters(agreement, datetime.date(2021, 1, 15)))
    assert panel.signal.rag == Rag.AMBER
    assert "2020 Q1" in panel.signal.reason


# --- points of contact ---------------------------------------------------------------------


def contact(agreement, party, **kwargs):
    defaults = {"role_title": "Director", "active_from": datetime.date(2020, 1, 15)}
    return PointOfContact.objects.create(agreement=agreement, party=party, **{**defaults, **kwargs})


def test_party_without_an_active_contact_is_warned_about(agreement, abc, xyz):
    contact(agreement, abc, is_coordinator=True)
    contact(agreement, xyz, active_to=datetime.date(2021, 1, 1))
    panel = panels.contacts_panel(filters(agreement, datetime.date(2021, 6, 30)), [abc, xyz])
    assert panel.without_contact == [xyz]
    assert panel.signal.rag == Rag.RED
    assert "XYZ" in panel.signal.reason


def test_contact_who_left_later_was_active_as_of_an_earlier_day(agreement, abc, xyz):
    contact(agreement, abc, is_coordinator=True)
    contact(agreement, xyz, is_coordinator=True, active_to=datetime.date(2021, 1, 1))
    panel = panels.contacts_panel(filters(agreement, datetime.date(2020, 6, 30)), [abc, xyz])
    assert panel.signal.rag == Rag.GREEN
    assert [r.active for r in panel.parties] == [1, 1]


# --- outreach ------------------------------------------------------------------------------


def test_outreach_counts_per_quarter_in_the_us_and_abroad(agreement, abc):
    OutreachEventFactory(agreement=agreement, organising_party=abc, held_on=datetime.date(2020, 4, 20))
    OutreachEventFactory(
        agreement=agreement, organising_party=abc, held_on=datetime.date(2020, 5, 2), place="abroad"
    )
    OutreachEventFactory(agreement=agreement, organising_party=abc, held_on=datetime.date(2020, 11, 2))
    OutreachEventFactory(agreement=agreement, organising_party=abc, held_on=datetime.date(2021, 9, 2))
    panel = outreach_panel(filters(agreement, datetime.date(2021, 3, 31)))
    by_code = {q.code: tuple(p.n for p in q.places) for q in panel.quarters}
    assert by_code["2020-Q2"] == (1, 1)
    assert by_code["2020-Q4"] == (1, 0)
    assert "2021-Q3" not in by_code
    assert [(p.key, p.n) for p in panel.places] == [("us", 2), ("abroad", 1)]
    assert panel.signal.rag == Rag.GREEN
    q2 = next(q for q in panel.quarters if q.code == "2020-Q2")
    assert q2.places[1].url == "/events/?agreement=pact&venue=abroad&quarter=2020-Q2&to=2021-03-31"


def test_outreach_only_in_the_us_is_amber(agreement, abc):
    OutreachEventFactory(agreement=agreement, organising_party=abc, held_on=datetime.date(2020, 4, 20))
    panel = outreach_panel(filters(agreement, datetime.date(2020, 6, 30)))
    assert panel.signal.rag == Rag.AMBER
    assert "only in the United States" in panel.signal.reason


def test_no_outreach_is_red(agreement):
    assert outreach_panel(filters(agreement, datetime.date(2020, 6, 30))).signal.rag == Rag.RED


# --- recent activity -----------------------------------------------------------------------


def test_recent_activity_shows_updates_meetings_and_contact_changes_up_to_the_day(agreement, abc):
    item = CommitmentFactory(agreement=agreement)
    old = ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 1, 10), reporting_party=abc)
    ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 8, 10), reporting_party=abc)
    MeetingFactory(agreement=agreement, starts_at=datetime.datetime(2021, 2, 3, 10, tzinfo=NY))
    MeetingFactory(agreement=agreement, starts_at=datetime.datetime(2021, 9, 3, 10, tzinfo=NY))
    poc = contact(agreement, abc)
    panel = panels.recent_panel(filters(agreement, datetime.date(2021, 3, 31)))
    assert panel.updates == [old]
    assert [row.meeting.starts_at.month for row in panel.meetings] == [2]
    assert panel.contact_changes == []  # the contact was entered today, after the as-of day
    today_panel = panels.recent_panel(filters(agreement, today() + datetime.timedelta(days=1)))
    assert [row.change.id for row in today_panel.contact_changes] == [poc.pk]
    assert today_panel.contact_changes[0].url == f"/audit/contacts/{poc.pk}/"


def test_recent_activity_is_the_newest_updates_across_items_of_this_agreement_and_party(agreement, abc, xyz):
    items = [CommitmentFactory(agreement=agreement) for _ in range(3)]
    other = CommitmentFactory(agreement=AgreementFactory(parties=[abc, xyz]))
    start = datetime.date(2021, 1, 4)
    made = []
    for week in range(12):  # items take turns, so the newest eight mix all three
        for party in (abc, xyz):
            made.append(
                ProgressUpdateFactory(
                    commitment=items[week % 3],
                    as_of=start + datetime.timedelta(weeks=week),
                    reporting_party=party,
                )
            )
    ProgressUpdateFactory(commitment=other, as_of=start + datetime.timedelta(weeks=20), reporting_party=abc)
    on = start + datetime.timedelta(weeks=10)  # the eleventh and twelfth weeks are after the day
    shown = made[: 11 * 2]
    newest = sorted(shown, key=lambda u: (u.as_of, u.created_at, u.pk), reverse=True)
    assert panels.recent_panel(filters(agreement, on)).updates == newest[:8]
    by_abc = [u for u in newest if u.reporting_party == abc]
    assert panels.recent_panel(filters(agreement, on, party=abc)).updates == by_abc[:8]


def test_recent_activity_without_updates_is_amber(agreement):
    UserFactory()
    assert panels.recent_panel(filters(agreement, datetime.date(2021, 3, 31))).signal.rag == Rag.AMBER


def test_as_of_today_each_count_is_the_items_its_link_filters_to(agreement, abc, xyz):
    """The item list filters on the stored current status; as of today the counts agree with it."""
    statuses = ["on_track", "at_risk", "blocked", "complete", "at_risk", "on_track"]
    for n, status in enumerate(statuses):
        item = CommitmentFactory(
            agreement=agreement, kind=["objective", "action_item"][n % 2], lead_party=[abc, xyz, None][n % 3]
        )
        ProgressUpdateFactory(commitment=item, as_of=today() - datetime.timedelta(days=n), status=status)
        item.status = status  # what the progress service keeps on the item
        item.save()
    panel = panels.commitments_panel(filters(agreement, today()), [abc, xyz])
    items = agreement.commitments.all()
    for row in panel.by_kind:
        for c in row.cells:
            assert c.n == items.filter(kind=row.kind, status=c.status).count()
    for row in panel.by_party:
        for c in row.cells:
            assert c.n == items.led_by(row.party).filter(status=c.status).count()


def test_stale_window_comes_from_the_setting(agreement, settings):
    item = CommitmentFactory(agreement=agreement)
    ProgressUpdateFactory(commitment=item, as_of=datetime.date(2021, 5, 1), status=CommitmentStatus.ON_TRACK)
    settings.STALE_AFTER_DAYS = 30
    panel = panels.commitments_panel(filters(agreement, datetime.date(2021, 6, 30)), [])
    assert panel.stale == [item]
    assert "no update in 30 days" in panel.signal.reason


def test_open_ended_term_is_green_with_no_end_date(agreement):
    agreement.term_ends, agreement.term_clause = "open", "10.a"
    agreement.save()
    term = panels.term_panel(agreement, datetime.date(2040, 1, 1))
    assert (term.summary, term.days_left, term.signal.rag) == ("In force, no end date", None, Rag.GREEN)
    assert term.signal.reason == "In force, no end date."


def test_termination_notice_makes_the_term_amber_from_the_day_it_was_given(agreement, abc):
    agreement.terminated_on, agreement.terminated_by = datetime.date(2021, 3, 31), abc
    agreement.termination_notice_on = datetime.date(2021, 3, 1)
    agreement.save()
    before = panels.term_panel(agreement, datetime.date(2021, 2, 28))
    given = panels.term_panel(agreement, datetime.date(2021, 3, 1))
    assert (before.signal.rag, before.term.termination_on) == (Rag.GREEN, None)
    assert (given.signal.rag, given.days_left) == (Rag.AMBER, 30)
    assert given.signal.reason == "Terminates on March 31, 2021, in 30 days, on notice given by ABC."


# --- panels per obligation -----------------------------------------------------------------


def test_an_agreement_without_meeting_or_event_obligations_has_no_such_panels():
    board = selectors.dashboard(
        filters(AgreementFactory(slug="bare", obligations=[]), datetime.date(2021, 6, 30))
    )
    assert (board.meeting_panels, board.event_panels) == ([], [])
    assert [name for name, _, _ in board.overview] == [
        "Term",
        "Commitments",
        "Points of contact",
        "Recent activity",
    ]


def test_each_meeting_obligation_has_its_own_panel_citing_its_clause(agreement):
    ObligationFactory(
        agreement=agreement,
        code="steering",
        title="Steering committee",
        section=SectionFactory(agreement=agreement, number="9.10"),
        cadence="annual",
        meeting_kinds=["other"],
        position=5,
    )
    board = selectors.dashboard(filters(agreement, datetime.date(2021, 6, 30)))
    assert [(p.obligation.title, p.obligation.clause) for p in board.meeting_panels] == [
        ("Quarterly meetings or conference calls", "VI.5"),
        ("Steering committee", "9.10"),
    ]
    assert [p.period.label for p in board.meeting_panels[1].periods] == [
        "2020",
        "2021",
        "2022",
        "2023",
        "2024",
    ]


def test_the_outreach_signal_names_the_place_still_missing_from_the_agreements_words(agreement, abc):
    OutreachEventFactory(agreement=agreement, organising_party=abc, held_on=datetime.date(2020, 4, 20))
    panel = outreach_panel(filters(agreement, datetime.date(2020, 6, 30)))
    assert panel.signal.reason == (
        "Events held only in the United States; VI.3 asks for events in the United States and abroad."
    )
