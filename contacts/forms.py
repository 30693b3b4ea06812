"""Forms for points of contact. The version field carries what the editor opened."""

from __future__ import annotations

from typing import cast

from django import forms

from agreements.models import Agreement, Party
from core.time import today

from .models import PointOfContact
from .services import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class ContactForm(forms.ModelForm):
    """A contact's details; `version` is the version the form was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PointOfContact
        fields = list(EDITABLE_FIELDS)
        labels = {
            "role_title": "Role title",
            "person_name": "Person",
            "is_coordinator": "Coordinator",
            "active_from": "Serving since",
        }
        help_texts = {"role_title": "As the agreement names the role, e.g. Director."}
        widgets = {"active_from": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class ContactCreateForm(forms.ModelForm):
    """A new contact for one of the parties the admin keeps, on an agreement they can see."""

    class Meta:
        model = PointOfContact
        fields = ["agreement", "party", *EDITABLE_FIELDS]
        labels = ContactForm.Meta.labels
        help_texts = ContactForm.Meta.help_texts
        widgets = {"active_from": DateInput}

    def __init__(self, *args, agreements, parties, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agreement"]).queryset = agreements
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = parties
        self.fields["active_from"].initial = today()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        agreement: Agreement | None = cleaned.get("agreement")
        party: Party | None = cleaned.get("party")
        if agreement and party and not agreement.parties.filter(pk=party.pk).exists():
            self.add_error("party", f"{party} is not a party to {agreement}.")
        return cleaned


class DeactivateForm(forms.Form):
    active_to = forms.DateField(
        label="Stopped serving on",
        widget=DateInput,
        help_text="The contact stays on the record, shown as inactive from this day.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, contact: PointOfContact, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        if not self.is_bound:
            self.initial.update({"active_to": today(), "version": contact.version})

    def clean_active_to(self):
        active_to = self.cleaned_data["active_to"]
        if active_to < self.contact.active_from:
            raise forms.ValidationError(
                f"The contact started on {self.contact.active_from:%Y-%m-%d}; choose that day or later."
            )
        return active_to
