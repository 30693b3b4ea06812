"""The end of an agreement in the portal: notices of termination and non-renewal, mutual termination."""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements import lifecycle, termination
from agreements.models import Agreement, AgreementStatus, Modification, TerminationNotice
from agreements.permissions import ADMIN
from agreements.tests.factories import PartyFactory, UserFactory
from core.time import today

NY = zoneinfo.ZoneInfo("America/New_York")
NEW_FILE = Path(__file__).parent / "data" / "new-two-party-mou.yaml"


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])


@pytest.fixture
def in_force(doc_admin, dhs_admin) -> Agreement:
    """The two-party MOU (either party may terminate on 30 days' notice), signed by both."""
    up = lifecycle.draft_upload_create(
        acting_user=doc_admin, file_name=NEW_FILE.name, data=NEW_FILE.read_bytes()
    )
    agreement = lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256).agreement
    for user, days in ((doc_admin, 3), (dhs_admin, 2)):
        lifecycle.signature_record(
            acting_user=user,
            agreement=agreement,
            name=user.username,
            title="Secretary",
            signed_on=today() - datetime.timedelta(days=days),
        )
    agreement.refresh_from_db()
    return agreement


def give(user, agreement, days: int = 30, given_on: datetime.date | None = None) -> TerminationNotice:
    return termination.termination_notice_give_for(
        acting_user=user,
        agreement=agreement,
        given_on=given_on or today(),
        notice_days=days,
        reason="Budget.",
    )


# --- notice of termination -----------------------------------------------------------------------


def test_a_notice_ends_the_term_after_the_notice_period(in_force, dhs_admin):
    notice = give(dhs_admin, in_force)
    in_force.refresh_from_db()
    assert (notice.party.acronym, notice.effective_on) == ("DHS", today() + datetime.timedelta(days=30))
    assert (in_force.terminated_on, in_force.terminated_by.acronym) == (notice.effective_on, "DHS")
    term = in_force.term_on(today())
    assert (term.status, term.days_left) == (AgreementStatus.IN_FORCE, 30)


def test_a_notice_shorter_than_the_agreement_allows_is_refused_with_the_reason(in_force, dhs_admin):
    with pytest.raises(ValidationError) as refused:
        give(dhs_admin, in_force, days=10)
    too_short = f"at least 30 days' notice to terminate {in_force.short_name}; 10 days is too short."
    assert refused.value.message_dict == {"notice_days": [f"DHS must give {too_short}"]}
    in_force.refresh_from_db()
    assert (TerminationNotice.objects.count(), in_force.terminated_on) == (0, None)


def test_a_longer_notice_takes_effect_later(in_force, doc_admin):
    assert give(doc_admin, in_force, days=45).effective_on == today() + datetime.timedelta(days=45)


def test_a_notice_dated_in_the_future_is_refused(in_force, doc_admin):
    with pytest.raises(ValidationError, match="in the future"):
        give(doc_admin, in_force, given_on=today() + datetime.timedelta(days=1))


def test_a_notice_by_an_admin_of_a_party_not_in_the_agreement_is_refused(in_force):
    outsider = UserFactory(username="npa.admin", party=PartyFactory(acronym="NPA"), roles=[ADMIN])
    with pytest.raises(ValidationError, match="Only an admin of a party to this agreement"):
        give(outsider, in_force)
    assert not TerminationNotice.objects.exists()


def test_a_notice_by_staff_is_refused(in_force, doc_staff):
    with pytest.raises(ValidationError, match="Only an admin"):
        give(doc_staff, in_force)


def test_a_second_notice_while_one_stands_is_refused(in_force, doc_admin, dhs_admin):
    give(dhs_admin, in_force)
    with pytest.raises(ValidationError, match="already stands"):
        give(doc_admin, in_force)
    assert TerminationNotice.objects.count() == 1


def test_a_notice_on_a_draft_is_refused(doc_admin):
    up = lifecycle.draft_upload_create(
        acting_user=doc_admin, file_name=NEW_FILE.name, data=NEW_FILE.read_bytes()
    )
    draft = lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256).agreement
    with pytest.raises(ValidationError, match="not executed"):
        give(doc_admin, draft)


