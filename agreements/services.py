"""Writes to agreements: importing an agreement file, terminating, modifying."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from simple_history.utils import bulk_update_with_history

from core.cache import data_changed

from .agreement_file import AgreementDocument, KnownParty, match_parties
from .agreement_file.document import Duration
from .bulk import BATCH, create_with_history, differences, history_with_m2m, reserve_ids
from .models import (
    Agreement,
    Authority,
    Commitment,
    Modification,
    ModificationExecution,
    Party,
    Section,
    Signatory,
    TerminationNotice,
    TerminationRight,
)
from .obligation_import import import_obligations

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass
class ImportResult:
    """What an import did, per kind of record: created and updated counts."""

    agreement: Agreement
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    parties: list[str] = field(default_factory=list)  # each party of the file: created or matched

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def summary(self) -> str:
        """What changed (or "no changes"), then every party of the file, created or matched."""
        parties = "".join(f"\n  party {line}" for line in self.parties)
        if not self.changed:
            return f"{self.agreement.short_name}: no changes; the database already matches the file.{parties}"
        parts = [f"{n} {kind} created" for kind, n in sorted(self.created.items())]
        parts += [f"{n} {kind} updated" for kind, n in sorted(self.updated.items())]
        return f"{self.agreement.short_name}: " + ", ".join(parts) + "." + parties


def _sync(
    result: ImportResult, label: str, model: type[ModelT], lookup: dict, values: dict[str, Any]
) -> ModelT:
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


#: The columns of a clause the file gives (besides its number), compared on a re-import.
_CLAUSE_FIELDS = ("heading", "text", "position", "parent_id")


def _sync_sections(doc: AgreementDocument, agreement: Agreement, result: ImportResult) -> dict[str, int]:
    """The file's clauses, created or updated in bulk; each clause's key by its number.

    A clause the file no longer has stays. One query reads the agreement's clauses (their
    values, not model instances), one reserves the new ones' keys, and each batch of `BATCH`
    new clauses is one INSERT and one INSERT ... SELECT of their history, its instances dropped
    once written: memory for one batch, whatever the length of the text. Parents come before
    their children in the file (checked by the reader).
    """
    existing = {
        row[1]: row
        for row in Section.objects.filter(agreement=agreement)
        .values_list("pk", "number", *_CLAUSE_FIELDS, "version")
        .iterator()
    }
    missing = [s.number for s in doc.sections if s.number not in existing]
    ids = dict(zip(missing, reserve_ids(Section, len(missing)), strict=True))
    id_of = {number: row[0] for number, row in existing.items()} | ids
    new: list[Section] = []
    changed: list[Section] = []
    fields: set[str] = set()
    for s in doc.sections:
        values = {
            "heading": s.heading,
            "text": s.text,
            "position": s.position,
            "parent_id": id_of[s.parent] if s.parent else None,
        }
        row = existing.get(s.number)
        if row is None:
            new.append(Section(pk=ids[s.number], agreement_id=agreement.pk, number=s.number, **values))
            if len(new) == BATCH:
                create_with_history(Section, new)
                result.created["clauses"] += len(new)
                new = []
            continue
        diff = [name for name, had in zip(_CLAUSE_FIELDS, row[2:6], strict=True) if had != values[name]]
        if diff:
            changed.append(
                Section(pk=row[0], agreement_id=agreement.pk, number=s.number, version=row[6], **values)
            )
            fields.update(diff)
    if new:
        create_with_history(Section, new)
        result.created["clauses"] += len(new)
    if changed:
        bulk_update_with_history(changed, Section, sorted(fields), batch_size=BATCH)
        result.updated["clauses"] += len(changed)
    return id_of


def _sync_commitments(
    doc: AgreementDocument,
    agreement: Agreement,
    parties: dict[str, Party],
    sections: dict[str, int],
    result: ImportResult,
) -> None:
    """The file's tracked items and their lead parties, created or updated in bulk.

    As for clauses, a fixed number of queries whatever the number of items. An item whose lead
    parties change gets one more history row ("~") carrying its new leads, as a save and a
    `lead_parties.set` would give it.
    """
    existing = {c.code: c for c in Commitment.objects.filter(agreement=agreement)}
    missing = [c for c in doc.commitments if c.code not in existing]
    ids = dict(zip((c.code for c in missing), reserve_ids(Commitment, len(missing)), strict=True))
    id_of = {code: c.pk for code, c in existing.items()} | ids
    Through = Commitment.lead_parties.through
    leads_had: dict[int, set[int]] = defaultdict(set)
    for commitment_id, party_id in Through.objects.filter(commitment__agreement=agreement).values_list(
        "commitment_id", "party_id"
    ):
        leads_had[commitment_id].add(party_id)
    new: list[Commitment] = []
    changed: list[Commitment] = []
    fields: set[str] = set()
    leads_wanted: dict[int, set[int]] = {}
    for c in doc.commitments:
        values: dict[str, Any] = {
            "kind": c.kind.value,
            "title": c.title,
            "description": c.description,
            "source_section_id": sections[c.section],
            "position": c.position,
            # Strategic goals come before action items in the file, so the goal exists.
            "goal_id": id_of[c.goal] if c.goal else None,
            # A target date set in the portal is kept unless the file names one.
            **({"target_date": c.target_date} if c.target_date else {}),
        }
        item = existing.get(c.code)
        if item is None:
            item = Commitment(pk=ids[c.code], agreement=agreement, code=c.code, **values)
            new.append(item)
        elif diff := differences(item, values):
            for name in diff:
                setattr(item, name, values[name])
            changed.append(item)
            fields.update(diff)
        leads_wanted[item.pk] = {parties[key].pk for key in c.leads}
    # Items first (their history waits for their leads), then the links, then the history.
    if new:
        Commitment.objects.bulk_create(new, batch_size=BATCH)
        result.created["commitments"] += len(new)
    if changed:
        Commitment.objects.bulk_update(changed, sorted(fields), batch_size=BATCH)
        result.updated["commitments"] += len(changed)
    relinked = [pk for pk, leads in leads_wanted.items() if leads_had.get(pk, set()) != leads]
    if relinked:
        Through.objects.filter(commitment_id__in=relinked).delete()
        Through.objects.bulk_create(
            [Through(commitment_id=pk, party_id=p) for pk in relinked for p in sorted(leads_wanted[pk])],
            batch_size=BATCH,
        )
        result.updated["lead parties"] += sum(1 for pk in relinked if leads_had.get(pk))
    # New items get their "+" row, and updated or relinked ones a "~" row, each with its leads.
    by_pk = {item.pk: item for item in existing.values()}
    touched = [*new, *changed, *(by_pk[pk] for pk in relinked if pk in by_pk and by_pk[pk] not in changed)]
    history_with_m2m(Commitment, touched, new={item.pk for item in new})


def _known_parties() -> list[KnownParty]:
    return [
        KnownParty(key=k, acronym=a, name=n)
        for k, a, n in Party.objects.values_list("key", "acronym", "name")
    ]


def _length(duration: Duration | None) -> dict[str, int]:
    d = duration or Duration()
    return {"years": d.years, "months": d.months, "days": d.days}


def _term_values(doc: AgreementDocument) -> dict[str, Any]:
    """The agreement's term, renewal, termination and modification columns from the file."""
    term, renewal = doc.term, doc.term.renewal
    length = _length(term.length)
    renewal_length = _length(renewal.length if renewal else None)
    rules = doc.termination_rules
    return {
        "effective_on": doc.effective_on,
        "term_clause": term.section or "",
        "term_starts": term.starts.value,
        "term_ends": term.ends.value,
        "term_years": length["years"],
        "term_months": length["months"],
        "term_days": length["days"],
        "term_ends_on": term.ends_on,
        "end_event": term.end_event,
        "renews": renewal is not None,
        "renewal_clause": renewal.section if renewal else "",
        "renewal_automatic": renewal.automatic if renewal else True,
        "renewal_periods": renewal.periods if renewal else None,
        "renewal_years": renewal_length["years"],
        "renewal_months": renewal_length["months"],
        "renewal_days": renewal_length["days"],
        "renewal_notice_days": renewal.notice_days if renewal else None,
        "termination_clause": (rules.section or "") if rules else "",
        "termination_by_mutual_agreement": rules.by_mutual_agreement if rules else False,
        "modification_clause": (doc.modification_rule.section or "") if doc.modification_rule else "",
    }


