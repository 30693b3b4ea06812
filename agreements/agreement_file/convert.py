"""Between the schemas: schema 1 up to the schema-2 dataclasses, and back to the importer's form.

`upgrade` gives a schema-1 file its meaning in schema 2: a term of whole years from
execution, no recurring obligations, no vocabularies, no stated termination or modification
rule, each party keyed by its acronym (the identity schema 1 had), one lead party or all.

`to_import_form` gives the schema-1 plain dicts (`AgreementFile`), which the bench's data
generator (bench/data.py) still reads; the importer stores the document itself. It refuses,
naming the field, what schema 1 cannot say: a term that is not whole years from execution,
and an item owed by some but not all parties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .document import (
    AgreementDocument,
    Authority,
    Commitment,
    CommitmentKind,
    Duration,
    Execution,
    Modification,
    Party,
    PointOfContact,
    Section,
    Signatory,
    Term,
    TermEnd,
    Termination,
    TermStart,
)
from .reading import AgreementFileError
from .schema1 import AgreementFile

LIST_OF_KIND = {
    CommitmentKind.OBJECTIVE: "objectives",
    CommitmentKind.JOINT_ACTIVITY: "joint_activities",
    CommitmentKind.STRATEGIC_GOAL: "strategic_goals",
    CommitmentKind.ACTION_ITEM: "action_items",
}


def schema1_party_key(acronym: str) -> str:
    """The key a schema-1 party gets: its acronym, the identity parties had before keys."""
    return acronym


def upgrade(old: AgreementFile) -> AgreementDocument:
    """A checked schema-1 file as schema-2 dataclasses, its meaning unchanged."""
    a = old.agreement
    key = schema1_party_key
    everyone = frozenset(key(p["acronym"]) for p in old.parties)
    terminated = None
    if a["terminated_on"] is not None:
        terminated = Termination(
            on=a["terminated_on"], by=key(a["terminated_by"]), reason=a["termination_reason"]
        )
    return AgreementDocument(
        path=old.path,
        schema=1,
        slug=a["slug"],
        short_name=a["short_name"],
        title=a["title"],
        kind=a["kind"],
        purpose=a["purpose"],
        executed_on=a["executed_on"],
        execution_source=a["execution_source"],
        effective_on=None,
        funding_note=a["funding_note"],
        terminated=terminated,
        parties=tuple(
            Party(key=key(p["acronym"]), acronym=p["acronym"], name=p["name"], department=p["department"])
            for p in old.parties
        ),
        sections=tuple(Section(**s) for s in old.sections),
        authorities=tuple(Authority(**{**au, "party": key(au["party"])}) for au in old.authorities),
        commitments=tuple(
            Commitment(
                kind=CommitmentKind(c["kind"]),
                code=c["code"],
                title=c["title"],
                description=c["description"],
                leads=frozenset({key(c["lead"])}) if c["lead"] else everyone,
                section=c["section"],
                goal=c["goal"],
                target_date=c["target_date"],
                position=c["position"],
            )
            for c in old.commitments
        ),
        signatories=tuple(Signatory(**{**s, "party": key(s["party"])}) for s in old.signatories),
        points_of_contact=tuple(
            PointOfContact(**{**p, "party": key(p["party"])}) for p in old.points_of_contact
        ),
        modifications=tuple(
            Modification(
                number=m["number"],
                title=m["title"],
                text=m["text"],
                proposed_on=m["proposed_on"],
                extends_term_to=m["extends_term_to"],
                executions=tuple(
                    Execution(party=key(e["party"]), executed_on=e["executed_on"]) for e in m["executions"]
                ),
            )
            for m in old.modifications
        ),
        term=Term(
            section=None,
            starts=TermStart.EXECUTION,
            ends=TermEnd.AFTER,
            length=Duration(years=a["term_years"]),
        ),
    )


def to_import_form(doc: AgreementDocument) -> AgreementFile:
    """The importer's plain dicts for a document; refuses what today's tables cannot hold.

    Not carried yet (read and checked, then left out): party keys and same_as (parties are
    matched on the acronym), the term's clause and renewal, termination and modification
    rules. Vocabularies and recurring obligations travel in `document` and are stored by
    `agreements.obligation_import`.
    """
    acronym = {p.key: p.acronym for p in doc.parties}
    everyone = doc.party_keys
    years = doc.term.whole_years
    if years is None or doc.term.starts != TermStart.EXECUTION:
        raise AgreementFileError(
            doc.path,
            "term",
            "the portal cannot import this term yet: until the agreement tables carry schema 2, "
            "a term must be a whole number of years from execution",
        )

    def lead(c: Commitment) -> str | None:
        if c.leads == everyone:
            return None
        if len(c.leads) == 1:
            return acronym[next(iter(c.leads))]
        raise AgreementFileError(
            doc.path,
            f"{LIST_OF_KIND[c.kind]}[code={c.code}].leads",
            "the portal cannot import a commitment owed by some but not all parties yet: "
            "until the agreement tables carry lead parties as a set, give one party or all",
        )

    t = doc.terminated
    return AgreementFile(
        path=doc.path,
        agreement={
            "slug": doc.slug,
            "short_name": doc.short_name,
            "title": doc.title,
            "kind": doc.kind,
            "purpose": doc.purpose,
            "executed_on": doc.executed_on,
            "execution_source": doc.execution_source,
            "term_years": years,
            "funding_note": doc.funding_note,
            "terminated_on": t.on if t else None,
            "terminated_by": acronym[t.by] if t else None,
            "termination_reason": t.reason if t else "",
        },
        parties=[{"acronym": p.acronym, "name": p.name, "department": p.department} for p in doc.parties],
        sections=[
            {
                "number": s.number,
                "heading": s.heading,
                "text": s.text,
                "parent": s.parent,
                "position": s.position,
            }
            for s in doc.sections
        ],
        authorities=[
            {
                "citation": au.citation,
                "text": au.text,
                "party": acronym[au.party],
                "section": au.section,
                "position": au.position,
            }
            for au in doc.authorities
        ],
        commitments=[
            {
                "kind": c.kind.value,
                "code": c.code,
                "title": c.title,
                "description": c.description,
                "lead": lead(c),
                "section": c.section,
                "goal": c.goal,
                "target_date": c.target_date,
                "position": c.position,
            }
            for c in doc.commitments
        ],
        signatories=[
            {"party": acronym[s.party], "name": s.name, "title": s.title, "signed_on": s.signed_on}
            for s in doc.signatories
        ],
        points_of_contact=[
            {
                "party": acronym[p.party],
                "role_title": p.role_title,
                "office": p.office,
                "person_name": p.person_name,
                "email": p.email,
                "phone": p.phone,
                "active_from": p.active_from,
                "active_to": p.active_to,
                "is_coordinator": p.is_coordinator,
                "position": p.position,
            }
            for p in doc.points_of_contact
        ],
        modifications=[
            {
                "number": m.number,
                "title": m.title,
                "text": m.text,
                "proposed_on": m.proposed_on,
                "extends_term_to": m.extends_term_to,
                "executions": [
                    {"party": acronym[e.party], "executed_on": e.executed_on} for e in m.executions
                ],
            }
            for m in doc.modifications
        ],
        document=doc,
    )


# --- parties already in the portal ---------------------------------------------------------


@dataclass(frozen=True)
class KnownParty:
    """A party the portal already has: `key` is None for parties stored before keys."""

    key: str | None
    acronym: str
    name: str


@dataclass(frozen=True)
class PartyMatch:
    """What an import would do with one party of the file: create it, or use `existing`."""

    party: Party
    existing: KnownParty | None


def match_parties(doc: AgreementDocument, known: Iterable[KnownParty]) -> list[PartyMatch]:
    """Each party of the file matched to the portal's parties, or a refusal naming both names.

    A party whose key or acronym is already another agency's (a different name) is refused
    unless the file says `same_as` that party: nothing is renamed by accident.
    """
    known = list(known)
    matches = []
    for i, p in enumerate(doc.parties):
        where = f"parties[{i}]"
        if p.same_as is not None:
            same = [k for k in known if p.same_as in (k.key, k.acronym)]
            if not same:
                raise AgreementFileError(
                    doc.path, f"{where}.same_as", f"{p.same_as!r} is not a party the portal has"
                )
            matches.append(PartyMatch(party=p, existing=same[0]))
            continue
        hits = {k for k in known if (k.key is not None and k.key == p.key) or k.acronym == p.acronym}
        if not hits:
            matches.append(PartyMatch(party=p, existing=None))
            continue
        different = [k for k in hits if k.name != p.name]
        if different or len(hits) > 1:
            other = (different or sorted(hits, key=lambda k: k.acronym))[0]
            raise AgreementFileError(
                doc.path,
                where,
                f"{p.acronym} ({p.key}) is {p.name!r} in this file, but the portal's {other.acronym} is "
                f"{other.name!r}; if they are the same party add same_as: {other.key or other.acronym}, "
                "otherwise give this party its own key and acronym",
            )
        matches.append(PartyMatch(party=p, existing=next(iter(hits))))
    return matches
