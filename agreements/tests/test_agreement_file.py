"""The agreement file, schema 2: what each file says, the schema-1 upgrade, and every refusal.

Reading happens before anything is written, so these tests need no database except the
ones that go through the import command.
"""

import dataclasses
import datetime
from pathlib import Path

import pytest
import yaml

from agreements.agreement_file import (
    AgreementFileError,
    KnownParty,
    match_parties,
    read_agreement,
    read_agreement_file,
)
from agreements.agreement_file.convert import to_import_form, upgrade
from agreements.agreement_file.document import (
    Anchor,
    BalanceOver,
    CadenceKind,
    Duration,
    ObligationKind,
    TermEnd,
    TermStart,
)
from agreements.agreement_file.schema1 import read_schema1
from conftest import EXAMPLE_MOU_FILE, MOA_FILE

DATA = Path(__file__).resolve().parent / "data"
MOA_SCHEMA1 = DATA / "doc-dhs-ecommerce-moa-2017.schema1.yaml"
LOGISTICS = DATA / "logistics-moa-1978.yaml"
SEMIANNUAL = DATA / "semiannual-meetings-mou.yaml"
RENEWING = DATA / "renewing-data-sharing-agreement.yaml"
CLASH = DATA / "party-acronym-clash.yaml"
ARTICLE_9_10 = DATA / "article-9-10.yaml"

NAVY, DOE, DOI = "us-department-of-the-navy", "us-department-of-energy", "us-department-of-the-interior"
DOC, DHS = "us-department-of-commerce", "us-department-of-homeland-security"


def _obligation(path: Path, code: str):
    return next(o for o in read_agreement(path).obligations if o.code == code)


# --- the DOC–DHS MOA ------------------------------------------------------------------------


def test_moa_file_is_schema_2():
    assert read_agreement(MOA_FILE).schema == 2


def test_moa_declares_quarterly_meetings_or_calls_of_vi5_held_with_minutes():
    meetings = _obligation(MOA_FILE, "quarterly-meetings")
    assert (meetings.kind, meetings.section, meetings.item) == (ObligationKind.MEETING, "VI.5", "VI.5")
    assert (meetings.cadence.kind, meetings.cadence.anchor) == (CadenceKind.QUARTERLY, Anchor.CALENDAR)
    assert meetings.meeting_kinds == ("quarterly",)
    assert meetings.requires_minutes
    assert meetings.parties == {DOC, DHS}


def test_moa_declares_vi3_outreach_balanced_between_the_united_states_and_abroad():
    outreach = _obligation(MOA_FILE, "outreach-events")
    assert (outreach.kind, outreach.section) == (ObligationKind.EVENT, "VI.3")
    assert outreach.balance.text == "in the United States and abroad"
    assert (outreach.balance.across, outreach.balance.each_of) == ("event_places", ("us", "abroad"))
    assert outreach.balance.over == BalanceOver.TERM
    assert (outreach.cadence.kind, outreach.cadence.anchor) == (CadenceKind.ANNUAL, Anchor.ROLLING)


def test_moa_declares_vi1_points_of_contact_kept_at_all_times():
    contacts = _obligation(MOA_FILE, "points-of-contact")
    assert (contacts.kind, contacts.section, contacts.cadence.kind) == (
        ObligationKind.CONTACTS,
        "VI.1",
        CadenceKind.CONTINUOUS,
    )


def test_moa_term_is_five_years_from_execution_under_vii():
    term = read_agreement(MOA_FILE).term
    assert (term.section, term.starts, term.ends, term.length) == (
        "VII",
        TermStart.EXECUTION,
        TermEnd.AFTER,
        Duration(years=5),
    )
    assert term.end_for(datetime.date(2017, 10, 19)) == datetime.date(2022, 10, 19)


