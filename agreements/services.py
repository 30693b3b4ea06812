"""Writes to agreements: importing an agreement file, terminating, modifying."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from .agreement_file import AgreementFile
from .models import (
    Agreement,
    Authority,
    Commitment,
    Modification,
    ModificationExecution,
    Party,
    Section,
    Signatory,
)
from .obligation_import import import_obligations


@dataclass
class ImportResult:
    """What an import did, per kind of record: created and updated counts."""

    agreement: Agreement
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def summary(self) -> str:
        if not self.changed:
            return f"{self.agreement.short_name}: no changes; the database already matches the file."
        parts = [f"{n} {kind} created" for kind, n in sorted(self.created.items())]
        parts += [f"{n} {kind} updated" for kind, n in sorted(self.updated.items())]
        return f"{self.agreement.short_name}: " + ", ".join(parts) + "."


def _sync(
    result: ImportResult, label: str, model: type[models.Model], lookup: dict, values: dict[str, Any]
) -> models.Model:
    """Create the row, or update only the fields that differ: a re-run writes nothing."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        result.created[label] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        result.updated[label] += 1
    return obj


@transaction.atomic
def import_agreement(data: AgreementFile) -> ImportResult:
    """Create or update an agreement from a checked file, all or nothing."""
    parties = {}
    result_parties: Counter = Counter()
    for p in data.parties:
        party = Party.objects.filter(acronym=p["acronym"]).first()
        if party is None:
            party = Party.objects.create(**p)
            result_parties["parties"] += 1
        elif (party.name, party.department) != (p["name"], p["department"]):
            party.name, party.department = p["name"], p["department"]
            party.save()
        parties[p["acronym"]] = party

    values = dict(data.agreement)
    slug = values.pop("slug")
    terminated_by = values.pop("terminated_by")
    values["terminated_by"] = parties[terminated_by] if terminated_by else None
    agreement = Agreement.objects.filter(slug=slug).first()
    result = ImportResult(agreement=agreement or Agreement(slug=slug))
    result.created.update(result_parties)
    agreement = _sync(result, "agreements", Agreement, {"slug": slug}, values)
    result.agreement = agreement
    if set(agreement.parties.all()) != set(parties.values()):
        had_parties = agreement.parties.exists()
        agreement.parties.set(parties.values())
        if had_parties:
            result.updated["agreement parties"] += 1

    sections: dict[str, Section] = {}
    for s in data.sections:
        sections[s["number"]] = _sync(
            result,
            "clauses",
            Section,
            {"agreement": agreement, "number": s["number"]},
            {
                "heading": s["heading"],
                "text": s["text"],
                "position": s["position"],
                "parent": sections[s["parent"]] if s["parent"] else None,
            },
        )

    for au in data.authorities:
        _sync(
            result,
            "authorities",
            Authority,
            {"agreement": agreement, "citation": au["citation"]},
            {
                "text": au["text"],
                "party": parties[au["party"]],
                "section": sections[au["section"]] if au["section"] else None,
                "position": au["position"],
            },
        )

    commitments: dict[str, Commitment] = {}
    for c in data.commitments:
        commitments[c["code"]] = _sync(
            result,
            "tracked items",
            Commitment,
            {"agreement": agreement, "code": c["code"]},
            {
                "kind": c["kind"],
                "title": c["title"],
                "description": c["description"],
                "lead_party": parties[c["lead"]] if c["lead"] else None,
                "source_section": sections[c["section"]],
                "position": c["position"],
                # Strategic goals come before action items in the file, so the goal exists.
                "goal": commitments[c["goal"]] if c["goal"] else None,
                # A target date set in the portal is kept unless the file names one.
                **({"target_date": c["target_date"]} if c["target_date"] else {}),
            },
        )

    for s in data.signatories:
        _sync(
            result,
            "signatories",
            Signatory,
            {"agreement": agreement, "party": parties[s["party"]]},
            {"name": s["name"], "title": s["title"], "signed_on": s["signed_on"]},
        )

    # The file carries the points of contact; they are written through the agreement's relation
    # (contacts sits above agreements and imports it, not the other way).
    point_of_contact = agreement.points_of_contact.model
    for p in data.points_of_contact:
        _sync(
            result,
            "points of contact",
            point_of_contact,
            {
                "agreement": agreement,
                "party": parties[p["party"]],
                "role_title": p["role_title"],
                "office": p["office"],
            },
            {
                k: p[k]
                for k in (
                    "person_name",
                    "email",
                    "phone",
                    "active_from",
                    "active_to",
                    "is_coordinator",
                    "position",
                )
            },
        )

    for m in data.modifications:
        modification = _sync(
            result,
            "modifications",
            Modification,
            {"agreement": agreement, "number": m["number"]},
            {k: m[k] for k in ("title", "text", "proposed_on", "extends_term_to")},
        )
        for e in m["executions"]:
            _sync(
                result,
                "modification executions",
                ModificationExecution,
                {"modification": modification, "party": parties[e["party"]]},
                {"executed_on": e["executed_on"]},
            )
    import_obligations(data.document, agreement, result.created, result.updated)
    agreement.refresh_expiry()
    return result