def _sync_parties(doc: AgreementDocument, result: ImportResult) -> dict[str, Party]:
    """The file's parties matched to the portal's (agreement_file.match_parties), or created.

    A party matched by key or acronym keeps its name (a clash with a different name was
    refused before anything was written, unless the file said `same_as`). Nothing is renamed:
    not its name, not its key.
    """
    parties: dict[str, Party] = {}
    for match in match_parties(doc, _known_parties()):
        p = match.party
        if match.existing is None:
            party = Party.objects.create(key=p.key, acronym=p.acronym, name=p.name, department=p.department)
            result.created["parties"] += 1
            result.parties.append(f"{p.acronym} ({p.key}): created, {p.name}")
        else:
            known = match.existing
            party = (
                Party.objects.get(key=known.key) if known.key else Party.objects.get(acronym=known.acronym)
            )
            result.parties.append(
                f"{p.acronym} ({p.key}): matched the portal's {party.acronym} ({party.key}), {party.name}"
            )
        parties[p.key] = party
    return parties


@transaction.atomic
def import_agreement(*, doc: AgreementDocument) -> ImportResult:
    """Create or update an agreement from a checked file (agreement_file.read_agreement), all or nothing.

    A re-import of the same file writes nothing and says so.
    """
    result = ImportResult(agreement=Agreement(slug=doc.slug))
    parties = _sync_parties(doc, result)

    t = doc.terminated
    values: dict[str, Any] = {
        "short_name": doc.short_name,
        "title": doc.title,
        "kind": doc.kind,
        "purpose": doc.purpose,
        "executed_on": doc.executed_on,
        "execution_source": doc.execution_source,
        "funding_note": doc.funding_note,
        "terminated_on": t.on if t else None,
        "terminated_by": parties[t.by] if t else None,
        "termination_reason": t.reason if t else "",
        **_term_values(doc),
    }
    existing = Agreement.objects.filter(slug=doc.slug).first()
    if (
        existing is not None
        and existing.termination_notices.filter(withdrawn_on__isnull=True).exists()
        and not t
    ):
        # A standing termination notice given in the portal is kept (as a target date is).
        for name in ("terminated_on", "terminated_by", "termination_reason"):
            values.pop(name)
    agreement = _sync(result, "agreements", Agreement, {"slug": doc.slug}, values)
    result.agreement = agreement
    if set(agreement.parties.all()) != set(parties.values()):
        had_parties = agreement.parties.exists()
        agreement.parties.set(parties.values())
        if had_parties:
            result.updated["agreement parties"] += 1

    _sync_termination_rights(doc, agreement, parties, result)

    sections = _sync_sections(doc, agreement, result)

    for au in doc.authorities:
        _sync(
            result,
            "authorities",
            Authority,
            {"agreement": agreement, "citation": au.citation},
            {
                "text": au.text,
                "party": parties[au.party],
                "section_id": sections[au.section] if au.section else None,
                "position": au.position,
            },
        )

    _sync_commitments(doc, agreement, parties, sections, result)

    for signatory in doc.signatories:
        _sync(
            result,
            "signatories",
            Signatory,
            {"agreement": agreement, "party": parties[signatory.party]},
            {"name": signatory.name, "title": signatory.title, "signed_on": signatory.signed_on},
        )

    # The file carries the points of contact; they are written through the agreement's relation
    # (contacts sits above agreements and imports it, not the other way).
    point_of_contact = agreement.points_of_contact.model
    for p in doc.points_of_contact:
        _sync(
            result,
            "points of contact",
            point_of_contact,
            {
                "agreement": agreement,
                "party": parties[p.party],
                "role_title": p.role_title,
                "office": p.office,
            },
            {
                "person_name": p.person_name,
                "email": p.email,
                "phone": p.phone,
                "active_from": p.active_from,
                "active_to": p.active_to,
                "is_coordinator": p.is_coordinator,
                "position": p.position,
            },
        )

    for m in doc.modifications:
        modification = _sync(
            result,
            "modifications",
            Modification,
            {"agreement": agreement, "number": m.number},
            {
                "title": m.title,
                "text": m.text,
                "proposed_on": m.proposed_on,
                "extends_term_to": m.extends_term_to,
            },
        )
        for e in m.executions:
            _sync(
                result,
                "modification executions",
                ModificationExecution,
                {"modification": modification, "party": parties[e.party]},
                {"executed_on": e.executed_on},
            )
    import_obligations(doc, agreement, result.created, result.updated, sections=sections)
    agreement.refresh_expiry()
    if result.changed:
        # Clauses and items are written in bulk, which sends no post_save: say it once.
        data_changed()
    return result


