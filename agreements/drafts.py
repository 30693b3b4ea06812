"""Writes that edit a draft in the portal: its clauses, commitments, recurring obligations and
signatories. Points of contact are the contacts app's (contacts.services), on drafts as on any
agreement.

A draft is an agreement not yet executed (`executed_on` empty); once in force it changes only
through modifications every party executes (agreements/lifecycle.py). Each service here:

- checks that the acting user is an admin of one of the draft's parties and that it is still a
  draft, with the agreement's row locked, so a last signature cannot slip in between;
- checks values with the agreement file's own rules (agreements/agreement_file/rules.py) and
  names the form field and the problem, in the file's words where the file has the rule;
- refuses an edit made from a stale or unknown `version` with what changed since (the contacts'
  pattern: a conditional UPDATE claims the row; django-simple-history says what it was);
- runs in one transaction and saves through the model, so every change is in the history.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max

from core.time import today

from . import permissions
from .agreement_file.document import Anchor, CadenceKind, ObligationKind
from .agreement_file.rules import RuleProblem, code_problem, due_problem, period_days, rrule_text
from .lifecycle import enter_into_force_if_signed
from .models import Agreement, Commitment, Party, Section, Signatory
from .obligations import Obligation, VocabularyEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Versioned = TypeVar("Versioned", Section, Commitment, Obligation, Signatory)

#: The agreement's fields that name a clause by its number: renumbering the clause follows them.
CLAUSE_REFERENCES = ("term_clause", "renewal_clause", "termination_clause", "modification_clause")


def _refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def can_edit_draft(user: permissions.User, agreement: Agreement) -> bool:
    """An admin of one of its parties, while it is a draft (the pages ask this; services again)."""
    return agreement.executed_on is None and permissions.can_act_for_party_on(user, agreement)


def _draft(acting_user: User, agreement: Agreement) -> tuple[Agreement, Party]:
    """The draft, its row locked, and the party the admin acts for; refused otherwise."""
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = permissions.acting_party(acting_user, locked)
    if party is None:
        raise _refuse("__all__", "Only an admin of a party to this draft can edit it.")
    if locked.executed_on is not None:
        raise _refuse(
            "__all__",
            "This agreement is in force; it changes only through a modification every party executes.",
        )
    return locked, party


# --- edits from a stale form -----------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field someone else changed after the form was opened."""

    label: str
    when_opened: str
    now: str


class DraftItemChanged(ValidationError):
    """Someone saved the item after the editor opened it (or the form's version is unknown)."""

    def __init__(self, item: models.Model, changes: list[FieldChange], changed_by: list[str]) -> None:
        self.item = item
        self.changes = changes
        self.changed_by = changed_by
        super().__init__(
            f"{', '.join(changed_by) or 'Someone'} changed {item} after you opened it; nothing was saved. "
            "Check what changed and save again if you still want your changes."
        )


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _value(item: models.Model, record: Any, name: str) -> Any:
    """A field's value as the page names it: a related clause or item by its str, a set of
    parties (a many-to-many the history keeps) by their acronyms."""
    field = type(item)._meta.get_field(name.removesuffix("_id"))
    if field.many_to_many:
        if record is item:
            return sorted(p.acronym for p in getattr(item, name).all())
        # The history keeps the set (of parties, here) as rows of its own, each naming one by id.
        pks = [row.party_id for row in getattr(record, name).all()]
        return sorted(Party.objects.filter(pk__in=pks).values_list("acronym", flat=True))
    value = getattr(record, name)
    if name.endswith("_id") and value is not None:
        related = cast("type[models.Model]", field.related_model)
        return str(related._default_manager.filter(pk=value).first() or value)
    return value


def _changes_since(item: Versioned, version: int, labels: dict[str, str]) -> DraftItemChanged:
    history = item.history
    opened = history.filter(version=version).order_by("-history_date", "-history_id").first()
    later = history.filter(version__gt=version).select_related("history_user")
    changed_by = sorted(
        {(r.history_user.get_full_name() or r.history_user.username) for r in later if r.history_user}
    )
    changes = []
    if opened is not None:
        for name, label in labels.items():
            before, now = _value(item, opened, name), _value(item, item, name)
            if before != now:
                changes.append(FieldChange(label, _shown(before), _shown(now)))
    return DraftItemChanged(item, changes, changed_by)


