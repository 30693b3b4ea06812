"""The outside test's inputs (issue 20), replayed: each answered 500 before; none may now.

One case per input the issue lists. A case that stores something (the far meeting, the far
milestone) then reads every page that showed the damage. The count of 500s before the fixes
was taken by running this file against the commit before them (see the p4-inputs report).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from activities.models import Meeting, Milestone
from activities.tests.factories import MeetingFactory, MilestoneFactory
from agreements.permissions import MANAGER, STAFF
from agreements.tests.factories import UserFactory
from compliance.models import CalendarFeedToken

NUL = "\x00"
TWENTY_FIVE_DIGITS = "9" * 25


@dataclass
class World:
    client: object
    moa: object
    doc: object
    staff: object
    manager: object
    admin: object
    feed_url: str

    def pages_showing_dates(self) -> list[str]:
        """Every page the issue saw answer 500 after one bad meeting or milestone."""
        meeting = Meeting.objects.order_by("-pk").first()
        urls = [
            reverse("activities:meeting_list"),
            f"{reverse('activities:meeting_list')}?agreement={self.moa.slug}",
            reverse("compliance:dashboard") + f"?agreement={self.moa.slug}",
            reverse("compliance:report") + f"?agreement={self.moa.slug}",
            reverse("audit:log"),
            self.feed_url,
        ]
        if meeting is not None:
            urls += [
                meeting.get_absolute_url(),
                reverse("activities:meeting_edit", kwargs={"pk": meeting.pk}),
            ]
        return urls


@pytest.fixture
def world(client, moa, doc):
    # A 500 is an answer to count, as the outside test counted it, not an exception to stop at.
    client.raise_request_exception = False
    staff = UserFactory(username="replay.staff", party=doc, roles=[STAFF])
    manager = UserFactory(username="replay.manager", party=doc, roles=[MANAGER, STAFF])
    admin = UserFactory(username="replay.admin", party=doc, roles=["Admin"], is_staff=True)
    token = CalendarFeedToken.objects.create(user=staff)
    return World(
        client, moa, doc, staff, manager, admin, reverse("compliance:calendar_feed", args=[token.token])
    )


def _as(world: World, user) -> None:
    world.client.force_login(user)


def far_meeting(w: World) -> list:
    _as(w, w.staff)
    data = {
        "kind": "quarterly",
        "title": "Far",
        "starts_at": "9999-12-31T23:30",
        "format": "call",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-MIN_NUM_FORMS": "0",
        "follow_ups-MAX_NUM_FORMS": "1000",
    }
    answers = [w.client.post(reverse("activities:meeting_create") + f"?agreement={w.moa.slug}", data)]
    _as(w, w.admin)
    return answers + [w.client.get(u) for u in w.pages_showing_dates()]


def far_meeting_already_stored(w: World) -> list:
    """A bad row that got in before the bounds: the feed skips it, pages still answer."""
    MeetingFactory(agreement=w.moa, organiser=w.staff)
    MilestoneFactory(commitment=w.moa.commitments.get(code="DOC-A1"), owner_user=w.staff)
    Milestone.objects.update(due_on="9999-12-31")
    _as(w, w.admin)
    return [w.client.get(u) for u in w.pages_showing_dates()]


def far_milestone(w: World) -> list:
    _as(w, w.staff)
    url = reverse("activities:milestone_create", kwargs={"slug": w.moa.slug, "code": "DOC-A1"})
    answers = [w.client.post(url, {"title": "Far", "due_on": "9999-12-31", "owner_user": str(w.staff.pk)})]
    return answers + [w.client.get(w.feed_url)]


NUL_URLS = [
    ("activities:commitment_list", {}, "q"),
    ("activities:commitment_list", {}, "status"),
    ("activities:update_list", {}, "agreement"),
    ("activities:meeting_list", {}, "agreement"),
    ("activities:event_list", {}, "agreement"),
    ("contacts:list", {}, "agreement"),
    ("contacts:list", {}, "party"),
    ("agreements:list", {}, "q"),
    ("compliance:dashboard", {}, "agreement"),
    ("audit:log", {}, "user"),
]


def nul_in_queries(w: World) -> list:
    _as(w, w.admin)
    answers = []
    for name, kwargs, param in NUL_URLS:
        answers.append(w.client.get(reverse(name, kwargs=kwargs), {param: f"a{NUL}b"}))
    return answers


def nul_in_item_code(w: World) -> list:
    _as(w, w.staff)
    base = reverse("activities:commitment", kwargs={"slug": w.moa.slug, "code": "DOC-A1"})
    return [
        w.client.get(base.replace("DOC-A1", "DOC%00A1")),
        w.client.get(base.replace("DOC-A1", "DOC%00A1") + "updates/new/"),
    ]


def as_of_out_of_range(w: World) -> list:
    _as(w, w.manager)
    answers = []
    for as_of in ("0001-03-31", "9999-12-31"):
        query = {"agreement": w.moa.slug, "as_of": as_of}
        answers.append(w.client.get(reverse("compliance:dashboard"), query))
        answers.append(w.client.get(reverse("compliance:report"), query))
        for fmt in ("csv", "xlsx"):
            answers.append(
                w.client.get(reverse("compliance:export", kwargs={"what": "summary", "fmt": fmt}), query)
            )
    return answers


def audit_page_of_25_digits(w: World) -> list:
    _as(w, w.admin)
    return [w.client.get(reverse("audit:log"), {"page": TWENTY_FIVE_DIGITS})]


def long_username_at_sign_in(w: World) -> list:
    w.client.logout()
    return [w.client.post(reverse("login"), {"username": "u" * 256, "password": "wrong"})]


INPUTS: dict[str, Callable[[World], list]] = {
    "meeting at 9999-12-31T23:30": far_meeting,
    "bad rows already stored": far_meeting_already_stored,
    "milestone due 9999-12-31": far_milestone,
    "NUL in a query parameter (10 URLs)": nul_in_queries,
    "NUL in an item code": nul_in_item_code,
    "as_of 0001-03-31 / 9999-12-31 on dashboard, report, summary export": as_of_out_of_range,
    "/audit/?page=<25 digits>": audit_page_of_25_digits,
    "256-character username at sign-in": long_username_at_sign_in,
}


@pytest.mark.parametrize("case", list(INPUTS))
def test_issue_input_answers_no_500(world, case):
    answers = INPUTS[case](world)
    errors = [(r.request["PATH_INFO"], r.status_code) for r in answers if r.status_code >= 500]
    assert not errors, f"{len(errors)} of {len(answers)} answered 500: {errors}"
