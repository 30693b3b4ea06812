"""Every count on the dashboard opens a list of exactly the records it counts.

The dashboard is rendered for hand-built data, each count's link is taken from the page (or the
panel behind it), and the real list page is read, every page of it, as the manager would.
"""

import datetime
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from activities.services import commitment_status_refresh
from activities.tests.factories import (
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from agreements.models import CommitmentStatus
from agreements.tests.factories import AgreementFactory, CommitmentFactory
from core.time import today

from .conftest import NY

URL = reverse("compliance:dashboard")
DAY = datetime.timedelta(days=1)
ROW_MARKERS = {"/commitments/": "data-item", "/events/": "data-event", "/meetings/": "data-meeting"}


def report(item, status, as_of, party):
    """A progress update, with the item's status moved by the progress service's own rule."""
    ProgressUpdateFactory(commitment=item, status=status, as_of=as_of, reporting_party=party)
    commitment_status_refresh(commitment=item)


def listed(client, url: str) -> list[str]:
    """The records a list page shows for `url`, following its pagination to the end."""
    path = urlsplit(url).path
    marker = ROW_MARKERS[path]
    shown: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        shown += re.findall(rf'<[^>]+ {marker}="([^"]+)"', html)
        following = re.search(r'href="([^"]+)" rel="next"', html)
        url = path + unescape(following.group(1)) if following else None
    return shown


def count_links(html: str, path: str) -> list[tuple[str, int]]:
    """(link, number) for every number on the page that links to the list at `path`."""
    return [
        (unescape(href), int(n)) for href, n in re.findall(rf'<a href="({path}\?[^"]*)"[^>]*>(\d+)', html)
    ]


@pytest.fixture
def items(pact, abc, xyz):
    """Items of every status and lead, 27 not-started objectives (two list pages), and noise."""
    on = today()
    made = {
        "A1": CommitmentFactory(agreement=pact, code="A1", kind="objective", lead_party=abc),
        "X1": CommitmentFactory(agreement=pact, code="X1", kind="action_item", lead_party=xyz),
        "J1": CommitmentFactory(agreement=pact, code="J1", kind="joint_activity", lead_party=None),
        "A3": CommitmentFactory(agreement=pact, code="A3", kind="strategic_goal", lead_party=abc),
        "T1": CommitmentFactory(
            agreement=pact, code="T1", kind="action_item", lead_party=xyz, target_date=on - 10 * DAY
        ),
        "C1": CommitmentFactory(
            agreement=pact, code="C1", kind="action_item", lead_party=abc, target_date=on - 10 * DAY
        ),
    }
    for n in range(27):
        made[f"N{n}"] = CommitmentFactory(agreement=pact, code=f"N{n}", kind="objective", lead_party=abc)
    report(made["A1"], CommitmentStatus.AT_RISK, on, abc)
    report(made["X1"], CommitmentStatus.BLOCKED, on, xyz)
    report(made["J1"], CommitmentStatus.ON_TRACK, on, xyz)
    report(made["A3"], CommitmentStatus.ON_TRACK, on - 200 * DAY, abc)
    report(made["T1"], CommitmentStatus.ON_TRACK, on, xyz)
    report(made["C1"], CommitmentStatus.COMPLETE, on, abc)
    MilestoneFactory(commitment=made["A1"], due_on=on - DAY)
    MilestoneFactory(commitment=made["J1"], due_on=on - 5 * DAY, completed_on=on - 6 * DAY)
    MilestoneFactory(commitment=made["X1"], due_on=on + 5 * DAY)
    other = AgreementFactory(slug="other", executed_on=pact.executed_on, parties=[abc, xyz])
    CommitmentFactory(agreement=other, code="O1", kind="objective", lead_party=abc)
    return made


@pytest.fixture
def board(client, manager, items):
    client.force_login(manager)
    return client.get(URL, {"agreement": "pact"})


def test_every_item_count_on_the_page_lists_that_many_items(client, board):
    found = count_links(board.content.decode(), "/commitments/")
    assert len(found) > 40
    for url, n in found:
        assert len(listed(client, url)) == n, url


def test_status_per_kind_lists_exactly_the_counted_items(client, board):
    panel = board.context["commitments"]
    cells = {(row.kind, c.status): c for row in panel.by_kind for c in row.cells}
    not_started = cells[("objective", "not_started")]
    assert not_started.n == 27
    assert sorted(listed(client, not_started.url)) == sorted(f"N{n}" for n in range(27))
    assert listed(client, cells[("objective", "at_risk")].url) == ["A1"]
    assert sorted(listed(client, cells[("action_item", "on_track")].url)) == ["T1"]


def test_joint_items_are_counted_and_listed_for_every_party(client, board):
    panel = board.context["commitments"]
    on_track = {row.party.acronym: row.cells[1] for row in panel.by_party}
    assert on_track["ABC"].status == on_track["XYZ"].status == "on_track"
    assert sorted(listed(client, on_track["ABC"].url)) == ["A3", "J1"]
    assert sorted(listed(client, on_track["XYZ"].url)) == ["J1", "T1"]
    assert (on_track["ABC"].n, on_track["XYZ"].n) == (2, 2)


def test_stale_link_lists_exactly_the_stale_items(client, board):
    panel = board.context["commitments"]
    counted = sorted(item.code for item in panel.stale)
    assert counted == sorted(["A3", *(f"N{n}" for n in range(27))])
    assert sorted(listed(client, panel.stale_url)) == counted


def test_overdue_link_lists_the_items_with_a_milestone_or_target_date_passed(client, board):
    panel = board.context["commitments"]
    assert sorted(item.code for item in panel.overdue_items) == ["A1", "T1"]
    assert sorted(listed(client, panel.overdue_items_url)) == ["A1", "T1"]
    assert "2 overdue commitments</a>" in board.content.decode()


def test_quarter_link_lists_that_quarters_quarterly_meetings(client, manager, pact):
    held = MeetingFactory(agreement=pact, starts_at=datetime.datetime(2020, 5, 12, 10, tzinfo=NY))
    MeetingFactory(agreement=pact, kind="wco", starts_at=datetime.datetime(2020, 5, 13, 10, tzinfo=NY))
    MeetingFactory(agreement=pact, starts_at=datetime.datetime(2020, 7, 1, 10, tzinfo=NY))
    client.force_login(manager)
    quarters = client.get(URL, {"agreement": "pact"}).context["meetings"].periods
    q2 = next(q for q in quarters if q.code == "2020-Q2")
    assert q2.meeting == held
    assert listed(client, q2.list_url) == [str(held.pk)]
    assert client.get(q2.meeting_url).status_code == 200


def test_outreach_links_list_exactly_the_events_counted_per_quarter(client, manager, pact, abc, xyz):
    on = today()
    abroad = {"place": "abroad", "country": "Mexico", "city": "Monterrey"}
    us_2020 = OutreachEventFactory(agreement=pact, organising_party=abc, held_on=datetime.date(2020, 5, 2))
    abroad_2020 = OutreachEventFactory(
        agreement=pact, organising_party=abc, held_on=datetime.date(2020, 6, 2), **abroad
    )
    OutreachEventFactory(agreement=pact, organising_party=xyz, held_on=datetime.date(2020, 5, 3))
    held_now = OutreachEventFactory(agreement=pact, organising_party=abc, held_on=on)
    OutreachEventFactory(agreement=pact, organising_party=abc, held_on=on + 400 * DAY)  # planned
    client.force_login(manager)
    response = client.get(URL, {"agreement": "pact", "party": "ABC"})
    panel = response.context["outreach"]
    by_code = {q.code: q for q in panel.quarters}
    us, abroad = by_code["2020-Q2"].places
    assert listed(client, us.url) == [str(us_2020.pk)]
    assert listed(client, abroad.url) == [str(abroad_2020.pk)]
    assert [p.n for p in panel.places] == [2, 1]
    assert sorted(listed(client, panel.places[0].url)) == sorted([str(us_2020.pk), str(held_now.pk)])
    for url, n in count_links(response.content.decode(), "/events/"):
        assert len(listed(client, url)) == n, url