def _claim(item: Versioned, expected_version: int, labels: dict[str, str]) -> Versioned:
    """Raise the version if it is still the one the form was opened at; otherwise refuse.

    A version the item never had (forged, or from another record) is refused too: nothing
    says what the editor saw. One saved in between that changed none of the fields the form
    shows is no conflict, as for contacts.
    """
    model = type(item)
    claimed = model.objects.filter(pk=item.pk, version=expected_version).update(version=F("version") + 1)
    current = model.objects.select_for_update().get(pk=item.pk)
    if claimed == 1:
        return current
    conflict = _changes_since(current, expected_version, labels)
    known = current.history.filter(version=expected_version).exists()
    if conflict.changes or not known or expected_version > current.version:
        raise conflict
    return _claim(current, current.version, labels)


def _in_use(item: models.Model) -> list[str]:
    """What still refers to the item (its reverse relations that have rows), by name."""
    found = []
    for relation in item._meta.related_objects:
        accessor = relation.get_accessor_name()
        if accessor is None or relation.related_model is None:
            continue
        if getattr(item, accessor).exists():
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


def _full_clean(item: models.Model, **kwargs: Any) -> None:
    """The model's own checks (field lengths, its clean()), before anything is written."""
    item.full_clean(validate_constraints=False, **kwargs)


# --- clauses -----------------------------------------------------------------------------------

CLAUSE_LABELS = {"number": "Number", "heading": "Heading", "text": "Text", "parent_id": "Within clause"}


def _subtree(section: Section, ordered: Sequence[Section]) -> list[Section]:
    """The clause and every clause within it, in document order."""
    within = {section.pk}
    found = [section]
    for s in ordered:
        if s.parent_id in within and s.pk not in within:
            within.add(s.pk)
            found.append(s)
    return found


def _check_clause(
    agreement: Agreement, *, number: str, parent: Section | None, clause: Section | None = None
) -> str:
    number = number.strip()
    if not number:
        raise _refuse("number", "is missing")
    taken = agreement.sections.filter(number=number)
    if clause is not None:
        taken = taken.exclude(pk=clause.pk)
    if taken.exists():
        raise _refuse("number", f"clause {number!r} appears twice")
    if parent is not None:
        if parent.agreement_id != agreement.pk:
            raise _refuse("parent", f"clause {parent.number!r} does not exist in sections")
        if clause is not None:
            ordered = list(agreement.sections.order_by("position"))
            if parent.pk in {s.pk for s in _subtree(clause, ordered)}:
                raise _refuse(
                    "parent", f"clause {parent.number!r} is within {clause.number!r}; choose another"
                )
    return number


def _renumber(agreement: Agreement) -> None:
    """Positions in document order: each clause followed by the clauses within it."""
    ordered = list(agreement.sections.order_by("position", "pk"))
    children: dict[int | None, list[Section]] = {}
    for s in ordered:
        children.setdefault(s.parent_id, []).append(s)
    flat: list[Section] = []

    def walk(parent_id: int | None) -> None:
        for s in children.get(parent_id, []):
            flat.append(s)
            walk(s.pk)

    walk(None)
    for position, s in enumerate(flat, start=1):
        if s.position != position:
            s.position = position
            s.save(update_fields=["position"])


@transaction.atomic
def clause_create(
    *, acting_user: User, agreement: Agreement, number: str, heading: str, text: str, parent: Section | None
) -> Section:
    """A new clause, placed after the last clause within its parent (or at the end)."""
    agreement, _ = _draft(acting_user, agreement)
    number = _check_clause(agreement, number=number, parent=parent)
    if parent is not None:
        position = _subtree(parent, list(agreement.sections.order_by("position", "pk")))[-1].position + 1
        for later in agreement.sections.filter(position__gte=position).order_by("-position"):
            later.position += 1
            later.save(update_fields=["position"])
    else:
        position = (agreement.sections.aggregate(p=Max("position"))["p"] or 0) + 1
    clause = Section(
        agreement=agreement,
        number=number,
        heading=heading.strip(),
        text=text.strip(),
        parent=parent,
        position=position,
    )
    _full_clean(clause)
    clause.save()
    return clause


@transaction.atomic
def clause_update(
    *,
    acting_user: User,
    clause: Section,
    expected_version: int,
    number: str,
    heading: str,
    text: str,
    parent: Section | None,
) -> Section:
    """Change a clause's number, heading, text or the clause it is within (nesting).

    A new number follows into the agreement's references to it (its term clause and the like).
    """
    agreement, _ = _draft(acting_user, clause.agreement)
    current = _claim(clause, expected_version, CLAUSE_LABELS)
    number = _check_clause(agreement, number=number, parent=parent, clause=current)
    old_number, moved = current.number, current.parent_id != (parent.pk if parent else None)
    current.number, current.heading, current.text, current.parent = (
        number,
        heading.strip(),
        text.strip(),
        parent,
    )
    _full_clean(current)
    current.save()
    if old_number != number:
        renamed = [name for name in CLAUSE_REFERENCES if getattr(agreement, name) == old_number]
        for name in renamed:
            setattr(agreement, name, number)
        if renamed:
            agreement.save()
    if moved:
        _renumber(agreement)
        current.refresh_from_db()
    return current