def test_the_party_that_gave_notice_withdraws_it_and_the_term_runs_on(in_force, dhs_admin):
    give(dhs_admin, in_force)
    notice = termination.termination_notice_withdraw_for(acting_user=dhs_admin, agreement=in_force)
    in_force.refresh_from_db()
    assert (notice.withdrawn_on, in_force.terminated_on) == (today(), None)
    assert notice.history.count() == 2  # given, then withdrawn: both in the audit trail


def test_another_party_cannot_withdraw_the_notice(in_force, doc_admin, dhs_admin):
    give(dhs_admin, in_force)
    with pytest.raises(ValidationError, match="given by DHS"):
        termination.termination_notice_withdraw_for(acting_user=doc_admin, agreement=in_force)
    in_force.refresh_from_db()
    assert in_force.terminated_on is not None


def test_withdrawing_when_no_notice_stands_is_refused(in_force, doc_admin):
    with pytest.raises(ValidationError, match="nothing to withdraw"):
        termination.termination_notice_withdraw_for(acting_user=doc_admin, agreement=in_force)


# --- termination by mutual agreement: a modification every party executes -------------------------


def propose_mutual(user, agreement, days: int = 10) -> Modification:
    return termination.mutual_termination_propose(
        acting_user=user,
        agreement=agreement,
        terminate_on=today() + datetime.timedelta(days=days),
        text="The Parties terminate the MOU by mutual agreement.",
    )


def execute(user, modification: Modification) -> None:
    lifecycle.modification_execute(
        acting_user=user, modification=modification, sha256=lifecycle.content_sha256(modification)
    )


def test_mutual_termination_takes_effect_on_the_last_execution_only(in_force, doc_admin, dhs_admin):
    proposal = propose_mutual(doc_admin, in_force)
    execute(doc_admin, proposal)
    in_force.refresh_from_db()
    assert in_force.terminated_on is None
    execute(dhs_admin, proposal)
    in_force.refresh_from_db()
    assert in_force.terminated_on == today() + datetime.timedelta(days=10)
    assert "mutual agreement: modification 1" in in_force.termination_reason
    hashes = {e.content_sha256 for e in proposal.executions.all()}
    assert hashes == {lifecycle.content_sha256(proposal)}


def test_mutual_termination_before_today_is_refused(in_force, doc_admin):
    with pytest.raises(ValidationError) as refused:
        propose_mutual(doc_admin, in_force, days=-1)
    assert list(refused.value.message_dict) == ["terminate_on"]
    assert not Modification.objects.filter(agreement=in_force).exists()


def test_mutual_termination_after_the_term_ends_is_refused(in_force, doc_admin):
    with pytest.raises(ValidationError, match="already ends on"):
        propose_mutual(doc_admin, in_force, days=(in_force.expires_on - today()).days + 1)


def test_mutual_termination_after_a_standing_notice_takes_effect_is_refused(in_force, doc_admin, dhs_admin):
    give(dhs_admin, in_force)
    with pytest.raises(ValidationError, match="already terminates on"):
        propose_mutual(doc_admin, in_force, days=40)


def test_a_notice_given_after_the_proposal_refuses_the_later_mutual_execution_and_applies_nothing(
    in_force, doc_admin, dhs_admin
):
    proposal = propose_mutual(doc_admin, in_force, days=40)
    execute(doc_admin, proposal)
    give(dhs_admin, in_force)
    with pytest.raises(ValidationError, match="already terminates on"):
        execute(dhs_admin, proposal)
    in_force.refresh_from_db()
    assert proposal.executions.count() == 1
    assert in_force.terminated_on == today() + datetime.timedelta(days=30)


def test_an_earlier_mutual_termination_outlives_the_withdrawal_of_a_later_notice(
    in_force, doc_admin, dhs_admin
):
    give(dhs_admin, in_force)
    proposal = propose_mutual(doc_admin, in_force, days=10)
    execute(doc_admin, proposal)
    execute(dhs_admin, proposal)
    termination.termination_notice_withdraw_for(acting_user=dhs_admin, agreement=in_force)
    in_force.refresh_from_db()
    assert in_force.terminated_on == today() + datetime.timedelta(days=10)


def test_a_notice_after_mutual_termination_is_agreed_is_refused(in_force, doc_admin, dhs_admin):
    proposal = propose_mutual(doc_admin, in_force)
    execute(doc_admin, proposal)
    execute(dhs_admin, proposal)
    with pytest.raises(ValidationError, match="by mutual agreement"):
        give(dhs_admin, in_force)


