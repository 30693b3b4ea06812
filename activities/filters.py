"""List filters, named exactly as the URL contract says (other pages link with these)."""

from __future__ import annotations

import datetime
import re

import django_filters as filters
from django import forms
from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from agreements.forms import AgreementPickerField
from agreements.models import Agreement, Commitment, CommitmentStatus, Party, VocabularyEntry
from agreements.obligations import Vocabulary
from agreements.selectors import parties_to
from core.cache import kept
from core.sorting import Column, SortFilter
from core.time import today

from .models import Meeting, Milestone, OutreachEvent, ProgressUpdate
from .quarters import Quarter
from .selectors import overdue_items

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_bounds(value: str) -> tuple[datetime.date, datetime.date] | None:
    """`2018-Q1` → (2018-01-01, 2018-03-31); anything else → None."""
    match = QUARTER_RE.match((value or "").strip())
    if not match:
        return None
    q = Quarter(int(match.group(1)), int(match.group(2)))
    return q.starts_on, q.ends_on


class QuarterField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value and quarter_bounds(value) is None:
            raise forms.ValidationError("Write the quarter as year-Q and number, for example 2018-Q1.")
        return value


class QuarterFilter(filters.CharFilter):
    field_class = QuarterField

    def __init__(self, *args, date_field: str, **kwargs):
        self.date_field = date_field
        kwargs.setdefault("label", "Quarter")
        kwargs.setdefault("help_text", "For example 2018-Q1.")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        bounds = quarter_bounds(value) if value else None
        if bounds is None:
            return qs
        return qs.filter(**{f"{self.date_field}__range": bounds})


class AgreementFilter(filters.ModelChoiceFilter):
    """`agreement=<slug>`, choosing among the agreements the user sees: a <select> while they are
    few, a text box with suggestions when many (agreements.forms.AgreementPickerField)."""

    field_class = AgreementPickerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        # One label wherever it filters (not "Commitment agreement" from a `commitment__agreement` path).
        kwargs.setdefault("label", "Agreement")
        kwargs.setdefault("queryset", Agreement.objects.none())
        kwargs.setdefault("empty_label", "All agreements")
        super().__init__(*args, **kwargs)


class PartyFilter(filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "acronym")
        kwargs.setdefault("queryset", Party.objects.all())
        kwargs.setdefault("empty_label", "All parties")
        super().__init__(*args, **kwargs)


class VisibleFilterSet(filters.FilterSet):
    """Agreement choices limited to what the user sees."""

    def __init__(self, *args, agreements: QuerySet[Agreement], **kwargs):
        super().__init__(*args, **kwargs)
        # An option needs the slug (its value) and the short name (its label, str(agreement)),
        # not the agreement's long texts; past PORTAL_PICKER_LIMIT the picker reads only one more
        # than the limit (core.pickers), so the page does not grow with the portfolio.
        self.filters["agreement"].queryset = agreements.only("slug", "short_name")
        if "party" in self.filters:
            self.filters["party"].queryset = parties_to(agreements)


DUE_CHOICES = [("overdue", "Overdue"), ("30", "Due within 30 days"), ("90", "Due within 90 days")]


class CommitmentFilter(VisibleFilterSet):
    agreement = AgreementFilter(field_name="agreement")
    party = PartyFilter(
        label="Lead party", method="filter_party", help_text="Commitments it leads or co-leads."
    )
    kind = filters.ChoiceFilter(choices=Commitment.Kind.choices, empty_label="All kinds")
    status = filters.ChoiceFilter(choices=CommitmentStatus.choices, empty_label="Any status")
    goal = filters.CharFilter(
        field_name="goal__code", label="Strategic goal", help_text="The goal's code, e.g. DOC-G1."
    )
    due = filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due", empty_label="Any time", label="Due")
    stale = filters.BooleanFilter(
        method="filter_stale",
        label="Stale only",
        widget=forms.CheckboxInput,
        help_text="No update in the stale window.",
    )
    in_force = filters.BooleanFilter(
        method="filter_in_force",
        label="Agreements in force only",
        widget=forms.CheckboxInput,
        help_text="Executed, not expired and not terminated.",
    )
    q = filters.CharFilter(method="filter_q", label="Search", help_text="Code, title or description.")

    sort = SortFilter(
        columns={
            "commitment": Column("Commitment", ("agreement__short_name", "position")),
            "kind": Column("Kind", ("kind", "agreement__short_name", "position")),
            "status": Column("Status", ("status", "agreement__short_name", "position")),
            "updated": Column("Last update", ("last_update_on",), first_descending=True, nullable=True),
        },
        default="commitment",
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def filter_party(self, qs, name, value):
        return qs.led_by(value) if value else qs

    def filter_due(self, qs, name, value):
        """Items with an open milestone (or their own target date) overdue or due in the window."""
        on = today()
        if value == "overdue":
            return overdue_items(qs, on)
        if value in {"30", "90"}:
            until = on + datetime.timedelta(days=int(value))
            milestones = Milestone.objects.filter(
                commitment=OuterRef("pk"), completed_on__isnull=True, due_on__range=(on, until)
            ).open()
            return qs.filter(
                Exists(milestones)
                | (Q(target_date__range=(on, until)) & ~Q(status=CommitmentStatus.COMPLETE))
            )
        return qs

    def filter_stale(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(pk__in=Commitment.objects.stale().values("pk"))

    def filter_in_force(self, qs, name, value):
        """With `stale`, the items My work and the weekly digest call stale."""
        return qs.filter(agreement__in=Agreement.objects.in_force()) if value else qs

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )


class UpdateFilter(VisibleFilterSet):
    agreement = AgreementFilter(field_name="commitment__agreement")
    party = PartyFilter(field_name="reporting_party", label="Reporting party")
    status = filters.ChoiceFilter(choices=CommitmentStatus.choices, empty_label="Any status")
    kind = filters.ChoiceFilter(
        field_name="commitment__kind", choices=Commitment.Kind.choices, empty_label="All kinds"
    )
    # `from` is a Python keyword, so the filters are placed in the class namespace by name.
    locals()["from"] = filters.DateFilter(
        field_name="as_of",
        lookup_expr="gte",
        label="As of from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    to = filters.DateFilter(
        field_name="as_of",
        lookup_expr="lte",
        label="As of to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = filters.CharFilter(
        method="filter_q", label="Search", help_text="Narrative, next steps or commitment."
    )

    sort = SortFilter(
        columns={
            "commitment": Column("Commitment", ("commitment__agreement__short_name", "commitment__position")),
            "status": Column("Status", ("status",)),
            "as_of": Column("As of", ("as_of", "created_at"), first_descending=True),
            "party": Column("Reporting party", ("reporting_party__acronym",)),
        },
        default="-as_of",
    )

    class Meta:
        model = ProgressUpdate
        fields: list[str] = []

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(narrative__icontains=value)
            | Q(next_steps__icontains=value)
            | Q(commitment__code__icontains=value)
            | Q(commitment__title__icontains=value)
        )


