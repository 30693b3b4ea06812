"""Reading and checking an agreement file of schema ``moa-portal/agreement@2``.

Every field is checked when the file is read, before anything is written: a refusal names
the file, the field (as a path such as ``obligations[1].cadence``) and the problem. The
schema is documented field by field in docs/agreement-file.md.
"""

from __future__ import annotations

import datetime
import enum
from pathlib import Path
from typing import Any, Literal, overload

from .document import (
    SCHEMA_2,
    AgreementDocument,
    Anchor,
    Authority,
    Balance,
    BalanceOver,
    Cadence,
    CadenceKind,
    Commitment,
    CommitmentKind,
    Duration,
    Execution,
    Modification,
    ModificationRule,
    Obligation,
    ObligationKind,
    OnePartyTermination,
    Party,
    PointOfContact,
    Renewal,
    Section,
    Signatory,
    Term,
    TermEnd,
    Termination,
    TerminationRules,
    TermStart,
    Vocabularies,
    VocabularyEntry,
)
from .reading import KEY_RE, SLUG_RE, Number, Reader, load_yaml
from .rules import RuleProblem, due_problem, period_days, rrule_text

KINDS = {"moa", "mou", "iaa", "other"}
TRACKED_LISTS = {
    "objectives": CommitmentKind.OBJECTIVE,
    "joint_activities": CommitmentKind.JOINT_ACTIVITY,
    "strategic_goals": CommitmentKind.STRATEGIC_GOAL,
    "action_items": CommitmentKind.ACTION_ITEM,
}
TOP_FIELDS = {
    "schema",
    "agreement",
    "parties",
    "term",
    "termination",
    "modification",
    "sections",
    "authorities",
    *TRACKED_LISTS,
    "vocabularies",
    "obligations",
    "signatories",
    "points_of_contact",
    "modifications",
}
VOCABULARIES = ("meeting_kinds", "audiences", "event_places")
ALL = "all"


def _choice(
    r: Reader, data: dict, key: str, where: str, choices: type[enum.Enum], *, default: Any = None
) -> Any:
    value = data.get(key)
    if value is None:
        if default is None:
            r.fail(f"{where}.{key}", "is missing")
        return default
    try:
        return choices(str(value))
    except ValueError:
        names = ", ".join(c.value for c in choices)
        r.fail(f"{where}.{key}", f"{value!r} is not one of {names}")


