"""Writes for the agreement's life in the portal: drafts, signatures, modifications every party executes.

Services, as in services.py (which keeps the file import): keyword-only, `acting_user` first,
each refusal a `ValidationError` whose keys name the field and whose message says the problem
in plain words, and nothing half-applied (one transaction each). Who may call them is
agreements.permissions (`can_start_agreement`, `acting_party`); the services check it again,
so a view that forgets cannot write.

- A **draft** is an agreement without an execution date. An admin starts one from an
  agreement file (`draft_upload_create` → `upload_preview` → `draft_upload_confirm`: the file
  is kept as a `DraftUpload` with its SHA-256 between preview and confirmation) or from a
  short form (`agreement_draft_create`).
- **Signatures** (`signature_record`): each party's admin records its party's; the last one
  puts the agreement in force (`executed_on` = the latest signature date).
- **Modifications** (`modification_propose`, `modification_update`, `modification_withdraw`,
  `modification_execute`): the effects are data (`effects`, below), each execution records the
  SHA-256 of the canonical JSON of what was executed, an edit voids earlier executions, and the
  effects apply in the last execution's transaction.

The effects of a modification, as stored in `Modification.effects`::

    {"term_ends_on": "2027-06-30",                         # the new end of the term
     "add_commitments": [{"code": "VI.6", "kind": "joint_activity", "title": "…",
                          "leads": ["DOC", "DHS"], "clause": "VI"}],
     "retire_commitments": ["VI.4"],
     "replace_clauses": [{"number": "VI.2", "text": "…"}],
     "terminate_on": "2027-03-31"}                         # termination by mutual agreement

A termination by mutual agreement is a modification whose only effect is `terminate_on`
(agreements/termination.py proposes it): executed by every party like any other, it sets the
agreement's `terminated_on` in the last execution's transaction.

Parties awaited by a proposal are announced with the `modification_awaiting` signal
(agreements/signals.py) after the transaction commits; notifications delivers the notices.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import get_valid_filename

from core.time import long_date, today

from . import permissions
from .agreement_file import AgreementDocument, AgreementFile, AgreementFileError, read_agreement
from .agreement_file.convert import to_import_form
from .agreement_file.reading import CODE_MAX, CODE_RE, SLUG_RE
from .models import (
    Agreement,
    Commitment,
    DraftUpload,
    Modification,
    ModificationExecution,
    Party,
    Signatory,
)
from .services import ImportResult, import_agreement
from .signals import modification_awaiting

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: The largest agreement file accepted: the 2017 MOA's file, the longest we know, is 40 kB.
MAX_AGREEMENT_FILE_BYTES = 512 * 1024
#: Slugs the agreement pages' own addresses use.
RESERVED_SLUGS = frozenset({"new", "lookup"})


def _refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


# --- drafts from a file ----------------------------------------------------------------------


def _read_document(file_name: str, content: str) -> AgreementDocument:
    """The checked file (what the importer takes); refusals name the file, the field and the problem.

    The preview reads it in the flat form as well (`_read_text`), which for now holds terms of
    whole years and items led by one party or all: an upload of another shape is refused with
    that reason, and such a file imports with `manage.py import_agreement`.
    """
    with tempfile.TemporaryDirectory(prefix="agreement-upload-") as folder:
        path = Path(folder) / (get_valid_filename(Path(file_name).name) or "agreement.yaml")
        path.write_text(content, encoding="utf-8")
        try:
            doc = read_agreement(path)
            to_import_form(doc)
        except AgreementFileError as exc:
            raise _refuse("file", f"{path.name}: {exc.field_path}: {exc.problem}") from None
    return doc


def _read_text(file_name: str, content: str) -> AgreementFile:
    """The checked file in the flat form the preview compares with the record."""
    return to_import_form(_read_document(file_name, content))


def _check_may_import(user: User, data: AgreementFile) -> Agreement | None:
    """The admin's party must be on the file, and on the agreement the file updates, if any."""
    party = permissions.party_of(user)
    if party is None or not permissions.is_admin(user):
        raise _refuse("file", "Only a party's admin can start an agreement.")
    if party.acronym not in {p["acronym"] for p in data.parties}:
        raise _refuse("file", f"parties: {party.acronym} (your party) is not a party in this file.")
    slug = data.agreement["slug"]
    if slug in RESERVED_SLUGS:
        raise _refuse("file", f"agreement.slug: {slug!r} is the address of a portal page; choose another.")
    existing = Agreement.objects.filter(slug=slug).first()
    if existing is not None and not existing.parties.filter(pk=party.pk).exists():
        # Said without naming the agreement's parties: its existence is all that leaks.
        raise _refuse("file", f"agreement.slug: {slug!r} is already taken; choose another slug.")
    return existing