def test_moa_may_be_terminated_by_either_party_or_by_mutual_agreement_under_vii():
    rules = read_agreement(MOA_FILE).termination_rules
    assert rules.section == "VII"
    assert rules.by_one_party.parties == {DOC, DHS}
    assert rules.by_one_party.notice_days == 0
    assert rules.by_mutual_agreement


def test_moa_modifications_cite_viii():
    assert read_agreement(MOA_FILE).modification_rule.section == "VIII"


def test_moa_names_its_meeting_kinds_and_audiences_in_the_file():
    vocabularies = read_agreement(MOA_FILE).vocabularies
    labels = {e.key: e.label for e in vocabularies.meeting_kinds}
    assert labels["wco"] == "WCO E-Commerce Working Group"
    assert [e.label for e in vocabularies.audiences] == [
        "E-commerce platforms",
        "Micro, small, medium and large enterprises",
        "Financial and technology entities",
    ]
    assert vocabularies.keys("event_places") == {"us", "abroad"}


def test_moa_annex_items_are_owed_by_their_own_party_and_joint_activities_by_both():
    commitments = {c.code: c for c in read_agreement(MOA_FILE).commitments}
    assert commitments["DOC-A1"].leads == {DOC}
    assert commitments["VI.5"].leads == {DOC, DHS}


# --- schema 1 -------------------------------------------------------------------------------


def test_schema1_copy_of_the_moa_means_what_its_schema2_file_means():
    old, new = to_import_form(read_agreement(MOA_SCHEMA1)), to_import_form(read_agreement(MOA_FILE))
    old.path = new.path
    assert old == new


def test_schema1_file_upgrades_to_a_term_of_whole_years_from_execution():
    term = read_agreement(MOA_SCHEMA1).term
    assert (term.starts, term.ends, term.whole_years, term.renewal) == (
        TermStart.EXECUTION,
        TermEnd.AFTER,
        5,
        None,
    )


def test_schema1_file_upgrades_to_no_recurring_obligations_or_rules():
    document = read_agreement(MOA_SCHEMA1)
    assert document.schema == 1
    assert document.obligations == ()
    assert (document.termination_rules, document.modification_rule) == (None, None)


def test_schema1_file_upgraded_and_brought_back_is_exactly_what_schema1_read():
    assert to_import_form(upgrade(read_schema1(MOA_SCHEMA1))) == read_schema1(MOA_SCHEMA1)


def test_schema1_party_keeps_its_acronym_as_its_key():
    assert {p.key for p in read_agreement(MOA_SCHEMA1).parties} == {"DOC", "DHS"}


# --- the example MOU --------------------------------------------------------------------------


def test_example_mou_declares_its_twice_yearly_review_meeting():
    review = _obligation(EXAMPLE_MOU_FILE, "review-meetings")
    assert (review.section, review.cadence.kind, review.meeting_kinds) == (
        "V.2",
        CadenceKind.SEMIANNUAL,
        ("review",),
    )


def test_example_mou_termination_takes_effect_ninety_days_after_notice():
    rules = read_agreement(EXAMPLE_MOU_FILE).termination_rules
    assert rules.by_one_party.notice_days == 90


# --- the three-party logistics MOA -----------------------------------------------------------


def test_logistics_moa_has_three_parties():
    assert [p.acronym for p in read_agreement(LOGISTICS).parties] == ["NAVY", "DOE", "DOI"]


def test_logistics_moa_runs_until_the_completion_of_the_project():
    term = read_agreement(LOGISTICS).term
    assert (term.ends, term.end_event, term.section) == (
        TermEnd.EVENT,
        "completion of the subject project",
        "10.a",
    )
    assert term.end_for(datetime.date(1978, 6, 30)) is None


def test_logistics_moa_any_party_may_terminate_on_thirty_days_notice():
    one = read_agreement(LOGISTICS).termination_rules.by_one_party
    assert one.parties == {NAVY, DOE, DOI}
    assert {one.notice_days_for(p) for p in (NAVY, DOE, DOI)} == {30}


