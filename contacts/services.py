"""Writes to points of contact: add, edit, deactivate. Never delete: the past stays on record.

Edits are optimistic: the form carries the version it was opened at, and the save claims
the row with a conditional UPDATE (`… WHERE version = opened`). If someone saved in between,
nothing is written and the caller gets the changes made since the form was opened.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F

from agreements.models import Agreement, Party
from core.time import long_date

from .models import PointOfContact

EDITABLE_FIELDS = ("role_title", "office", "person_name", "email", "phone", "is_coordinator", "active_from")


@dataclass(frozen=True)
class ConcurrentChange:
    """One field someone else changed after the form was opened."""

    field: str
    label: str
    when_opened: Any
    now: Any


class ContactEditConflict(Exception):
    """Someone saved the contact after this form was opened; nothing was written."""

    def __init__(self, contact: PointOfContact, changes: list[ConcurrentChange], changed_by: list[str]):
        self.contact = contact
        self.changes = changes
        self.changed_by = changed_by
        super().__init__(
            f"{contact} was changed by {', '.join(changed_by) or 'someone'} after you opened it."
        )


def changes_since(*, contact: PointOfContact, version: int) -> tuple[list[ConcurrentChange], list[str]]:
    """What differs now from the contact as it was at `version`, and who saved since then."""
    opened = contact.history.filter(version=version).order_by("-history_date", "-history_id").first()
    later = contact.history.filter(version__gt=version).select_related("history_user")
    changed_by = sorted(
        {(r.history_user.get_full_name() or r.history_user.username) for r in later if r.history_user}
    )
    if opened is None:
        return [], changed_by
    fields = (*EDITABLE_FIELDS, "active_to")
    changes = [
        ConcurrentChange(
            field=name,
            label=str(cast("models.Field[Any, Any]", PointOfContact._meta.get_field(name)).verbose_name),
            when_opened=getattr(opened, name),
            now=getattr(contact, name),
        )
        for name in fields
        if getattr(opened, name) != getattr(contact, name)
    ]
    return changes, changed_by


def _claim(contact: PointOfContact, expected_version: int) -> PointOfContact:
    """Raise the version if it is still the one the form was opened at; otherwise refuse."""
    claimed = PointOfContact.objects.filter(pk=contact.pk, version=expected_version).update(
        version=F("version") + 1
    )
    current = PointOfContact.objects.get(pk=contact.pk)
    if claimed != 1:
        changes, changed_by = changes_since(contact=current, version=expected_version)
        if (
            expected_version > current.version
            or not current.history.filter(version=expected_version).exists()
        ):
            # A version this contact never had (forged, or from another record): nothing says
            # what the editor saw, so nothing may be overwritten; they see the current values.
            raise ContactEditConflict(current, changes, changed_by)
        if changes:
            raise ContactEditConflict(current, changes, changed_by)
        # Saved in between without changing anything: nothing of theirs can be overwritten.
        return _claim(current, current.version)
    return current


@transaction.atomic
def contact_create(
    *,
    agreement: Agreement,
    party: Party,
    role_title: str,
    active_from: datetime.date,
    office: str = "",
    person_name: str = "",
    email: str = "",
    phone: str = "",
    is_coordinator: bool = False,
) -> PointOfContact:
    if not agreement.parties.filter(pk=party.pk).exists():
        raise ValidationError({"party": f"{party} is not a party to {agreement}."})
    position = (
        PointOfContact.objects.filter(agreement=agreement, party=party)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
        or 0
    )
    contact = PointOfContact(
        agreement=agreement,
        party=party,
        role_title=role_title,
        office=office,
        person_name=person_name,
        email=email,
        phone=phone,
        is_coordinator=is_coordinator,
        active_from=active_from,
        position=position + 1,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: PointOfContact, expected_version: int, **values: Any) -> PointOfContact:
    """Change the contact's details, unless someone saved it since `expected_version`."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    current = _claim(contact, expected_version)
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def contact_deactivate(
    *, contact: PointOfContact, expected_version: int, active_to: datetime.date
) -> PointOfContact:
    """The contact stops serving on `active_to`; the record and its history stay."""
    current = _claim(contact, expected_version)
    if current.active_to is not None:
        raise ValidationError(
            {"active_to": f"This contact was already deactivated on {long_date(current.active_to)}."}
        )
    if active_to < current.active_from:
        raise ValidationError(
            {
                "active_to": (
                    f"The contact started on {long_date(current.active_from)}; "
                    "deactivate on or after that day."
                )
            }
        )
    current.active_to = active_to
    current.full_clean()
    current.save()
    return current
