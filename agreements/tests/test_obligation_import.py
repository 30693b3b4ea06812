"""The agreement file's vocabularies and recurring obligations are stored by the import."""

import pytest

from agreements.agreement_file import read_agreement
from agreements.obligations import Obligation, Vocabulary, VocabularyEntry
from agreements.services import import_agreement
from conftest import EXAMPLE_MOU_FILE, MOA_FILE

pytestmark = pytest.mark.django_db


def test_the_moa_file_stores_its_meeting_outreach_and_contacts_obligations(moa):
    by_code = {o.code: o for o in moa.obligations.select_related("section", "item")}
    meetings = by_code["quarterly-meetings"]
    assert (meetings.kind, meetings.cadence, meetings.clause, meetings.item.code) == (
        "meeting",
        "quarterly",
        "VI.5",
        "VI.5",
    )
    assert meetings.meeting_kinds == ["quarterly"] and meetings.requires_minutes
    assert set(meetings.parties.values_list("acronym", flat=True)) == {"DOC", "DHS"}


def test_the_outreach_obligation_keeps_its_balance_rule(moa):
    outreach = moa.obligations.get(code="outreach-events")
    assert (outreach.cadence, outreach.anchor, outreach.clause) == ("annual", "rolling", "VI.3")
    assert (outreach.balance_across, outreach.balance_each_of) == ("event_places", ["us", "abroad"])
    assert outreach.balance_text == "in the United States and abroad"


def test_the_moa_file_stores_its_vocabularies_in_order(moa):
    assert VocabularyEntry.objects.choices(moa, Vocabulary.MEETING_KINDS) == [
        ("quarterly", "Quarterly meeting or call"),
        ("wco", "WCO E-Commerce Working Group"),
        ("other", "Other meeting"),
    ]
    assert list(VocabularyEntry.objects.of(moa, Vocabulary.EVENT_PLACES).values_list("key", flat=True)) == [
        "us",
        "abroad",
    ]


def test_reimporting_the_file_changes_nothing(moa):
    result = import_agreement(doc=read_agreement(MOA_FILE))
    assert not result.changed, result.summary()


def test_the_import_summary_counts_the_obligations_created(db):
    result = import_agreement(doc=read_agreement(EXAMPLE_MOU_FILE))
    assert result.created["obligations"] == 2
    assert result.created["vocabulary entries"] == 2


def test_an_obligation_changed_in_the_database_is_put_back_by_the_import(moa):
    Obligation.objects.filter(agreement=moa, code="quarterly-meetings").update(cadence="monthly")
    result = import_agreement(doc=read_agreement(MOA_FILE))
    assert result.updated["obligations"] == 1
    assert moa.obligations.get(code="quarterly-meetings").cadence == "quarterly"


def test_an_obligation_the_file_no_longer_states_is_removed(moa):
    moa.obligations.create(
        code="gone", kind="report", title="Old report", section=moa.sections.first(), cadence="annual"
    )
    import_agreement(doc=read_agreement(MOA_FILE))
    assert not moa.obligations.filter(code="gone").exists()
