from __future__ import annotations

import datetime

from django import forms

from core.bounds import BoundedDateField
from core.time import today

from .models import AccessToken


def default_expiry() -> datetime.date:
    return today() + datetime.timedelta(days=90)


class AccessTokenForm(forms.Form):
    """A new token: what it is for, what it may do, until when (the service checks the year)."""

    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “DOC dashboard sync”.")
    scope = forms.ChoiceField(
        choices=AccessToken.Scope.choices,
        widget=forms.RadioSelect,
        initial=AccessToken.Scope.READ,
        help_text="Read only is enough to feed a dashboard; read and write also logs progress and edits.",
    )
    expires_on = BoundedDateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="At most a year from today. The token stops working at the end of that day.",
    )
