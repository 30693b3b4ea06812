"""The agreement page's item lists: each its first ITEMS_SHOWN items by position, and how many
more are on the item list; the page reads those items, not every item of the agreement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import selectors
from agreements.models import Commitment
from agreements.selectors import agreement_body
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory
from core.cache import move_data_version

Kind = Commitment.Kind


@pytest.fixture
def two_shown(monkeypatch):
    monkeypatch.setattr(selectors, "ITEMS_SHOWN", 2)


@pytest.fixture(params=["whole text", "long text"])
def text_shown(request, settings):
    """Both ways the page reads its lists: a short text's items all at once, grouped in Python;
    a long text's (shown as its table of contents) the first of each list, numbered in SQL."""
    if request.param == "long text":
        settings.AGREEMENT_TEXT_PAGE_CLAUSES = 0
    return request.param


def codes(items):
    return [item.code for item in items]


def test_each_list_shows_its_first_items_by_position_and_counts_the_rest(db, two_shown, text_shown):
    doc, dhs = PartyFactory(acronym="DOC"), PartyFactory(acronym="DHS")
    agreement = AgreementFactory(parties=[doc, dhs])
    for position, code in [(3, "O3"), (1, "O1"), (2, "O2")]:
        CommitmentFactory(agreement=agreement, kind=Kind.OBJECTIVE, code=code, position=position)
    for position in (13, 11, 12, 14):
        CommitmentFactory(
            agreement=agreement,
            kind=Kind.STRATEGIC_GOAL,
            code=f"G{position}",
            position=position,
            lead_party=doc,
        )
    CommitmentFactory(agreement=agreement, kind=Kind.ACTION_ITEM, code="A1", position=21, lead_party=dhs)
    page = agreement_body(agreement)
    assert (codes(page["objectives"]), page["objectives_more"]) == (["O1", "O2"], 1)
    assert (page["joint_activities"], page["joint_activities_more"]) == ([], 0)
    annex = {block["party"].acronym: block for block in page["annex_by_party"]}
    assert (codes(annex["DOC"]["goals"]), annex["DOC"]["goals_more"]) == (["G11", "G12"], 2)
    assert (annex["DOC"]["items"], annex["DOC"]["items_more"]) == ([], 0)
    assert (codes(annex["DHS"]["items"]), annex["DHS"]["items_more"]) == (["A1"], 0)


def test_a_joint_goal_is_under_no_party_and_a_co_led_item_under_each_of_its_leads(db, text_shown):
    doc, dhs, cbp = PartyFactory(acronym="DOC"), PartyFactory(acronym="DHS"), PartyFactory(acronym="CBP")
    agreement = AgreementFactory(parties=[doc, dhs, cbp])
    CommitmentFactory(agreement=agreement, kind=Kind.STRATEGIC_GOAL, code="G-JOINT")  # every party leads
    CommitmentFactory(agreement=agreement, kind=Kind.ACTION_ITEM, code="A-TWO", lead_parties=[doc, dhs])
    annex = {block["party"].acronym: block for block in agreement_body(agreement)["annex_by_party"]}
    assert all(block["goals"] == [] for block in annex.values())
    assert [codes(annex[p]["items"]) for p in ("DOC", "DHS", "CBP")] == [["A-TWO"], ["A-TWO"], []]


def test_the_shown_items_carry_their_lead_parties_and_clause_without_more_queries(
    db, django_assert_num_queries, two_shown
):
    doc, dhs = PartyFactory(acronym="DOC"), PartyFactory(acronym="DHS")
    agreement = AgreementFactory(parties=[doc, dhs])
    for position in range(5):
        CommitmentFactory(agreement=agreement, kind=Kind.OBJECTIVE, position=position, lead_party=doc)
    shown = selectors.item_lists(agreement)[Kind.OBJECTIVE, None].shown
    # The window query, the items, their lead parties: and nothing per item afterwards.
    with django_assert_num_queries(0):
        assert [(c.lead_display, c.source_section.number is not None) for c in shown] == [("DOC", True)] * 2


def test_the_page_reads_the_same_queries_however_many_items_each_list_holds(
    client, doc_staff, doc, dhs, moa, django_assert_num_queries, text_shown
):
    client.force_login(doc_staff)
    client.get(moa.get_absolute_url())
    move_data_version()  # the body computed afresh, as after any save (it is kept until then)
    with CaptureQueriesContext(connection) as before:
        client.get(moa.get_absolute_url())
    for position in range(1000, 1000 + selectors.ITEMS_SHOWN + 5):
        CommitmentFactory(agreement=moa, kind=Kind.ACTION_ITEM, position=position, lead_party=doc)
    with django_assert_num_queries(len(before)):
        page = client.get(moa.get_absolute_url()).content.decode()
    assert "more on the item list" in page
