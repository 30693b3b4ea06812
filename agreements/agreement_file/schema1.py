"""Reading and checking an agreement data file of schema ``moa-portal/agreement@1``.

The file is checked whole before anything touches the database, so a malformed file is
refused with the file, the field and the problem named, and nothing is half-imported.
`AgreementFile` (plain dicts) is what the importer takes today; schema-2 files reach it
through `convert.to_import_form`, schema-1 files through `convert.upgrade` and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from .document import AgreementDocument
from .reading import SLUG_RE, Reader, load_yaml

SCHEMA = "moa-portal/agreement@1"
KINDS = {"moa", "mou", "iaa", "other"}
TRACKED_LISTS = {
    "objectives": "objective",
    "joint_activities": "joint_activity",
    "strategic_goals": "strategic_goal",
    "action_items": "action_item",
}


@dataclass
class AgreementFile:
    """A checked agreement file: plain Python values, ready to import."""

    path: str
    agreement: dict[str, Any]
    parties: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    authorities: list[dict[str, Any]]
    commitments: list[dict[str, Any]]  # every tracked item, with its "kind"
    signatories: list[dict[str, Any]]
    points_of_contact: list[dict[str, Any]]
    modifications: list[dict[str, Any]] = field(default_factory=list)
    # The whole schema-2 document it came from, for the parts stored from it directly
    # (recurring obligations and vocabularies: agreements.obligation_import). Not part of the
    # comparison: a schema-1 file states none, and its plain dicts mean what schema 2's do.
    document: AgreementDocument | None = field(default=None, compare=False, repr=False)


def read_schema1(path: str | Path, data: dict[str, Any] | None = None) -> AgreementFile:
    """Parse and check a schema-1 file; raise AgreementFileError on the first problem found."""
    r = Reader(path)
    data = r.mapping(load_yaml(path) if data is None else data, "(file)")
    if data.get("schema") != SCHEMA:
        r.fail("schema", f"must be {SCHEMA!r}, found {data.get('schema')!r}")
    return _read(r, data, path)


def _read(r: Reader, data: dict[str, Any], path: str | Path) -> AgreementFile:

    a = r.mapping(data.get("agreement"), "agreement")
    slug = r.text(a, "slug", "agreement")
    if not SLUG_RE.match(slug):
        r.fail("agreement.slug", f"{slug!r} must be lowercase letters, digits and hyphens")
    kind = r.text(a, "kind", "agreement")
    if kind not in KINDS:
        r.fail("agreement.kind", f"{kind!r} is not one of {', '.join(sorted(KINDS))}")
    agreement: dict[str, Any] = {
        "slug": slug,
        "short_name": r.text(a, "short_name", "agreement"),
        "title": r.text(a, "title", "agreement"),
        "kind": kind,
        "purpose": r.text(a, "purpose", "agreement", required=False),
        "executed_on": r.date(a, "executed_on", "agreement", required=False),
        "execution_source": r.text(a, "execution_source", "agreement", required=False),
        "term_years": r.integer(a, "term_years", "agreement"),
        "funding_note": r.text(a, "funding_note", "agreement", required=False),
        "terminated_on": None,
        "terminated_by": None,
        "termination_reason": "",
    }

    parties = []
    acronyms: set[str] = set()
    for i, p in enumerate(r.items(data, "parties", "")):
        where = f"parties[{i}]"
        p = r.mapping(p, where)
        acronym = r.text(p, "acronym", where)
        if acronym in acronyms:
            r.fail(f"{where}.acronym", f"party {acronym!r} is listed twice")
        acronyms.add(acronym)
        parties.append(
            {
                "acronym": acronym,
                "name": r.text(p, "name", where),
                "department": r.text(p, "department", where, required=False),
            }
        )
    if len(parties) < 2:
        r.fail("parties", "an agreement needs at least two parties")

    @overload
    def party_ref(obj: dict, key: str, where: str, *, required: Literal[True] = ...) -> str: ...
    @overload
    def party_ref(obj: dict, key: str, where: str, *, required: bool) -> str | None: ...
    def party_ref(obj: dict, key: str, where: str, *, required: bool = True) -> str | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        value = r.text(obj, key, where)
        if value not in acronyms:
            r.fail(f"{where}.{key}", f"unknown party {value!r} (parties are {', '.join(sorted(acronyms))})")
        return value

    termination = a.get("termination")
    if termination is not None:
        t = r.mapping(termination, "agreement.termination")
        agreement["terminated_on"] = r.date(t, "on", "agreement.termination")
        agreement["terminated_by"] = party_ref(t, "by", "agreement.termination")
        agreement["termination_reason"] = r.text(t, "reason", "agreement.termination", required=False)
        if agreement["executed_on"] is None or agreement["terminated_on"] < agreement["executed_on"]:
            r.fail("agreement.termination.on", "termination must come after execution")

    sections = []
    numbers: set[str] = set()
    for i, s in enumerate(r.items(data, "sections", "")):
        where = f"sections[{i}]"
        s = r.mapping(s, where)
        number = r.number_text(s, "number", where)
        if number in numbers:
            r.fail(f"{where}.number", f"clause {number!r} appears twice")
        parent = r.number_text(s, "parent", where, required=False)
        if parent is not None and parent not in numbers:
            r.fail(f"{where}.parent", f"clause {parent!r} does not exist before {number!r}")
        numbers.add(number)
        sections.append(
            {
                "number": number,
                "heading": r.text(s, "heading", where, required=False),
                "text": r.text(s, "text", where, required=False),
                "parent": parent,
                "position": i + 1,
            }
        )
    if not sections:
        r.fail("sections", "the agreement's text is missing")

    def section_ref(obj: dict, where: str, *, required: bool = True) -> str | None:
        if obj.get("section") is None and not required:
            return None
        number = r.number_text(obj, "section", where)
        if number not in numbers:
            r.fail(f"{where}.section", f"clause {number!r} does not exist in sections")
        return number

    authorities = []
    for i, au in enumerate(r.items(data, "authorities", "", required=False)):
        where = f"authorities[{i}]"
        au = r.mapping(au, where)
        authorities.append(
            {
                "citation": r.text(au, "citation", where),
                "text": r.text(au, "text", where),
                "party": party_ref(au, "party", where),
                "section": section_ref(au, where, required=False),
                "position": i + 1,
            }
        )
    if len({au["citation"] for au in authorities}) != len(authorities):
        r.fail("authorities", "a citation is listed twice")

    commitments = []
    codes: set[str] = set()
    position = 0
    for key, kind in TRACKED_LISTS.items():
        for i, c in enumerate(r.items(data, key, "", required=False)):
            where = f"{key}[{i}]"
            c = r.mapping(c, where)
            code = r.code(c, "code", where)
            if code in codes:
                r.fail(f"{where}.code", f"duplicate code {code!r}")
            codes.add(code)
            position += 1
            commitments.append(
                {
                    "kind": kind,
                    "code": code,
                    "title": r.text(c, "title", where),
                    "description": r.text(c, "description", where, required=False),
                    "lead": party_ref(c, "lead", where, required=False),
                    "section": section_ref(c, where),
                    "goal": r.number_text(c, "goal", where, required=False),
                    "target_date": r.date(c, "target_date", where, required=False),
                    "position": position,
                    "where": where,
                }
            )
    goal_codes = {c["code"] for c in commitments if c["kind"] == "strategic_goal"}
    for c in commitments:
        if c["goal"] is not None and c["goal"] not in goal_codes:
            r.fail(f"{c['where']}.goal", f"{c['goal']!r} is not a strategic goal of this file")

    signatories = []
    signed: set[str] = set()
    for i, s in enumerate(r.items(data, "signatories", "", required=False)):
        where = f"signatories[{i}]"
        s = r.mapping(s, where)
        party = party_ref(s, "party", where)
        if party in signed:
            r.fail(f"{where}.party", f"party {party!r} already has a signature")
        signed.add(party)
        signatories.append(
            {
                "party": party,
                "name": r.text(s, "name", where),
                "title": r.text(s, "title", where),
                "signed_on": r.date(s, "signed_on", where, required=False),
            }
        )

    contacts: list[dict[str, Any]] = []
    for i, p in enumerate(r.items(data, "points_of_contact", "", required=False)):
        where = f"points_of_contact[{i}]"
        p = r.mapping(p, where)
        contact: dict[str, Any] = {
            "party": party_ref(p, "party", where),
            "role_title": r.text(p, "role_title", where),
            "office": r.text(p, "office", where, required=False),
            "person_name": r.text(p, "person_name", where, required=False),
            "email": r.text(p, "email", where, required=False),
            "phone": r.text(p, "phone", where, required=False),
            "active_from": r.date(p, "active_from", where),
            "active_to": r.date(p, "active_to", where, required=False),
            "is_coordinator": bool(p.get("coordinator", False)),
            "position": i + 1,
        }
        if contact["active_to"] and contact["active_to"] < contact["active_from"]:
            r.fail(f"{where}.active_to", "is before active_from")
        if contact["email"] and "@" not in contact["email"]:
            r.fail(f"{where}.email", f"{contact['email']!r} is not an e-mail address")
        same = (contact["party"], contact["role_title"], contact["office"])
        if any((c["party"], c["role_title"], c["office"]) == same for c in contacts):
            r.fail(where, "the same party, role title and office are listed twice")
        contacts.append(contact)

    modifications: list[dict[str, Any]] = []
    for i, m in enumerate(r.items(data, "modifications", "", required=False)):
        where = f"modifications[{i}]"
        m = r.mapping(m, where)
        modification_number = r.integer(m, "number", where)
        if any(x["number"] == modification_number for x in modifications):
            r.fail(f"{where}.number", f"modification {modification_number} is listed twice")
        proposed_on = r.date(m, "proposed_on", where)
        executions: list[dict[str, Any]] = []
        for j, e in enumerate(r.items(m, "executions", f"{where}.", required=False)):
            ewhere = f"{where}.executions[{j}]"
            e = r.mapping(e, ewhere)
            party = party_ref(e, "party", ewhere)
            if any(x["party"] == party for x in executions):
                r.fail(f"{ewhere}.party", f"party {party!r} executed it twice")
            executed_on = r.date(e, "executed_on", ewhere)
            if executed_on < proposed_on:
                r.fail(f"{ewhere}.executed_on", "is before the modification was proposed")
            executions.append({"party": party, "executed_on": executed_on})
        extends_to = r.date(m, "extends_term_to", where, required=False)
        if extends_to and agreement["executed_on"] is None:
            r.fail(f"{where}.extends_term_to", "an unexecuted agreement has no term to extend")
        modifications.append(
            {
                "number": modification_number,
                "title": r.text(m, "title", where),
                "text": r.text(m, "text", where),
                "proposed_on": proposed_on,
                "extends_term_to": extends_to,
                "executions": executions,
            }
        )

    for c in commitments:
        del c["where"]
    return AgreementFile(
        path=str(path),
        agreement=agreement,
        parties=parties,
        sections=sections,
        authorities=authorities,
        commitments=commitments,
        signatories=signatories,
        points_of_contact=contacts,
        modifications=modifications,
    )
