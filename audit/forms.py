"""The audit log's filters."""

from __future__ import annotations

from typing import cast

from django import forms

from agreements.models import Agreement

from .selectors import AUDITED


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(
        label="Kind of record",
        required=False,
        choices=[("", "All records")] + [(a.key, a.label) for a in AUDITED],
    )
    user = forms.CharField(label="Changed by (username)", required=False, max_length=150)
    agreement = forms.ModelChoiceField(
        label="Agreement",
        required=False,
        queryset=Agreement.objects.none(),
        to_field_name="slug",
        empty_label="All agreements",
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agreement"]).queryset = agreements

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "The end of the period is before its start.")
        return cleaned
