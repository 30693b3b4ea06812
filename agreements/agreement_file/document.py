"""What an agreement file says, as plain frozen dataclasses (schema ``moa-portal/agreement@2``).

A schema-1 file is upgraded to these same classes, so everything downstream reads one shape.
Parties are referred to by their `Party.key` everywhere inside a document; clause numbers
and codes are text exactly as written in the agreement.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from dateutil.relativedelta import relativedelta

SCHEMA_2 = "moa-portal/agreement@2"


# --- parties and text --------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A party: `key` is its identity in the portal; `acronym` is how the text names it.

    `same_as` says explicitly that this is the portal's existing party with that key (or,
    for parties imported before keys, that acronym), even if the names differ.
    """

    key: str
    acronym: str
    name: str
    department: str = ""
    same_as: str | None = None


@dataclass(frozen=True)
class Section:
    """A clause of the text; `number` and `parent` exactly as written (``"9.10"``, ``"ANNEX I"``)."""

    number: str
    heading: str
    text: str
    parent: str | None
    position: int


@dataclass(frozen=True)
class Authority:
    citation: str
    text: str
    party: str
    section: str | None
    position: int


class CommitmentKind(StrEnum):
    OBJECTIVE = "objective"
    JOINT_ACTIVITY = "joint_activity"
    STRATEGIC_GOAL = "strategic_goal"
    ACTION_ITEM = "action_item"


@dataclass(frozen=True)
class Commitment:
    """A tracked item; `leads` is the set of parties that owe it (all of them when joint)."""

    kind: CommitmentKind
    code: str
    title: str
    description: str
    leads: frozenset[str]
    section: str
    goal: str | None
    target_date: datetime.date | None
    position: int


@dataclass(frozen=True)
class Signatory:
    party: str
    name: str
    title: str
    signed_on: datetime.date | None


@dataclass(frozen=True)
class PointOfContact:
    party: str
    role_title: str
    office: str
    person_name: str
    email: str
    phone: str
    active_from: datetime.date
    active_to: datetime.date | None
    is_coordinator: bool
    position: int


@dataclass(frozen=True)
class Execution:
    party: str
    executed_on: datetime.date


@dataclass(frozen=True)
class Modification:
    number: int
    title: str
    text: str
    proposed_on: datetime.date
    extends_term_to: datetime.date | None
    executions: tuple[Execution, ...]


@dataclass(frozen=True)
class Termination:
    """A termination that happened: on which day, by which party, why."""

    on: datetime.date
    by: str
    reason: str


# --- the term and its rules ----------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """A length of time in the agreement's words: years, months and/or days."""

    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, day: datetime.date) -> datetime.date:
        """The day this long after `day` (a 29 February start plus a year ends on 28 February)."""
        return day + relativedelta(years=self.years, months=self.months, days=self.days)

    @property
    def shortest_days(self) -> int:
        """The fewest days it can last (months of 28 days, years of 365)."""
        return self.years * 365 + self.months * 28 + self.days

    def __str__(self) -> str:
        parts = [(self.years, "year"), (self.months, "month"), (self.days, "day")]
        return ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)


class TermStart(StrEnum):
    EXECUTION = "execution"  # the last party's signature (`executed_on`)
    EFFECTIVE_DATE = "effective_date"  # the agreement's stated `effective_on`


class TermEnd(StrEnum):
    AFTER = "after"  # a `length` after the start
    ON_DATE = "on_date"  # a fixed day, `ends_on`
    OPEN = "open"  # until terminated
    EVENT = "event"  # until an event an admin records (`end_event` says which)


@dataclass(frozen=True)
class Renewal:
    """The term renews at its end: automatically (unless a party gives notice) or by agreement.

    `periods` is how many times (None: without limit); `length` each renewal's length (None:
    the initial term's); `notice_days` how many days before the end a party must give notice
    to stop an automatic renewal (None: the file states no notice).
    """

    section: str
    automatic: bool
    periods: int | None
    length: Duration | None
    notice_days: int | None


@dataclass(frozen=True)
class Term:
    section: str | None
    starts: TermStart
    ends: TermEnd
    length: Duration | None = None  # TermEnd.AFTER
    ends_on: datetime.date | None = None  # TermEnd.ON_DATE
    end_event: str = ""  # TermEnd.EVENT, e.g. "completion of the subject project"
    renewal: Renewal | None = None

    @property
    def whole_years(self) -> int | None:
        """The term in whole years from its start, when that is what it is (schema 1's term)."""
        if self.ends == TermEnd.AFTER and self.length and not (self.length.months or self.length.days):
            return self.length.years
        return None

    def end_for(self, start: datetime.date) -> datetime.date | None:
        """The first day after the initial term, for a term starting on `start`; None if no fixed end."""
        if self.ends == TermEnd.AFTER and self.length:
            return self.length.after(start)
        if self.ends == TermEnd.ON_DATE:
            return self.ends_on
        return None


@dataclass(frozen=True)
class OnePartyTermination:
    """Any one of `parties` may terminate; it takes effect `notice_days` after the notice."""

    notice_days: int
    parties: frozenset[str]
    notice_days_by_party: Mapping[str, int] = field(default_factory=dict)

    def notice_days_for(self, party: str) -> int:
        return self.notice_days_by_party.get(party, self.notice_days)