class MeetingFilter(VisibleFilterSet):
    agreement = AgreementFilter(field_name="agreement")
    kind = filters.ChoiceFilter(
        choices=lambda: vocabulary_choices(Vocabulary.MEETING_KINDS), empty_label="All kinds"
    )
    quarter = QuarterFilter(date_field="starts_at__date")
    # A meeting obligation's period that is not a calendar quarter is listed by its first and last day.
    since = filters.DateFilter(field_name="starts_at__date", lookup_expr="gte", label="From")
    to = filters.DateFilter(field_name="starts_at__date", lookup_expr="lte", label="To")
    q = filters.CharFilter(method="filter_q", label="Search", help_text="Title, agenda, minutes, decisions.")

    sort = SortFilter(
        columns={
            "title": Column("Meeting", ("title",)),
            "agreement": Column("Agreement", ("agreement__short_name",)),
            "kind": Column("Kind", ("kind",)),
            "when": Column("When", ("starts_at",), first_descending=True),
        },
        default="-when",
    )

    class Meta:
        model = Meeting
        fields: list[str] = []

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(title__icontains=value)
            | Q(agenda__icontains=value)
            | Q(minutes__icontains=value)
            | Q(decisions__icontains=value)
        )


def vocabulary_choices(vocabulary: str) -> list[tuple[str, str]]:
    """Every agreement's keys of a vocabulary, each once (the first agreement's label), for list filters.

    Grouped by PostgreSQL (or SQLite), not in Python: at scale 10 the meeting kinds are 8,000
    rows of 2,000 agreements but a handful of (key, label) pairs; reading every row took 12 ms
    of the meeting list's time. Ordered as the first agreement that has the key lists it.
    """

    def grouped() -> list[tuple[str, str]]:
        groups = (
            VocabularyEntry.objects.filter(vocabulary=vocabulary)
            .values("key", "label")
            .annotate(first_agreement=Min("agreement_id"), first_position=Min("position"))
            .order_by("first_agreement", "first_position", "key")
        )
        choices: dict[str, str] = {}
        for group in groups:
            choices.setdefault(group["key"], group["label"])
        return list(choices.items())

    # The same for every user (a key says nothing of the agreements one does not see): kept
    # until the records change, as the grouping still cost 4-5 ms of each list at scale 10.
    return kept(f"vocabulary-choices:{vocabulary}", [], grouped)


class EventFilter(VisibleFilterSet):
    agreement = AgreementFilter(field_name="agreement")
    party = PartyFilter(field_name="organising_party", label="Organising party")
    venue = filters.ChoiceFilter(
        choices=lambda: vocabulary_choices(Vocabulary.EVENT_PLACES),
        field_name="place",
        empty_label="Anywhere",
        label="Where",
    )
    quarter = QuarterFilter(date_field="held_on")
    # The dashboard counts events held by its as-of day; `to` lists exactly those.
    to = filters.DateFilter(
        field_name="held_on",
        lookup_expr="lte",
        label="Held on or before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = filters.CharFilter(method="filter_q", label="Search", help_text="Title, city, country, outcomes.")

    sort = SortFilter(
        columns={
            "title": Column("Event", ("title",)),
            "place": Column("Where", ("country", "city")),
            "party": Column("Organised by", ("organising_party__acronym",)),
            "attendance": Column("Attendance", ("attendance",), first_descending=True, nullable=True),
            "held_on": Column("Held on", ("held_on",), first_descending=True),
        },
        default="-held_on",
    )

    class Meta:
        model = OutreachEvent
        fields: list[str] = []

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(title__icontains=value)
            | Q(city__icontains=value)
            | Q(country__icontains=value)
            | Q(outcomes__icontains=value)
        )
