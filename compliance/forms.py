"""The dashboard's filter form (agreement, party, as of), shared by the dashboard and report."""

from __future__ import annotations

from typing import cast

from django import forms

from agreements.models import Agreement, Party
from core.bounds import BoundedDateField


class DashboardFilterForm(forms.Form):
    agreement = forms.ChoiceField(label="Agreement", required=False)
    party = forms.ChoiceField(label="Party", required=False)
    as_of = BoundedDateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="See the agreement as it stood on this day, e.g. the end of a quarter.",
    )

    def __init__(self, *args, agreements: list[Agreement], parties: list[Party], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agreement"]).choices = [
            (a.slug, a.short_name) for a in agreements
        ]
        cast(forms.ChoiceField, self.fields["party"]).choices = [("", "All parties")] + [
            (p.acronym, p.acronym) for p in parties
        ]