class _Schema2:
    def __init__(self, path: str | Path, data: dict[str, Any]) -> None:
        self.r = Reader(path)
        self.path = path
        self.data = data
        self.party_by_ref: dict[str, str] = {}  # key or acronym -> key
        self.known_parties: list[Party] = []
        self.numbers: set[str] = set()

    # --- references ----------------------------------------------------------------------

    @overload
    def party(self, obj: dict, key: str, where: str, *, required: Literal[True] = ...) -> str: ...
    @overload
    def party(self, obj: dict, key: str, where: str, *, required: bool) -> str | None: ...
    def party(self, obj: dict, key: str, where: str, *, required: bool = True) -> str | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        ref = self.r.text(obj, key, where)
        return self._party_ref(ref, f"{where}.{key}")

    def _party_ref(self, ref: str, where: str) -> str:
        if ref not in self.party_by_ref:
            known = ", ".join(f"{p.acronym} ({p.key})" for p in self.known_parties)
            self.r.fail(where, f"{ref!r} is not a party to this agreement (parties: {known})")
        return self.party_by_ref[ref]

    def party_set(self, obj: dict, key: str, where: str, *, default_all: bool = False) -> frozenset[str]:
        """A set of parties: a list of keys or acronyms, or ``all``."""
        value = obj.get(key)
        everyone = frozenset(self.party_by_ref.values())
        if value is None and default_all:
            return everyone
        if value == ALL:
            return everyone
        if not isinstance(value, list) or not value:
            self.r.fail(f"{where}.{key}", "must list the parties (keys or acronyms), or be all")
        keys = []
        for i, ref in enumerate(value):
            keys.append(
                self._party_ref(str(ref.text if isinstance(ref, Number) else ref), f"{where}.{key}[{i}]")
            )
        if len(set(keys)) != len(keys):
            self.r.fail(f"{where}.{key}", "names a party twice")
        return frozenset(keys)

    @overload
    def section(
        self, obj: dict, where: str, *, required: Literal[True] = ..., key: str = "section"
    ) -> str: ...
    @overload
    def section(self, obj: dict, where: str, *, required: bool, key: str = "section") -> str | None: ...
    def section(self, obj: dict, where: str, *, required: bool = True, key: str = "section") -> str | None:
        number = self.r.number_text(obj, key, where, required=required)
        if number is None:
            return None
        if number not in self.numbers:
            self.r.fail(f"{where}.{key}", f"clause {number!r} does not exist in sections")
        return number

    def duration(self, obj: dict, key: str, where: str) -> Duration:
        d = self.r.mapping(obj.get(key), f"{where}.{key}")
        self.r.only(d, {"years", "months", "days"}, f"{where}.{key}")
        values = {u: self.r.integer(d, u, f"{where}.{key}", minimum=0, required=False) or 0 for u in d}
        duration = Duration(**values)
        if duration.shortest_days == 0:
            self.r.fail(f"{where}.{key}", "give years, months or days (at least one above 0)")
        return duration

    # --- the file ------------------------------------------------------------------------

    def read(self) -> AgreementDocument:
        r, data = self.r, self.data
        r.only(data, TOP_FIELDS, "")
        a = r.mapping(data.get("agreement"), "agreement")
        r.only(
            a,
            {
                "slug",
                "short_name",
                "title",
                "kind",
                "purpose",
                "executed_on",
                "execution_source",
                "effective_on",
                "funding_note",
                "terminated",
            },
            "agreement",
        )
        slug = r.text(a, "slug", "agreement")
        if not SLUG_RE.match(slug):
            r.fail("agreement.slug", f"{slug!r} must be lowercase letters, digits and hyphens")
        kind = r.text(a, "kind", "agreement")
        if kind not in KINDS:
            r.fail("agreement.kind", f"{kind!r} is not one of {', '.join(sorted(KINDS))}")
        executed_on = r.date(a, "executed_on", "agreement", required=False)
        effective_on = r.date(a, "effective_on", "agreement", required=False)

        parties = self.parties()
        sections = self.sections()
        terminated = None
        if a.get("terminated") is not None:
            t = r.mapping(a["terminated"], "agreement.terminated")
            r.only(t, {"on", "by", "reason"}, "agreement.terminated")
            on = r.date(t, "on", "agreement.terminated")
            by = self.party(t, "by", "agreement.terminated")
            if executed_on is None or on < executed_on:
                r.fail("agreement.terminated.on", "termination must come after execution")
            terminated = Termination(
                on=on, by=by, reason=r.text(t, "reason", "agreement.terminated", required=False)
            )

        term = self.term(effective_on)
        commitments = self.commitments()
        vocabularies = self.vocabularies()
        return AgreementDocument(
            path=str(self.path),
            schema=2,
            slug=slug,
            short_name=r.text(a, "short_name", "agreement"),
            title=r.text(a, "title", "agreement"),
            kind=kind,
            purpose=r.text(a, "purpose", "agreement", required=False),
            executed_on=executed_on,
            execution_source=r.text(a, "execution_source", "agreement", required=False),
            effective_on=effective_on,
            funding_note=r.text(a, "funding_note", "agreement", required=False),
            terminated=terminated,
            parties=parties,
            sections=sections,
            authorities=self.authorities(),
            commitments=commitments,
            signatories=self.signatories(),
            points_of_contact=self.points_of_contact(),
            modifications=self.modifications(executed_on),
            term=term,
            termination_rules=self.termination_rules(),
            modification_rule=self.modification_rule(),
            obligations=self.obligations(vocabularies, {c.code for c in commitments}),
            vocabularies=vocabularies,
        )

    def parties(self) -> tuple[Party, ...]:
        r = self.r
        parties = []
        for i, p in enumerate(r.items(self.data, "parties", "")):
            where = f"parties[{i}]"
            p = r.mapping(p, where)
            r.only(p, {"key", "acronym", "name", "department", "same_as"}, where)
            key = r.text(p, "key", where)
            if not KEY_RE.match(key):
                r.fail(f"{where}.key", f"{key!r} must be lowercase letters and digits joined by - or _")
            acronym = r.text(p, "acronym", where)
            for ref, field_name in ((key, "key"), (acronym, "acronym")):
                if self.party_by_ref.get(ref, key) != key or (
                    field_name == "key" and ref in self.party_by_ref
                ):
                    r.fail(f"{where}.{field_name}", f"{ref!r} already names another party of this file")
            self.party_by_ref[key] = key
            self.party_by_ref[acronym] = key
            party = Party(
                key=key,
                acronym=acronym,
                name=r.text(p, "name", where),
                department=r.text(p, "department", where, required=False),
                same_as=r.text(p, "same_as", where, required=False) or None,
            )
            parties.append(party)
            self.known_parties.append(party)
        if len(parties) < 2:
            r.fail("parties", "an agreement needs at least two parties")
        return tuple(parties)

    def sections(self) -> tuple[Section, ...]:
        r = self.r
        sections = []
        for i, s in enumerate(r.items(self.data, "sections", "")):
            where = f"sections[{i}]"
            s = r.mapping(s, where)
            r.only(s, {"number", "heading", "text", "parent"}, where)
            number = r.number_text(s, "number", where)
            if number in self.numbers:
                r.fail(f"{where}.number", f"clause {number!r} appears twice")
            parent = r.number_text(s, "parent", where, required=False)
            if parent is not None and parent not in self.numbers:
                r.fail(f"{where}.parent", f"clause {parent!r} does not exist before {number!r}")
            self.numbers.add(number)
            sections.append(
                Section(
                    number=number,
                    heading=r.text(s, "heading", where, required=False),
                    text=r.text(s, "text", where, required=False),
                    parent=parent,
                    position=i + 1,
                )
            )
        if not sections:
            r.fail("sections", "the agreement's text is missing")
        return tuple(sections)

    def term(self, effective_on: datetime.date | None) -> Term:
        r, where = self.r, "term"
        t = r.mapping(self.data.get("term"), where)
        r.only(t, {"section", "starts", "ends", "length", "ends_on", "until", "renewal"}, where)
        starts = _choice(r, t, "starts", where, TermStart, default=TermStart.EXECUTION)
        if starts == TermStart.EFFECTIVE_DATE and effective_on is None:
            r.fail(
                "term.starts", "the term starts on the effective date, but agreement.effective_on is missing"
            )
        ends = _choice(r, t, "ends", where, TermEnd)
        length = ends_on = None
        end_event = ""
        needs = {TermEnd.AFTER: "length", TermEnd.ON_DATE: "ends_on", TermEnd.EVENT: "until"}
        for end, field_name in needs.items():
            if end != ends and t.get(field_name) is not None:
                r.fail(f"term.{field_name}", f"does not apply to a term that ends {ends.value!r}")
        if ends == TermEnd.AFTER:
            if t.get("length") is None:
                r.fail("term.length", "is missing (a term that ends 'after' needs its length)")
            length = self.duration(t, "length", where)
        elif ends == TermEnd.ON_DATE:
            ends_on = r.date(t, "ends_on", where)
        elif ends == TermEnd.EVENT:
            end_event = r.text(t, "until", where)
        renewal = None
        if t.get("renewal") is not None:
            renewal = self.renewal(t, ends)
        return Term(
            section=self.section(t, where),
            starts=starts,
            ends=ends,
            length=length,
            ends_on=ends_on,
            end_event=end_event,
            renewal=renewal,
        )

    def renewal(self, t: dict, ends: TermEnd) -> Renewal:
        r, where = self.r, "term.renewal"
        n = r.mapping(t["renewal"], where)
        r.only(n, {"section", "automatic", "periods", "length", "notice_days"}, where)
        if ends not in (TermEnd.AFTER, TermEnd.ON_DATE):
            r.fail(
                where, f"a term that ends {ends.value!r} has no end to renew at (use ends: after or on_date)"
            )
        length = self.duration(n, "length", where) if n.get("length") is not None else None
        if length is None and ends == TermEnd.ON_DATE:
            r.fail(f"{where}.length", "is missing (a term ending on a date needs the length of each renewal)")
        return Renewal(
            section=self.section(n, where),
            automatic=r.boolean(n, "automatic", where, default=True),
            periods=r.integer(n, "periods", where, required=False),
            length=length,
            notice_days=r.integer(n, "notice_days", where, minimum=0, required=False),
        )

    def termination_rules(self) -> TerminationRules | None:
        r, where = self.r, "termination"
        if self.data.get("termination") is None:
            return None
        t = r.mapping(self.data["termination"], where)
        r.only(t, {"section", "by_one_party", "by_mutual_agreement"}, where)
        one = None
        if t.get("by_one_party") is not None:
            ow = f"{where}.by_one_party"
            o = r.mapping(t["by_one_party"], ow)
            r.only(o, {"notice_days", "parties", "notice_days_by_party"}, ow)
            by_party: dict[str, int] = {}
            if o.get("notice_days_by_party") is not None:
                m = r.mapping(o["notice_days_by_party"], f"{ow}.notice_days_by_party")
                for ref in m:
                    text = ref.text if isinstance(ref, Number) else str(ref)
                    key = self._party_ref(text, f"{ow}.notice_days_by_party.{text}")
                    by_party[key] = r.integer(m, ref, f"{ow}.notice_days_by_party", minimum=0)
            one = OnePartyTermination(
                notice_days=r.integer(o, "notice_days", ow, minimum=0),
                parties=self.party_set(o, "parties", ow, default_all=True),
                notice_days_by_party=by_party,
            )
        mutual = r.boolean(t, "by_mutual_agreement", where)
        if one is None and not mutual:
            r.fail(where, "say how it may be terminated: by_one_party, by_mutual_agreement: true, or both")
        return TerminationRules(section=self.section(t, where), by_one_party=one, by_mutual_agreement=mutual)

    def modification_rule(self) -> ModificationRule | None:
        if self.data.get("modification") is None:
            return None
        m = self.r.mapping(self.data["modification"], "modification")
        self.r.only(m, {"section"}, "modification")
        return ModificationRule(section=self.section(m, "modification"))

    def authorities(self) -> tuple[Authority, ...]:
        r = self.r
        authorities = []
        for i, au in enumerate(r.items(self.data, "authorities", "", required=False)):
            where = f"authorities[{i}]"
            au = r.mapping(au, where)
            r.only(au, {"citation", "text", "party", "section"}, where)
            authorities.append(
                Authority(
                    citation=r.text(au, "citation", where),
                    text=r.text(au, "text", where),
                    party=self.party(au, "party", where),
                    section=self.section(au, where, required=False),
                    position=i + 1,
                )
            )
        if len({au.citation for au in authorities}) != len(authorities):
            r.fail("authorities", "a citation is listed twice")
        return tuple(authorities)

    def commitments(self) -> tuple[Commitment, ...]:
        r = self.r
        commitments: list[Commitment] = []
        goals: dict[str, str] = {}  # where -> goal code, checked once every goal is read
        position = 0
        for key, kind in TRACKED_LISTS.items():
            for i, c in enumerate(r.items(self.data, key, "", required=False)):
                where = f"{key}[{i}]"
                c = r.mapping(c, where)
                if "lead" in c:
                    r.fail(
                        f"{where}.lead",
                        "schema 2 names the parties that owe a commitment in leads: a list, or all",
                    )
                r.only(c, {"code", "title", "description", "leads", "section", "goal", "target_date"}, where)
                code = r.code(c, "code", where)
                if any(x.code == code for x in commitments):
                    r.fail(f"{where}.code", f"duplicate code {code!r}")
                goal = r.number_text(c, "goal", where, required=False)
                if goal is not None:
                    goals[where] = goal
                position += 1
                commitments.append(
                    Commitment(
                        kind=kind,
                        code=code,
                        title=r.text(c, "title", where),
                        description=r.text(c, "description", where, required=False),
                        leads=self.party_set(c, "leads", where),
                        section=self.section(c, where),
                        goal=goal,
                        target_date=r.date(c, "target_date", where, required=False),
                        position=position,
                    )
                )
        goal_codes = {c.code for c in commitments if c.kind == CommitmentKind.STRATEGIC_GOAL}
        for where, goal in goals.items():
            if goal not in goal_codes:
                r.fail(f"{where}.goal", f"{goal!r} is not a strategic goal of this file")
        return tuple(commitments)

    def vocabularies(self) -> Vocabularies:
        r = self.r
        if self.data.get("vocabularies") is None:
            return Vocabularies()
        v = r.mapping(self.data["vocabularies"], "vocabularies")
        r.only(v, set(VOCABULARIES), "vocabularies")
        found: dict[str, tuple[VocabularyEntry, ...]] = {}
        for name in VOCABULARIES:
            entries: list[VocabularyEntry] = []
            for i, e in enumerate(r.items(v, name, "vocabularies.", required=False)):
                where = f"vocabularies.{name}[{i}]"
                e = r.mapping(e, where)
                r.only(e, {"key", "label", "section"}, where)
                key = r.text(e, "key", where)
                if not KEY_RE.match(key):
                    r.fail(f"{where}.key", f"{key!r} must be lowercase letters and digits joined by - or _")
                if any(x.key == key for x in entries):
                    r.fail(f"{where}.key", f"{key!r} is listed twice")
                entries.append(
                    VocabularyEntry(
                        key=key,
                        label=r.text(e, "label", where),
                        section=self.section(e, where, required=False),
                    )
                )
            found[name] = tuple(entries)
        return Vocabularies(**found)

    def keys_of(
        self, obj: dict, key: str, where: str, vocabulary: Vocabularies, name: str
    ) -> tuple[str, ...]:
        value = obj.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.r.fail(f"{where}.{key}", f"must be a list of keys of vocabularies.{name}")
        known = vocabulary.keys(name)
        for i, k in enumerate(value):
            if k not in known:
                shown = ", ".join(sorted(known)) or "none declared"
                self.r.fail(f"{where}.{key}[{i}]", f"{k!r} is not in vocabularies.{name} ({shown})")
        return tuple(value)

    def cadence(self, o: dict, where: str) -> tuple[Cadence, int | None, int | None]:
        """The cadence, and the fewest and most days one of its periods can have (None: continuous)."""
        r = self.r
        value = o.get("cadence")
        anchor = _choice(r, o, "anchor", where, Anchor, default=Anchor.CALENDAR)
        if value is None:
            r.fail(f"{where}.cadence", "is missing")
        if isinstance(value, dict):
            r.only(value, {"rrule"}, f"{where}.cadence")
            try:
                text = rrule_text(r.text(value, "rrule", f"{where}.cadence"))
                span = period_days(CadenceKind.RRULE, text)
            except RuleProblem as exc:
                r.fail(f"{where}.cadence.rrule", str(exc))
            if "anchor" in o:
                r.fail(f"{where}.anchor", "an RRULE sets its own periods; anchor does not apply")
            assert span is not None  # an RRULE has periods  # noqa: S101
            return Cadence(kind=CadenceKind.RRULE, rrule=text), span[0], span[1]
        names = [c.value for c in CadenceKind if c != CadenceKind.RRULE]
        try:
            kind = CadenceKind(str(value))
        except ValueError:
            kind = None
        if kind is None or kind == CadenceKind.RRULE:
            r.fail(
                f"{where}.cadence",
                f"unknown cadence {value!r}: use one of {', '.join(names)}, or {{rrule: 'FREQ=…'}}",
            )
        if kind == CadenceKind.CONTINUOUS:
            if "anchor" in o:
                r.fail(f"{where}.anchor", "a continuous obligation has no periods to anchor")
            return Cadence(kind=kind), None, None
        shortest, longest = period_days(kind) or (None, None)
        return Cadence(kind=kind, anchor=anchor), shortest, longest

    def obligations(self, vocabularies: Vocabularies, codes: set[str]) -> tuple[Obligation, ...]:
        r = self.r
        obligations: list[Obligation] = []
        fields = {
            "code",
            "kind",
            "title",
            "section",
            "item",
            "parties",
            "cadence",
            "anchor",
            "window_days",
            "due_day",
            "balance",
            "meeting_kinds",
            "audiences",
            "requires_minutes",
        }
        for i, o in enumerate(r.items(self.data, "obligations", "", required=False)):
            where = f"obligations[{i}]"
            o = r.mapping(o, where)
            r.only(o, fields, where)
            code = r.code(o, "code", where)
            if any(x.code == code for x in obligations):
                r.fail(f"{where}.code", f"duplicate code {code!r}")
            kind = _choice(r, o, "kind", where, ObligationKind)
            cadence, shortest, longest = self.cadence(o, where)
            window = r.integer(o, "window_days", where, required=False)
            due_day = r.integer(o, "due_day", where, required=False)
            span = None if shortest is None or longest is None else (shortest, longest)
            problem = due_problem(
                kind=cadence.kind.value,
                is_rrule=bool(cadence.rrule),
                span=span,
                window_days=window,
                due_day=due_day,
            )
            if problem:
                r.fail(f"{where}.{problem[0]}", problem[1])
            item = r.number_text(o, "item", where, required=False)
            if item is not None and item not in codes:
                r.fail(f"{where}.item", f"{item!r} is not the code of a commitment of this file")
            meeting_kinds = self.keys_of(o, "meeting_kinds", where, vocabularies, "meeting_kinds")
            if meeting_kinds and kind != ObligationKind.MEETING:
                r.fail(f"{where}.meeting_kinds", f"applies to meetings, not to a {kind.value}")
            requires_minutes = r.boolean(o, "requires_minutes", where)
            if requires_minutes and kind != ObligationKind.MEETING:
                r.fail(f"{where}.requires_minutes", f"applies to meetings, not to a {kind.value}")
            obligations.append(
                Obligation(
                    code=code,
                    kind=kind,
                    title=r.text(o, "title", where),
                    section=self.section(o, where),
                    parties=self.party_set(o, "parties", where, default_all=True),
                    cadence=cadence,
                    item=item,
                    window_days=window,
                    due_day=due_day,
                    balance=self.balance(o, where, vocabularies),
                    meeting_kinds=meeting_kinds,
                    audiences=self.keys_of(o, "audiences", where, vocabularies, "audiences"),
                    requires_minutes=requires_minutes,
                    position=i + 1,
                )
            )
        return tuple(obligations)

    def balance(self, o: dict, where: str, vocabularies: Vocabularies) -> Balance | None:
        r = self.r
        if o.get("balance") is None:
            return None
        bw = f"{where}.balance"
        b = r.mapping(o["balance"], bw)
        r.only(b, {"text", "across", "each_of", "over"}, bw)
        across = r.text(b, "across", bw)
        if across not in ("event_places", "audiences"):
            r.fail(f"{bw}.across", f"{across!r} is not event_places or audiences")
        each_of = self.keys_of(b, "each_of", bw, vocabularies, across)
        if len(set(each_of)) < 2:
            r.fail(f"{bw}.each_of", "a balance needs at least two different keys")
        return Balance(
            text=r.text(b, "text", bw),
            across=across,
            each_of=each_of,
            over=_choice(r, b, "over", bw, BalanceOver, default=BalanceOver.TERM),
        )

    def signatories(self) -> tuple[Signatory, ...]:
        r = self.r
        signatories: list[Signatory] = []
        for i, s in enumerate(r.items(self.data, "signatories", "", required=False)):
            where = f"signatories[{i}]"
            s = r.mapping(s, where)
            r.only(s, {"party", "name", "title", "signed_on"}, where)
            party = self.party(s, "party", where)
            if any(x.party == party for x in signatories):
                r.fail(f"{where}.party", f"party {party!r} already has a signature")
            signatories.append(
                Signatory(
                    party=party,
                    name=r.text(s, "name", where),
                    title=r.text(s, "title", where),
                    signed_on=r.date(s, "signed_on", where, required=False),
                )
            )
        return tuple(signatories)

    def points_of_contact(self) -> tuple[PointOfContact, ...]:
        r = self.r
        contacts: list[PointOfContact] = []
        for i, p in enumerate(r.items(self.data, "points_of_contact", "", required=False)):
            where = f"points_of_contact[{i}]"
            p = r.mapping(p, where)
            r.only(
                p,
                {
                    "party",
                    "role_title",
                    "office",
                    "person_name",
                    "email",
                    "phone",
                    "active_from",
                    "active_to",
                    "coordinator",
                },
                where,
            )
            contact = PointOfContact(
                party=self.party(p, "party", where),
                role_title=r.text(p, "role_title", where),
                office=r.text(p, "office", where, required=False),
                person_name=r.text(p, "person_name", where, required=False),
                email=r.text(p, "email", where, required=False),
                phone=r.text(p, "phone", where, required=False),
                active_from=r.date(p, "active_from", where),
                active_to=r.date(p, "active_to", where, required=False),
                is_coordinator=r.boolean(p, "coordinator", where),
                position=i + 1,
            )
            if contact.active_to and contact.active_to < contact.active_from:
                r.fail(f"{where}.active_to", "is before active_from")
            if contact.email and "@" not in contact.email:
                r.fail(f"{where}.email", f"{contact.email!r} is not an e-mail address")
            key = (contact.party, contact.role_title, contact.office)
            if any((c.party, c.role_title, c.office) == key for c in contacts):
                r.fail(where, "the same party, role title and office are listed twice")
            contacts.append(contact)
        return tuple(contacts)

    def modifications(self, executed_on: datetime.date | None) -> tuple[Modification, ...]:
        r = self.r
        modifications: list[Modification] = []
        for i, m in enumerate(r.items(self.data, "modifications", "", required=False)):
            where = f"modifications[{i}]"
            m = r.mapping(m, where)
            r.only(m, {"number", "title", "text", "proposed_on", "extends_term_to", "executions"}, where)
            number = r.integer(m, "number", where)
            if any(x.number == number for x in modifications):
                r.fail(f"{where}.number", f"modification {number} is listed twice")
            proposed_on = r.date(m, "proposed_on", where)
            executions: list[Execution] = []
            for j, e in enumerate(r.items(m, "executions", f"{where}.", required=False)):
                ewhere = f"{where}.executions[{j}]"
                e = r.mapping(e, ewhere)
                r.only(e, {"party", "executed_on"}, ewhere)
                party = self.party(e, "party", ewhere)
                if any(x.party == party for x in executions):
                    r.fail(f"{ewhere}.party", f"party {party!r} executed it twice")
                on = r.date(e, "executed_on", ewhere)
                if on < proposed_on:
                    r.fail(f"{ewhere}.executed_on", "is before the modification was proposed")
                executions.append(Execution(party=party, executed_on=on))
            extends_to = r.date(m, "extends_term_to", where, required=False)
            if extends_to and executed_on is None:
                r.fail(f"{where}.extends_term_to", "an unexecuted agreement has no term to extend")
            modifications.append(
                Modification(
                    number=number,
                    title=r.text(m, "title", where),
                    text=r.text(m, "text", where),
                    proposed_on=proposed_on,
                    extends_term_to=extends_to,
                    executions=tuple(executions),
                )
            )
        return tuple(modifications)


def read_schema2(path: str | Path, data: dict[str, Any] | None = None) -> AgreementDocument:
    """Parse and check a schema-2 file; raise AgreementFileError on the first problem found."""
    r = Reader(path)
    data = r.mapping(load_yaml(path) if data is None else data, "(file)")
    if data.get("schema") != SCHEMA_2:
        r.fail("schema", f"must be {SCHEMA_2!r}, found {data.get('schema')!r}")
    return _Schema2(path, data).read()
