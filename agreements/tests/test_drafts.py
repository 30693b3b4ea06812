"""Editing a draft in the portal: each rule of agreements/drafts.py, and the edits' conflicts."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from agreements import drafts, lifecycle
from agreements.models import Agreement, Commitment, Section, Signatory
from agreements.obligations import Obligation, Vocabulary
from agreements.permissions import ADMIN, MANAGER
from agreements.tests.factories import PartyFactory, UserFactory, vocabulary
from core.time import today

NEW_FILE = Path(__file__).parent / "data" / "new-two-party-mou.yaml"


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])


@pytest.fixture
def outsider_admin(moa):
    return UserFactory(username="npa.admin", party=PartyFactory(acronym="NPA"), roles=[ADMIN])


@pytest.fixture
def draft(doc_admin) -> Agreement:
    up = lifecycle.draft_upload_create(acting_user=doc_admin, file_name="f.yaml", data=NEW_FILE.read_bytes())
    return lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256).agreement


def clause(agreement: Agreement, number: str) -> Section:
    return agreement.sections.get(number=number)


def order(agreement: Agreement) -> list[str]:
    return list(agreement.sections.order_by("position").values_list("number", flat=True))


def refusal(exc_info, field: str) -> str:
    return " ".join(exc_info.value.message_dict[field])


def add_clause(user, agreement, number, parent=None, **kw) -> Section:
    return drafts.clause_create(
        acting_user=user,
        agreement=agreement,
        number=number,
        heading=kw.get("heading", ""),
        text=kw.get("text", "Text."),
        parent=parent,
    )


def edit_clause(user, section: Section, version: int | None = None, **changes) -> Section:
    values = {
        "number": section.number,
        "heading": section.heading,
        "text": section.text,
        "parent": section.parent,
    }
    values.update(changes)
    return drafts.clause_update(
        acting_user=user,
        clause=section,
        expected_version=section.version if version is None else version,
        **values,
    )


# --- who may edit, and when -----------------------------------------------------------------------


def test_an_admin_of_either_party_edits_the_draft(draft, doc_admin, dhs_admin):
    add_clause(doc_admin, draft, "VI")
    add_clause(dhs_admin, draft, "VII")
    assert order(draft)[-2:] == ["VI", "VII"]


@pytest.mark.parametrize("who", ["doc_staff", "doc_manager", "outsider_admin"])
def test_a_non_admin_or_an_admin_of_a_party_not_on_the_draft_is_refused(request, draft, who):
    user = (
        request.getfixturevalue(who)
        if who != "doc_manager"
        else UserFactory(username="m", party=draft.parties.get(acronym="DOC"), roles=[MANAGER])
    )
    with pytest.raises(ValidationError, match="Only an admin of a party to this draft"):
        add_clause(user, draft, "VI")
    assert not draft.sections.filter(number="VI").exists()


def test_an_agreement_in_force_is_refused_it_changes_by_modification(draft, doc_admin, dhs_admin):
    for user in (doc_admin, dhs_admin):
        lifecycle.signature_record(
            acting_user=user,
            agreement=draft,
            name="A",
            title="B",
            signed_on=today() - datetime.timedelta(days=1),
        )
    section = clause(draft, "I")
    with pytest.raises(ValidationError, match="modification every party executes"):
        edit_clause(doc_admin, section, text="Changed after signing.")
    assert clause(draft, "I").text == "The Parties will share trade data."


def test_can_edit_draft_is_false_once_in_force_and_for_staff(draft, doc_admin, doc_staff):
    assert drafts.can_edit_draft(doc_admin, draft)
    assert not drafts.can_edit_draft(doc_staff, draft)
    draft.executed_on = today()
    assert not drafts.can_edit_draft(doc_admin, draft)


# --- clauses ----------------------------------------------------------------------------------


def test_a_new_clause_goes_at_the_end(draft, doc_admin):
    add_clause(doc_admin, draft, "VI", heading="Funding")
    assert order(draft) == ["I", "II", "II.1", "IV", "V", "VI"]


def test_a_new_clause_within_another_goes_after_the_last_clause_within_it(draft, doc_admin):
    add_clause(doc_admin, draft, "II.2", parent=clause(draft, "II"))
    assert order(draft) == ["I", "II", "II.1", "II.2", "IV", "V"]
    assert clause(draft, "II.2").parent == clause(draft, "II")


def test_a_clause_number_used_twice_is_refused_in_the_files_words(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        add_clause(doc_admin, draft, "IV")
    assert refusal(exc, "number") == "clause 'IV' appears twice"


def test_an_empty_clause_number_is_refused(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        add_clause(doc_admin, draft, "  ")
    assert refusal(exc, "number") == "is missing"


def test_editing_a_clause_raises_its_version_and_keeps_the_history(draft, doc_admin):
    section = clause(draft, "I")
    saved = edit_clause(doc_admin, section, text="The Parties will share trade data weekly.")
    assert saved.version == section.version + 1
    assert section.history.first().text == "The Parties will share trade data weekly."
    assert section.history.count() >= 2


def test_renumbering_a_clause_follows_into_the_agreements_references(draft, doc_admin):
    edit_clause(doc_admin, clause(draft, "IV"), number="III")
    draft.refresh_from_db()
    assert draft.term_clause == "III"


def test_nesting_a_clause_moves_it_with_the_clauses_within_it(draft, doc_admin):
    edit_clause(doc_admin, clause(draft, "V"), parent=clause(draft, "I"))
    assert order(draft) == ["I", "V", "II", "II.1", "IV"]


def test_nesting_a_clause_within_itself_or_a_clause_within_it_is_refused(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        edit_clause(doc_admin, clause(draft, "II"), parent=clause(draft, "II.1"))
    assert refusal(exc, "parent") == "clause 'II.1' is within 'II'; choose another"


def test_moving_a_clause_up_brings_the_clauses_within_it(draft, doc_admin):
    section = clause(draft, "II")
    drafts.clause_move(
        acting_user=doc_admin, clause=section, expected_version=section.version, direction="up"
    )
    assert order(draft) == ["II", "II.1", "I", "IV", "V"]


def test_moving_the_first_clause_up_is_refused(draft, doc_admin):
    section = clause(draft, "I")
    with pytest.raises(ValidationError) as exc:
        drafts.clause_move(
            acting_user=doc_admin, clause=section, expected_version=section.version, direction="up"
        )
    assert "already the first" in refusal(exc, "direction")


def test_an_empty_clause_is_deleted(draft, doc_admin):
    section = add_clause(doc_admin, draft, "VI")
    drafts.clause_delete(acting_user=doc_admin, clause=section, expected_version=section.version)
    assert not draft.sections.filter(number="VI").exists()
    assert section.history.filter(history_type="-").exists()


@pytest.mark.parametrize(
    ("number", "why"),
    [("II", "sections"), ("II.1", "commitments"), ("IV", "the agreement's term clause")],
)
def test_a_clause_with_clauses_items_or_references_is_not_deleted(draft, doc_admin, number, why):
    section = clause(draft, number)
    with pytest.raises(ValidationError) as exc:
        drafts.clause_delete(acting_user=doc_admin, clause=section, expected_version=section.version)
    assert why in refusal(exc, "__all__")
    assert draft.sections.filter(number=number).exists()


# --- two admins at once ----------------------------------------------------------------------


def test_the_second_save_from_the_same_version_is_refused_with_what_changed(draft, doc_admin, dhs_admin):
    opened = clause(draft, "I")
    edit_clause(dhs_admin, opened, text="DHS's words.")
    with pytest.raises(drafts.DraftItemChanged) as exc:
        edit_clause(doc_admin, opened, text="DOC's words.")
    assert [(c.label, c.when_opened, c.now) for c in exc.value.changes] == [
        ("Text", "The Parties will share trade data.", "DHS's words.")
    ]
    assert clause(draft, "I").text == "DHS's words."


@pytest.mark.parametrize("version", [0, 99])
def test_an_unknown_version_is_refused(draft, doc_admin, version):
    with pytest.raises(drafts.DraftItemChanged):
        edit_clause(doc_admin, clause(draft, "I"), version=version, text="Forged.")
    assert clause(draft, "I").text == "The Parties will share trade data."


def test_a_save_in_between_that_changed_nothing_shown_is_no_conflict(draft, doc_admin, dhs_admin):
    opened = clause(draft, "I")
    edit_clause(dhs_admin, opened)  # saved as it was
    assert edit_clause(doc_admin, opened, text="DOC's words.").text == "DOC's words."


def test_a_stale_removal_is_refused(draft, doc_admin, dhs_admin):
    section = add_clause(doc_admin, draft, "VI")
    edit_clause(dhs_admin, section, heading="Funding")
    with pytest.raises(drafts.DraftItemChanged):
        drafts.clause_delete(acting_user=doc_admin, clause=section, expected_version=section.version)
    assert draft.sections.filter(number="VI").exists()


# --- commitments ------------------------------------------------------------------------------


def commitment_values(draft, **overrides):
    values = {
        "code": "II.2",
        "kind": Commitment.Kind.JOINT_ACTIVITY,
        "title": "Meet quarterly",
        "description": "",
        "lead_parties": list(draft.parties.filter(acronym="DOC")),
        "source_section": clause(draft, "II"),
        "goal": None,
    }
    values.update(overrides)
    return values


def test_a_commitment_is_added_with_its_clause_and_lead_parties(draft, doc_admin):
    added = drafts.commitment_create(acting_user=doc_admin, agreement=draft, **commitment_values(draft))
    assert [p.acronym for p in added.leads] == ["DOC"]
    assert added.source_section.number == "II"


def test_a_commitment_code_that_cannot_be_a_web_address_is_refused_in_the_files_words(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        drafts.commitment_create(
            acting_user=doc_admin, agreement=draft, **commitment_values(draft, code="II/2")
        )
    assert refusal(exc, "code").startswith("'II/2' cannot be part of a web address")


def test_a_commitment_code_used_twice_is_refused(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        drafts.commitment_create(
            acting_user=doc_admin, agreement=draft, **commitment_values(draft, code="II.1")
        )
    assert refusal(exc, "code") == "duplicate code 'II.1'"


def test_a_lead_party_not_on_the_agreement_is_refused(draft, doc_admin, moa):
    stranger = PartyFactory(acronym="NPS")
    with pytest.raises(ValidationError) as exc:
        drafts.commitment_create(
            acting_user=doc_admin, agreement=draft, **commitment_values(draft, lead_parties=[stranger])
        )
    assert refusal(exc, "lead_parties") == "NPS is not a party to this agreement"


def test_a_commitment_without_lead_parties_is_refused(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        drafts.commitment_create(
            acting_user=doc_admin, agreement=draft, **commitment_values(draft, lead_parties=[])
        )
    assert "must list the parties" in refusal(exc, "lead_parties")


def test_a_clause_of_another_agreement_is_refused(draft, doc_admin, moa):
    with pytest.raises(ValidationError) as exc:
        drafts.commitment_create(
            acting_user=doc_admin,
            agreement=draft,
            **commitment_values(draft, source_section=moa.sections.first()),
        )
    assert "does not exist in sections" in refusal(exc, "source_section")


def test_a_goal_that_is_not_a_strategic_goal_is_refused(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        drafts.commitment_create(
            acting_user=doc_admin,
            agreement=draft,
            **commitment_values(draft, kind="action_item", goal=draft.commitments.get(code="II.1")),
        )
    assert refusal(exc, "goal") == "'II.1' is not a strategic goal of this agreement"


def test_editing_a_commitments_lead_parties_is_in_its_history(draft, doc_admin):
    item = draft.commitments.get(code="II.1")
    saved = drafts.commitment_update(
        acting_user=doc_admin,
        commitment=item,
        expected_version=item.version,
        **commitment_values(draft, code="II.1", title="Exchange data weekly"),
    )
    assert saved.title == "Exchange data weekly"
    assert [p.acronym for p in saved.leads] == ["DOC"]
    assert item.history.first().title == "Exchange data weekly"


def test_a_stale_commitment_edit_is_refused_with_what_changed(draft, doc_admin, dhs_admin):
    item = draft.commitments.get(code="II.1")
    drafts.commitment_update(
        acting_user=dhs_admin,
        commitment=item,
        expected_version=item.version,
        **commitment_values(draft, code="II.1", title="DHS's title"),
    )
    with pytest.raises(drafts.DraftItemChanged) as exc:
        drafts.commitment_update(
            acting_user=doc_admin,
            commitment=item,
            expected_version=item.version,
            **commitment_values(draft, code="II.1", title="DOC's title"),
        )
    assert ("Title", "Exchange trade data monthly", "DHS's title") in [
        (c.label, c.when_opened, c.now) for c in exc.value.changes
    ]


def test_a_commitment_nothing_refers_to_is_removed(draft, doc_admin):
    item = draft.commitments.get(code="II.1")
    drafts.commitment_delete(acting_user=doc_admin, commitment=item, expected_version=item.version)
    assert not draft.commitments.exists()


def test_a_commitment_an_obligation_carries_out_is_not_removed(draft, doc_admin):
    item = draft.commitments.get(code="II.1")
    drafts.obligation_create(
        acting_user=doc_admin, agreement=draft, values=obligation_values(draft, item=item)
    )
    with pytest.raises(ValidationError) as exc:
        drafts.commitment_delete(acting_user=doc_admin, commitment=item, expected_version=item.version)
    assert "obligations" in refusal(exc, "__all__")


# --- recurring obligations ----------------------------------------------------------------------


def obligation_values(draft, **overrides):
    values = {
        "code": "REPORT-Q",
        "kind": "report",
        "title": "Quarterly report",
        "section": clause(draft, "II"),
        "item": None,
        "parties": list(draft.parties.all()),
        "cadence": "quarterly",
        "anchor": "calendar",
        "rrule": "",
        "window_days": 30,
        "due_day": None,
        "meeting_kinds": [],
        "audiences": [],
        "requires_minutes": False,
    }
    values.update(overrides)
    return values


def add_obligation(user, draft, **overrides) -> Obligation:
    return drafts.obligation_create(
        acting_user=user, agreement=draft, values=obligation_values(draft, **overrides)
    )


def test_an_obligation_is_added_with_its_cadence_and_parties(draft, doc_admin):
    added = add_obligation(doc_admin, draft)
    assert (added.cadence, added.window_days, added.parties.count()) == ("quarterly", 30, 2)


def test_an_rrule_cadence_is_kept_without_its_prefix(draft, doc_admin):
    added = add_obligation(
        doc_admin, draft, cadence="rrule", rrule="RRULE:FREQ=WEEKLY;INTERVAL=2", window_days=5
    )
    assert added.rrule == "FREQ=WEEKLY;INTERVAL=2"


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"due_day": 5}, "due_day", "give window_days or due_day, not both"),
        (
            {"window_days": None, "due_day": 91},
            "due_day",
            "day 91 is past the end of some periods (a quarterly period can be as short as 90 days)",
        ),
        (
            {"window_days": 93},
            "window_days",
            "a window of 93 days is longer than its period (a quarterly period is at most 92 days)",
        ),
        ({"cadence": "continuous"}, "cadence", "a continuous obligation has no period to be due in"),
        (
            {"cadence": "rrule", "rrule": "FREQ=SOMETIMES"},
            "rrule",
            "'FREQ=SOMETIMES' is not an iCalendar RRULE",
        ),
        ({"cadence": "rrule", "rrule": "FREQ=DAILY;COUNT=1"}, "rrule", "happens fewer than twice"),
        ({"cadence": "rrule", "rrule": ""}, "rrule", "is missing"),
        ({"rrule": "FREQ=DAILY"}, "rrule", "applies to an RRULE cadence"),
        ({"cadence": "rrule", "rrule": "FREQ=MONTHLY", "anchor": "term"}, "anchor", "anchor does not apply"),
        ({"meeting_kinds": ["quarterly"]}, "meeting_kinds", "applies to meetings, not to a report"),
        ({"requires_minutes": True}, "requires_minutes", "applies to meetings, not to a report"),
        ({"code": "a b"}, "code", "cannot be part of a web address"),
        ({"parties": []}, "parties", "must list the parties"),
    ],
)
def test_an_obligation_the_file_would_refuse_is_refused_in_its_words(
    draft, doc_admin, overrides, field, problem
):
    with pytest.raises(ValidationError) as exc:
        add_obligation(doc_admin, draft, **overrides)
    assert problem in refusal(exc, field)
    assert not draft.obligations.exists()


def test_an_unknown_vocabulary_key_is_refused(draft, doc_admin):
    vocabulary(draft, Vocabulary.MEETING_KINDS, [("quarterly", "Quarterly")])
    with pytest.raises(ValidationError) as exc:
        add_obligation(doc_admin, draft, kind="meeting", window_days=None, meeting_kinds=["annual"])
    assert refusal(exc, "meeting_kinds") == "'annual' is not in vocabularies.meeting_kinds (quarterly)"


def test_an_obligation_code_used_twice_is_refused(draft, doc_admin):
    add_obligation(doc_admin, draft)
    with pytest.raises(ValidationError) as exc:
        add_obligation(doc_admin, draft)
    assert refusal(exc, "code") == "duplicate code 'REPORT-Q'"


def test_an_obligation_is_edited_and_a_stale_edit_refused(draft, doc_admin, dhs_admin):
    opened = add_obligation(doc_admin, draft)
    saved = drafts.obligation_update(
        acting_user=dhs_admin,
        obligation=opened,
        expected_version=opened.version,
        values=obligation_values(draft, cadence="monthly", window_days=10),
    )
    assert (saved.cadence, saved.window_days) == ("monthly", 10)
    with pytest.raises(drafts.DraftItemChanged) as exc:
        drafts.obligation_update(
            acting_user=doc_admin,
            obligation=opened,
            expected_version=opened.version,
            values=obligation_values(draft, cadence="annual"),
        )
    assert {c.label for c in exc.value.changes} == {"Cadence", "Window (days)"}


def test_an_obligation_is_removed_and_its_history_kept(draft, doc_admin):
    added = add_obligation(doc_admin, draft)
    drafts.obligation_delete(acting_user=doc_admin, obligation=added, expected_version=added.version)
    assert not draft.obligations.exists()
    assert added.history.filter(history_type="-").exists()


# --- signatories ------------------------------------------------------------------------------


@pytest.fixture
def named_signatories(draft, doc, dhs) -> dict[str, Signatory]:
    """Signatories as a file names them before anyone has signed (no dates)."""
    return {
        p.acronym: Signatory.objects.create(
            agreement=draft, party=p, name=f"{p.acronym} Secretary", title="Secretary"
        )
        for p in (doc, dhs)
    }


def sign_as(user, signatory, day=None, version=None):
    return drafts.signatory_update(
        acting_user=user,
        signatory=signatory,
        expected_version=signatory.version if version is None else version,
        name=signatory.name,
        title=signatory.title,
        signed_on=day or today() - datetime.timedelta(days=1),
    )


def test_an_admin_dates_their_partys_signatory(named_signatories, doc_admin, draft):
    saved = sign_as(doc_admin, named_signatories["DOC"])
    assert saved.signed_on == today() - datetime.timedelta(days=1)
    draft.refresh_from_db()
    assert draft.executed_on is None


def test_the_last_party_dated_puts_the_agreement_in_force(named_signatories, doc_admin, dhs_admin, draft):
    sign_as(doc_admin, named_signatories["DOC"], today() - datetime.timedelta(days=3))
    sign_as(dhs_admin, named_signatories["DHS"], today() - datetime.timedelta(days=2))
    draft.refresh_from_db()
    assert draft.executed_on == today() - datetime.timedelta(days=2)


def test_another_partys_signatory_is_refused(named_signatories, doc_admin):
    with pytest.raises(ValidationError, match="Only DHS's admins correct its signatory"):
        sign_as(doc_admin, named_signatories["DHS"])


def test_a_signatory_dated_in_the_future_is_refused(named_signatories, doc_admin):
    with pytest.raises(ValidationError) as exc:
        sign_as(doc_admin, named_signatories["DOC"], today() + datetime.timedelta(days=1))
    assert "in the future" in refusal(exc, "signed_on")
    assert Signatory.objects.get(pk=named_signatories["DOC"].pk).signed_on is None


def test_a_change_of_lead_parties_alone_is_a_conflict_too(draft, doc_admin, dhs_admin):
    item = draft.commitments.get(code="II.1")
    drafts.commitment_update(
        acting_user=dhs_admin,
        commitment=item,
        expected_version=item.version,
        **commitment_values(draft, code="II.1", title=item.title, source_section=item.source_section),
    )
    with pytest.raises(drafts.DraftItemChanged) as exc:
        drafts.commitment_update(
            acting_user=doc_admin,
            commitment=item,
            expected_version=item.version,
            **commitment_values(draft, code="II.1", title="DOC's title", source_section=item.source_section),
        )
    assert [(c.label, c.when_opened, c.now) for c in exc.value.changes] == [
        ("Lead parties", "DHS, DOC", "DOC")
    ]


def test_a_changed_clause_of_a_commitment_is_shown_by_its_number(draft, doc_admin, dhs_admin):
    item = draft.commitments.get(code="II.1")
    drafts.commitment_update(
        acting_user=dhs_admin,
        commitment=item,
        expected_version=item.version,
        **commitment_values(
            draft,
            code="II.1",
            title=item.title,
            lead_parties=list(draft.parties.all()),
            source_section=clause(draft, "I"),
        ),
    )
    with pytest.raises(drafts.DraftItemChanged) as exc:
        drafts.commitment_update(
            acting_user=doc_admin,
            commitment=item,
            expected_version=item.version,
            **commitment_values(draft, code="II.1"),
        )
    assert ("Clause", "II.1", "I Purpose") in [(c.label, c.when_opened, c.now) for c in exc.value.changes]
