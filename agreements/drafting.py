"""Writes for drafting an agreement from its signed text: read, review each proposal, draft.

Services as in lifecycle.py: keyword-only, `acting_user`, each refusal a `ValidationError`
naming the field, one transaction each.

- `text_reading_create`: read an uploaded text (agreements/reading) and keep its clause tree
  and proposals; nothing of the agreement is saved. An unreadable file, or one where no
  structure is found, is refused with the reason and nothing is kept.
- `reading_proposal_decide`: confirm, edit or ignore one proposal; the form carries the
  proposal's `version` and a decision made on a stale page is refused saying what changed.
- `text_reading_draft`: the confirmed proposals (and the clauses) become an agreement file,
  which goes through the lifecycle's own upload, preview and confirmation
  (`lifecycle.draft_upload_create`). Unconfirmed proposals are not in it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.time import today

from . import lifecycle, permissions
from .models import DraftUpload, ReadingProposal, TextReading
from .reading.draft import draft_document
from .reading.files import ReadingRefused
from .reading.outline import outline_from_data, outline_to_data
from .reading.proposals import Proposal
from .reading.service import read_agreement_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DECISIONS = ("confirm", "edit", "ignore")


def _refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def _check_may_draft(user: User) -> None:
    if not permissions.can_start_agreement(user):
        raise _refuse("file", "Only a party's admin can start an agreement.")


@transaction.atomic
def text_reading_create(*, acting_user: User, file_name: str, data: bytes) -> TextReading:
    """Read an agreement's text and keep what it seems to say for review."""
    _check_may_draft(acting_user)
    try:
        reading = read_agreement_text(file_name, data)
    except ReadingRefused as exc:
        raise _refuse("file", str(exc)) from None
    kept = TextReading(
        uploaded_by=acting_user,
        file_name=file_name[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        outline=outline_to_data(reading.outline),
    )
    kept.full_clean()
    kept.save()
    bulk_create_with_history(
        [
            ReadingProposal(
                reading=kept,
                position=n,
                kind=p.kind,
                clause=p.clause or "",
                value=p.value,
                quote=p.quote,
                note=p.note[:200],
            )
            for n, p in enumerate(reading.proposals)
        ],
        ReadingProposal,
        default_user=acting_user,
    )
    return kept


def _parse_value(proposal: ReadingProposal, text: str) -> dict[str, Any]:
    """An edited value: YAML of the same fields the proposal has."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _refuse(
            "value", f"is not YAML: {exc.__class__.__name__}; write one field a line, as shown."
        ) from None
    if not isinstance(value, dict):
        raise _refuse("value", "must be the fields, one a line (name: value), as shown.")
    unknown = sorted(set(map(str, value)) - set(proposal.value))
    if unknown:
        raise _refuse("value", f"unknown field(s) {', '.join(unknown)}: use {', '.join(proposal.value)}.")
    # YAML dates and such become text: the agreement file reader checks each field later.
    return {
        str(k): (v if isinstance(v, str | int | bool | list | dict | None) else str(v))
        for k, v in value.items()
    }


@transaction.atomic
def reading_proposal_decide(
    *,
    acting_user: User,
    proposal: ReadingProposal,
    decision: str,
    expected_version: int,
    value_text: str = "",
) -> ReadingProposal:
    """Confirm, edit (and so confirm) or ignore one proposal, unless it changed since the page."""
    _check_may_draft(acting_user)
    if proposal.reading.uploaded_by_id != acting_user.pk:
        raise _refuse("decision", "Only the admin who uploaded the text reviews it.")
    if proposal.reading.draft_upload_id is not None:
        raise _refuse(
            "decision", "The draft has been made from this review; upload the text again to change it."
        )
    if decision not in DECISIONS:
        raise _refuse("decision", "Choose confirm, edit or ignore.")
    new_value = _parse_value(proposal, value_text) if decision == "edit" else None
    claimed = ReadingProposal.objects.filter(pk=proposal.pk, version=expected_version).update(
        version=F("version") + 1
    )
    current = ReadingProposal.objects.get(pk=proposal.pk)
    if not claimed:
        raise _refuse(
            "decision",
            "This proposal changed since you opened the page (it is now "
            f"{current.get_status_display().lower()}{', edited' if current.edited else ''}); "
            "look at it again and decide.",
        )
    current.status = (
        ReadingProposal.Status.IGNORED if decision == "ignore" else ReadingProposal.Status.CONFIRMED
    )
    if new_value is not None:
        current.value = new_value
        current.edited = True
    current.decided_by = acting_user
    current.decided_at = timezone.now()
    current.full_clean()
    current.save()
    return current


def confirmed_file(reading: TextReading) -> str:
    """The agreement file of the clauses and the confirmed proposals, as YAML."""
    outline = outline_from_data(reading.outline)
    confirmed = [
        Proposal(kind=p.kind, clause=p.clause or None, value=p.value, quote=p.quote, note=p.note)
        for p in reading.proposals.filter(status=ReadingProposal.Status.CONFIRMED)
    ]
    data, _ = draft_document(outline, confirmed, drafted_on=today())
    header = (
        f"# Drafted from {reading.file_name} (SHA-256 {reading.sha256}); "
        "every value confirmed on the review screen.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@transaction.atomic
def text_reading_draft(*, acting_user: User, reading: TextReading) -> DraftUpload:
    """The confirmed draft as an agreement-file upload, for the lifecycle's preview and confirmation."""
    _check_may_draft(acting_user)
    if reading.uploaded_by_id != acting_user.pk:
        raise _refuse("file", "Only the admin who uploaded the text reviews it.")
    if not reading.proposals.filter(status=ReadingProposal.Status.CONFIRMED, kind="party").exists():
        raise _refuse("file", "Confirm the parties first: a draft needs its parties (two or more).")
    name = reading.file_name.rsplit(".", 1)[0] + ".yaml"
    upload = lifecycle.draft_upload_create(
        acting_user=acting_user, file_name=name, data=confirmed_file(reading).encode("utf-8")
    )
    reading.draft_upload = upload
    reading.save(update_fields=["draft_upload"])
    return upload
