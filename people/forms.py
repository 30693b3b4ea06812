"""Forms for the user administration pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from agreements.models import Party
from agreements.permissions import ROLES

from . import mfa

ROLE_HELP = "Staff read and report; Managers also see the dashboard; Admins also keep contacts and users."


class UserForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="E-mail", help_text="Password links are sent here.")
    party = forms.ModelChoiceField(label="Party", queryset=Party.objects.none(), empty_label=None)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=[(r, r) for r in ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=ROLE_HELP,
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = parties


class UserCreateForm(UserForm):
    username = forms.CharField(label="Username", max_length=150)

    field_order = ["username", "first_name", "last_name", "email", "party", "roles"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with this username already exists.")
        return username


class UserEditForm(UserForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = (
            "Password links are sent here. A new address applies once the current address approves "
            "the change and the new one confirms it (each gets a link)."
        )

    is_active = forms.BooleanField(
        label="Active", required=False, help_text="An inactive user cannot sign in; their records stay."
    )
    # The account as this form showed it (people.services.user_version); a save from an older
    # one is refused. Not required here: the service refuses a missing one as unknown.
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)


class SignInCodeForm(forms.Form):
    """The second step of a sign-in: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class AppCodeForm(forms.Form):
    """A code from the authenticator app, proving the user holds it (adding, renewing, removing)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AddAppForm(AppCodeForm):
    """Adding an app: the secret it was given (signed, so it travels in the form) and its code."""

    secret = forms.CharField(widget=forms.HiddenInput, max_length=500)
    current_code = forms.CharField(
        label="Code from your current authenticator app",
        max_length=12,
        required=False,
        help_text="Replacing an app needs a code from the one you have now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CurrentFactorForm(forms.Form):
    """Proof of a current factor before a passkey is added or removed or the recovery codes are
    renewed (people.mfa.proof_asked says which, and why): only that field is shown and read.
    Checking it counts a wrong one, so a form is checked once (is_valid)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        required=False,
        help_text="To be sure it is you: the 6-digit code your app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label="Your password",
        max_length=4096,
        required=False,
        strip=False,
        help_text="To be sure it is you: the password you sign in with.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    MISSING = {
        mfa.PROOF_CODE: "Enter the code your authenticator app shows now.",
        mfa.PROOF_PASSWORD: "Enter your password.",
    }
    WRONG = {
        mfa.PROOF_CODE: "That code is not right: enter the code your authenticator app shows now.",
        mfa.PROOF_PASSWORD: "That password is not right.",
    }

    def __init__(self, *args: Any, user: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.asked = mfa.proof_asked(user)
        for name in (mfa.PROOF_CODE, mfa.PROOF_PASSWORD):
            if name != self.asked:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.asked and self.asked not in self.errors:
            given = cleaned.get(self.asked) or ""
            if not given:
                self.add_error(self.asked, self.MISSING[self.asked])
            elif not mfa.current_factor_proven(request=self.request, user=self.user, **{self.asked: given}):
                self.add_error(self.asked, self.WRONG[self.asked])
        return cleaned

    def refusal(self) -> str:
        """The errors as one sentence, for a message or a script."""
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class PasskeyAddForm(forms.Form):
    """Adding a passkey: its name, and the browser's answer (static/js/passkey.js fills it in)."""

    name = forms.CharField(
        label="Name of the passkey",
        max_length=64,
        help_text="So you can tell your passkeys apart, e.g. “YubiKey on my keyring” or “Work laptop”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Not required here: an empty answer is refused by people.passkeys with a plain message.
    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)


class PasskeyAnswerForm(forms.Form):
    """The second step of a sign-in answered by a passkey (static/js/passkey.js fills it in)."""

    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)
