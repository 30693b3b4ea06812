"""Storing an agreement file's vocabularies and recurring obligations (part of the import).

Called once from `agreements.services.import_agreement`, inside its transaction, after the
clauses, parties and tracked items are written. Idempotent like the rest of the import: a
re-run writes nothing, and an entry or obligation the file no longer states is removed (an
obligation is a rule, not a record: removing it removes the duty, and nothing refers to it but
records that name their vocabulary key).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .agreement_file.document import AgreementDocument
from .bulk import BATCH, differences, history_with_m2m
from .models import Agreement, Commitment, Party, Section
from .obligations import Obligation, Vocabulary, VocabularyEntry


def _save_if_changed(obj: Any, values: dict[str, Any]) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return bool(changed)


def import_obligations(
    doc: AgreementDocument | None,
    agreement: Agreement,
    created: Counter,
    updated: Counter,
    *,
    sections: dict[str, int] | None = None,
) -> None:
    """Create, update or remove the agreement's vocabulary entries and obligations to match `doc`.

    `created` and `updated` are the import result's counters; a schema-1 file (no document,
    or one that states none) leaves the agreement with none. `sections` is each clause's key
    by its number when the caller has it (the import has just written them).
    """
    if doc is None:
        return
    # Keys only: a large agreement has tens of thousands of clauses, and only their keys are needed.
    if sections is None:
        sections = dict(Section.objects.filter(agreement=agreement).values_list("number", "pk"))
    # Parties are matched as the rest of the import matches them (today: on the acronym).
    by_acronym = {p.acronym: p for p in agreement.parties.all()}
    parties: dict[str, Party] = {p.key: by_acronym[p.acronym] for p in doc.parties}
    items = dict(Commitment.objects.filter(agreement=agreement).values_list("code", "pk"))

    kept_entries: list[int] = []
    for vocabulary in Vocabulary:
        for position, e in enumerate(getattr(doc.vocabularies, vocabulary.value)):
            values = {
                "label": e.label,
                "section_id": sections[e.section] if e.section else None,
                "position": position,
            }
            entry = VocabularyEntry.objects.filter(
                agreement=agreement, vocabulary=vocabulary, key=e.key
            ).first()
            if entry is None:
                entry = VocabularyEntry.objects.create(
                    agreement=agreement, vocabulary=vocabulary, key=e.key, **values
                )
                created["vocabulary entries"] += 1
            elif _save_if_changed(entry, values):
                updated["vocabulary entries"] += 1
            kept_entries.append(entry.pk)
    gone = VocabularyEntry.objects.filter(agreement=agreement).exclude(pk__in=kept_entries).delete()[0]
    if gone:
        updated["vocabulary entries"] += gone

    _import_obligations(doc, agreement, parties, sections, items, created, updated)


def _import_obligations(
    doc: AgreementDocument,
    agreement: Agreement,
    parties: dict[str, Party],
    sections: dict[str, int],
    items: dict[str, int],
    created: Counter,
    updated: Counter,
) -> None:
    """The obligations and the parties that owe them, in bulk: a fixed number of queries."""
    existing = {o.code: o for o in Obligation.objects.filter(agreement=agreement)}
    Through = Obligation.parties.through
    owed_had: dict[int, set[int]] = defaultdict(set)
    for obligation_id, party_id in Through.objects.filter(obligation__agreement=agreement).values_list(
        "obligation_id", "party_id"
    ):
        owed_had[obligation_id].add(party_id)
    new: list[Obligation] = []
    changed: list[Obligation] = []
    fields: set[str] = set()
    owed: list[tuple[Obligation, set[int]]] = []
    for o in doc.obligations:
        b = o.balance
        values = {
            "kind": o.kind.value,
            "title": o.title,
            "section_id": sections[o.section],
            "item_id": items[o.item] if o.item else None,
            "cadence": o.cadence.kind.value,
            "anchor": o.cadence.anchor.value,
            "rrule": o.cadence.rrule or "",
            "window_days": o.window_days,
            "due_day": o.due_day,
            "meeting_kinds": list(o.meeting_kinds),
            "audiences": list(o.audiences),
            "requires_minutes": o.requires_minutes,
            "balance_text": b.text if b else "",
            "balance_across": b.across if b else "",
            "balance_each_of": list(b.each_of) if b else [],
            "balance_over": b.over.value if b else "",
            "position": o.position,
        }
        obligation = existing.get(o.code)
        if obligation is None:
            obligation = Obligation(agreement=agreement, code=o.code, **values)
            new.append(obligation)
        elif diff := differences(obligation, values):
            for name in diff:
                setattr(obligation, name, values[name])
            changed.append(obligation)
            fields.update(diff)
        owed.append((obligation, {parties[k].pk for k in o.parties}))
    if new:
        Obligation.objects.bulk_create(new, batch_size=BATCH)  # PostgreSQL sets their keys
        created["obligations"] += len(new)
    if changed:
        Obligation.objects.bulk_update(changed, sorted(fields), batch_size=BATCH)
    relinked = [(ob, wanted) for ob, wanted in owed if owed_had.get(ob.pk, set()) != wanted]
    if relinked:
        Through.objects.filter(obligation_id__in=[ob.pk for ob, _ in relinked]).delete()
        Through.objects.bulk_create(
            [Through(obligation_id=ob.pk, party_id=p) for ob, wanted in relinked for p in sorted(wanted)],
            batch_size=BATCH,
        )
    # As before: an obligation counts as updated when a field changed or it owed others before.
    counted = {ob.pk for ob in changed} | {ob.pk for ob, _ in relinked if owed_had.get(ob.pk)}
    updated["obligations"] += len(counted)
    touched = {ob.pk: ob for ob in new} | {ob.pk: ob for ob in changed} | {ob.pk: ob for ob, _ in relinked}
    history_with_m2m(Obligation, list(touched.values()), new={ob.pk for ob in new})
    kept = [ob.pk for ob, _ in owed]
    gone = Obligation.objects.filter(agreement=agreement).exclude(pk__in=kept).delete()[0]
    if gone:
        updated["obligations"] += 1