def _sync_termination_rights(
    doc: AgreementDocument, agreement: Agreement, parties: dict[str, Party], result: ImportResult
) -> None:
    """One TerminationRight per party the file lets terminate alone, with its notice days."""
    rules = doc.termination_rules
    wanted: dict[int, int] = {}
    if rules and rules.by_one_party:
        one = rules.by_one_party
        wanted = {parties[key].pk: one.notice_days_for(key) for key in one.parties}
    have = {r.party_id: r for r in agreement.termination_rights.all()}
    for party_id, right in have.items():
        if party_id not in wanted:
            right.delete()
            result.updated["termination rules"] += 1
    for party_id, days in wanted.items():
        _sync(
            result,
            "termination rules",
            TerminationRight,
            {"agreement": agreement, "party_id": party_id},
            {"notice_days": days},
        )


# --- termination notices ---------------------------------------------------------------------


class TerminationRefused(ValueError):
    """A termination notice the agreement does not allow; the message says why, `field` what.

    `field` is the notice's field at fault (`given_on`, `notice_days`, or `__all__`), so the
    portal's form can show the refusal next to it (agreements/termination.py).
    """

    def __init__(self, message: str, *, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


def termination_notice_give(
    *,
    agreement: Agreement,
    party: Party,
    given_on: datetime.date,
    notice_days: int | None = None,
    reason: str = "",
) -> TerminationNotice:
    """Record one party's notice of termination; the term ends `notice_days` after it.

    `notice_days` defaults to the notice the agreement requires of the party; a shorter one,
    a party not in the agreement (or not allowed to terminate alone), a notice before
    execution or while another stands is refused. The agreement's `terminated_on` and
    `terminated_by` become the notice's effective day and party.
    """
    if not agreement.parties.filter(pk=party.pk).exists():
        raise TerminationRefused(f"{party.acronym} is not a party to {agreement.short_name}.")
    right = agreement.termination_rights.filter(party=party).first()
    if right is None:
        raise TerminationRefused(
            f"{agreement.short_name} does not allow {party.acronym} to terminate it alone"
            + (f" ({agreement.termination_clause})." if agreement.termination_clause else ".")
        )
    days = right.notice_days if notice_days is None else notice_days
    if days < right.notice_days:
        raise TerminationRefused(
            f"{party.acronym} must give at least {right.notice_days} days' notice to terminate "
            f"{agreement.short_name}; {days} days is too short.",
            field="notice_days",
        )
    if agreement.executed_on is None or given_on < agreement.executed_on:
        raise TerminationRefused(f"{agreement.short_name} is not executed on {given_on}.", field="given_on")
    if agreement.expires_on is not None and agreement.expires_on <= given_on:
        raise TerminationRefused(
            f"{agreement.short_name} expired on {agreement.expires_on}; there is nothing to terminate.",
            field="given_on",
        )
    if agreement.terminated_on is not None and agreement.terminated_on <= given_on:
        raise TerminationRefused(f"{agreement.short_name} already ended on {agreement.terminated_on}.")
    if agreement.termination_notices.filter(withdrawn_on__isnull=True).exists():
        raise TerminationRefused(f"A termination notice for {agreement.short_name} already stands.")
    if agreement.terminated_on is not None:
        raise TerminationRefused(
            f"{agreement.short_name} already terminates on {agreement.terminated_on} by mutual agreement."
        )
    with transaction.atomic():
        notice = TerminationNotice.objects.create(
            agreement=agreement,
            party=party,
            given_on=given_on,
            effective_on=given_on + datetime.timedelta(days=days),
            reason=reason,
        )
        agreement.terminated_on = notice.effective_on
        agreement.termination_notice_on = given_on
        agreement.terminated_by = party
        agreement.termination_reason = reason
        agreement.save()
    return notice


def termination_notice_withdraw(
    *, notice: TerminationNotice, withdrawn_on: datetime.date
) -> TerminationNotice:
    """Withdraw a standing notice before it takes effect: the agreement is no longer to end then."""
    if notice.withdrawn_on is not None:
        raise TerminationRefused("This termination notice was already withdrawn.")
    if withdrawn_on >= notice.effective_on:
        raise TerminationRefused(
            f"The termination took effect on {notice.effective_on}; it cannot be withdrawn on {withdrawn_on}."
        )
    with transaction.atomic():
        notice.withdrawn_on = withdrawn_on
        notice.save()
        agreement = notice.agreement
        if (agreement.terminated_on, agreement.termination_notice_on) != (
            notice.effective_on,
            notice.given_on,
        ):
            # A termination by mutual agreement has since set an earlier end: it stands.
            return notice
        agreement.terminated_on = None
        agreement.termination_notice_on = None
        agreement.terminated_by = None
        agreement.termination_reason = ""
        agreement.save()
    return notice
