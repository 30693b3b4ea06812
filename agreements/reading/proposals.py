"""What the clauses say, as proposals a person confirms, edits or ignores; each names its clause.

The rules are plain patterns over the outline (outline.py), in the order a reader would look:
the parties are the acronyms the parties clause (or preamble) defines; authorities are the
statute citations of a section headed "Authorities"; the purpose is the section headed
"Purpose"; the term, termination and modification come from the clauses that say "remain in
effect", "terminate", "modified"; commitments are the items of a list a sentence introduces
("the Parties will endeavor to:", "the following Joint Activities …:", "the following goals:",
"DOC seeks to accomplish the following items:"), led by the party the sentence, the item or the
annex part names (else all parties); an item that only points elsewhere ("undertake the Joint
Activities proposed in Section VI") is not one itself, and an item's sub-items belong to it.
Recurring obligations are clauses that state a cadence ("quarterly meetings or conference
calls", "twice a year", "monthly", "annually", "within 30 days of …"), events to hold (at least
one a year when no cadence is stated: said so in the note) and points of contact to establish
(kept all the term). Contacts and signatories are the lines of the sections so headed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from .outline import Clause, Outline, strip_marks, title_case

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45,
    "sixty": 60, "ninety": 90,
}  # fmt: skip
NUM = r"(?:\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
CITATION_RE = re.compile(
    r"\b\d{1,2}\s+U\.\s?S\.\s?C\.\s*§§?\s*[\w.()-]*\w|\bPub(?:lic|\.)\s+L(?:aw|\.)\s+(?:No\.\s+)?\d+-\d+"
)
LIST_KINDS = {
    "goals": "strategic_goal",
    "goal": "strategic_goal",
    "items": "action_item",
    "item": "action_item",
}
CROSS_REFERENCE_RE = re.compile(r"\b(?:Section|Article|Annex|Appendix|Attachment)\s+(?:[IVXLC]+|\d+)\b")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}")
ROLE_WORDS = re.compile(
    r"\b(Director|Chief|Secretary|Manager|Specialist|Officer|Administrator|Coordinator|Head|Lead|Deputy|"
    r"Assistant|Counsel|Commissioner|President|Analyst|Advisor|Adviser)\b"
)


@dataclass
class Proposal:
    """One thing the text seems to say, for a person to confirm, edit or ignore."""

    # title, party, authority, purpose, term, termination, modification, commitment, obligation,
    # contact or signatory
    kind: str
    clause: str | None  # the number of the clause it rests on
    value: dict[str, Any]
    quote: str  # the words it rests on
    note: str = ""
    status: str = field(default="proposed")  # proposed, confirmed, edited, ignored


def _words_number(text: str) -> int:
    text = text.lower()
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def _heading_has(clause: Clause, *words: str) -> bool:
    heading = strip_marks(clause.heading).upper()
    return any(w in heading for w in words)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", strip_marks(text)).strip()


class _Reader:
    def __init__(self, outline: Outline) -> None:
        self.outline = outline
        self.clauses = [c for c in outline.clauses if c.kind != "title"]
        self.parties: list[dict[str, str]] = []

    # -- parties
    def party_of(self, text: str) -> str | None:
        """The acronym of the party a phrase names (by acronym or by name)."""
        flat = _flat(text)
        for party in self.parties:
            if re.search(rf"\b{re.escape(party['acronym'])}\b", flat):
                return party["acronym"]
        key = flat.lower().replace("united states", "u.s.")
        for party in self.parties:
            name = party["name"].lower()
            core = re.sub(r"^(?:u\.s\.|the)\s+", "", name)
            if name in key or core in key or _distinctive(core) in key:
                return party["acronym"]
        return None

    def propose_parties(self) -> list[Proposal]:
        candidates = [c for c in self.clauses if _heading_has(c, "PART")] + [
            c for c in self.clauses if c.kind == "preamble"
        ]
        candidates += self.clauses[:3]
        for clause in candidates:
            text = _flat(clause.text)
            found = []
            for name, acronym in self.outline.acronyms.items():
                if f"{name} ({acronym})" in text and not re.search(
                    r"Memorandum|Agreement|Understanding", name
                ):
                    found.append((text.index(f"{name} ({acronym})"), name, acronym))
            if len(found) >= 2:
                found.sort()
                proposals = []
                for _, name, acronym in found:
                    value = {"key": slugify(name.replace(".", "")), "acronym": acronym, "name": name}
                    self.parties.append(value)
                    proposals.append(Proposal("party", clause.number, value, f"{name} ({acronym})"))
                return proposals
        return self._parties_named_between(candidates)

    def _parties_named_between(self, candidates: list[Clause]) -> list[Proposal]:
        """Without defined acronyms: the names after "between … and …" (or "among"), in the title
        or the first clauses, each given the acronym of its initials (said in a note)."""
        title = next((c for c in self.outline.clauses if c.kind == "title"), None)
        for clause in ([title] if title else []) + candidates:
            text = _flat(clause.text)
            m = re.search(
                r"\b(?:between|among|BETWEEN|AMONG)\s+(.+?)(?:\s+(?:for|on|regarding|concerning|FOR|ON|REGARDING)\s|[.;(]|$)",
                text,
            )
            if not m:
                continue
            names = [
                re.sub(r"^(?:the|THE)\s+", "", part.strip(" ,"))
                for part in re.split(r",\s*(?:and\s+|AND\s+)?|\s+(?:and|AND)\s+", m.group(1))
            ]
            names = [title_case(n) if n.isupper() else n for n in names if n and n[0].isupper()]
            if len(names) < 2:
                continue
            proposals = []
            for name in names:
                acronym = "".join(w[0] for w in name.split() if w[0].isupper())
                value = {"key": slugify(name.replace(".", "")), "acronym": acronym, "name": name}
                self.parties.append(value)
                note = f"the text defines no acronym: {acronym} made from the name's initials"
                proposals.append(Proposal("party", clause.number, value, m.group(0), note))
            return proposals
        return []

    # -- the agreement's own statements
    def propose_title(self) -> list[Proposal]:
        title = next((c for c in self.outline.clauses if c.kind == "title"), None)
        if title is None:
            return []
        text = _flat(title.text)
        return [
            Proposal("title", title.number, {"title": title_case(text) if text.isupper() else text}, text)
        ]

    def propose_purpose(self) -> list[Proposal]:
        for clause in self.clauses:
            if _heading_has(clause, "PURPOSE") and clause.text:
                return [
                    Proposal("purpose", clause.number, {"purpose": _flat(clause.text)}, _flat(clause.text))
                ]
        return []

    def propose_authorities(self) -> list[Proposal]:
        sections = [c for c in self.clauses if _heading_has(c, "AUTHORIT")]
        numbers = {c.number for c in sections}
        proposals = []
        for clause in self.clauses:
            if clause.number not in numbers and clause.parent not in numbers:
                continue
            text = _flat(clause.text)
            matches = list(CITATION_RE.finditer(text))
            for n, match in enumerate(matches):
                # What a citation says runs to the next citation in the same sentence.
                end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
                rest = text[match.end() : end].lstrip(" ,")
                rest = re.sub(r",?\s*(?:and|or)\s*$", "", rest.rstrip())
                rest = re.sub(r"^(?:which|that)\s+", "", rest)
                rest = re.sub(r";?\s*(?:and|or)?$", "", rest).rstrip(" ;,")
                described = (rest[:1].upper() + rest[1:]).rstrip(".") + "." if rest else ""
                value = {"citation": match.group(0), "text": described, "party": self.party_of(rest)}
                proposals.append(Proposal("authority", clause.number, value, text))
        return proposals

    def _term_clause(self) -> Clause | None:
        for clause in self.clauses:
            if re.search(r"\b(?:PERIOD|TERM|DURATION)\b", strip_marks(clause.heading).upper()):
                return clause
        for clause in self.clauses:
            if re.search(r"remain in (?:full force and )?effect (?:for|until)", _flat(clause.text)):
                return clause
        return None

    def propose_term(self) -> list[Proposal]:
        clause = self._term_clause()
        if clause is None:
            return []
        text = _flat(clause.text)
        value: dict[str, Any] = {"section": clause.number}
        value["starts"] = (
            "effective_date" if re.search(r"effective (?:on|as of) \w+ \d", text) else "execution"
        )
        length = re.search(
            rf"\bfor (?:a (?:period|term) of )?({NUM})\s*(?:\(\d+\)\s*)?(year|month|day)s?\b", text, re.I
        )
        until = re.search(r"\buntil (?:the )?(completion of [^,.;]+)", text, re.I)
        if length:
            value["ends"] = "after"
            value["length"] = {f"{length.group(2).lower()}s": _words_number(length.group(1))}
        elif until:
            value["ends"] = "event"
            value["until"] = until.group(1)
        else:
            value["ends"] = "open"
        # Renewal is read from the sentences that speak of it, not from a termination notice beside it.
        renewing = " ".join(
            sentence for sentence in _sentences(text) if re.search(r"\brenew", sentence, re.I)
        )
        if value["ends"] == "after" and renewing:
            renewal: dict[str, Any] = {"section": clause.number}
            renewal["automatic"] = bool(re.search(r"automatic", renewing, re.I))
            if periods := re.search(rf"\b({NUM})\s+(?:additional|successive|further)", renewing, re.I):
                renewal["periods"] = _words_number(periods.group(1))
            if notice := re.search(
                rf"({NUM})\s*(?:\(\d+\)\s*)?days'?\s*(?:prior\s+)?(?:written\s+)?notice", renewing, re.I
            ):
                renewal["notice_days"] = _words_number(notice.group(1))
            value["renewal"] = renewal
        return [Proposal("term", clause.number, value, text)]

    def propose_termination(self) -> list[Proposal]:
        for clause in [c for c in self.clauses if _heading_has(c, "TERMINAT")] + self.clauses:
            text = _flat(clause.text)
            one = re.search(
                r"terminat\w*\s+(?:this \w+\s+)?by (?:either|any|one) (?:side|party|parties)|(?:either|any) (?:party|side) may terminate",  # noqa: E501 (a pattern reads best whole)
                text,
                re.I,
            )
            mutual = re.search(
                r"terminat[^.]*mutual (?:written )?(?:agreement|consent)|mutual (?:written )?(?:agreement|consent)[^.]*terminat",  # noqa: E501 (a pattern reads best whole)
                text,
                re.I,
            )
            if not (one or mutual):
                continue
            value: dict[str, Any] = {"section": clause.number}
            if one:
                notice = re.search(
                    rf"({NUM})\s*(?:\(\d+\)\s*)?days'?\s*(?:prior\s+|advance\s+)?(?:written\s+)?notice",
                    text[one.start() :],
                    re.I,
                )
                value["by_one_party"] = {"notice_days": _words_number(notice.group(1)) if notice else 0}
            if mutual:
                value["by_mutual_agreement"] = True
            note = (
                ""
                if not one or value["by_one_party"]["notice_days"]
                else "no notice period stated: 0 days proposed"
            )
            return [Proposal("termination", clause.number, value, text, note)]
        return []

    def propose_modification(self) -> list[Proposal]:
        for clause in [
            c for c in self.clauses if _heading_has(c, "MODIFICATION", "AMENDMENT")
        ] + self.clauses:
            text = _flat(clause.text)
            if re.search(
                r"may (?:only )?be (?:modified|amended)|modif\w+ (?:shall|must|will) be in writing",
                text,
                re.I,
            ):
                return [Proposal("modification", clause.number, {"section": clause.number}, text)]
        return []

    # -- commitments
    def _leads_from(self, text: str) -> list[str] | None:
        flat = _flat(text)
        if re.match(
            r"^(?:The |the )?(?:Parties|parties|each Party|Each Party|both Parties)\b", flat
        ) or re.search(r"\bthe Parties (?:will|shall|agree)", flat):
            return None  # all parties
        lead = re.match(
            r"^((?:[A-Z][A-Za-z&]+)(?:(?:,\s*|\s+and\s+)[A-Z][A-Za-z&]+)*)\s+(?:will|shall|agrees?|seeks?|aims?)\b",
            flat,
        )
        if lead:
            acronyms = [
                a
                for a in re.split(r",\s*|\s+and\s+", lead.group(1))
                if any(p["acronym"] == a for p in self.parties)
            ]
            if acronyms:
                return acronyms
        return None

    def _list_kind(self, parent: Clause, section: Clause) -> str | None:
        intro = _flat(parent.paragraphs[-1]) if parent.paragraphs else ""
        if _heading_has(section, "JOINT ACTIVIT") or "Joint Activities" in intro:
            return "joint_activity"
        if m := re.search(r"(\w+)\s*:$", intro):
            if m.group(1).lower() in LIST_KINDS:
                return LIST_KINDS[m.group(1).lower()]
            if re.search(r"\b(?:will|shall|agrees?|endeavor|responsib|undertake)\b", intro, re.I):
                return "objective"
        if _heading_has(parent, "RESPONSIBILIT", "OBLIGATION", "DUTIES") or _heading_has(
            section, "RESPONSIBILIT", "OBLIGATION", "DUTIES"
        ):
            return "objective"
        return None

    def _top(self, clause: Clause) -> Clause:
        while clause.parent is not None:
            parent = self.outline.clause(clause.parent)
            if parent is None:
                break
            clause = parent
        return clause

    def _annex_party(self, clause: Clause) -> str | None:
        current: Clause | None = clause
        while current is not None:
            if current.kind == "subheading":
                return self.party_of(current.heading)
            current = self.outline.clause(current.parent) if current.parent else None
        return None

    def propose_commitments(self) -> list[Proposal]:
        proposals: list[Proposal] = []
        committed: set[str] = set()
        counters: dict[str, int] = {}
        for clause in self.clauses:
            if (
                clause.kind != "item"
                or clause.parent is None
                or clause.parent in committed
                or not clause.text
            ):
                continue
            parent = self.outline.clause(clause.parent)
            if parent is None:
                continue
            kind = self._list_kind(parent, self._top(clause))
            if kind is None:
                continue
            text = _flat(clause.text)
            if text.endswith(":") and not clause.heading and self.outline.children(clause.number):
                continue  # a sentence introducing a list: its items are the commitments
            if (
                CROSS_REFERENCE_RE.search(text)
                and len(text) < 200
                and not re.search(r"\b(?:will|shall)\b", text)
            ):
                continue  # points at commitments stated elsewhere
            leads = self._leads_from(text)
            if leads is None and parent.paragraphs:
                leads = self._leads_from(parent.paragraphs[-1])
            if leads is None:
                party = self._annex_party(clause)
                leads = [party] if party else None
            committed.add(clause.number)
            described = "\n".join(
                [text]
                + [
                    f"{c.marker.lstrip('- ').strip()} {_flat(c.text)}".strip()
                    for c in self.outline.children(clause.number)
                ]
            )
            code = clause.number
            if " " in code or len(code) > 40:
                prefix = leads[0] if leads and len(leads) == 1 else "X"
                letter = {"strategic_goal": "G", "action_item": "A"}.get(kind, "C")
                counters[f"{prefix}{letter}"] = counters.get(f"{prefix}{letter}", 0) + 1
                code = f"{prefix}-{letter}{counters[f'{prefix}{letter}']}"
            title = strip_marks(clause.heading).strip().rstrip(":.") or _short_title(text)
            value = {
                "code": code,
                "kind": kind,
                "title": title,
                "description": described,
                "leads": leads or "all",
            }
            proposals.append(Proposal("commitment", clause.number, value, text))
        return proposals

    # -- what recurs
    def propose_obligations(self, commitments: list[Proposal]) -> list[Proposal]:
        by_clause = {p.clause: p for p in commitments}
        skip = {p.clause for p in self.propose_term() + self.propose_termination()}
        proposals = []
        for clause in self.clauses:
            if clause.number in skip or not clause.text or _heading_has(clause, "AUTHORIT", "CONTACT"):
                continue
            text = _flat(clause.text)
            found = _obligation(text)
            if found is None:
                continue
            kind, cadence, extra, note = found
            item = by_clause.get(clause.number)
            value: dict[str, Any] = {
                "code": slugify(extra.pop("title"))[:40].strip("-"),
                "kind": kind,
                "cadence": cadence,
                "parties": item.value["leads"] if item else "all",
            }
            if item:
                value["item"] = item.value["code"]
            value.update(extra)
            proposals.append(Proposal("obligation", clause.number, value, text, note))
        return proposals

    # -- people
    def propose_contacts(self) -> list[Proposal]:
        proposals = []
        for clause in self.clauses:
            if not _heading_has(clause, "CONTACT"):
                continue
            party: str | None = None
            first = False
            for line in strip_marks(clause.text).split("\n"):
                if m := re.match(r"^For (?:the )?([^:]+):\s*(.*)$", line.strip()):
                    party, first, line = self.party_of(m.group(1)), True, m.group(2)
                if party is None or not line.strip():
                    continue
                value = {"party": party, **_contact_fields(line), "coordinator": first}
                first = False
                proposals.append(Proposal("contact", clause.number, value, line.strip()))
        return proposals

    def _party_line(self, line: str) -> str | None:
        """The party a line of a signature block names on its own ("FOR THE NATIONAL …:", an agency)."""
        bare = re.sub(r"^(?:FOR|For)\s+(?:THE\s+|the\s+)?", "", line.strip()).rstrip(":").strip()
        key = _name_key(bare)
        for party in self.parties:
            core = re.sub(r"^(?:u\.s\.|the)\s+", "", party["name"].lower())
            if bare == party["acronym"] or key in {_name_key(party["name"]), core, _distinctive(core)}:
                return party["acronym"]
        return None

    def propose_signatories(self) -> list[Proposal]:
        proposals = []
        for clause in self.clauses:
            if not re.match(r"^(SIGNATURE|IN WITNESS)", strip_marks(clause.heading).upper()):
                continue
            lines = [
                re.sub(r"^(?:/s/|By:)\s*", "", ln.strip()) for ln in strip_marks(clause.text).split("\n")
            ]
            lines = [ln for ln in lines if ln and not re.match(r"^(?:_+|Date:?.*)$", ln)]
            party_first = bool(lines) and self._party_line(lines[0]) is not None
            blocks: list[tuple[str | None, list[str]]] = []
            current: list[str] = []
            party: str | None = None
            for line in lines:
                named = self._party_line(line)
                if named is None:
                    current.append(line)
                elif party_first:
                    if current or party:
                        blocks.append((party, current))
                    party, current = named, []
                else:
                    blocks.append((named, current))
                    current = []
            if current or (party_first and party):
                blocks.append((party if party_first else None, current))
            for block_party, people in blocks:
                if not people:
                    continue
                if "," in people[0]:
                    name, title = (part.strip() for part in " ".join(people).split(",", 1))
                else:
                    name, title = people[0], ", ".join(people[1:])
                value = {"name": name, "title": title, "party": block_party}
                proposals.append(Proposal("signatory", clause.number, value, "\n".join(people)))
        return proposals


def _name_key(name: str) -> str:
    key = strip_marks(name).lower().replace("united states", "u.s.")
    return re.sub(r"\s+", " ", re.sub(r"^(?:the\s+)", "", key)).strip()


def _distinctive(core: str) -> str:
    """The words that tell an agency apart ("department of homeland security" → "homeland security")."""
    return re.sub(r"^(?:department|office|agency|bureau|administration) of (?:the )?", "", core)


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[a-z)]{2}[.;])\s+(?=[A-Z])", text)


def _short_title(text: str) -> str:
    sentence = re.split(r"(?<=[a-z)]{2}[.;:])\s", text, maxsplit=1)[0].rstrip(".;:")
    return sentence if len(sentence) <= 80 else sentence[:77].rsplit(" ", 1)[0] + "…"


def _contact_fields(line: str) -> dict[str, Any]:
    parts = [p.strip() for p in line.split(",") if p.strip()]
    fields: dict[str, Any] = {"person_name": None, "email": None, "phone": None}
    rest = []
    for part in parts:
        if EMAIL_RE.fullmatch(part):
            fields["email"] = part
        elif PHONE_RE.search(part) and not re.search(r"[A-Za-z]{3}", part):
            fields["phone"] = part
        else:
            rest.append(part)
    if (
        rest
        and not ROLE_WORDS.search(rest[0])
        and re.fullmatch(r"(?:[A-Z][a-z.'-]+\s){1,3}[A-Z][a-z'-]+", rest[0])
    ):
        fields["person_name"] = rest.pop(0)
    fields["role_title"] = rest[0] if rest else ""
    fields["office"] = ", ".join(rest[1:]) or None
    return fields


CADENCES = (
    (r"\bquarterly\b|\bevery (?:three|3) months\b|\beach quarter\b", "quarterly"),
    (r"\bmonthly\b|\beach month\b|\bevery month\b", "monthly"),
    (
        r"\btwice (?:a|each|per) year\b|\bsemi-?annual(?:ly)?\b|\bevery (?:six|6) months\b|\bbiannual(?:ly)?\b",  # noqa: E501 (a pattern reads best whole)
        "semiannual",
    ),
    (r"\bannual(?:ly)?\b|\bonce (?:a|each|per) year\b|\bevery year\b|\beach year\b|\byearly\b", "annual"),
)


def _obligation(text: str) -> tuple[str, str, dict[str, Any], str] | None:
    """(kind, cadence, more fields, note) for a clause that asks for something again and again."""
    cadence = next((name for pattern, name in CADENCES if re.search(pattern, text, re.I)), None)
    lowered = text.lower()
    if re.search(
        r"\b(?:establish|designate|maintain|appoint|identify)\w*\s+(?:a\s+)?points? of contact", lowered
    ):
        return "contacts", "continuous", {"title": "Points of contact"}, ""
    if cadence is None:
        if re.search(r"\b(?:host|hold|organi[sz]e|conduct)\w*\s+(?:\w+\s+){0,2}events?\b", lowered):
            title = _short_title(text)
            return (
                "event",
                "annual",
                {"title": title, "anchor": "rolling"},
                "no cadence stated: at least one a year proposed",
            )
        return None
    extra: dict[str, Any] = {}
    if window := re.search(
        rf"within ({NUM})\s*(?:\(\d+\)\s*)?days (?:of|after) (?:the end of )?(?:each|the)", text, re.I
    ):
        extra["window_days"] = _words_number(window.group(1))
    if re.search(r"\bmeet(?:ing)?s?\b|\bconference calls?\b|\bcalls?\b", lowered):
        kind = "meeting"
        phrase = re.search(
            r"\b(?:quarterly|monthly|annual|semi-?annual)\s+[\w\s]*?(?:meetings?|calls?)(?:\s+or\s+conference calls)?",  # noqa: E501 (a pattern reads best whole)
            text,
            re.I,
        )
        extra["title"] = phrase.group(0) if phrase else _short_title(text)
        extra["title"] = extra["title"][:1].upper() + extra["title"][1:]
    elif re.search(r"\breview\b", lowered) and not re.search(r"\breport", lowered):
        kind, extra["title"] = "review", _short_title(text)
    elif re.search(r"\bevents?\b", lowered):
        kind, extra["title"] = "event", _short_title(text)
    else:
        kind, extra["title"] = "report", _short_title(text)
    return kind, cadence, extra, ""


def propose(outline: Outline) -> list[Proposal]:
    """Every proposal for an outline, in the order a review screen shows them."""
    reader = _Reader(outline)
    parties = reader.propose_parties()
    commitments = reader.propose_commitments()
    return [
        *reader.propose_title(),
        *parties,
        *reader.propose_authorities(),
        *reader.propose_purpose(),
        *reader.propose_term(),
        *reader.propose_termination(),
        *reader.propose_modification(),
        *commitments,
        *reader.propose_obligations(commitments),
        *reader.propose_contacts(),
        *reader.propose_signatories(),
    ]
