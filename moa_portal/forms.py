"""Forms of the portal's own pages that belong to no app: signing in."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from agreements.signals import sign_in_throttled
from people import signin as people_signin
from people import sso as people_sso


class SignInForm(AuthenticationForm):
    """Django's sign-in form without `autofocus` on the username.

    Autofocus drops keyboard and screen-reader users past the header and the skip link into
    the middle of the page; the portal's pages all start at the skip link (GOV.UK and USWDS
    advise the same).
    """

    throttled = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.widget.attrs.pop("autofocus", None)
        # AuthenticationForm sets max_length after the field is built, so it checks nothing:
        # a 256-character username reached axes' 255-character column and answered 500.
        if isinstance(username, forms.CharField) and username.max_length:
            username.validators.append(MaxLengthValidator(username.max_length))

    def confirm_login_allowed(self, user) -> None:
        """Under Force SSO a right password still signs in only a break-glass account."""
        super().confirm_login_allowed(user)
        if not people_sso.password_sign_in_allowed(user):
            raise forms.ValidationError(
                "This portal signs in through your agency's single sign-on: use its button below. "
                "Passwords are kept for the technical administrators' break-glass accounts.",
                code="sso_only",
            )

    def clean(self):
        """Refuse unread while the address is over its failure budget; count each failure.

        A username longer than any account's is refused before anyone tries it: the lockout
        records each attempt's username, and 256 characters answered a 500."""
        username = self.cleaned_data.get("username") or ""
        field = self.fields["username"]
        limit = (field.max_length if isinstance(field, forms.CharField) else None) or 150
        if len(username) > limit:
            raise self.get_invalid_login_error()
        if self.request is not None and people_signin.sign_in_address_throttled(self.request):
            self.throttled = True
            sign_in_throttled.send(
                sender=type(self), username=str(self.data.get("username", "")), request=self.request
            )
            raise forms.ValidationError(
                "Too many failed sign-ins from your network address. Wait "
                f"{settings.SIGN_IN_ADDRESS_WINDOW_MINUTES} minutes and try again.",
                code="throttled",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if self.request is not None:
                people_signin.sign_in_failed_from(self.request)
            raise