# --- renewal and non-renewal, as the term rules say ----------------------------------------------


@pytest.fixture
def renewing(in_force) -> Agreement:
    """The MOU renewing by itself for a year, once, unless a party gives 60 days' notice."""
    in_force.renews, in_force.renewal_automatic, in_force.renewal_periods = True, True, 1
    in_force.renewal_years, in_force.renewal_notice_days = 1, 60
    in_force.save()
    return in_force


def test_a_non_renewal_notice_stops_the_renewal(renewing, dhs_admin):
    before = renewing.expires_on
    termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=renewing, given_on=today())
    renewing.refresh_from_db()
    assert (renewing.non_renewal_notice_by.acronym, renewing.expires_on) == (
        "DHS",
        before.replace(year=before.year - 1),
    )


def test_a_second_non_renewal_notice_is_refused(renewing, dhs_admin, doc_admin):
    termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=renewing, given_on=today())
    with pytest.raises(ValidationError, match="DHS already gave notice of non-renewal"):
        termination.non_renewal_notice_give(acting_user=doc_admin, agreement=renewing, given_on=today())


def test_a_non_renewal_notice_on_a_term_that_does_not_renew_is_refused(in_force, dhs_admin):
    with pytest.raises(ValidationError, match="does not renew by itself"):
        termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=in_force, given_on=today())


def test_withdrawing_a_non_renewal_notice_lets_the_term_renew_again(renewing, dhs_admin):
    renewing_end = renewing.expires_on
    termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=renewing, given_on=today())
    termination.non_renewal_notice_withdraw_for(acting_user=dhs_admin, agreement=renewing)
    renewing.refresh_from_db()
    assert (renewing.non_renewal_notice_on, renewing.non_renewal_notice_by, renewing.expires_on) == (
        None,
        None,
        renewing_end,
    )
    assert renewing.history.first().non_renewal_notice_on is None
    assert renewing.history.all()[1].non_renewal_notice_on == today()


def test_only_the_party_that_gave_the_non_renewal_notice_may_withdraw_it(renewing, dhs_admin, doc_admin):
    termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=renewing, given_on=today())
    with pytest.raises(ValidationError, match="given by DHS; only its admins can withdraw it"):
        termination.non_renewal_notice_withdraw_for(acting_user=doc_admin, agreement=renewing)
    renewing.refresh_from_db()
    assert renewing.non_renewal_notice_by.acronym == "DHS"


def test_a_non_renewal_notice_cannot_be_withdrawn_after_the_last_day_to_give_one(renewing, dhs_admin):
    termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=renewing, given_on=today())
    renewing.refresh_from_db()
    deadline = renewing.expires_on - datetime.timedelta(days=60)
    day_after = datetime.datetime.combine(deadline + datetime.timedelta(days=1), datetime.time(12), tzinfo=NY)
    refused = f"last day to withdraw it was {deadline:%B %-d, %Y}"
    with time_machine.travel(day_after, tick=False), pytest.raises(ValidationError, match=refused):
        termination.non_renewal_notice_withdraw_for(acting_user=dhs_admin, agreement=renewing)
    renewing.refresh_from_db()
    assert renewing.non_renewal_notice_on == today()


def test_withdrawing_a_non_renewal_notice_when_none_stands_is_refused(renewing, dhs_admin):
    with pytest.raises(ValidationError, match="No notice of non-renewal stands"):
        termination.non_renewal_notice_withdraw_for(acting_user=dhs_admin, agreement=renewing)


def test_a_renewal_by_agreement_is_a_modification_moving_the_end_by_the_renewal(
    in_force, doc_admin, dhs_admin
):
    in_force.renews, in_force.renewal_automatic, in_force.renewal_years = True, False, 2
    in_force.save()
    end = in_force.expires_on
    proposal = termination.renewal_propose(acting_user=doc_admin, agreement=in_force)
    execute(doc_admin, proposal)
    execute(dhs_admin, proposal)
    in_force.refresh_from_db()
    assert in_force.expires_on == end.replace(year=end.year + 2)


def test_a_renewal_when_the_rules_give_none_is_refused(in_force, doc_admin):
    with pytest.raises(ValidationError, match="no renewal by agreement"):
        termination.renewal_propose(acting_user=doc_admin, agreement=in_force)


# --- the page -------------------------------------------------------------------------------------


