from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .selectors import mutable_kinds


class MuteForm(forms.Form):
    """Which kinds of notice the user does not want; the term notices are always sent."""

    muted = forms.MultipleChoiceField(
        label="Do not send me",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Term countdown notices cannot be turned off.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["muted"]).choices = mutable_kinds()
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save preferences"))
