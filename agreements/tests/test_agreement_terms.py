"""Terms of every kind, parties with a stable identity, duties of any set of parties, termination notices.

Each agreement is loaded from its file, as a new user would load it.
"""

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agreements.agreement_file import read_agreement
from agreements.models import Agreement, Commitment, Party, Section, TerminationNotice
from agreements.permissions import STAFF
from agreements.services import (
    TerminationRefused,
    import_agreement,
    termination_notice_give,
    termination_notice_withdraw,
)
from agreements.term import AgreementStatus
from agreements.tests.factories import PartyFactory, UserFactory

DATA = Path(__file__).resolve().parent / "data"
LOGISTICS = DATA / "logistics-moa-1978.yaml"
RENEWING = DATA / "renewing-data-sharing-agreement.yaml"
CLASH = DATA / "party-acronym-clash.yaml"
ARTICLE_9_10 = DATA / "article-9-10.yaml"
SCHEMA_1_MOA = DATA / "doc-dhs-ecommerce-moa-2017.schema1.yaml"

pytestmark = pytest.mark.django_db


def load(path: Path) -> Agreement:
    return import_agreement(doc=read_agreement(path)).agreement


@pytest.fixture
def logistics() -> Agreement:
    return load(LOGISTICS)


@pytest.fixture
def renewing() -> Agreement:
    return load(RENEWING)


# --- the DOC–DHS MOA, as it was ------------------------------------------------------------


def test_doc_dhs_term_is_five_years_from_execution_with_its_clauses(moa):
    term = moa.term_on(datetime.date(2022, 1, 1))
    assert (moa.term_ends, moa.term_years, moa.term_months, moa.term_days) == ("after", 5, 0, 0)
    assert (term.expires_on, term.days_left, term.notice_deadline) == (datetime.date(2022, 10, 19), 291, None)
    assert (moa.term_clause, moa.modification_clause) == ("VII", "VIII")


def test_schema_1_file_imports_with_the_same_term_and_leads_as_schema_2(db):
    old = load(SCHEMA_1_MOA)
    leads = {c.code: {p.acronym for p in c.lead_parties.all()} for c in old.commitments.all()}
    assert old.expires_on == datetime.date(2022, 10, 19)
    assert set(Party.objects.values_list("key", flat=True)) == {"DOC", "DHS"}
    assert leads["VI.5"] == {"DOC", "DHS"}
    assert all(len(v) in (1, 2) for v in leads.values())


def test_reimporting_a_schema_2_file_changes_nothing(logistics, capsys):
    call_command("import_agreement", str(LOGISTICS))
    out = capsys.readouterr().out
    assert "no changes" in out
    assert "party NAVY (us-department-of-the-navy): matched" in out


# --- an open-ended term, until an event ------------------------------------------------------


def test_logistics_moa_is_in_force_with_no_end_date(logistics):
    term = logistics.term_on(datetime.date(1990, 1, 1))
    assert (term.status, term.ends_on, term.days_left, term.summary) == (
        AgreementStatus.IN_FORCE,
        None,
        None,
        "In force, no end date",
    )
    assert logistics.expires_on is None
    assert Agreement.objects.in_force(datetime.date(1990, 1, 1)).filter(pk=logistics.pk).exists()


def test_logistics_moa_page_says_in_force_no_end_date(client, logistics):
    user = _user_of(Party.objects.get(acronym="DOE"))
    client.force_login(user)
    page = client.get(logistics.get_absolute_url()).content.decode()
    assert "In force, no end date." in page
    assert "Until completion of the subject project (10.a)" in page


def test_recording_the_event_ends_the_term_that_day(logistics):
    logistics.end_event_on = datetime.date(1981, 9, 30)
    logistics.save()
    assert logistics.expires_on == datetime.date(1981, 9, 30)
    assert logistics.term_on(datetime.date(1981, 10, 1)).status == AgreementStatus.EXPIRED


def test_duty_owed_by_two_of_three_parties_is_led_by_those_two_only(logistics):
    navy, doe, doi = (Party.objects.get(acronym=a) for a in ("NAVY", "DOE", "DOI"))
    item = logistics.commitments.get(code="7.a")
    assert set(item.lead_parties.all()) == {doe, doi}
    assert item.lead_display == "DOE, DOI"
    assert (item.is_led_by(doe), item.is_led_by(navy)) == (True, False)
    assert list(Commitment.objects.led_by(navy).filter(code="7.a")) == []


def test_termination_rules_are_stored_per_party_with_their_clause(logistics):
    rights = {r.party.acronym: r.notice_days for r in logistics.termination_rights.all()}
    assert rights == {"NAVY": 30, "DOE": 30, "DOI": 30}
    assert (logistics.termination_clause, logistics.termination_by_mutual_agreement) == ("10.b", False)


# --- a renewing term -------------------------------------------------------------------------


def test_renewing_term_starts_on_its_effective_date_and_counts_to_the_notice_deadline(renewing):
    term = renewing.term_on(datetime.date(2026, 6, 1))
    assert term.starts_on == datetime.date(2025, 2, 1)
    assert term.expires_on == datetime.date(2027, 2, 1)
    assert term.notice_deadline == datetime.date(2026, 12, 3)  # 60 days before the end


