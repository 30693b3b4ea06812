"""A schema-2 agreement file (docs/agreement-file.md) drafted from an outline and its proposals.

Every value that comes from a proposal carries a ``# REVIEW`` comment above it naming the
clause it rests on, so a person reads each before importing; the sections are the outline's
clauses as they are. The file is a draft: no execution date, contacts active from the day it
was drafted. `draft_document` returns the data (what the review screen keeps), `draft_yaml`
the commented file the command writes.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import yaml
from django.utils.text import slugify

from .outline import Outline, strip_marks, title_case
from .proposals import Proposal

SCHEMA = "moa-portal/agreement@2"
COMMITMENT_LISTS = {
    "objective": "objectives",
    "joint_activity": "joint_activities",
    "strategic_goal": "strategic_goals",
    "action_item": "action_items",
}
KIND_WORDS = (
    ("memorandum of agreement", "moa", "MOA"),
    ("memorandum of understanding", "mou", "MOU"),
    ("interagency agreement", "iaa", "IAA"),
)


def _heading(raw: str) -> str | None:
    text = strip_marks(raw).strip().rstrip(":.").strip()
    if not text:
        return None
    return title_case(text) if text.isupper() else text


def _sections(outline: Outline) -> list[dict[str, Any]]:
    sections = []
    for clause in outline.clauses:
        if clause.kind == "title":
            continue
        sections.append(
            {
                "number": clause.number,
                "heading": _heading(clause.heading),
                "text": strip_marks(clause.text),
                "parent": clause.parent,
            }
        )
    return sections


def _safe_code(code: str, used: set[str]) -> str:
    code = re.sub(r"[^A-Za-z0-9._~()-]+", "-", code).strip("-.")[:40] or "item"
    candidate, n = code, 2
    while candidate in used:
        candidate = f"{code[:36]}-{n}"
        n += 1
    used.add(candidate)
    return candidate


def draft_document(
    outline: Outline, proposals: list[Proposal], *, drafted_on: datetime.date
) -> tuple[dict[str, Any], dict[int, str]]:
    """The agreement file's data, and for each proposal (by index) where it went in the file."""
    placed: dict[int, str] = {}

    def first(kind: str) -> tuple[int, Proposal] | None:
        return next(((i, p) for i, p in enumerate(proposals) if p.kind == kind), None)

    title_p = first("title")
    title = (
        title_p[1].value["title"]
        if title_p
        else (outline.clauses[0].text[:200] if outline.clauses else "Untitled")
    )
    lowered = title.lower()
    kind, label = next(((k, lbl) for words, k, lbl in KIND_WORDS if words in lowered), ("other", "Agreement"))
    parties = [(i, p) for i, p in enumerate(proposals) if p.kind == "party"]
    acronyms = [p.value["acronym"] for _, p in parties]
    short_name = f"{'–'.join(acronyms)} {label}".strip() if acronyms else title[:60]
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "agreement": {
            "slug": slugify(title)[:50].strip("-") or "draft-agreement",
            "short_name": short_name,
            "title": title,
            "kind": kind,
        },
    }
    if title_p:
        placed[title_p[0]] = "agreement.title"
    if purpose := first("purpose"):
        data["agreement"]["purpose"] = purpose[1].value["purpose"]
        placed[purpose[0]] = "agreement.purpose"
    data["parties"] = []
    for i, p in parties:
        data["parties"].append(dict(p.value))
        placed[i] = f"parties[{len(data['parties']) - 1}]"
    sections = _sections(outline)
    if term := first("term"):
        data["term"] = dict(term[1].value)
        placed[term[0]] = "term"
    else:
        data["term"] = {"section": sections[0]["number"] if sections else "", "ends": "open"}
    for kind_name in ("termination", "modification"):
        if found := first(kind_name):
            data[kind_name] = dict(found[1].value)
            placed[found[0]] = kind_name
    data["sections"] = sections
    authorities = []
    for i, p in enumerate(proposals):
        if p.kind == "authority":
            authority: dict[str, Any] = {
                "citation": p.value["citation"],
                "text": p.value["text"],
                "section": p.clause,
            }
            if p.value.get("party"):
                authority["party"] = p.value["party"]
            authorities.append(authority)
            placed[i] = f"authorities[{len(authorities) - 1}]"
    if authorities:
        data["authorities"] = authorities
    used: set[str] = set()
    codes: dict[str, str] = {}
    for i, p in enumerate(proposals):
        if p.kind != "commitment":
            continue
        listed = data.setdefault(COMMITMENT_LISTS[p.value["kind"]], [])
        code = _safe_code(p.value["code"], used)
        codes[p.value["code"]] = code
        listed.append(
            {
                "code": code,
                "title": p.value["title"][:200],
                "description": p.value["description"],
                "leads": p.value["leads"],
                "section": p.clause,
            }
        )
        placed[i] = f"{COMMITMENT_LISTS[p.value['kind']]}[{len(listed) - 1}]"
    obligation_codes: set[str] = set()
    for i, p in enumerate(proposals):
        if p.kind != "obligation":
            continue
        value = dict(p.value)
        entry: dict[str, Any] = {
            "code": _safe_code(value.pop("code") or value["kind"], obligation_codes),
            "kind": value.pop("kind"),
            "title": p.quote[:80] if not value.get("title") else value.pop("title"),
            "section": p.clause,
        }
        if "item" in value:
            entry["item"] = codes.get(value.pop("item"), entry["code"])
        entry.update(value)
        if entry["kind"] == "meeting":
            kinds = data.setdefault("vocabularies", {}).setdefault("meeting_kinds", [])
            key = entry["code"].replace(".", "-")[:40]
            kinds.append(
                {
                    "key": slugify(key).replace("-", "_") or "meeting",
                    "label": entry["title"][:100],
                    "section": p.clause,
                }
            )
            entry["meeting_kinds"] = [kinds[-1]["key"]]
            entry["requires_minutes"] = True
        entry["title"] = entry.get("title") or entry["code"]
        data.setdefault("obligations", []).append(entry)
        placed[i] = f"obligations[{len(data['obligations']) - 1}]"
    for i, p in enumerate(proposals):
        if p.kind == "signatory" and p.value.get("party"):
            data.setdefault("signatories", []).append({**p.value, "signed_on": None})
            placed[i] = f"signatories[{len(data['signatories']) - 1}]"
        elif p.kind == "contact" and p.value.get("party") and p.value.get("role_title"):
            data.setdefault("points_of_contact", []).append({**p.value, "active_from": drafted_on})
            placed[i] = f"points_of_contact[{len(data['points_of_contact']) - 1}]"
    return data, placed


