from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from . import webhooks
from .models import WebhookEvent, WebhookSubscription
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


class WebhookForm(forms.Form):
    """A webhook subscription: what receives it, where, which events, in which format.

    The URL is checked against the delivery rules (https; no loopback, private, link-local or
    reserved address) here, beside the field, and again by the service and at every delivery.
    """

    party: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=True, empty_label=None, label="Party"
    )
    name = forms.CharField(max_length=100, help_text="What receives it, e.g. “DOC ERP” or “Teams channel”.")
    url = forms.CharField(
        label="URL",
        max_length=webhooks.URL_MAX_LENGTH,
        help_text="Where the portal posts each event: an https:// address reachable from the internet.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Events",
    )
    format = forms.ChoiceField(
        choices=WebhookSubscription.Format.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=WebhookSubscription.Format.STANDARD,
        help_text=(
            "Standard Webhooks JSON is signed for your own systems; Teams and Slack formats post a "
            "readable message to a channel's incoming webhook (signed too)."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        party_field = cast(forms.ModelChoiceField, self.fields["party"])
        party_field.queryset = parties
        if parties is None:
            del self.fields["party"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = webhooks.url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