def test_renewal_extends_the_term_once_the_deadline_passes_without_notice(renewing):
    term = renewing.term_on(datetime.date(2026, 12, 4))
    assert (term.status, term.expires_on, term.renewals) == (
        AgreementStatus.IN_FORCE,
        datetime.date(2028, 2, 1),
        1,
    )
    assert term.notice_deadline == datetime.date(2027, 12, 3)
    assert renewing.term_on(datetime.date(2027, 6, 1)).is_in_force


def test_renewal_stops_after_its_periods(renewing):
    assert renewing.expires_on == datetime.date(2030, 2, 1)  # two years and three renewals of one
    last = renewing.term_on(datetime.date(2029, 12, 31))
    assert (last.expires_on, last.renewals, last.notice_deadline) == (datetime.date(2030, 2, 1), 3, None)
    assert renewing.term_on(datetime.date(2030, 2, 1)).status == AgreementStatus.EXPIRED


def test_a_non_renewal_notice_before_the_deadline_ends_the_term_at_its_end(renewing):
    renewing.non_renewal_notice_on = datetime.date(2026, 11, 1)
    renewing.non_renewal_notice_by = Party.objects.get(acronym="OPQ")
    renewing.save()
    assert renewing.expires_on == datetime.date(2027, 2, 1)
    term = renewing.term_on(datetime.date(2027, 1, 1))
    assert (term.expires_on, term.notice_deadline, term.days_left) == (datetime.date(2027, 2, 1), None, 31)
    assert renewing.term_on(datetime.date(2027, 2, 1)).status == AgreementStatus.EXPIRED


def test_a_non_renewal_notice_after_the_deadline_does_not_stop_the_renewal(renewing):
    renewing.non_renewal_notice_on = datetime.date(2026, 12, 4)
    renewing.save()
    assert renewing.term_on(datetime.date(2027, 3, 1)).expires_on == datetime.date(2028, 2, 1)


# --- termination on notice -------------------------------------------------------------------


def test_termination_notice_takes_effect_after_the_parties_notice_days(logistics):
    navy = Party.objects.get(acronym="NAVY")
    notice = termination_notice_give(agreement=logistics, party=navy, given_on=datetime.date(1980, 3, 1))
    assert notice.effective_on == datetime.date(1980, 3, 31)
    pending = logistics.term_on(datetime.date(1980, 3, 1))
    assert (pending.status, pending.ends_on, pending.days_left) == (
        AgreementStatus.IN_FORCE,
        datetime.date(1980, 3, 31),
        30,
    )
    assert logistics.term_on(datetime.date(1980, 3, 31)).status == AgreementStatus.TERMINATED


def test_a_notice_shorter_than_the_agreement_allows_is_refused(renewing):
    lmn = Party.objects.get(acronym="LMN")  # LMN must give 60 days
    with pytest.raises(TerminationRefused, match="at least 60 days"):
        termination_notice_give(
            agreement=renewing, party=lmn, given_on=datetime.date(2026, 1, 5), notice_days=30
        )
    assert not TerminationNotice.objects.exists()
    renewing.refresh_from_db()
    assert renewing.terminated_on is None


def test_a_notice_by_a_party_not_in_the_agreement_is_refused(logistics):
    with pytest.raises(TerminationRefused, match="not a party"):
        termination_notice_give(agreement=logistics, party=PartyFactory(), given_on=datetime.date(1980, 3, 1))
    assert not TerminationNotice.objects.exists()


def test_a_withdrawn_notice_no_longer_ends_the_term(logistics):
    notice = termination_notice_give(
        agreement=logistics, party=Party.objects.get(acronym="DOI"), given_on=datetime.date(1980, 3, 1)
    )
    termination_notice_withdraw(notice=notice, withdrawn_on=datetime.date(1980, 3, 10))
    logistics.refresh_from_db()
    assert (logistics.terminated_on, logistics.term_on(datetime.date(1980, 4, 1)).summary) == (
        None,
        "In force, no end date",
    )


# --- parties with a stable identity, clauses and codes as written -------------------------------


def test_a_party_acronym_clash_is_refused_with_both_names_and_nothing_renamed(moa):
    with pytest.raises(CommandError) as refused:
        call_command("import_agreement", str(CLASH))
    assert "'Department of Corrections'" in str(refused.value)
    assert "'U.S. Department of Commerce'" in str(refused.value)
    assert Party.objects.get(acronym="DOC").name == "U.S. Department of Commerce"
    assert not Agreement.objects.filter(slug="corrections-education-mou").exists()


def test_a_code_with_a_slash_is_refused_before_anything_is_written(db):
    with pytest.raises(CommandError, match=r"code: 'IX/10' cannot be part of a web address"):
        call_command("import_agreement", str(DATA / "refused" / "code-with-slash.yaml"))
    assert not Agreement.objects.exists()


def test_clause_9_10_is_kept_apart_from_9_1(db):
    agreement = load(ARTICLE_9_10)
    numbers = set(Section.objects.filter(agreement=agreement).values_list("number", flat=True))
    assert {"9.1", "9.10"} <= numbers
    assert agreement.commitments.get(code="9.10").source_section.number == "9.10"


def _user_of(party: Party):
    return UserFactory(party=party, roles=[STAFF])