@transaction.atomic
def clause_move(*, acting_user: User, clause: Section, expected_version: int, direction: str) -> Section:
    """Move a clause (with the clauses within it) before the previous or after the next clause
    within the same parent."""
    agreement, _ = _draft(acting_user, clause.agreement)
    if direction not in ("up", "down"):
        raise _refuse("direction", "Move a clause up or down.")
    current = _claim(clause, expected_version, CLAUSE_LABELS)
    siblings = list(agreement.sections.filter(parent_id=current.parent_id).order_by("position", "pk"))
    index = next(i for i, s in enumerate(siblings) if s.pk == current.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        where = "first" if direction == "up" else "last"
        raise _refuse("direction", f"Clause {current.number} is already the {where} at its level.")
    a, b = siblings[index], siblings[other]
    a.position, b.position = b.position, a.position
    # The two swap places; _renumber then brings the clauses within each along.
    for s in (a, b):
        Section.objects.filter(pk=s.pk).update(position=s.position)
    _renumber(agreement)
    current.refresh_from_db()
    current.save()  # the move in the history, with the raised version
    return current


@transaction.atomic
def clause_delete(*, acting_user: User, clause: Section, expected_version: int) -> None:
    """Delete an empty clause: nothing within it and nothing citing it."""
    agreement, _ = _draft(acting_user, clause.agreement)
    current = _claim(clause, expected_version, CLAUSE_LABELS)
    using = _in_use(current)
    using += [
        f"the agreement's {name.replace('_', ' ')}"
        for name in CLAUSE_REFERENCES
        if getattr(agreement, name) == current.number
    ]
    if using:
        raise _refuse("__all__", f"Clause {current.number} is not empty: {', '.join(using)} refer to it.")
    current.delete()
    _renumber(agreement)


# --- commitments ----------------------------------------------------------------------------------

COMMITMENT_LABELS = {
    "code": "Code",
    "kind": "Kind",
    "title": "Title",
    "description": "Description",
    "source_section_id": "Clause",
    "goal_id": "Strategic goal",
    "lead_parties": "Lead parties",
}


def _check_commitment(
    agreement: Agreement,
    *,
    code: str,
    leads: Sequence[Party],
    source_section: Section,
    goal: Commitment | None,
    commitment: Commitment | None = None,
) -> str:
    code = code.strip()
    if problem := code_problem(code):
        raise _refuse("code", problem)
    taken = agreement.commitments.filter(code=code)
    if commitment is not None:
        taken = taken.exclude(pk=commitment.pk)
    if taken.exists():
        raise _refuse("code", f"duplicate code {code!r}")
    parties = {p.pk for p in agreement.parties.all()}
    if not leads:
        raise _refuse("lead_parties", "must list the parties (keys or acronyms), or be all")
    strangers = [p.acronym for p in leads if p.pk not in parties]
    if strangers:
        raise _refuse("lead_parties", f"{', '.join(strangers)} is not a party to this agreement")
    if source_section.agreement_id != agreement.pk:
        raise _refuse("source_section", f"clause {source_section.number!r} does not exist in sections")
    if goal is not None and (
        goal.agreement_id != agreement.pk or goal.kind != Commitment.Kind.STRATEGIC_GOAL
    ):
        raise _refuse("goal", f"{goal.code!r} is not a strategic goal of this agreement")
    if commitment is not None and goal is not None and goal.pk == commitment.pk:
        raise _refuse("goal", "a commitment cannot serve itself")
    return code


@transaction.atomic
def commitment_create(
    *,
    acting_user: User,
    agreement: Agreement,
    code: str,
    kind: str,
    title: str,
    description: str,
    lead_parties: Sequence[Party],
    source_section: Section,
    goal: Commitment | None,
) -> Commitment:
    """A new commitment of the draft, after the others."""
    agreement, _ = _draft(acting_user, agreement)
    code = _check_commitment(
        agreement, code=code, leads=lead_parties, source_section=source_section, goal=goal
    )
    position = (agreement.commitments.aggregate(p=Max("position"))["p"] or 0) + 1
    commitment = Commitment(
        agreement=agreement,
        code=code,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        source_section=source_section,
        goal=goal,
        position=position,
    )
    _full_clean(commitment)
    commitment.save()
    commitment.lead_parties.set(lead_parties)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    acting_user: User,
    commitment: Commitment,
    expected_version: int,
    code: str,
    kind: str,
    title: str,
    description: str,
    lead_parties: Sequence[Party],
    source_section: Section,
    goal: Commitment | None,
) -> Commitment:
    agreement, _ = _draft(acting_user, commitment.agreement)
    current = _claim(commitment, expected_version, COMMITMENT_LABELS)
    opened_leads = {p.pk for p in current.lead_parties.all()}
    code = _check_commitment(
        agreement, code=code, leads=lead_parties, source_section=source_section, goal=goal, commitment=current
    )
    if kind != Commitment.Kind.STRATEGIC_GOAL and current.action_items.exists():
        raise _refuse("kind", f"action items serve {current.code}; it stays a strategic goal")
    current.code, current.kind, current.title = code, kind, title.strip()
    current.description, current.source_section, current.goal = description.strip(), source_section, goal
    _full_clean(current)
    current.save()
    if opened_leads != {p.pk for p in lead_parties}:
        current.lead_parties.set(lead_parties)
    return current


