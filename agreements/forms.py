"""Forms for the agreement's life: a new agreement, a signature, a modification and its execution.

They check the shape of what is typed; the rules (who, when, what may change) are the
services' in agreements/lifecycle.py, whose refusals name these forms' fields.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.urls import reverse_lazy

from core.pickers import PickerField
from core.time import today

from .models import Agreement, Commitment, Party


class DateInput(forms.DateInput):
    input_type = "date"


class AgreementPickerField(PickerField):
    """An agreement among those the form offers, by slug (what `?agreement=` carries) or by its
    short name typed in full; a text box asking `agreements:lookup` once there are many."""

    match_on = ("slug", "short_name__iexact")
    hint = "Type part of the agreement's name and choose it from the suggestions, or write its short name."
    ambiguous_message = "More than one agreement is called “%(value)s”: choose one from the suggestions."
    default_error_messages = {
        "invalid_choice": "No agreement you can see is called “%(value)s”. Type part of its name and "
        "choose it from the suggestions."
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("lookup_url", reverse_lazy("agreements:lookup"))
        super().__init__(*args, **kwargs)

    def text_of(self, obj: Any) -> str:
        return obj.slug


class AgreementUploadForm(forms.Form):
    file = forms.FileField(
        label="Agreement file",
        help_text="A YAML file of schema moa-portal/agreement@2 (or @1); see docs/agreement-file.md.",
    )


class AgreementDraftForm(forms.Form):
    short_name = forms.CharField(max_length=120, help_text="The name on pages and in e-mails.")
    slug = forms.SlugField(
        label="Web address",
        max_length=80,
        help_text="Lowercase letters, digits and hyphens: the agreement's web address, /agreements/slug/.",
    )
    title = forms.CharField(max_length=400, help_text="The full title, as the agreement states it.")
    kind = forms.ChoiceField(choices=Agreement.Kind.choices)
    parties = forms.ModelMultipleChoiceField(
        queryset=Party.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Two or more, your own party among them.",
    )
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    term_years = forms.IntegerField(
        label="Term (years)",
        min_value=1,
        max_value=99,
        initial=5,
        help_text="Whole years from the last signature.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parties"]).queryset = Party.objects.order_by("acronym")


class ConfirmForm(forms.Form):
    """Carries the SHA-256 shown on the page: what the user saw is what is saved or executed."""

    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=64)


class SignatureForm(forms.Form):
    name = forms.CharField(label="Signatory", max_length=200, help_text="The person who signed.")
    title = forms.CharField(label="Signatory's title", max_length=400)
    signed_on = forms.DateField(label="Signed on", widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = today()


class ModificationForm(forms.Form):
    """A proposal: its words, and its effects as data (one of each kind of effect per proposal)."""

    title = forms.CharField(max_length=200)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="The modification's text, as the parties sign it."
    )
    term_ends_on = forms.DateField(
        label="New end of the term",
        required=False,
        widget=DateInput,
        help_text="Leave empty to keep the term; a later date extends it, an earlier one shortens it.",
    )
    add_code = forms.CharField(label="New item: code", max_length=40, required=False)
    add_kind = forms.ChoiceField(
        label="New item: kind", choices=[("", "—"), *Commitment.Kind.choices], required=False
    )
    add_title = forms.CharField(label="New item: title", max_length=200, required=False)
    add_leads = forms.MultipleChoiceField(
        label="New item: lead parties", widget=forms.CheckboxSelectMultiple, required=False
    )
    add_clause = forms.ChoiceField(label="New item: the clause that creates it", required=False)
    retire_codes = forms.MultipleChoiceField(
        label="Commitments it retires", widget=forms.CheckboxSelectMultiple, required=False
    )
    clause_number = forms.ChoiceField(label="Clause whose text it replaces", required=False)
    clause_text = forms.CharField(
        label="The clause's new text", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    terminate_on = forms.DateField(
        label="Terminates the agreement on",
        required=False,
        widget=DateInput,
        help_text="Termination by mutual agreement: leave empty unless this modification ends the agreement.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clauses = [("", "—")] + [(n, n) for n in agreement.sections.values_list("number", flat=True)]
        cast(forms.ChoiceField, self.fields["add_clause"]).choices = clauses
        cast(forms.ChoiceField, self.fields["clause_number"]).choices = clauses
        cast(forms.ChoiceField, self.fields["add_leads"]).choices = [
            (p.acronym, p.acronym) for p in agreement.parties.all()
        ]
        cast(forms.ChoiceField, self.fields["retire_codes"]).choices = [
            (c.code, f"{c.code} {c.title}") for c in agreement.commitments.filter(retired_on__isnull=True)
        ]

    @classmethod
    def initial_for(cls, modification: Any) -> dict[str, Any]:
        """The form's values for an existing proposal (its first effect of each kind)."""
        effects = modification.effects or {}
        added = (effects.get("add_commitments") or [{}])[0]
        clause = (effects.get("replace_clauses") or [{}])[0]
        ends = effects.get("term_ends_on")
        terminates = effects.get("terminate_on")
        return {
            "title": modification.title,
            "text": modification.text,
            "term_ends_on": datetime.date.fromisoformat(ends) if ends else None,
            "add_code": added.get("code", ""),
            "add_kind": added.get("kind", ""),
            "add_title": added.get("title", ""),
            "add_leads": added.get("leads", []),
            "add_clause": added.get("clause", ""),
            "retire_codes": effects.get("retire_commitments", []),
            "clause_number": clause.get("number", ""),
            "clause_text": clause.get("text", ""),
            "terminate_on": datetime.date.fromisoformat(terminates) if terminates else None,
            "version": modification.version,
        }

    def effects(self) -> dict[str, Any]:
        """The effects as lifecycle.check_effects takes them."""
        data = self.cleaned_data
        effects: dict[str, Any] = {}
        if data.get("term_ends_on"):
            effects["term_ends_on"] = data["term_ends_on"]
        if any(data.get(f) for f in ("add_code", "add_kind", "add_title", "add_clause")):
            effects["add_commitments"] = [
                {
                    "code": data.get("add_code", ""),
                    "kind": data.get("add_kind", ""),
                    "title": data.get("add_title", ""),
                    "leads": list(data.get("add_leads") or []),
                    "clause": data.get("add_clause", ""),
                }
            ]
        if data.get("terminate_on"):
            effects["terminate_on"] = data["terminate_on"]
        if data.get("retire_codes"):
            effects["retire_commitments"] = list(data["retire_codes"])
        if data.get("clause_number") or data.get("clause_text"):
            effects["replace_clauses"] = [
                {"number": data.get("clause_number", ""), "text": data.get("clause_text", "")}
            ]
        return effects


