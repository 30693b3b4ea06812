"""The agreement's life in the portal: drafts, signatures, modifications every party executes."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from agreements import lifecycle
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    DraftUpload,
    ModificationExecution,
    Signatory,
)
from agreements.permissions import ADMIN, MANAGER, STAFF, visibility_of
from agreements.selectors import modification_state
from agreements.tests.factories import PartyFactory, UserFactory
from core.time import long_date, today

NEW_FILE = Path(__file__).parent / "data" / "new-two-party-mou.yaml"


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])


@pytest.fixture
def outsider_admin(moa):
    return UserFactory(username="npa.admin", party=PartyFactory(acronym="NPA"), roles=[ADMIN])


def upload(user, content: bytes | None = None, name: str = "new-two-party-mou.yaml") -> DraftUpload:
    return lifecycle.draft_upload_create(
        acting_user=user, file_name=name, data=NEW_FILE.read_bytes() if content is None else content
    )


@pytest.fixture
def draft(doc_admin) -> Agreement:
    up = upload(doc_admin)
    return lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256).agreement


def sign(user, agreement, days_ago: int = 1) -> Signatory:
    return lifecycle.signature_record(
        acting_user=user,
        agreement=agreement,
        name=user.username,
        title="Secretary",
        signed_on=today() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def in_force(draft, doc_admin, dhs_admin) -> Agreement:
    sign(doc_admin, draft, days_ago=3)
    sign(dhs_admin, draft, days_ago=2)
    draft.refresh_from_db()
    return draft


def extension(agreement, years: int = 2) -> dict:
    return {
        "term_ends_on": agreement.expires_on.replace(year=agreement.expires_on.year + years),
        "add_commitments": [
            {
                "code": "II.2",
                "kind": "joint_activity",
                "title": "Publish a joint report",
                "leads": ["DOC", "DHS"],
                "clause": "II",
            }
        ],
    }


@pytest.fixture
def proposal(in_force, doc_admin):
    return lifecycle.modification_propose(
        acting_user=doc_admin,
        agreement=in_force,
        title="Two more years",
        text="The term is extended.",
        effects=extension(in_force),
    )


def refusal(exc_info, field: str) -> str:
    return " ".join(exc_info.value.message_dict[field])


# --- drafts from a file ---------------------------------------------------------------------------


def test_upload_keeps_the_file_and_its_hash_and_saves_no_agreement(doc_admin):
    up = upload(doc_admin)
    assert up.sha256 == hashlib.sha256(NEW_FILE.read_bytes()).hexdigest()
    assert not Agreement.objects.filter(slug="trade-data-mou").exists()


def test_upload_refusal_names_the_file_the_field_and_the_problem(doc_admin):
    bad = NEW_FILE.read_bytes().replace(b"kind: mou", b"kind: treaty")
    with pytest.raises(ValidationError) as exc:
        upload(doc_admin, bad, name="my-mou.yaml")
    assert refusal(exc, "file").startswith("my-mou.yaml: agreement.kind:")


def test_upload_larger_than_the_bound_is_refused(doc_admin):
    with pytest.raises(ValidationError) as exc:
        upload(doc_admin, b"#" * (lifecycle.MAX_AGREEMENT_FILE_BYTES + 1))
    assert "at most" in refusal(exc, "file")


def test_upload_not_utf8_is_refused(doc_admin):
    with pytest.raises(ValidationError) as exc:
        upload(doc_admin, b"\xff\xfe\x00")
    assert "not UTF-8" in refusal(exc, "file")


def test_upload_without_the_admins_party_is_refused(outsider_admin):
    with pytest.raises(ValidationError) as exc:
        upload(outsider_admin)
    assert "NPA (your party) is not a party" in refusal(exc, "file")


def test_upload_over_an_agreement_of_other_parties_is_refused_without_saying_whose(moa, outsider_admin):
    content = NEW_FILE.read_text().replace("trade-data-mou", moa.slug).replace("DHS", "NPA").encode()
    with pytest.raises(ValidationError) as exc:
        upload(outsider_admin, content)
    assert "already taken" in refusal(exc, "file")


def test_preview_of_a_new_agreement_lists_what_it_creates(doc_admin):
    preview = lifecycle.upload_preview(upload(doc_admin))
    assert preview.existing is None
    assert [c.what for c in preview.clauses_added] == ["I", "II", "II.1", "IV", "V"]
    assert [c.what for c in preview.commitments_added] == ["II.1"]


def test_preview_of_an_existing_agreement_shows_fields_clauses_and_items_changed(draft, doc_admin):
    content = (
        NEW_FILE.read_text()
        .replace("Exchange data monthly.", "Exchange data weekly.")
        .replace("title: Exchange trade data monthly", "title: Exchange trade data weekly")
        .replace("short_name: DOC–DHS Trade Data MOU", "short_name: Trade Data MOU")
        + '  - code: "I.1"\n    title: New\n    leads: [DOC]\n    section: "I"\n'
    )
    preview = lifecycle.upload_preview(upload(doc_admin, content.encode()))
    assert preview.existing == draft
    assert [(c.what, c.now, c.file) for c in preview.fields] == [
        ("Short name", "DOC–DHS Trade Data MOU", "Trade Data MOU")
    ]
    assert [c.what for c in preview.clauses_changed] == ["II.1"]
    assert [c.what for c in preview.commitments_changed] == ["II.1"]
    assert [c.what for c in preview.commitments_added] == ["I.1"]


def test_confirm_saves_the_draft_without_an_execution_date(draft):
    assert draft.executed_on is None
    assert draft.commitments.get(code="II.1").is_joint


def test_confirm_with_another_hash_is_refused_and_saves_nothing(doc_admin):
    up = upload(doc_admin)
    with pytest.raises(ValidationError) as exc:
        lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256="0" * 64)
    assert "not the one you previewed" in refusal(exc, "sha256")
    assert not Agreement.objects.filter(slug="trade-data-mou").exists()


def test_confirm_of_a_kept_file_altered_since_the_preview_is_refused(doc_admin):
    up = upload(doc_admin)
    DraftUpload.objects.filter(pk=up.pk).update(content=up.content.replace("monthly", "weekly"))
    up.refresh_from_db()
    with pytest.raises(ValidationError):
        lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256)
    assert not Agreement.objects.filter(slug="trade-data-mou").exists()


def test_confirm_by_another_admin_is_refused(doc_admin, dhs_admin):
    up = upload(doc_admin)
    with pytest.raises(ValidationError):
        lifecycle.draft_upload_confirm(acting_user=dhs_admin, upload=up, sha256=up.sha256)


def test_confirm_twice_is_refused(doc_admin):
    up = upload(doc_admin)
    lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256)
    with pytest.raises(ValidationError) as exc:
        lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256)
    assert "already been saved" in refusal(exc, "sha256")


# --- drafts from the short form ------------------------------------------------------------------


def short_form(user, parties, **overrides):
    values = {
        "slug": "short-mou",
        "short_name": "Short MOU",
        "title": "A short MOU",
        "kind": "mou",
        "parties": parties,
        "purpose": "To work together.",
        "term_years": 2,
    }
    return lifecycle.agreement_draft_create(acting_user=user, **{**values, **overrides})


def test_short_form_starts_a_draft_with_its_parties(doc_admin, doc, dhs):
    agreement = short_form(doc_admin, [doc, dhs])
    assert agreement.executed_on is None
    assert set(agreement.parties.all()) == {doc, dhs}


def test_short_form_without_the_admins_party_is_refused(doc_admin, dhs):
    with pytest.raises(ValidationError) as exc:
        short_form(doc_admin, [dhs, PartyFactory(acronym="NPA")])
    assert "Your party (DOC)" in refusal(exc, "parties")


def test_short_form_with_one_party_is_refused(doc_admin, doc):
    with pytest.raises(ValidationError) as exc:
        short_form(doc_admin, [doc])
    assert "at least two parties" in refusal(exc, "parties")


def test_short_form_with_a_taken_or_reserved_slug_is_refused(doc_admin, doc, dhs, moa):
    for slug in (moa.slug, "new"):
        with pytest.raises(ValidationError):
            short_form(doc_admin, [doc, dhs], slug=slug)


def test_short_form_by_a_manager_is_refused(doc_manager, doc, dhs):
    with pytest.raises(ValidationError):
        short_form(doc_manager, [doc, dhs])


# --- who sees a draft --------------------------------------------------------------------------


def test_draft_is_visible_to_the_admins_of_its_parties_only(
    draft, doc_admin, dhs_admin, doc_staff, doc_manager, outsider_admin
):
    assert draft in visibility_of(doc_admin).agreements
    assert draft in visibility_of(dhs_admin).agreements
    assert draft not in visibility_of(doc_staff).agreements
    assert draft not in visibility_of(doc_manager).agreements
    assert draft not in visibility_of(outsider_admin).agreements


def test_admins_and_staff_of_a_party_have_different_scopes(doc_admin, doc_staff):
    assert visibility_of(doc_admin).scope != visibility_of(doc_staff).scope


def test_an_executed_agreement_is_visible_to_its_staff(in_force, doc_staff):
    assert in_force in visibility_of(doc_staff).agreements


# --- signatures --------------------------------------------------------------------------------


def test_first_signature_leaves_the_agreement_a_draft(draft, doc_admin):
    sign(doc_admin, draft)
    draft.refresh_from_db()
    assert draft.executed_on is None


def test_last_signature_puts_the_agreement_in_force_from_the_latest_signature_date(in_force):
    assert in_force.executed_on == today() - datetime.timedelta(days=2)
    assert in_force.expires_on == in_force.executed_on.replace(year=in_force.executed_on.year + 3)
    assert in_force.status == AgreementStatus.IN_FORCE


def test_signature_by_an_admin_of_a_party_not_in_the_agreement_is_refused(draft, outsider_admin):
    with pytest.raises(ValidationError) as exc:
        sign(outsider_admin, draft)
    assert "Only an admin of a party" in refusal(exc, "name")


def test_signature_by_staff_of_a_party_is_refused(draft, doc_staff):
    with pytest.raises(ValidationError):
        sign(doc_staff, draft)


def test_a_party_signing_twice_is_refused(draft, doc_admin):
    sign(doc_admin, draft)
    with pytest.raises(ValidationError) as exc:
        sign(doc_admin, draft)
    assert "already recorded" in refusal(exc, "name")
    assert draft.signatories.count() == 1


def test_a_signatory_named_without_a_date_is_dated_by_the_signature_not_refused(draft, doc_admin, dhs_admin):
    Signatory.objects.create(
        agreement=draft, party=draft.parties.get(acronym="DOC"), name="To be named", title=""
    )
    signatory = sign(doc_admin, draft, days_ago=3)
    assert draft.signatories.filter(party=signatory.party).count() == 1
    assert (signatory.name, signatory.signed_on) == (doc_admin.username, today() - datetime.timedelta(days=3))
    sign(dhs_admin, draft, days_ago=2)
    draft.refresh_from_db()
    assert draft.executed_on == today() - datetime.timedelta(days=2)


def test_a_signature_dated_in_the_future_is_refused(draft, doc_admin):
    with pytest.raises(ValidationError) as exc:
        sign(doc_admin, draft, days_ago=-1)
    assert "in the future" in refusal(exc, "signed_on")


# --- modifications -------------------------------------------------------------------------------


def execute(user, modification):
    return lifecycle.modification_execute(
        acting_user=user, modification=modification, sha256=lifecycle.content_sha256(modification)
    )


def test_a_proposal_awaits_every_party_and_changes_nothing_yet(proposal, in_force):
    state = modification_state(proposal, list(in_force.parties.all()))
    assert state.label == "awaiting DHS and DOC"
    in_force.refresh_from_db()
    assert in_force.expires_on != proposal.extends_term_to
    assert not in_force.commitments.filter(code="II.2").exists()


def test_one_execution_records_who_when_and_the_hash_and_changes_nothing_yet(proposal, doc_admin, in_force):
    execution = execute(doc_admin, proposal)
    assert (execution.executed_by, execution.executed_on) == (doc_admin, today())
    assert execution.content_sha256 == hashlib.sha256(lifecycle.canonical_content(proposal)).hexdigest()
    assert modification_state(proposal, list(in_force.parties.all())).label == "awaiting DHS"
    in_force.refresh_from_db()
    assert not in_force.commitments.filter(code="II.2").exists()


def test_the_last_execution_applies_the_effects(proposal, doc_admin, dhs_admin, in_force):
    execute(doc_admin, proposal)
    execute(dhs_admin, proposal)
    in_force.refresh_from_db()
    proposal.refresh_from_db()
    assert in_force.expires_on == proposal.extends_term_to
    assert in_force.commitments.get(code="II.2").is_joint
    assert proposal.applied_at is not None
    assert (
        modification_state(proposal, list(in_force.parties.all())).label
        == f"in effect since {long_date(today())}"
    )


def test_a_modification_retires_an_item_and_replaces_a_clause(in_force, doc_admin, dhs_admin):
    m = lifecycle.modification_propose(
        acting_user=doc_admin,
        agreement=in_force,
        title="Less",
        text="…",
        effects={
            "retire_commitments": ["II.1"],
            "replace_clauses": [{"number": "II.1", "text": "Never mind."}],
        },
    )
    execute(doc_admin, m)
    execute(dhs_admin, m)
    assert in_force.commitments.get(code="II.1").retired_on == today()
    assert in_force.sections.get(number="II.1").text == "Never mind."


def test_shortening_the_term_before_today_is_refused(in_force, doc_admin):
    with pytest.raises(ValidationError) as exc:
        lifecycle.modification_propose(
            acting_user=doc_admin,
            agreement=in_force,
            title="Shorter",
            text="…",
            effects={"term_ends_on": today() - datetime.timedelta(days=1)},
        )
    assert "after today" in refusal(exc, "term_ends_on")


def test_a_modification_without_effects_is_refused(in_force, doc_admin):
    with pytest.raises(ValidationError):
        lifecycle.modification_propose(
            acting_user=doc_admin, agreement=in_force, title="x", text="x", effects={}
        )


def test_adding_an_item_with_a_taken_code_is_refused(in_force, doc_admin):
    effects = extension(in_force)
    effects["add_commitments"][0]["code"] = "II.1"
    with pytest.raises(ValidationError) as exc:
        lifecycle.modification_propose(
            acting_user=doc_admin, agreement=in_force, title="x", text="x", effects=effects
        )
    assert "already has an item II.1" in refusal(exc, "add_code")


def test_proposing_on_a_draft_is_refused(draft, doc_admin):
    with pytest.raises(ValidationError):
        lifecycle.modification_propose(
            acting_user=doc_admin,
            agreement=draft,
            title="x",
            text="x",
            effects={"retire_commitments": ["II.1"]},
        )


def test_proposal_by_an_outsider_is_refused(in_force, outsider_admin):
    with pytest.raises(ValidationError):
        lifecycle.modification_propose(
            acting_user=outsider_admin, agreement=in_force, title="x", text="x", effects=extension(in_force)
        )


def test_a_party_executing_twice_is_refused(proposal, doc_admin):
    execute(doc_admin, proposal)
    with pytest.raises(ValidationError) as exc:
        execute(doc_admin, proposal)
    assert "already executed" in refusal(exc, "sha256")
    assert proposal.executions.count() == 1


def test_an_execution_by_a_party_not_in_the_agreement_is_refused(proposal, outsider_admin):
    with pytest.raises(ValidationError) as exc:
        execute(outsider_admin, proposal)
    assert "Only an admin of a party" in refusal(exc, "sha256")


def test_an_execution_of_a_withdrawn_proposal_is_refused(proposal, doc_admin, dhs_admin):
    lifecycle.modification_withdraw(acting_user=doc_admin, modification=proposal)
    with pytest.raises(ValidationError) as exc:
        execute(dhs_admin, proposal)
    assert "withdrawn" in refusal(exc, "sha256")
    assert not proposal.executions.exists()


def test_an_execution_of_other_words_than_the_current_ones_is_refused(proposal, dhs_admin):
    with pytest.raises(ValidationError) as exc:
        lifecycle.modification_execute(acting_user=dhs_admin, modification=proposal, sha256="0" * 64)
    assert "changed after you opened it" in refusal(exc, "sha256")


def test_changing_the_proposal_voids_earlier_executions(proposal, doc_admin, dhs_admin):
    first = execute(doc_admin, proposal)
    changed = lifecycle.modification_update(
        acting_user=dhs_admin,
        modification=proposal,
        expected_version=proposal.version,
        title=proposal.title,
        text="The term is extended by two years.",
        effects=proposal.effects,
    )
    assert not changed.executions.exists()
    assert ModificationExecution.history.filter(id=first.pk, history_type="-").exists()
    assert changed.version == proposal.version + 1


def test_the_second_of_two_concurrent_edits_is_refused_with_what_changed(proposal, doc_admin, dhs_admin):
    opened = proposal.version
    lifecycle.modification_update(
        acting_user=doc_admin,
        modification=proposal,
        expected_version=opened,
        title="Two more years",
        text="First editor's words.",
        effects=proposal.effects,
    )
    with pytest.raises(lifecycle.ProposalChanged) as exc:
        lifecycle.modification_update(
            acting_user=dhs_admin,
            modification=proposal,
            expected_version=opened,
            title="Two more years",
            text="Second editor's words.",
            effects=proposal.effects,
        )
    assert [c.what for c in exc.value.changes] == ["Text"]
    proposal.refresh_from_db()
    assert proposal.text == "First editor's words."


def test_only_the_proposing_party_may_withdraw(proposal, dhs_admin):
    with pytest.raises(ValidationError):
        lifecycle.modification_withdraw(acting_user=dhs_admin, modification=proposal)


def test_a_modification_in_effect_cannot_be_withdrawn(proposal, doc_admin, dhs_admin):
    execute(doc_admin, proposal)
    execute(dhs_admin, proposal)
    with pytest.raises(ValidationError) as exc:
        lifecycle.modification_withdraw(acting_user=doc_admin, modification=proposal)
    assert "in effect" in refusal(exc, "text")


def test_withdrawn_state_reads_withdrawn(proposal, doc_admin, in_force):
    withdrawn = lifecycle.modification_withdraw(acting_user=doc_admin, modification=proposal)
    assert modification_state(withdrawn, list(in_force.parties.all())).label.startswith("withdrawn on ")


def test_effects_that_no_longer_apply_at_the_last_execution_leave_nothing_half_applied(
    proposal, doc_admin, dhs_admin, in_force
):
    execute(doc_admin, proposal)
    Commitment.objects.create(
        agreement=in_force,
        kind="joint_activity",
        code="II.2",
        title="Taken meanwhile",
        source_section=in_force.sections.get(number="II"),
    )
    with pytest.raises(ValidationError):
        execute(dhs_admin, proposal)
    in_force.refresh_from_db()
    assert proposal.executions.count() == 1
    assert in_force.expires_on != proposal.extends_term_to


def test_staff_and_managers_are_not_admins_for_the_lifecycle(doc, dhs):
    staff = UserFactory(username="s", party=doc, roles=[STAFF])
    manager = UserFactory(username="m", party=doc, roles=[MANAGER])
    for user in (staff, manager):
        with pytest.raises(ValidationError):
            short_form(user, [doc, dhs])
