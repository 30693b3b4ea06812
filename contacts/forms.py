"""Forms for points of contact. The version field carries what the editor opened."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet

from agreements.forms import AgreementPickerField
from agreements.models import Agreement, Party
from core.bounds import BoundedDateField
from core.time import long_date, today

from .models import PointOfContact
from .services import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class ContactListForm(forms.Form):
    """The contact list's choice of agreement: a <select> while the user sees few, a text box
    with suggestions when many (agreements.forms.AgreementPickerField)."""

    agreement = AgreementPickerField(
        queryset=Agreement.objects.none(), required=False, empty_label="All agreements", label="Agreement"
    )

    def __init__(self, *args, agreements: QuerySet[Agreement], **kwargs) -> None:
        kwargs.setdefault("auto_id", "contacts-%s")
        super().__init__(*args, **kwargs)
        cast(AgreementPickerField, self.fields["agreement"]).queryset = agreements


def _bounded_dates(form: forms.BaseForm) -> None:
    """The model's date fields, refused outside the bounded years before the model sees them."""
    for name in ("active_from", "active_to"):
        field = form.fields.get(name)
        if field is not None:
            bounded = BoundedDateField(
                label=field.label, required=field.required, help_text=field.help_text, widget=DateInput
            )
            bounded.initial = field.initial
            form.fields[name] = bounded


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
        _bounded_dates(self)
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
        _bounded_dates(self)
        cast(forms.ModelChoiceField, self.fields["agreement"]).queryset = agreements
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = parties
        self.fields["active_from"].initial = today()
        self.fields["confirm_duplicate"] = forms.BooleanField(
            required=False,
            label="Yes, add this contact: it is not the same as the one above",
            widget=forms.HiddenInput,
        )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        agreement: Agreement | None = cleaned.get("agreement")
        party: Party | None = cleaned.get("party")
        if agreement and party and not agreement.parties.filter(pk=party.pk).exists():
            self.add_error("party", f"{party} is not a party to {agreement}.")
        elif agreement and party and not self.errors and not cleaned.get("confirm_duplicate"):
            same = same_contacts(agreement, party, cleaned)
            if same:
                self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
                self.add_error(
                    "confirm_duplicate",
                    f"{same[0]} is already a contact of {party} on this agreement. "
                    "Tick the box to add this one as well.",
                )
        return cleaned

    def _post_clean(self):
        self.cleaned_data.pop("confirm_duplicate", None)
        super()._post_clean()  # type: ignore[misc]  # Django's form hook, absent from the stubs


def same_contacts(agreement: Agreement, party: Party, data: dict) -> list[PointOfContact]:
    """Active contacts of the party on the agreement with the same person, e-mail, or (when no
    person is named) the same role title: most likely the same contact entered twice."""
    current = PointOfContact.objects.active().filter(agreement=agreement, party=party)
    person, email, role = (
        (data.get("person_name") or "").strip(),
        (data.get("email") or "").strip(),
        (data.get("role_title") or "").strip(),
    )
    matches = PointOfContact.objects.none()
    if person:
        matches |= current.filter(person_name__iexact=person)
    if email:
        matches |= current.filter(email__iexact=email)
    if not person and role:
        matches |= current.filter(role_title__iexact=role, person_name="")
    return list(matches.distinct()[:3])


class DeactivateForm(forms.Form):
    active_to = BoundedDateField(
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
                f"The contact started on {long_date(self.contact.active_from)}; choose that day or later."
            )
        if active_to > today():
            raise forms.ValidationError(
                "The deactivation day is in the future; deactivate on or after the day."
            )
        return active_to
