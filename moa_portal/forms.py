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