def page_url(agreement: Agreement) -> str:
    return reverse("agreements:termination", kwargs={"slug": agreement.slug})


def test_the_page_shows_the_rules_and_offers_notice_to_a_partys_admin(client, in_force, dhs_admin):
    client.force_login(dhs_admin)
    html = client.get(page_url(in_force)).content.decode()
    assert "DHS may terminate it alone on 30 days' written notice (IV)" in html
    assert "Give notice of termination for DHS" in html
    assert 'value="30"' in html


def test_the_page_shows_staff_the_rules_without_the_forms(client, in_force, doc_staff):
    client.force_login(doc_staff)
    html = client.get(page_url(in_force)).content.decode()
    assert "DOC may terminate it alone" in html
    assert "Give notice of termination" not in html


def test_giving_notice_on_the_page_shows_the_countdown(client, in_force, dhs_admin):
    client.force_login(dhs_admin)
    response = client.post(
        page_url(in_force),
        {"notice-given_on": today().isoformat(), "notice-notice_days": "30", "notice-reason": ""},
        follow=True,
    )
    html = response.content.decode()
    effective = today() + datetime.timedelta(days=30)
    assert f"Terminates on {effective:%B %-d, %Y}</strong>: 30 days left." in html
    assert "Withdraw DHS's notice of termination" in html


def test_a_short_notice_on_the_page_is_refused_on_its_field(client, in_force, dhs_admin):
    client.force_login(dhs_admin)
    response = client.post(
        page_url(in_force), {"notice-given_on": today().isoformat(), "notice-notice_days": "7"}
    )
    assert response.status_code == 200
    assert response.context["notice_form"].errors == {
        "notice_days": [
            "DHS must give at least 30 days' notice to terminate DOC–DHS Trade Data MOU; 7 days is too short."
        ]
    }
    assert not TerminationNotice.objects.exists()


def test_the_page_offers_withdrawing_a_non_renewal_notice_only_to_the_party_that_gave_it(
    client, renewing, dhs_admin, doc_admin
):
    termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=renewing, given_on=today())
    client.force_login(doc_admin)
    assert "notice of non-renewal</button>" not in client.get(page_url(renewing)).content.decode()
    client.force_login(dhs_admin)
    assert "Withdraw DHS's notice of non-renewal</button>" in client.get(page_url(renewing)).content.decode()


def test_withdrawing_a_non_renewal_notice_on_the_page_says_so(client, renewing, dhs_admin):
    termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=renewing, given_on=today())
    client.force_login(dhs_admin)
    response = client.post(
        reverse("agreements:termination_non_renewal_withdraw", kwargs={"slug": renewing.slug}), follow=True
    )
    assert "The notice of non-renewal is withdrawn" in response.content.decode()
    renewing.refresh_from_db()
    assert renewing.non_renewal_notice_on is None


def test_proposing_mutual_termination_on_the_page_opens_the_modification(client, in_force, doc_admin):
    client.force_login(doc_admin)
    day = today() + datetime.timedelta(days=5)
    response = client.post(
        reverse("agreements:termination_mutual", kwargs={"slug": in_force.slug}),
        {"mutual-terminate_on": day.isoformat(), "mutual-text": "We end it."},
    )
    modification = in_force.modifications.get()
    assert response["Location"] == modification.get_absolute_url()
    assert modification.effects == {"terminate_on": day.isoformat()}


def test_the_agreement_page_links_the_termination_page(client, in_force, doc_staff):
    client.force_login(doc_staff)
    assert page_url(in_force) in client.get(in_force.get_absolute_url()).content.decode()


def test_changing_a_mutual_termination_proposal_keeps_its_day(client, in_force, doc_admin):
    proposal = propose_mutual(doc_admin, in_force)
    day = today() + datetime.timedelta(days=10)
    url = reverse("agreements:modification_edit", kwargs={"slug": in_force.slug, "number": proposal.number})
    client.force_login(doc_admin)
    assert client.get(url).context["form"].initial["terminate_on"] == day
    response = client.post(
        url,
        {
            "title": proposal.title,
            "text": "The Parties end the MOU, with thanks.",
            "terminate_on": day.isoformat(),
            "version": str(proposal.version),
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.text, proposal.effects) == (
        "The Parties end the MOU, with thanks.",
        {"terminate_on": day.isoformat()},
    )
