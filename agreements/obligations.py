"""What an agreement asks the parties to do again and again, and its own names for things.

An `Obligation` is one recurring duty as the agreement file states it (docs/agreement-file.md,
`obligations`): a meeting, a report, an event, a review or points of contact, owed by some or
all parties on a cadence, citing its clause. A `VocabularyEntry` is one of the agreement's own
names: a kind of meeting, an audience, a place of events. The portal's pages, panels and jobs
read these rows; no agreement's clause numbers or names are written in code.

The models live in this module and are imported by `agreements.models`, so they are the
agreements app's models like any other.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .agreement_file.document import Anchor, BalanceOver, CadenceKind, ObligationKind
from .models import Agreement, Commitment, Party, Section


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """Choices from the agreement file's own enumeration: one list of values, in one place."""
    return [(member.value, member.value.capitalize()) for member in enum]


class Vocabulary(models.TextChoices):
    """The vocabularies an agreement file may declare."""

    MEETING_KINDS = "meeting_kinds", "Meeting kinds"
    AUDIENCES = "audiences", "Audiences"
    EVENT_PLACES = "event_places", "Event places"


class VocabularyEntryQuerySet(models.QuerySet):
    def of(self, agreement: Agreement | int, vocabulary: str) -> VocabularyEntryQuerySet:
        """One vocabulary of one agreement, in the file's order."""
        return self.filter(agreement=agreement, vocabulary=vocabulary).order_by("position", "pk")

    def choices(self, agreement: Agreement | int, vocabulary: str) -> list[tuple[str, str]]:
        """(key, label) pairs for a form field."""
        return [(e.key, e.label) for e in self.of(agreement, vocabulary)]

    def labels(self, agreement: Agreement | int, vocabulary: str) -> dict[str, str]:
        return dict(self.choices(agreement, vocabulary))


class VocabularyEntry(models.Model):
    """One of the agreement's own names: its `key` is stored on records, its `label` shown."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="vocabulary_entries")
    vocabulary = models.CharField(max_length=20, choices=Vocabulary.choices)
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="vocabulary_entries"
    )
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    objects = VocabularyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "vocabulary", "position", "pk"]
        verbose_name_plural = "vocabulary entries"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "vocabulary", "key"], name="vocabulary_key_unique_per_agreement"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ObligationQuerySet(models.QuerySet):
    def meetings(self) -> ObligationQuerySet:
        return self.filter(kind=ObligationKind.MEETING)

    def events(self) -> ObligationQuerySet:
        return self.filter(kind=ObligationKind.EVENT)

    def of_kind(self, kind: str) -> ObligationQuerySet:
        return self.filter(kind=kind)


class Obligation(models.Model):
    """A duty owed again and again, as the agreement states it.

    Due within each period of its cadence, by `due_day` of the period, or within
    `window_days` after the period ends (never both). The periods themselves, and which of
    them are owed under the term, are computed by `agreements.periods`.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=_choices(ObligationKind))
    title = models.CharField(max_length=300)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="obligations")
    item = models.ForeignKey(
        Commitment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obligations",
        help_text="The tracked item this obligation carries out.",
    )
    parties = models.ManyToManyField(Party, related_name="obligations", help_text="The parties that owe it.")
    cadence = models.CharField(max_length=20, choices=_choices(CadenceKind))
    anchor = models.CharField(max_length=20, choices=_choices(Anchor), default=Anchor.CALENDAR.value)
    rrule = models.CharField(max_length=500, blank=True, help_text="For an RRULE cadence: the rule.")
    window_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    due_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    meeting_kinds = models.JSONField(default=list, blank=True, help_text="Meeting kinds (keys) that count.")
    audiences = models.JSONField(default=list, blank=True, help_text="Audiences (keys) it is for.")
    requires_minutes = models.BooleanField(default=False)
    balance_text = models.CharField(max_length=300, blank=True)
    balance_across = models.CharField(max_length=20, choices=Vocabulary.choices, blank=True)
    balance_each_of = models.JSONField(default=list, blank=True)
    balance_over = models.CharField(max_length=20, choices=_choices(BalanceOver), blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every edit in the portal (agreements.drafts)."
    )
    history = HistoricalRecords(m2m_fields=[parties])

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "code"], name="obligation_code_unique_per_agreement"
            ),
            models.CheckConstraint(
                condition=Q(window_days__isnull=True) | Q(due_day__isnull=True),
                name="obligation_window_or_due_day",
            ),
            models.CheckConstraint(
                condition=~Q(cadence="rrule") | ~Q(rrule=""), name="obligation_rrule_stated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.section.number})" if self.section_id else self.title

    @property
    def has_balance(self) -> bool:
        return bool(self.balance_across and self.balance_each_of)

    @property
    def clause(self) -> str:
        """The clause number that asks for it, as written in the agreement."""
        return self.section.number