def test_logistics_moa_has_no_meeting_obligation():
    assert not [o for o in read_agreement(LOGISTICS).obligations if o.kind == ObligationKind.MEETING]


def test_logistics_moa_navy_bills_monthly_within_thirty_days_after_the_month():
    billing = _obligation(LOGISTICS, "monthly-billing")
    assert (billing.parties, billing.cadence.kind, billing.window_days) == ({NAVY}, CadenceKind.MONTHLY, 30)


def test_logistics_moa_duty_owed_by_two_of_the_three_parties_is_theirs_alone():
    reimburse = next(c for c in read_agreement(LOGISTICS).commitments if c.code == "7.a")
    assert reimburse.leads == {DOE, DOI}


def test_logistics_moa_keeps_its_sub_paragraph_numbers_as_written():
    sections = {s.number: s.parent for s in read_agreement(LOGISTICS).sections}
    assert sections["4.a(1)"] == "4.a"
    assert sections["4.a"] == "4"


# --- semiannual meetings, renewal --------------------------------------------------------------


def test_semiannual_meetings_are_due_by_day_120_of_each_half_year():
    meetings = _obligation(SEMIANNUAL, "semiannual-meetings")
    assert (meetings.cadence.kind, meetings.due_day, meetings.window_days) == (
        CadenceKind.SEMIANNUAL,
        120,
        None,
    )


def test_term_of_years_and_months_ends_that_long_after_its_start():
    term = read_agreement(SEMIANNUAL).term
    assert term.end_for(datetime.date(2025, 3, 14)) == datetime.date(2027, 9, 14)


def test_renewing_agreement_starts_on_its_stated_effective_date():
    document = read_agreement(RENEWING)
    assert document.term.starts == TermStart.EFFECTIVE_DATE
    assert document.term_starts_on == datetime.date(2025, 2, 1)


def test_renewing_agreement_renews_three_times_for_a_year_unless_notice_60_days_before():
    renewal = read_agreement(RENEWING).term.renewal
    assert (renewal.section, renewal.automatic, renewal.periods, renewal.length, renewal.notice_days) == (
        "7.2",
        True,
        3,
        Duration(years=1),
        60,
    )


def test_termination_notice_period_may_differ_for_one_party():
    one = read_agreement(RENEWING).termination_rules.by_one_party
    assert (one.notice_days_for("lmn-bureau"), one.notice_days_for("opq-office")) == (60, 30)


def test_rrule_cadence_is_kept_as_written():
    extract = _obligation(RENEWING, "quarterly-extract")
    assert (extract.cadence.kind, extract.cadence.rrule) == (
        CadenceKind.RRULE,
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
    )


# --- clause numbers and codes ---------------------------------------------------------------


def test_quoted_clause_9_10_stays_distinct_from_9_1():
    numbers = [s.number for s in read_agreement(ARTICLE_9_10).sections]
    assert numbers == ["9", "9.1", "9.10"]


def test_code_9_10_stays_distinct_from_9_1():
    assert [c.code for c in read_agreement(ARTICLE_9_10).commitments] == ["9.1", "9.10"]


def test_unquoted_clause_9_10_is_refused_with_the_quoted_fix():
    path = DATA / "refused" / "clause-9-10-unquoted.yaml"
    with pytest.raises(AgreementFileError) as refused:
        read_agreement(path)
    assert refused.value.field_path == "sections[2].number"
    assert 'write it in quotes exactly as in the agreement: "9.10"' in str(refused.value)


def test_unquoted_clause_9_10_is_refused_in_a_schema1_file_too(tmp_path):
    text = MOA_SCHEMA1.read_text(encoding="utf-8").replace('  - number: "IX.1"', "  - number: 9.10", 1)
    path = tmp_path / "schema1.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AgreementFileError, match=r'"9\.10"'):
        read_agreement_file(path)