@dataclass(frozen=True)
class TerminationRules:
    section: str | None
    by_one_party: OnePartyTermination | None
    by_mutual_agreement: bool


@dataclass(frozen=True)
class ModificationRule:
    """Modifications take effect when every party has executed them; `section` says where."""

    section: str | None


# --- recurring obligations ----------------------------------------------------------------


class ObligationKind(StrEnum):
    MEETING = "meeting"  # a meeting or call of the parties
    REPORT = "report"  # a report, bill or other deliverable
    EVENT = "event"  # an event such as outreach
    REVIEW = "review"  # a review of the agreement
    CONTACTS = "contacts"  # each owing party keeps an active point of contact


class CadenceKind(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    RRULE = "rrule"  # an iCalendar RRULE: its occurrences start the periods
    CONTINUOUS = "continuous"  # on every day of the term (no periods)


#: Calendar months per period, and the fewest and most days a period of that cadence can have.
CADENCE_MONTHS = {
    CadenceKind.MONTHLY: 1,
    CadenceKind.QUARTERLY: 3,
    CadenceKind.SEMIANNUAL: 6,
    CadenceKind.ANNUAL: 12,
}
CADENCE_SHORTEST_DAYS = {
    CadenceKind.MONTHLY: 28,
    CadenceKind.QUARTERLY: 90,
    CadenceKind.SEMIANNUAL: 181,
    CadenceKind.ANNUAL: 365,
}
CADENCE_LONGEST_DAYS = {
    CadenceKind.MONTHLY: 31,
    CadenceKind.QUARTERLY: 92,
    CadenceKind.SEMIANNUAL: 184,
    CadenceKind.ANNUAL: 366,
}


class Anchor(StrEnum):
    CALENDAR = "calendar"  # calendar months, quarters, half-years, years
    TERM = "term"  # periods counted from the term's start
    ROLLING = "rolling"  # at least once in every span of that length ending on the day


@dataclass(frozen=True)
class Cadence:
    kind: CadenceKind
    anchor: Anchor = Anchor.CALENDAR
    rrule: str | None = None  # the RRULE text (without "RRULE:") when kind is RRULE

    @property
    def months(self) -> int | None:
        return CADENCE_MONTHS.get(self.kind)


class BalanceOver(StrEnum):
    TERM = "term"
    YEAR = "year"
    PERIOD = "period"


@dataclass(frozen=True)
class Balance:
    """A balance rule: over `over`, the occurrences include each of `each_of` (keys of `across`)."""

    text: str  # the agreement's words, e.g. "in the United States and abroad"
    across: str  # the vocabulary: "event_places" or "audiences"
    each_of: tuple[str, ...]
    over: BalanceOver = BalanceOver.TERM


@dataclass(frozen=True)
class Obligation:
    """Something owed again and again, citing its clause.

    Due within each period, or by `due_day` of the period, or within `window_days` after
    the period ends (a report on the quarter); never more than one of the two.
    """

    code: str
    kind: ObligationKind
    title: str
    section: str
    parties: frozenset[str]
    cadence: Cadence
    item: str | None = None  # the tracked item (commitment code) it carries out
    window_days: int | None = None
    due_day: int | None = None
    balance: Balance | None = None
    meeting_kinds: tuple[str, ...] = ()  # for meetings: the kinds that count
    audiences: tuple[str, ...] = ()  # for events: the audiences it is for
    requires_minutes: bool = False  # a meeting counts only once its minutes are recorded
    position: int = 0


@dataclass(frozen=True)
class VocabularyEntry:
    key: str
    label: str
    section: str | None = None


@dataclass(frozen=True)
class Vocabularies:
    """The agreement's own names: kinds of meeting, audiences, places of events."""

    meeting_kinds: tuple[VocabularyEntry, ...] = ()
    audiences: tuple[VocabularyEntry, ...] = ()
    event_places: tuple[VocabularyEntry, ...] = ()

    def keys(self, name: str) -> set[str]:
        return {e.key for e in getattr(self, name)}


# --- the whole file ------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementDocument:
    """Everything an agreement file says, checked; `schema` is the schema it was written in."""

    path: str
    schema: int
    slug: str
    short_name: str
    title: str
    kind: str
    purpose: str
    executed_on: datetime.date | None
    execution_source: str
    effective_on: datetime.date | None
    funding_note: str
    terminated: Termination | None
    parties: tuple[Party, ...]
    sections: tuple[Section, ...]
    authorities: tuple[Authority, ...]
    commitments: tuple[Commitment, ...]
    signatories: tuple[Signatory, ...]
    points_of_contact: tuple[PointOfContact, ...]
    modifications: tuple[Modification, ...]
    term: Term
    termination_rules: TerminationRules | None = None
    modification_rule: ModificationRule | None = None
    obligations: tuple[Obligation, ...] = ()
    vocabularies: Vocabularies = Vocabularies()

    def party(self, key: str) -> Party:
        return next(p for p in self.parties if p.key == key)

    @property
    def party_keys(self) -> frozenset[str]:
        return frozenset(p.key for p in self.parties)

    @property
    def term_starts_on(self) -> datetime.date | None:
        if self.term.starts == TermStart.EFFECTIVE_DATE:
            return self.effective_on
        return self.executed_on