def draft_upload_create(*, acting_user: User, file_name: str, data: bytes) -> DraftUpload:
    """Keep an uploaded agreement file for its preview, after checking all of it."""
    if len(data) > MAX_AGREEMENT_FILE_BYTES:
        raise _refuse(
            "file",
            f"{file_name}: the file is {len(data):,} bytes; an agreement file is at most "
            f"{MAX_AGREEMENT_FILE_BYTES:,} bytes.",
        )
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("file", f"{file_name}: (file): is not UTF-8 text") from None
    checked = _read_text(file_name, content)
    _check_may_import(acting_user, checked)
    return DraftUpload.objects.create(
        uploaded_by=acting_user,
        file_name=Path(file_name).name[:200],
        content=content,
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
    )


@dataclass(frozen=True)
class Change:
    """One difference between the record and the file: what it is, now, and in the file."""

    what: str
    now: str = ""
    file: str = ""


@dataclass
class UploadPreview:
    """What confirming the upload would create or change, read against the current record."""

    upload: DraftUpload
    data: AgreementFile
    existing: Agreement | None
    fields: list[Change] = field(default_factory=list)
    parties: list[Change] = field(default_factory=list)
    clauses_added: list[Change] = field(default_factory=list)
    clauses_changed: list[Change] = field(default_factory=list)
    clauses_not_in_file: list[Change] = field(default_factory=list)
    commitments_added: list[Change] = field(default_factory=list)
    commitments_changed: list[Change] = field(default_factory=list)
    commitments_not_in_file: list[Change] = field(default_factory=list)
    signatories: list[Change] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return any(
            (
                self.existing is None,
                self.fields,
                self.parties,
                self.clauses_added,
                self.clauses_changed,
                self.commitments_added,
                self.commitments_changed,
                self.signatories,
            )
        )


