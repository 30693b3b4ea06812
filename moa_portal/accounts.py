"""The sign-in page: Django's, with the portal's form and a 429 while the address is throttled.

Before the form, the system-use notice (people.notice) when one is configured; after a right
password, the second factor (people.mfa) when the account has one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode

from people import mfa, notice, saml, sso

from .forms import SignInForm


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    authentication_form = SignInForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A password posted without the notice accepted is not even tried.
        if notice.notice_required(request):
            return redirect(f"{reverse('accounts:notice')}?{urlencode({'next': request.get_full_path()})}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = sso.providers()
        context["saml_providers"] = saml.providers()
        context["force_sso"] = settings.PORTAL_FORCE_SSO
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """A right password: sign in, or first ask for the second factor when the account has one."""
        user = form.get_user()
        if mfa.has_second_factor(user):
            mfa.pending_start(self.request, user=user, redirect_to=self.get_success_url())
            return redirect("accounts:mfa_verify")
        response = super().form_valid(form)
        if mfa.second_factor_required(user):
            self.request.session[mfa.ENROL_REQUIRED_KEY] = True
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response
