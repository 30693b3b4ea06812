"""The dashboard's filter form (agreement, party, as of), shared by the dashboard and report."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from agreements.models import Agreement, Party


class DashboardFilterForm(forms.Form):
    agreement = forms.ChoiceField(label="Agreement", required=False)
    party = forms.ChoiceField(label="Party", required=False)
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="See the agreement as it stood on this day, e.g. the end of a quarter.",
    )

    def __init__(self, *args, agreements: list[Agreement], parties: list[Party], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [(a.slug, a.short_name) for a in agreements]
        self.fields["party"].choices = [("", "All parties")] + [(p.acronym, p.acronym) for p in parties]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "no-print"
        self.helper.layout = Layout(
            Row(
                Column("agreement", css_class="col-md-4"),
                Column("party", css_class="col-md-3"),
                Column("as_of", css_class="col-md-3"),
                Column(Submit("submit", "Show", css_class="mt-md-4"), css_class="col-md-2"),
            )
        )
