"""The search page: what it finds, for whom, and that no question breaks it."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from activities.models import Evidence
from activities.tests.factories import MeetingFactory, OutreachEventFactory, ProgressUpdateFactory
from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, SectionFactory, UserFactory
from contacts.models import PointOfContact
from search import selectors
from search.selectors import search

pytestmark = pytest.mark.django_db
URL = reverse("search:search")


@pytest.fixture
def ours(staff_party):
    return AgreementFactory(short_name="Ours", parties=[staff_party])


@pytest.fixture
def staff_party():
    from agreements.tests.factories import PartyFactory

    return PartyFactory(acronym="OWN")


@pytest.fixture
def staff(staff_party):
    return UserFactory(party=staff_party, roles=[STAFF])


@pytest.fixture
def theirs():
    return AgreementFactory(short_name="Theirs")


def _titles(groups, kind):
    return [hit.title for g in groups if g.kind.key == kind for hit in g.hits]


def test_staff_find_a_commitment_of_their_agreement_by_a_phrase_of_its_text(staff, ours, theirs):
    CommitmentFactory(
        agreement=ours, code="A1", title="Threshold", description="Raise the de minimis threshold."
    )
    CommitmentFactory(
        agreement=theirs, code="B1", title="Threshold", description="Raise the de minimis threshold."
    )
    found = _titles(search(staff, '"de minimis"'), "commitment")
    assert found == ["A1 Threshold"]


def test_each_kind_of_record_is_found(staff, ours):
    item = CommitmentFactory(agreement=ours, title="Seller registry")
    SectionFactory(agreement=ours, number="IV.2", heading="Harmonised tariff", text="Classify parcels.")
    update = ProgressUpdateFactory(commitment=item, narrative="Briefed the wombat committee.")
    MeetingFactory(agreement=ours, title="Planning", minutes="The wombat committee reported.")
    OutreachEventFactory(agreement=ours, title="Forum", outcomes="Exporters met the wombat committee.")
    PointOfContact.objects.create(
        agreement=ours,
        party=ours.parties.first(),
        role_title="Director",
        person_name="Wombat Jones",
        active_from=ours.executed_on,
    )
    Evidence.objects.create(
        file=ContentFile(b"x", name="x.pdf"),
        original_name="wombat-committee_notes.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        progress_update=update,
        uploaded_by=update.author,
    )
    groups = search(staff, "wombat")
    assert [g.kind.key for g in groups] == ["update", "meeting", "event", "contact", "evidence"]
    assert _titles(search(staff, "tariff"), "clause") == ["IV.2 Harmonised tariff"]
    assert _titles(search(staff, "registry"), "commitment") == [f"{item.code} Seller registry"]


def test_a_withdrawn_file_is_not_found(staff, ours):
    update = ProgressUpdateFactory(commitment=CommitmentFactory(agreement=ours))
    Evidence.objects.create(
        file=ContentFile(b"x", name="x.pdf"),
        original_name="withdrawn-wombat.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        progress_update=update,
        uploaded_by=update.author,
        withdrawn_at=timezone.now(),
        withdrawn_by=update.author,
        withdrawal_reason="Wrong file.",
    )
    assert search(staff, "wombat") == []


def test_a_title_match_ranks_above_a_body_match(staff, ours):
    CommitmentFactory(agreement=ours, code="BODY", title="Other", description="Mentions parcels once.")
    CommitmentFactory(agreement=ours, code="TITLE", title="Parcels", description="Something else.")
    assert _titles(search(staff, "parcels"), "commitment") == ["TITLE Parcels", "BODY Other"]


def test_the_snippet_marks_the_words_and_keeps_the_text_as_text(client, staff, ours):
    CommitmentFactory(agreement=ours, description="the wombat <b>plan</b> <script>alert(1)</script>")
    client.force_login(staff)
    response = client.get(URL, {"q": "wombat"})
    assert response.status_code == 200
    assert b"<mark>wombat</mark>" in response.content
    assert b"<b>plan" not in response.content
    assert b"<script>alert" not in response.content


def test_a_snippet_is_escaped_before_the_words_are_marked():
    assert selectors._marked("a <b> & \x02word\x03 \x02") == "a &lt;b&gt; &amp; <mark>word</mark> "


def test_one_kind_is_paged_through(client, staff, ours, settings):
    for n in range(selectors.PAGE_SIZE + 3):
        CommitmentFactory(agreement=ours, code=f"W{n:02d}", title=f"Wombat {n}")
    client.force_login(staff)
    grouped = client.get(URL, {"q": "wombat"})
    assert len(grouped.context["groups"][0].hits) == selectors.GROUP_SIZE
    second = client.get(URL, {"q": "wombat", "kind": "commitment", "page": "2"})
    group = second.context["groups"][0]
    assert group.count == selectors.PAGE_SIZE + 3
    assert len(group.hits) == 3


@pytest.mark.parametrize(
    "q",
    [
        "wombat\tplan\n",
        "w" * 10_000,
        "“de minimis” — ñandú 数字 🦘",
        "!&|:*()'\"\\ <>",
        "-",
        "the",
        "a:* & !b | (c",
    ],
)
def test_no_question_breaks_the_page(client, staff, ours, q):
    CommitmentFactory(agreement=ours, description="the wombat plan")
    client.force_login(staff)
    for kind in ("", "commitment", "nonsense"):
        response = client.get(URL, {"q": q, "kind": kind, "page": "x"})
        assert response.status_code == 200


def test_a_nul_in_the_question_is_refused_as_everywhere_else(client, staff, ours):
    client.force_login(staff)
    assert client.get(URL, {"q": "wombat\x00plan"}).status_code == 400  # moa_portal.middleware


def test_tabs_and_newlines_in_the_question_are_spaces(client, staff, ours):
    CommitmentFactory(agreement=ours, title="Wombat plan")
    client.force_login(staff)
    response = client.get(URL, {"q": "wombat\t\nplan"})
    assert response.context["query"] == "wombat plan"
    assert response.context["groups"][0].count == 1


def test_a_question_too_long_is_refused_with_a_reason(client, staff, ours):
    client.force_login(staff)
    response = client.get(URL, {"q": "w" * 10_000})
    assert response.context["groups"] == []
    assert b"at most 200 characters" in response.content


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL, {"q": "wombat"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_header_has_a_search_box(client, staff):
    client.force_login(staff)
    response = client.get(reverse("my_work"))
    assert b'role="search"' in response.content
    assert b'action="/search/"' in response.content