def test_code_with_a_slash_is_refused_as_unsafe_in_a_web_address():
    path = DATA / "refused" / "code-with-slash.yaml"
    with pytest.raises(AgreementFileError) as refused:
        read_agreement(path)
    assert refused.value.field_path == "joint_activities[1].code"
    assert "'IX/10' cannot be part of a web address" in refused.value.problem


# --- parties already in the portal ---------------------------------------------------------


COMMERCE = KnownParty(key=None, acronym="DOC", name="U.S. Department of Commerce")


def test_party_acronym_clash_is_refused_showing_both_names():
    with pytest.raises(AgreementFileError) as refused:
        match_parties(read_agreement(CLASH), [COMMERCE])
    assert refused.value.field_path == "parties[0]"
    assert "'Department of Corrections'" in refused.value.problem
    assert "'U.S. Department of Commerce'" in refused.value.problem


def test_party_marked_same_as_an_existing_party_is_matched_to_it(tmp_path):
    data = yaml.safe_load(CLASH.read_text(encoding="utf-8"))
    data["parties"][0]["same_as"] = "DOC"
    path = tmp_path / "same.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    matches = match_parties(read_agreement(path), [COMMERCE])
    assert [m.existing for m in matches] == [COMMERCE, None]


def test_party_with_the_same_acronym_and_name_matches_the_existing_party():
    matches = match_parties(read_agreement(MOA_FILE), [COMMERCE])
    assert [(m.party.acronym, m.existing) for m in matches] == [("DOC", COMMERCE), ("DHS", None)]


def test_same_as_a_party_the_portal_does_not_have_is_refused(tmp_path):
    data = yaml.safe_load(CLASH.read_text(encoding="utf-8"))
    data["parties"][0]["same_as"] = "USDA"
    path = tmp_path / "same.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(
        AgreementFileError, match="parties\\[0\\].same_as: 'USDA' is not a party the portal has"
    ):
        match_parties(read_agreement(path), [COMMERCE])


# --- refusals of schema-2 fields ---------------------------------------------------------------