AGREEMENT_FIELD_LABELS = {
    "short_name": "Short name",
    "title": "Title",
    "kind": "Kind",
    "purpose": "Purpose",
    "executed_on": "Executed on",
    "execution_source": "Execution date source",
    "term_years": "Term (years)",
    "funding_note": "Funding",
    "terminated_on": "Terminated on",
    "termination_reason": "Termination reason",
}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def upload_preview(upload: DraftUpload) -> UploadPreview:
    """The readable difference between the kept file and the record (or all of it, for a new slug)."""
    data = _read_text(upload.file_name, upload.content)
    existing = Agreement.objects.filter(slug=data.agreement["slug"]).first()
    preview = UploadPreview(upload=upload, data=data, existing=existing)
    known = {p.acronym: p for p in Party.objects.filter(acronym__in=[p["acronym"] for p in data.parties])}
    for p in data.parties:
        party = known.get(p["acronym"])
        if party is None:
            preview.parties.append(Change(p["acronym"], "", f"new party: {p['name']}"))
        elif party.name != p["name"]:
            preview.parties.append(Change(p["acronym"], party.name, p["name"]))
        elif existing is None or not existing.parties.filter(pk=party.pk).exists():
            preview.parties.append(Change(p["acronym"], "", f"{party.name} (already in the portal)"))
    file_sections = {s["number"]: s for s in data.sections}
    file_items = {c["code"]: c for c in data.commitments}
    if existing is None:
        for name, label in AGREEMENT_FIELD_LABELS.items():
            if data.agreement.get(name) not in (None, ""):
                preview.fields.append(Change(label, "", _shown(data.agreement[name])))
        preview.clauses_added = [
            Change(n, "", s["heading"] or s["text"][:80]) for n, s in file_sections.items()
        ]
        preview.commitments_added = [Change(c, "", i["title"]) for c, i in file_items.items()]
        preview.signatories = [Change(s["party"], "", f"{s['name']}, {s['title']}") for s in data.signatories]
        return preview
    for name, label in AGREEMENT_FIELD_LABELS.items():
        now, new = getattr(existing, name), data.agreement.get(name)
        if (now or None) != (new or None):
            preview.fields.append(Change(label, _shown(now), _shown(new)))
    sections = {s.number: s for s in existing.sections.all()}
    for number, s in file_sections.items():
        current = sections.get(number)
        if current is None:
            preview.clauses_added.append(Change(number, "", s["heading"] or s["text"][:80]))
        elif (current.heading, current.text) != (s["heading"], s["text"]):
            preview.clauses_changed.append(
                Change(
                    number, f"{current.heading} {current.text}".strip(), f"{s['heading']} {s['text']}".strip()
                )
            )
    preview.clauses_not_in_file = [
        Change(n, s.heading) for n, s in sections.items() if n not in file_sections
    ]
    items = {
        c.code: c
        for c in existing.commitments.select_related("source_section").prefetch_related("lead_parties")
    }
    for code, c in file_items.items():
        current_item = items.get(code)
        if current_item is None:
            preview.commitments_added.append(Change(code, "", c["title"]))
            continue
        now = (
            current_item.title,
            None if current_item.is_joint else ", ".join(p.acronym for p in current_item.leads),
            current_item.source_section.number,
        )
        new = (c["title"], c["lead"], c["section"])
        if now != new:
            preview.commitments_changed.append(
                Change(
                    code,
                    f"{now[0]} (lead {now[1] or 'all'}, clause {now[2]})",
                    f"{new[0]} (lead {new[1] or 'all'}, clause {new[2]})",
                )
            )
    preview.commitments_not_in_file = [Change(c, i.title) for c, i in items.items() if c not in file_items]
    signed = {s.party.acronym: s for s in existing.signatories.select_related("party")}
    for s in data.signatories:
        signatory = signed.get(s["party"])
        new = f"{s['name']}, {s['title']}, {_shown(s['signed_on'])}"
        now = f"{signatory.name}, {signatory.title}, {_shown(signatory.signed_on)}" if signatory else ""
        if now != new:
            preview.signatories.append(Change(s["party"], now, new))
    return preview


@transaction.atomic
def draft_upload_confirm(*, acting_user: User, upload: DraftUpload, sha256: str) -> ImportResult:
    """Save what the preview showed: the kept file, whose hash must still be the one previewed."""
    upload = DraftUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.uploaded_by_id != acting_user.pk:
        raise _refuse("sha256", "Only the admin who uploaded this file can confirm it.")
    if upload.confirmed_at is not None:
        raise _refuse("sha256", "This file has already been saved; upload it again to import it again.")
    actual = hashlib.sha256(upload.content.encode("utf-8")).hexdigest()
    if sha256 != upload.sha256 or actual != upload.sha256:
        raise _refuse("sha256", "The file kept is not the one you previewed; upload it again.")
    doc = _read_document(upload.file_name, upload.content)
    _check_may_import(acting_user, to_import_form(doc))
    result = import_agreement(doc=doc)
    upload.confirmed_at = timezone.now()
    upload.agreement = result.agreement
    upload.save(update_fields=["confirmed_at", "agreement"])
    return result


# --- drafts from the short form ---------------------------------------------------------------


@transaction.atomic
def agreement_draft_create(
    *,
    acting_user: User,
    slug: str,
    short_name: str,
    title: str,
    kind: str,
    parties: list[Party],
    purpose: str,
    term_years: int,
) -> Agreement:
    """A new draft with its parties; its text and items come later (a file, or modifications)."""
    party = permissions.party_of(acting_user)
    if party is None or not permissions.can_start_agreement(acting_user):
        raise _refuse("parties", "Only a party's admin can start an agreement.")
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise _refuse("slug", "Use lowercase letters, digits and single hyphens, e.g. parks-weather-mou.")
    if Agreement.objects.filter(slug=slug).exists():
        raise _refuse("slug", f"{slug!r} is already taken; choose another.")
    if len({p.pk for p in parties}) < 2:
        raise _refuse("parties", "An agreement has at least two parties.")
    if party.pk not in {p.pk for p in parties}:
        raise _refuse("parties", f"Your party ({party.acronym}) must be one of the parties.")
    if term_years < 1:
        raise _refuse("term_years", "The term is at least one year.")
    agreement = Agreement.objects.create(
        slug=slug,
        short_name=short_name,
        title=title,
        kind=kind,
        purpose=purpose,
        term_years=term_years,
        executed_on=None,
    )
    agreement.parties.set(parties)
    return agreement