# --- the end of the agreement (agreements/termination.py) ----------------------------------------


class TerminationNoticeForm(forms.Form):
    """One party's notice of termination, under the agreement's notice rule."""

    given_on = forms.DateField(
        label="Notice given on", widget=DateInput, help_text="The day your party gave written notice."
    )
    notice_days = forms.IntegerField(
        label="Notice period (days)",
        min_value=0,
        max_value=3650,
        help_text="It takes effect this many days after the notice: at least what the agreement requires.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, *args: Any, notice_days: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = today()
        self.fields["notice_days"].initial = notice_days


class MutualTerminationForm(forms.Form):
    """A proposal to end the agreement by mutual agreement (a modification every party executes)."""

    terminate_on = forms.DateField(
        label="Terminates on",
        widget=DateInput,
        help_text="Today or later; it takes effect once every party has executed it.",
    )
    text = forms.CharField(
        label="Text of the termination",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="The words every party executes.",
    )


class NonRenewalForm(forms.Form):
    """A party's notice that the term is not to renew."""

    given_on = forms.DateField(
        label="Notice of non-renewal given on",
        widget=DateInput,
        help_text="The day your party gave written notice; by the last day the term allows.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = today()


class AgreementTextForm(forms.Form):
    """An agreement's signed text, read into proposals to review (agreements/drafting.py)."""

    file = forms.FileField(
        label="Signed agreement",
        help_text="Plain text (.txt), a PDF with a text layer (not a scan) or a Word document (.docx).",
    )


class ProposalDecisionForm(forms.Form):
    """Confirm, edit or ignore one proposal; `version` is the proposal's when the page was opened."""

    decision = forms.ChoiceField(
        choices=[("confirm", "Confirm"), ("edit", "Save my edit"), ("ignore", "Ignore")]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    value = forms.CharField(
        label="Value",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20_000,
        help_text="One field a line (name: value). Used only by “Save my edit”.",
    )
