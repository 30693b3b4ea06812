"""Storing an agreement file's vocabularies and recurring obligations (part of the import).

Called once from `agreements.services.import_agreement`, inside its transaction, after the
clauses, parties and tracked items are written. Idempotent like the rest of the import: a
re-run writes nothing, and an entry or obligation the file no longer states is removed (an
obligation is a rule, not a record: removing it removes the duty, and nothing refers to it but
records that name their vocabulary key).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .agreement_file.document import AgreementDocument
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
    doc: AgreementDocument | None, agreement: Agreement, created: Counter, updated: Counter
) -> None:
    """Create, update or remove the agreement's vocabulary entries and obligations to match `doc`.

    `created` and `updated` are the import result's counters; a schema-1 file (no document,
    or one that states none) leaves the agreement with none.
    """
    if doc is None:
        return
    sections = {s.number: s for s in Section.objects.filter(agreement=agreement)}
    # Parties are matched as the rest of the import matches them (today: on the acronym).
    by_acronym = {p.acronym: p for p in agreement.parties.all()}
    parties: dict[str, Party] = {p.key: by_acronym[p.acronym] for p in doc.parties}
    items = {c.code: c for c in Commitment.objects.filter(agreement=agreement)}

    kept_entries: list[int] = []
    for vocabulary in Vocabulary:
        for position, e in enumerate(getattr(doc.vocabularies, vocabulary.value)):
            values = {
                "label": e.label,
                "section": sections[e.section] if e.section else None,
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

    kept: list[int] = []
    for o in doc.obligations:
        b = o.balance
        values = {
            "kind": o.kind.value,
            "title": o.title,
            "section": sections[o.section],
            "item": items[o.item] if o.item else None,
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
        obligation = Obligation.objects.filter(agreement=agreement, code=o.code).first()
        changed = False
        if obligation is None:
            obligation = Obligation.objects.create(agreement=agreement, code=o.code, **values)
            created["obligations"] += 1
        else:
            changed = _save_if_changed(obligation, values)
        owing = {parties[k] for k in o.parties}
        if set(obligation.parties.all()) != owing:
            had = obligation.parties.exists()
            obligation.parties.set(owing)
            changed = changed or had
        if changed:
            updated["obligations"] += 1
        kept.append(obligation.pk)
    gone = Obligation.objects.filter(agreement=agreement).exclude(pk__in=kept).delete()[0]
    if gone:
        updated["obligations"] += 1
