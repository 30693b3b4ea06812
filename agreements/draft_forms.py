"""Forms for editing a draft (agreements/drafts.py has the rules; these check only the shape).

Each edit form carries `version`, the version of the item it was opened at: a save from a
stale or unknown version is refused with what changed (agreements.drafts.DraftItemChanged).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from core.bounds import BoundedDateField

from .agreement_file.document import Anchor, CadenceKind, ObligationKind
from .forms import DateInput
from .models import Agreement, Commitment, Party, Section
from .obligations import Vocabulary, VocabularyEntry


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [(v, v.capitalize()) for v in values]


class VersionedForm(forms.Form):
    """A form that edits an item: `version` is the item's version when the form was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def expected_version(self) -> int:
        """The version opened at; a form without one is refused as an unknown version (0)."""
        return self.cleaned_data.get("version") or 0


class ClauseForm(VersionedForm):
    number = forms.CharField(
        max_length=40,
        help_text="As the agreement numbers it, e.g. VI.2 or XX.",
    )
    heading = forms.CharField(max_length=200, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    parent = forms.ModelChoiceField(
        label="Within clause",
        queryset=Section.objects.none(),
        required=False,
        empty_label="— none: a top-level clause —",
        help_text="The clause this one is part of (nesting).",
    )

    def __init__(
        self, *args: Any, agreement: Agreement, clause: Section | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        parents = agreement.sections.order_by("position")
        if clause is not None:
            parents = parents.exclude(pk=clause.pk)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents

    @staticmethod
    def initial_for(clause: Section) -> dict[str, Any]:
        return {
            "number": clause.number,
            "heading": clause.heading,
            "text": clause.text,
            "parent": clause.parent_id,
            "version": clause.version,
        }


class MoveForm(VersionedForm):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class DeleteForm(VersionedForm):
    """Confirms a removal of the item as it was shown (its version)."""


class CommitmentForm(VersionedForm):
    code = forms.CharField(max_length=40, help_text="As the agreement numbers it; part of its web address.")
    kind = forms.ChoiceField(choices=Commitment.Kind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lead_parties = forms.ModelMultipleChoiceField(
        label="Lead parties",
        queryset=Party.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The parties that owe it; all of them when it is joint.",
    )
    source_section = forms.ModelChoiceField(
        label="Clause", queryset=Section.objects.none(), help_text="The clause that creates it."
    )
    goal = forms.ModelChoiceField(
        label="Strategic goal",
        queryset=Commitment.objects.none(),
        required=False,
        help_text="For an action item: the strategic goal it serves, if one is named.",
    )

    def __init__(
        self, *args: Any, agreement: Agreement, commitment: Commitment | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lead_parties"]).queryset = agreement.parties.order_by(
            "acronym"
        )
        cast(forms.ModelChoiceField, self.fields["source_section"]).queryset = agreement.sections.order_by(
            "position"
        )
        goals = agreement.commitments.filter(kind=Commitment.Kind.STRATEGIC_GOAL)
        if commitment is not None:
            goals = goals.exclude(pk=commitment.pk)
        cast(forms.ModelChoiceField, self.fields["goal"]).queryset = goals

    @staticmethod
    def initial_for(commitment: Commitment) -> dict[str, Any]:
        return {
            "code": commitment.code,
            "kind": commitment.kind,
            "title": commitment.title,
            "description": commitment.description,
            "lead_parties": [p.pk for p in commitment.lead_parties.all()],
            "source_section": commitment.source_section_id,
            "goal": commitment.goal_id,
            "version": commitment.version,
        }

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ObligationForm(VersionedForm):
    code = forms.CharField(max_length=40, help_text="Its code, e.g. MEET-Q; part of web addresses.")
    kind = forms.ChoiceField(choices=_choices([k.value for k in ObligationKind]))
    title = forms.CharField(max_length=300)
    section = forms.ModelChoiceField(label="Clause", queryset=Section.objects.none())
    item = forms.ModelChoiceField(
        label="Commitment",
        queryset=Commitment.objects.none(),
        required=False,
        help_text="The commitment it carries out, if any.",
    )
    parties = forms.ModelMultipleChoiceField(
        label="Parties that owe it", queryset=Party.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    cadence = forms.ChoiceField(
        choices=_choices([c.value for c in CadenceKind]),
        help_text="How often it is owed; continuous: on every day of the term.",
    )
    anchor = forms.ChoiceField(
        choices=_choices([a.value for a in Anchor]),
        initial=Anchor.CALENDAR.value,
        help_text="Calendar periods, periods counted from the term's start, or a rolling span "
        "(calendar for an RRULE or a continuous obligation).",
    )
    rrule = forms.CharField(
        label="RRULE",
        max_length=500,
        required=False,
        help_text="For an RRULE cadence only: one iCalendar RRULE line, e.g. FREQ=WEEKLY;INTERVAL=2.",
    )
    window_days = forms.IntegerField(
        label="Window (days)",
        min_value=1,
        max_value=366,
        required=False,
        help_text="Due within this many days after each period ends (or give a due day, not both).",
    )
    due_day = forms.IntegerField(
        label="Due by day",
        min_value=1,
        max_value=366,
        required=False,
        help_text="Due by this day of each period (or give a window, not both).",
    )
    meeting_kinds = forms.MultipleChoiceField(
        label="Meeting kinds that count", widget=forms.CheckboxSelectMultiple, required=False
    )
    audiences = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)
    requires_minutes = forms.BooleanField(
        label="A meeting counts only once its minutes are recorded", required=False
    )

    def __init__(
        self, *args: Any, agreement: Agreement, obligation: Any | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["section"]).queryset = agreement.sections.order_by(
            "position"
        )
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = agreement.commitments.all()
        cast(forms.ModelChoiceField, self.fields["parties"]).queryset = agreement.parties.order_by("acronym")
        cast(forms.ChoiceField, self.fields["meeting_kinds"]).choices = VocabularyEntry.objects.choices(
            agreement, Vocabulary.MEETING_KINDS
        )
        cast(forms.ChoiceField, self.fields["audiences"]).choices = VocabularyEntry.objects.choices(
            agreement, Vocabulary.AUDIENCES
        )

    @staticmethod
    def initial_for(obligation: Any) -> dict[str, Any]:
        return {
            "code": obligation.code,
            "kind": obligation.kind,
            "title": obligation.title,
            "section": obligation.section_id,
            "item": obligation.item_id,
            "parties": [p.pk for p in obligation.parties.all()],
            "cadence": obligation.cadence,
            "anchor": obligation.anchor,
            "rrule": obligation.rrule,
            "window_days": obligation.window_days,
            "due_day": obligation.due_day,
            "meeting_kinds": obligation.meeting_kinds,
            "audiences": obligation.audiences,
            "requires_minutes": obligation.requires_minutes,
            "version": obligation.version,
        }

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class SignatoryForm(VersionedForm):
    name = forms.CharField(label="Signatory", max_length=200, help_text="The person who signs (or signed).")
    title = forms.CharField(label="Signatory's title", max_length=400)
    signed_on = BoundedDateField(
        label="Signed on",
        required=False,
        widget=DateInput,
        help_text="Empty until signed. The last party's date puts the agreement in force.",
    )

    @staticmethod
    def initial_for(signatory: Any) -> dict[str, Any]:
        return {
            "name": signatory.name,
            "title": signatory.title,
            "signed_on": signatory.signed_on,
            "version": signatory.version,
        }
