"""The dashboard's filter form (agreement, party, as of), shared by the dashboard and report."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet

from agreements.forms import AgreementPickerField
from agreements.models import Agreement, Party
from core.bounds import BoundedDateField


class DashboardFilterForm(forms.Form):
    # No "all agreements": the dashboard always shows one. A <select> while the manager sees
    # few, a text box with suggestions when many (agreements.forms.AgreementPickerField).
    agreement = AgreementPickerField(
        queryset=Agreement.objects.none(), label="Agreement", required=False, empty_label=None
    )
    party = forms.ChoiceField(label="Party", required=False)
    as_of = BoundedDateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="See the agreement as it stood on this day, e.g. the end of a quarter.",
    )

    def __init__(
        self,
        *args,
        agreements: QuerySet[Agreement],
        parties: list[Party],
        shown: Agreement | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        picker = cast(AgreementPickerField, self.fields["agreement"])
        picker.queryset = agreements
        if shown is not None and self.data.get("agreement"):
            picker.found(self.data["agreement"], shown)
        cast(forms.ChoiceField, self.fields["party"]).choices = [("", "All parties")] + [
            (p.acronym, p.acronym) for p in parties
        ]