# --- signatures and entry into force -------------------------------------------------------------


@transaction.atomic
def signature_record(
    *, acting_user: User, agreement: Agreement, name: str, title: str, signed_on: datetime.date
) -> Signatory:
    """Record the acting admin's party's signature; the last signature puts the agreement in force.

    The agreement row is locked, so two parties signing at once cannot both miss being last.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = permissions.acting_party(acting_user, agreement)
    if party is None:
        raise _refuse("name", "Only an admin of a party to this agreement can record its signature.")
    if signed_on > today():
        raise _refuse("signed_on", f"The signature date {long_date(signed_on)} is in the future.")
    existing = agreement.signatories.filter(party=party).first()
    if existing is not None and existing.signed_on is not None:
        raise _refuse("name", f"{party.acronym}'s signature is already recorded.")
    if existing is None:
        signatory = Signatory.objects.create(
            agreement=agreement, party=party, name=name, title=title, signed_on=signed_on
        )
    else:
        # A signatory named by the agreement file (or the draft's page) without a date: the
        # signature dates it, under the name and title of the person who signed.
        existing.name, existing.title, existing.signed_on = name, title, signed_on
        existing.version += 1
        existing.save()
        signatory = existing
    enter_into_force_if_signed(agreement)
    return signatory


def enter_into_force_if_signed(agreement: Agreement) -> None:
    """Once every party's signature has a date, the draft is in force from the latest one.

    Called with the agreement's row locked (by signature_record, and by agreements.drafts
    when an admin dates their party's signatory).
    """
    signatures = list(agreement.signatories.all())
    parties = set(agreement.parties.values_list("pk", flat=True))
    if agreement.executed_on is None and parties <= {s.party_id for s in signatures if s.signed_on}:
        agreement.executed_on = max(s.signed_on for s in signatures if s.signed_on)
        agreement.execution_source = "The last party's signature, recorded in the portal."
        agreement.save()


# --- modifications every party executes ------------------------------------------------------------


def canonical_content(modification: Modification) -> bytes:
    """The exact words and effects a party executes, as canonical JSON (sorted keys, no spaces)."""
    content = {
        "agreement": modification.agreement.slug,
        "number": modification.number,
        "title": modification.title,
        "text": modification.text,
        "effects": modification.effects or {},
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_sha256(modification: Modification) -> str:
    """The SHA-256 of `canonical_content`: what an execution records and the page shows."""
    return hashlib.sha256(canonical_content(modification)).hexdigest()


def _leads(agreement: Agreement, acronyms: list[str], where: str) -> list[Party]:
    """The parties that lead a new commitment: any of the agreement's parties, at least one."""
    parties = {p.acronym: p for p in agreement.parties.all()}
    unknown = [a for a in acronyms if a not in parties]
    if unknown:
        raise _refuse(where, f"{', '.join(unknown)} is not a party to this agreement.")
    chosen = set(acronyms)
    if not chosen:
        raise _refuse(where, "Choose the parties that lead it.")
    return [parties[a] for a in sorted(chosen)]