def _quote(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= 110 else flat[:107] + "…"


def draft_yaml(
    outline: Outline, proposals: list[Proposal], *, drafted_on: datetime.date, source_name: str
) -> str:
    """The drafted agreement file as YAML, each proposed value under a ``# REVIEW`` comment."""
    data, placed = draft_document(outline, proposals, drafted_on=drafted_on)
    notes: dict[str, list[str]] = {}
    for index, where in placed.items():
        p = proposals[index]
        line = f"# REVIEW: proposed from clause {p.clause or '(title)'}: “{_quote(p.quote)}”"
        if p.note:
            line += f" ({p.note})"
        notes.setdefault(where, []).append(line)
    out = [
        f"# Drafted by `manage.py draft_agreement_from_text` from {source_name} on {drafted_on.isoformat()}.",
        "# Every value marked REVIEW was proposed by reading the text: confirm, correct or delete each",
        "# one before `manage.py import_agreement`. The sections are the text clause by clause.",
    ]
    for key, value in data.items():
        if isinstance(value, list) and value:
            out.append(f"{key}:")
            for n, entry in enumerate(value):
                out.extend("  " + note for note in notes.get(f"{key}[{n}]", []))
                dumped = _dump([entry]).rstrip("\n").split("\n")
                out.extend("  " + ln for ln in dumped)
        elif isinstance(value, dict):
            out.extend(notes.get(key, []))
            body = _dump({key: value}).rstrip("\n").split("\n")
            if key == "agreement":
                for sub in ("title", "purpose"):
                    for note in notes.get(f"agreement.{sub}", []):
                        out.append(note)
            out.extend(body)
        else:
            out.extend(_dump({key: value}).rstrip("\n").split("\n"))
    return "\n".join(out) + "\n"


class _Dumper(yaml.SafeDumper):
    """Keeps numbers such as "9.10" quoted and long text folded for reading."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