def _break(data: dict, case: str) -> str:
    """Break the logistics file in one way; return the field the refusal must name."""
    billing = data["obligations"][0]
    if case == "unknown cadence":
        billing["cadence"] = "fortnightly"
        return "obligations[0].cadence: unknown cadence 'fortnightly'"
    if case == "RRULE that does not parse":
        billing["cadence"] = {"rrule": "FREQ=SOMETIMES"}
        return "obligations[0].cadence.rrule: 'FREQ=SOMETIMES' is not an iCalendar RRULE"
    if case == "RRULE that does not recur":
        billing["cadence"] = {"rrule": "FREQ=MONTHLY;COUNT=1"}
        return "obligations[0].cadence.rrule: 'FREQ=MONTHLY;COUNT=1' happens fewer than twice"
    if case == "window longer than its period":
        billing["window_days"] = 32
        return "obligations[0].window_days: a window of 32 days is longer than its period"
    if case == "window longer than its RRULE period":
        billing["cadence"] = {"rrule": "FREQ=WEEKLY"}
        billing["window_days"] = 8
        return "obligations[0].window_days: a window of 8 days is longer than its period"
    if case == "due day past the shortest period":
        del billing["window_days"]
        billing["due_day"] = 29
        return "obligations[0].due_day: day 29 is past the end of some periods"
    if case == "window and due day both":
        billing["due_day"] = 10
        return "obligations[0].due_day: give window_days or due_day, not both"
    if case == "obligation citing a clause that does not exist":
        billing["section"] = "11"
        return "obligations[0].section: clause '11' does not exist"
    if case == "obligation for an item that does not exist":
        billing["item"] = "8.b"
        return "obligations[0].item: '8.b' is not the code of a commitment"
    if case == "obligation owed by a party not in the agreement":
        billing["parties"] = ["USDA"]
        return "obligations[0].parties[0]: 'USDA' is not a party to this agreement"
    if case == "unknown obligation kind":
        billing["kind"] = "party"
        return "obligations[0].kind: 'party' is not one of"
    if case == "meeting kind not in the vocabulary":
        billing["kind"] = "meeting"
        billing["meeting_kinds"] = ["quarterly"]
        return "obligations[0].meeting_kinds[0]: 'quarterly' is not in vocabularies.meeting_kinds"
    if case == "meeting kinds on a report":
        data["vocabularies"] = {"meeting_kinds": [{"key": "quarterly", "label": "Quarterly"}]}
        billing["meeting_kinds"] = ["quarterly"]
        return "obligations[0].meeting_kinds: applies to meetings, not to a report"
    if case == "balance on places not in the vocabulary":
        billing["balance"] = {
            "text": "at home and abroad",
            "across": "event_places",
            "each_of": ["us", "abroad"],
        }
        return "obligations[0].balance.each_of[0]: 'us' is not in vocabularies.event_places"
    if case == "balance over one place":
        data["vocabularies"] = {"event_places": [{"key": "us", "label": "U.S."}]}
        billing["balance"] = {"text": "in the U.S.", "across": "event_places", "each_of": ["us"]}
        return "obligations[0].balance.each_of: a balance needs at least two different keys"
    if case == "continuous obligation with a window":
        billing["cadence"] = "continuous"
        return "obligations[0].cadence: a continuous obligation has no period to be due in"
    if case == "misspelt obligation field":
        billing["cadance"] = "monthly"
        return "obligations[0].cadance: is not a field here"
    if case == "renewal without a term end":
        data["term"]["renewal"] = {"section": "10.a", "periods": 1}
        return "term.renewal: a term that ends 'event' has no end to renew at"
    if case == "renewal of a term ending on a date without its length":
        data["term"] = {
            "section": "10.a",
            "ends": "on_date",
            "ends_on": "1980-06-30",
            "renewal": {"section": "10.a"},
        }
        return "term.renewal.length: is missing"
    if case == "term ending after no length":
        data["term"] = {"section": "10.a", "ends": "after"}
        return "term.length: is missing"
    if case == "term of zero years":
        data["term"] = {"section": "10.a", "ends": "after", "length": {"years": 0}}
        return "term.length: give years, months or days"
    if case == "term with a field of another ending":
        data["term"]["ends_on"] = "1980-06-30"
        return "term.ends_on: does not apply to a term that ends 'event'"
    if case == "unknown term ending":
        data["term"]["ends"] = "whenever"
        return "term.ends: 'whenever' is not one of after, on_date, open, event"
    if case == "term from an effective date the file does not give":
        data["term"]["starts"] = "effective_date"
        return "term.starts: the term starts on the effective date, but agreement.effective_on is missing"
    if case == "term citing a clause that does not exist":
        data["term"]["section"] = "12"
        return "term.section: clause '12' does not exist"
    if case == "notice period on a party not in the agreement":
        data["termination"]["by_one_party"]["notice_days_by_party"] = {"USDA": 60}
        return "termination.by_one_party.notice_days_by_party.USDA: 'USDA' is not a party to this agreement"
    if case == "termination by a party not in the agreement":
        data["termination"]["by_one_party"]["parties"] = ["NAVY", "USDA"]
        return "termination.by_one_party.parties[1]: 'USDA' is not a party to this agreement"
    if case == "termination with no way to terminate":
        data["termination"] = {"section": "10.b"}
        return "termination: say how it may be terminated"
    if case == "item owed by a party not in the agreement":
        data["action_items"][0]["leads"] = ["USDA"]
        return "action_items[0].leads[0]: 'USDA' is not a party to this agreement"
    if case == "item with schema 1's lead":
        data["action_items"][0]["lead"] = "NAVY"
        return "action_items[0].lead: schema 2 names the parties that owe a commitment in leads"
    if case == "item with no leads":
        del data["action_items"][0]["leads"]
        return "action_items[0].leads: must list the parties"
    if case == "code that is a path step":
        data["action_items"][0]["code"] = ".."
        return "action_items[0].code: '..' cannot be part of a web address"
    if case == "code with a space":
        data["action_items"][0]["code"] = "4 a"
        return "action_items[0].code: '4 a' cannot be part of a web address"
    if case == "two parties with one acronym":
        data["parties"][2]["acronym"] = "DOE"
        return "parties[2].acronym: 'DOE' already names another party of this file"
    if case == "party key that is not a slug":
        data["parties"][0]["key"] = "US Navy"
        return "parties[0].key: 'US Navy' must be lowercase letters and digits"
    if case == "party without a key":
        del data["parties"][0]["key"]
        return "parties[0].key: is missing"
    if case == "unknown schema":
        data["schema"] = "moa-portal/agreement@3"
        return "schema: must be 'moa-portal/agreement@2' or 'moa-portal/agreement@1'"
    if case == "misspelt top-level field":
        data["obligation"] = []
        return "obligation: is not a field here"
    raise AssertionError(case)