def check_effects(agreement: Agreement, effects: dict[str, Any], *, on: datetime.date) -> dict[str, Any]:
    """The effects, checked against the agreement as it stands on `on`; normalised for hashing.

    Error keys: `term_ends_on`, `add_code`, `add_kind`, `add_title`, `add_leads`, `add_clause`,
    `retire_codes`, `clause_number`, `clause_text` (the proposal form's fields).
    """
    checked: dict[str, Any] = {}
    ends = effects.get("term_ends_on")
    if ends:
        end = ends if isinstance(ends, datetime.date) else datetime.date.fromisoformat(ends)
        if end <= on:
            raise _refuse("term_ends_on", f"A new end of the term must be after today ({long_date(on)}).")
        if agreement.executed_on and end <= agreement.executed_on:
            raise _refuse("term_ends_on", "The term cannot end before it starts.")
        if end == agreement.expires_on:
            raise _refuse("term_ends_on", f"The term already ends on {long_date(end)}.")
        checked["term_ends_on"] = end.isoformat()
    ends_by_agreement = effects.get("terminate_on")
    if ends_by_agreement:
        checked["terminate_on"] = _check_terminate_on(agreement, effects, ends_by_agreement, on=on)
    codes = set(agreement.commitments.values_list("code", flat=True))
    clauses = set(agreement.sections.values_list("number", flat=True))
    added: list[dict[str, Any]] = []
    for item in effects.get("add_commitments") or []:
        code = (item.get("code") or "").strip()
        if not code or len(code) > CODE_MAX or not CODE_RE.match(code):
            raise _refuse(
                "add_code", f"{code!r} cannot be part of a web address: use letters, digits and . - _ ~ ( )."
            )
        if code in codes or code in {a["code"] for a in added}:
            raise _refuse("add_code", f"The agreement already has an item {code}.")
        if item.get("kind") not in Commitment.Kind.values:
            raise _refuse("add_kind", "Choose the kind of item.")
        if not (item.get("title") or "").strip():
            raise _refuse("add_title", "Give the item a title.")
        _leads(agreement, list(item.get("leads") or []), "add_leads")
        if item.get("clause") not in clauses:
            raise _refuse("add_clause", f"Clause {item.get('clause')!r} is not in the agreement.")
        added.append(
            {
                "code": code,
                "kind": item["kind"],
                "title": item["title"].strip(),
                "leads": sorted(item["leads"]),
                "clause": item["clause"],
            }
        )
    if added:
        checked["add_commitments"] = added
    retired = sorted(set(effects.get("retire_commitments") or []))
    if retired:
        live = set(agreement.commitments.filter(retired_on__isnull=True).values_list("code", flat=True))
        gone = [c for c in retired if c not in live]
        if gone:
            raise _refuse("retire_codes", f"{', '.join(gone)} is not an item in force in this agreement.")
        checked["retire_commitments"] = retired
    replaced = []
    for clause in effects.get("replace_clauses") or []:
        if clause.get("number") not in clauses:
            raise _refuse("clause_number", f"Clause {clause.get('number')!r} is not in the agreement.")
        if not (clause.get("text") or "").strip():
            raise _refuse("clause_text", "Give the clause's new text.")
        replaced.append({"number": clause["number"], "text": clause["text"].strip()})
    if replaced:
        checked["replace_clauses"] = replaced
    if not checked:
        raise _refuse("term_ends_on", "A modification changes something: give at least one effect.")
    return checked


def _check_terminate_on(
    agreement: Agreement, effects: dict[str, Any], value: datetime.date | str, *, on: datetime.date
) -> str:
    """The day a termination by mutual agreement takes effect, checked: today or later, within the term."""
    end = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    if effects.get("term_ends_on"):
        raise _refuse(
            "terminate_on", "A termination does not also move the end of the term; propose one or the other."
        )
    if end < on:
        raise _refuse(
            "terminate_on", f"A termination takes effect today ({on:%Y-%m-%d}) or later, not {end:%Y-%m-%d}."
        )
    if agreement.executed_on is None or end < agreement.executed_on:
        raise _refuse("terminate_on", "The agreement cannot end before it is in force.")
    if agreement.expires_on is not None and end >= agreement.expires_on:
        raise _refuse(
            "terminate_on",
            f"The term already ends on {agreement.expires_on:%Y-%m-%d}; a termination comes before it.",
        )
    if agreement.terminated_on is not None and agreement.terminated_on <= end:
        by = agreement.terminated_by.acronym if agreement.terminated_by else "a party"
        raise _refuse(
            "terminate_on",
            f"The agreement already terminates on {agreement.terminated_on:%Y-%m-%d} ({by}); "
            "a termination by mutual agreement must come before that day.",
        )
    return end.isoformat()