@transaction.atomic
def commitment_delete(*, acting_user: User, commitment: Commitment, expected_version: int) -> None:
    """Remove a commitment nothing refers to yet (no updates, milestones, obligations, meetings)."""
    _draft(acting_user, commitment.agreement)
    current = _claim(commitment, expected_version, COMMITMENT_LABELS)
    using = _in_use(current)
    if using:
        raise _refuse("__all__", f"{current.code} cannot be removed: {', '.join(using)} refer to it.")
    current.delete()


# --- recurring obligations --------------------------------------------------------------------

OBLIGATION_LABELS = {
    "code": "Code",
    "kind": "Kind",
    "title": "Title",
    "section_id": "Clause",
    "item_id": "Commitment",
    "parties": "Parties that owe it",
    "cadence": "Cadence",
    "anchor": "Anchor",
    "rrule": "RRULE",
    "window_days": "Window (days)",
    "due_day": "Due by day",
    "meeting_kinds": "Meeting kinds",
    "audiences": "Audiences",
    "requires_minutes": "Requires minutes",
}


def _check_obligation(
    agreement: Agreement, values: dict[str, Any], obligation: Obligation | None = None
) -> dict[str, Any]:
    """The obligation's values, checked as the agreement file's obligations are."""
    checked = dict(values)
    code = (values.get("code") or "").strip()
    if problem := code_problem(code):
        raise _refuse("code", problem)
    taken = agreement.obligations.filter(code=code)
    if obligation is not None:
        taken = taken.exclude(pk=obligation.pk)
    if taken.exists():
        raise _refuse("code", f"duplicate code {code!r}")
    checked["code"] = code
    kind, cadence = values["kind"], values["cadence"]
    if kind not in ObligationKind.__members__.values():
        raise _refuse("kind", f"{kind!r} is not one of {', '.join(k.value for k in ObligationKind)}")
    if values["section"].agreement_id != agreement.pk:
        raise _refuse("section", f"clause {values['section'].number!r} does not exist in sections")
    item = values.get("item")
    if item is not None and item.agreement_id != agreement.pk:
        raise _refuse("item", f"{item.code!r} is not the code of a commitment of this agreement")
    parties = list(values.get("parties") or [])
    if not parties:
        raise _refuse("parties", "must list the parties (keys or acronyms), or be all")
    own = {p.pk for p in agreement.parties.all()}
    strangers = [p.acronym for p in parties if p.pk not in own]
    if strangers:
        raise _refuse("parties", f"{', '.join(strangers)} is not a party to this agreement")
    rrule = (values.get("rrule") or "").strip()
    anchor = values.get("anchor") or Anchor.CALENDAR.value
    if cadence == CadenceKind.RRULE:
        if not rrule:
            raise _refuse("rrule", "is missing (an RRULE cadence needs its rule)")
        try:
            rrule = rrule_text(rrule)
        except RuleProblem as exc:
            raise _refuse("rrule", str(exc)) from None
        if anchor != Anchor.CALENDAR:
            raise _refuse("anchor", "an RRULE sets its own periods; anchor does not apply")
    elif rrule:
        raise _refuse("rrule", f"applies to an RRULE cadence, not to a {cadence} one")
    if cadence == CadenceKind.CONTINUOUS and anchor != Anchor.CALENDAR:
        raise _refuse("anchor", "a continuous obligation has no periods to anchor")
    try:
        span = period_days(cadence, rrule)
    except RuleProblem as exc:
        raise _refuse("rrule", str(exc)) from None
    except ValueError:
        raise _refuse("cadence", f"unknown cadence {cadence!r}") from None
    window, due_day = values.get("window_days"), values.get("due_day")
    problem_at = due_problem(
        kind=cadence, is_rrule=cadence == CadenceKind.RRULE, span=span, window_days=window, due_day=due_day
    )
    if problem_at:
        raise _refuse(*problem_at)
    meeting_kinds = list(values.get("meeting_kinds") or [])
    if meeting_kinds and kind != ObligationKind.MEETING:
        raise _refuse("meeting_kinds", f"applies to meetings, not to a {kind}")
    if values.get("requires_minutes") and kind != ObligationKind.MEETING:
        raise _refuse("requires_minutes", f"applies to meetings, not to a {kind}")
    for name in ("meeting_kinds", "audiences"):
        known = set(VocabularyEntry.objects.of(agreement, name).values_list("key", flat=True))
        for key in values.get(name) or []:
            if key not in known:
                shown = ", ".join(sorted(known)) or "none declared"
                raise _refuse(name, f"{key!r} is not in vocabularies.{name} ({shown})")
    checked.update(rrule=rrule, anchor=anchor, parties=parties, meeting_kinds=meeting_kinds)
    checked["audiences"] = list(values.get("audiences") or [])
    checked["requires_minutes"] = bool(values.get("requires_minutes"))
    return checked


