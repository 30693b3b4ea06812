"""Points of contact: who in each party coordinates the agreement's work."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Party
from core.bounds import EARLIEST_DAY
from core.time import long_date, today

#: A contact named to serve from a day further ahead than this is a typing slip (2030 for 2020).
MAX_DAYS_AHEAD = 90


class PointOfContactQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> PointOfContactQuerySet:
        """Contacts in office on the given day: started, and not yet deactivated."""
        on = on or today()
        return self.filter(active_from__lte=on).filter(Q(active_to__isnull=True) | Q(active_to__gt=on))


class PointOfContact(models.Model):
    """A party's point of contact for an agreement, listed by role title (XX).

    Never deleted: a contact who leaves is deactivated with `active_to`, so the past stays
    on the record.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="points_of_contact")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="points_of_contact")
    role_title = models.CharField(max_length=200)
    office = models.CharField(max_length=300, blank=True)
    person_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_coordinator = models.BooleanField(
        default=False, help_text="Receives the notices to schedule quarterly meetings."
    )
    # Named as the forms name them, so history and forms say the same ("Serving since").
    active_from = models.DateField("serving since")
    active_to = models.DateField(
        "stopped serving on",
        null=True,
        blank=True,
        help_text="The day the contact stopped serving (deactivation).",
    )
    position = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every save through the portal, so two people editing at once cannot "
        "silently overwrite each other (see contacts.services).",
    )
    history = HistoricalRecords()

    objects = PointOfContactQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "party__acronym", "position", "pk"]
        verbose_name = "point of contact"
        verbose_name_plural = "points of contact"
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="contact_active_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        who = f" ({self.person_name})" if self.person_name else ""
        return f"{self.party}: {self.role_title}{who}"

    def clean(self) -> None:
        """Serving since a plausible day (not 0001-01-01, not years ahead), and deactivated on a
        day that has come: a deactivation in the future hides nothing and cannot be undone."""
        errors: dict[str, str] = {}
        latest_start = today() + datetime.timedelta(days=MAX_DAYS_AHEAD)
        if self.active_from and self.active_from < EARLIEST_DAY:
            errors["active_from"] = f"Serving since must be on or after {long_date(EARLIEST_DAY)}."
        elif self.active_from and self.active_from > latest_start:
            errors["active_from"] = (
                f"Serving since is more than {MAX_DAYS_AHEAD} days ahead; add the contact nearer the day."
            )
        if self.active_to and self.active_to > today():
            errors["active_to"] = "The deactivation day is in the future; deactivate on or after the day."
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return self.active_from <= on and (self.active_to is None or self.active_to > on)

    @property
    def is_active(self) -> bool:
        return self.is_active_on()


def contact_label(contact: PointOfContact) -> str:
    """A contact as a choice shows them, by name and office first: "Name, Office — Party: Title".

    Without a name (an agreement's file lists contacts by role only) the office and role still
    say who is meant; `distinct_labels` adds more where two contacts would read the same.
    """
    who = ", ".join(part for part in (contact.person_name.strip(), contact.office.strip()) if part)
    role = f"{contact.party}: {contact.role_title}"
    return f"{who} — {role}" if who else role


def distinct_labels(contacts: Iterable[PointOfContact]) -> dict[int, str]:
    """Each contact's label (contact_label), never two the same: where labels collide, the
    e-mail, phone or service dates are added, and as a last resort the record number."""
    contacts = list(contacts)
    labels = {c.pk: contact_label(c) for c in contacts}
    on = today()
    for extra in (
        lambda c: c.email,
        lambda c: c.phone,
        lambda c: (
            f"stopped serving {long_date(c.active_to)}"
            if c.active_to and c.active_to <= on
            else f"serving since {long_date(c.active_from)}"
        ),
        lambda c: f"contact no. {c.pk}",
    ):
        seen = Counter(labels.values())
        clashing = [c for c in contacts if seen[labels[c.pk]] > 1]
        if not clashing:
            break
        for c in clashing:
            more = extra(c)
            if more:
                labels[c.pk] = f"{labels[c.pk]} ({more})"
    return labels