def _new_end(effects: dict[str, Any]) -> datetime.date | None:
    """The new end of the term the (checked) effects set, as a date for `extends_term_to`."""
    ends = effects.get("term_ends_on")
    return datetime.date.fromisoformat(ends) if ends else None


def _notify_awaiting(modification: Modification, parties: list[Party], reason: str) -> None:
    """After the commit, say which parties' admins the proposal now awaits (notifications delivers)."""
    if parties:
        transaction.on_commit(
            lambda: modification_awaiting.send(
                sender=Modification, modification=modification, parties=parties, reason=reason
            )
        )


def _editable(modification: Modification) -> None:
    if modification.withdrawn_at is not None:
        raise _refuse("text", "This proposal was withdrawn.")
    if modification.applied_at is not None or modification.is_effective():
        raise _refuse("text", "This modification is in effect; it can no longer change.")


@transaction.atomic
def modification_propose(
    *,
    acting_user: User,
    agreement: Agreement,
    title: str,
    text: str,
    effects: dict[str, Any],
) -> Modification:
    """Propose a modification for every party to execute; the other parties' admins are told."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = permissions.acting_party(acting_user, agreement)
    if party is None:
        raise _refuse("text", "Only an admin of a party to this agreement can propose a modification.")
    if agreement.executed_on is None:
        raise _refuse("text", "A draft is changed directly; modifications are for executed agreements.")
    if agreement.terminated_on is not None and agreement.terminated_on <= today():
        raise _refuse("text", f"This agreement was terminated on {agreement.terminated_on:%Y-%m-%d}.")
    checked = check_effects(agreement, effects, on=today())
    number = (agreement.modifications.aggregate(n=Max("number"))["n"] or 0) + 1
    modification = Modification.objects.create(
        agreement=agreement,
        number=number,
        title=title,
        text=text,
        proposed_on=today(),
        extends_term_to=_new_end(checked),
        effects=checked,
        proposed_by=acting_user,
        proposing_party=party,
    )
    _notify_awaiting(modification, [p for p in agreement.parties.all() if p.pk != party.pk], "proposed")
    return modification


class ProposalChanged(ValidationError):
    """Someone saved the proposal after the editor opened it: what changed, and who."""

    def __init__(self, changes: list[Change], changed_by: list[str]) -> None:
        self.changes = changes
        self.changed_by = changed_by
        super().__init__(
            f"{', '.join(changed_by) or 'Someone'} changed this proposal after you opened it; "
            "check the changes below and save again if you still want yours."
        )


def _changes_since(modification: Modification, version: int) -> ProposalChanged:
    opened = modification.history.filter(version=version).order_by("-history_date", "-history_id").first()
    later = modification.history.filter(version__gt=version).select_related("history_user")
    changed_by = sorted(
        {(r.history_user.get_full_name() or r.history_user.username) for r in later if r.history_user}
    )
    changes = []
    if opened is not None:
        for name, label in (("title", "Title"), ("text", "Text"), ("effects", "Effects")):
            before, now = getattr(opened, name), getattr(modification, name)
            if before != now:
                changes.append(Change(label, _shown(before), _shown(now)))
    return ProposalChanged(changes, changed_by)


@transaction.atomic
def modification_update(
    *,
    acting_user: User,
    modification: Modification,
    expected_version: int,
    title: str,
    text: str,
    effects: dict[str, Any],
) -> Modification:
    """Change a proposal. Executions of the earlier words no longer count: they are removed (the
    audit trail keeps them) and every other party's admins are told it awaits them again."""
    agreement = modification.agreement
    party = permissions.acting_party(acting_user, agreement)
    if party is None:
        raise _refuse("text", "Only an admin of a party to this agreement can change a proposal.")
    claimed = Modification.objects.filter(pk=modification.pk, version=expected_version).update(
        version=F("version") + 1
    )
    current = Modification.objects.select_for_update().get(pk=modification.pk)
    if not claimed:
        raise _changes_since(current, expected_version)
    _editable(current)
    checked = check_effects(agreement, effects, on=today())
    current.title, current.text, current.effects = title, text, checked
    current.extends_term_to = _new_end(checked)
    current.save()
    voided = list(current.executions.all())
    for execution in voided:
        execution.delete()
    _notify_awaiting(current, [p for p in agreement.parties.all() if p.pk != party.pk], "changed")
    return current