OBLIGATION_FIELDS = (
    "code",
    "kind",
    "title",
    "section",
    "item",
    "cadence",
    "anchor",
    "rrule",
    "window_days",
    "due_day",
    "meeting_kinds",
    "audiences",
    "requires_minutes",
)


@transaction.atomic
def obligation_create(*, acting_user: User, agreement: Agreement, values: dict[str, Any]) -> Obligation:
    """A new recurring obligation of the draft (`values`: OBLIGATION_FIELDS and `parties`)."""
    agreement, _ = _draft(acting_user, agreement)
    checked = _check_obligation(agreement, values)
    position = (agreement.obligations.aggregate(p=Max("position"))["p"] or 0) + 1
    obligation = Obligation(agreement=agreement, position=position)
    for name in OBLIGATION_FIELDS:
        setattr(obligation, name, checked.get(name))
    obligation.title = (obligation.title or "").strip()
    _full_clean(obligation)
    obligation.save()
    obligation.parties.set(checked["parties"])
    return obligation


@transaction.atomic
def obligation_update(
    *, acting_user: User, obligation: Obligation, expected_version: int, values: dict[str, Any]
) -> Obligation:
    agreement, _ = _draft(acting_user, obligation.agreement)
    current = _claim(obligation, expected_version, OBLIGATION_LABELS)
    checked = _check_obligation(agreement, values, current)
    for name in OBLIGATION_FIELDS:
        setattr(current, name, checked.get(name))
    current.title = (current.title or "").strip()
    _full_clean(current)
    current.save()
    if {p.pk for p in current.parties.all()} != {p.pk for p in checked["parties"]}:
        current.parties.set(checked["parties"])
    return current


@transaction.atomic
def obligation_delete(*, acting_user: User, obligation: Obligation, expected_version: int) -> None:
    _draft(acting_user, obligation.agreement)
    current = _claim(obligation, expected_version, OBLIGATION_LABELS)
    current.delete()


# --- signatories ------------------------------------------------------------------------------

SIGNATORY_LABELS = {"name": "Signatory", "title": "Signatory's title", "signed_on": "Signed on"}


@transaction.atomic
def signatory_update(
    *,
    acting_user: User,
    signatory: Signatory,
    expected_version: int,
    name: str,
    title: str,
    signed_on: datetime.date | None,
) -> Signatory:
    """Correct the admin's own party's signatory on the draft (a file may name one not yet signed).

    A signature date completing every party's puts the agreement in force, as recording it does.
    """
    agreement, party = _draft(acting_user, signatory.agreement)
    if signatory.party_id != party.pk:
        raise _refuse("__all__", f"Only {signatory.party.acronym}'s admins correct its signatory.")
    current = _claim(signatory, expected_version, SIGNATORY_LABELS)
    if signed_on and signed_on > today():
        raise _refuse("signed_on", f"The signature date {signed_on:%Y-%m-%d} is in the future.")
    current.name, current.title, current.signed_on = name.strip(), title.strip(), signed_on
    _full_clean(current)
    current.save()
    enter_into_force_if_signed(agreement)
    return current
