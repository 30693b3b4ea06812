"""Forms of the portal's own pages that belong to no app: signing in."""

from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form without `autofocus` on the username.

    Autofocus drops keyboard and screen-reader users past the header and the skip link into
    the middle of the page; the portal's pages all start at the skip link (GOV.UK and USWDS
    advise the same).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def clean(self):
        """A username longer than any account's is refused before anyone tries it: the lockout
        records each attempt's username, and 256 characters answered a 500."""
        username = self.cleaned_data.get("username") or ""
        limit = self.fields["username"].max_length or 150
        if len(username) > limit:
            raise self.get_invalid_login_error()
        return super().clean()