@transaction.atomic
def modification_withdraw(*, acting_user: User, modification: Modification) -> Modification:
    """The proposing party withdraws its proposal, before it takes effect."""
    current = Modification.objects.select_for_update().get(pk=modification.pk)
    party = permissions.acting_party(acting_user, current.agreement)
    if party is None or current.proposing_party_id != party.pk:
        raise _refuse("text", "Only an admin of the party that proposed it can withdraw it.")
    _editable(current)
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = acting_user
    current.save()
    return current


def _apply_effects(modification: Modification, *, on: datetime.date) -> None:
    """Apply the effects, checked again against the agreement as it stands now."""
    # Locked: a termination notice given at the same moment must not cross a mutual termination.
    agreement = Agreement.objects.select_for_update().get(pk=modification.agreement_id)
    modification.agreement = agreement
    # The term's new end counts through `extends_term_to` once every party has executed; the
    # rest is checked again: another modification may have taken a code or retired an item since.
    rest = {k: v for k, v in modification.effects.items() if k != "term_ends_on"}
    effects = check_effects(agreement, rest, on=on) if rest else {}
    sections = {s.number: s for s in agreement.sections.all()}
    position = agreement.commitments.aggregate(p=Max("position"))["p"] or 0
    for item in effects.get("add_commitments", []):
        position += 1
        added = Commitment.objects.create(
            agreement=agreement,
            kind=item["kind"],
            code=item["code"],
            title=item["title"],
            source_section=sections[item["clause"]],
            position=position,
        )
        added.lead_parties.set(_leads(agreement, item["leads"], "add_leads"))
    for item in agreement.commitments.filter(code__in=effects.get("retire_commitments", [])):
        item.retired_on = on
        item.save()
    for clause in effects.get("replace_clauses", []):
        section = sections[clause["number"]]
        section.text = clause["text"]
        section.save()
    if effects.get("terminate_on"):
        agreement.terminated_on = datetime.date.fromisoformat(effects["terminate_on"])
        # The party that proposed it is named (the record requires one); the reason says all did.
        agreement.terminated_by = modification.proposing_party or agreement.parties.order_by("acronym")[0]
        agreement.termination_notice_on = on
        agreement.termination_reason = (
            f"By mutual agreement: modification {modification.number}, executed by every party."
        )
        agreement.save()
    modification.applied_at = timezone.now()
    modification.save()
    agreement.refresh_expiry()


@transaction.atomic
def modification_execute(
    *, acting_user: User, modification: Modification, sha256: str
) -> ModificationExecution:
    """Record the acting admin's party's execution of exactly the words and effects it saw.

    `sha256` is the hash the page showed: if the proposal changed since, nothing is recorded.
    The last party's execution applies the effects in the same transaction.
    """
    current = Modification.objects.select_for_update().select_related("agreement").get(pk=modification.pk)
    party = permissions.acting_party(acting_user, current.agreement)
    if party is None:
        raise _refuse("sha256", "Only an admin of a party to this agreement can execute it.")
    if current.withdrawn_at is not None:
        raise _refuse("sha256", "This proposal was withdrawn; it cannot be executed.")
    if current.executions.filter(party=party).exists():
        raise _refuse("sha256", f"{party.acronym} has already executed this modification.")
    digest = content_sha256(current)
    if sha256 != digest:
        raise _refuse("sha256", "The proposal changed after you opened it; read it again before executing.")
    try:
        with transaction.atomic():
            execution = ModificationExecution.objects.create(
                modification=current,
                party=party,
                executed_on=today(),
                executed_by=acting_user,
                executed_at=timezone.now(),
                content_sha256=digest,
            )
    except IntegrityError:
        raise _refuse("sha256", f"{party.acronym} has already executed this modification.") from None
    parties = set(current.agreement.parties.values_list("pk", flat=True))
    if parties <= set(current.executions.values_list("party_id", flat=True)) and current.effects:
        _apply_effects(current, on=today())
    return execution