REFUSALS = [
    "unknown cadence",
    "RRULE that does not parse",
    "RRULE that does not recur",
    "window longer than its period",
    "window longer than its RRULE period",
    "due day past the shortest period",
    "window and due day both",
    "obligation citing a clause that does not exist",
    "obligation for an item that does not exist",
    "obligation owed by a party not in the agreement",
    "unknown obligation kind",
    "meeting kind not in the vocabulary",
    "meeting kinds on a report",
    "balance on places not in the vocabulary",
    "balance over one place",
    "continuous obligation with a window",
    "misspelt obligation field",
    "renewal without a term end",
    "renewal of a term ending on a date without its length",
    "term ending after no length",
    "term of zero years",
    "term with a field of another ending",
    "unknown term ending",
    "term from an effective date the file does not give",
    "term citing a clause that does not exist",
    "notice period on a party not in the agreement",
    "termination by a party not in the agreement",
    "termination with no way to terminate",
    "item owed by a party not in the agreement",
    "item with schema 1's lead",
    "item with no leads",
    "code that is a path step",
    "code with a space",
    "two parties with one acronym",
    "party key that is not a slug",
    "party without a key",
    "unknown schema",
    "misspelt top-level field",
]


@pytest.mark.parametrize("case", REFUSALS)
def test_broken_field_is_refused_naming_the_file_the_field_and_the_problem(tmp_path, case):
    data = yaml.safe_load(LOGISTICS.read_text(encoding="utf-8"))
    expected = _break(data, case)
    path = tmp_path / "agreement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(AgreementFileError) as refused:
        read_agreement(path)
    assert str(refused.value).startswith(f"{path}: {expected}")


def test_unbroken_logistics_file_reads(tmp_path):
    """The refusals above come from their one change: the file written back reads as it is."""
    data = yaml.safe_load(LOGISTICS.read_text(encoding="utf-8"))
    path = tmp_path / "agreement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert read_agreement(path) == dataclasses.replace(read_agreement(LOGISTICS), path=str(path))


# --- what the importer cannot carry yet ---------------------------------------------------


def test_import_form_refuses_a_term_that_is_not_whole_years():
    with pytest.raises(AgreementFileError) as refused:
        read_agreement_file(LOGISTICS)
    assert refused.value.field_path == "term"


def test_import_form_refuses_an_item_owed_by_some_but_not_all_parties(tmp_path):
    data = yaml.safe_load(LOGISTICS.read_text(encoding="utf-8"))
    data["term"] = {"section": "10.a", "ends": "after", "length": {"years": 3}}
    path = tmp_path / "agreement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(AgreementFileError) as refused:
        read_agreement_file(path)
    assert refused.value.field_path == "action_items[code=7.a].leads"


def test_the_example_in_the_documentation_reads(tmp_path):
    docs = Path(__file__).resolve().parents[2] / "docs" / "agreement-file.md"
    example = docs.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    document = read_agreement(path)
    assert [o.cadence.kind for o in document.obligations] == [CadenceKind.SEMIANNUAL]
