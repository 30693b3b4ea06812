"""The sign-in pages around the password form (`accounts:*`): the system-use notice, the second
factor (TOTP and recovery codes) and single sign-on by OpenID Connect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from agreements.signals import SIGN_IN_DETAIL, account_event
from core.http import AuthenticatedRequest

from . import mfa, notice, sso
from . import signin as people_signin
from .forms import AddAppForm, AppCodeForm, SignInCodeForm


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The `next` the request names if it stays on this site, else `default` (or the sign-in page).

    Answer it with HttpResponseRedirect, never `redirect()`: that would try a `next` such as
    "9999-12-31" as a URL name and fail."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("login")


@login_not_required
@require_http_methods(["GET", "POST"])
def notice_view(request: HttpRequest) -> HttpResponse:
    """Show the system-use notice; accepting it lets the visitor on to the sign-in they chose."""
    if not settings.PORTAL_SYSTEM_USE_NOTICE.strip():
        return HttpResponseRedirect(safe_next(request))
    if request.method == "POST":
        notice.notice_accept(request)
        return HttpResponseRedirect(safe_next(request))
    return render(
        request,
        "registration/system_use_notice.html",
        {"paragraphs": notice.notice_paragraphs(), "next": safe_next(request)},
    )


# --- the second factor ---------------------------------------------------------------------------

RECOVERY_CODES_SHOWN_KEY = "moa_mfa_recovery_codes_to_show"


@login_not_required
@require_http_methods(["GET", "POST"])
def mfa_verify_view(request: HttpRequest) -> HttpResponse:
    """The second step of a password sign-in for an account with an authenticator app."""
    data = mfa.pending(request)
    if data is None:
        messages.info(request, "Please sign in with your username and password first.")
        return redirect("login")
    form = SignInCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if people_signin.sign_in_address_throttled(request):
            form.add_error(
                None,
                "Too many failed sign-ins from your network address. Wait "
                f"{settings.SIGN_IN_ADDRESS_WINDOW_MINUTES} minutes and try again.",
            )
            status = 429
        else:
            user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
            how = (
                mfa.code_matches(user=user, code=form.cleaned_data["code"], request=request) if user else None
            )
            if user is not None and how is not None:
                request.session.pop(mfa.PENDING_KEY, None)
                setattr(request, SIGN_IN_DETAIL, f"with a password and {how}")
                login(request, user, backend=data["backend"] or None)
                if how == "recovery code":
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; {mfa.recovery_codes_left(user)} are left. "
                        "Renew them from Sign-in security if you are running low.",
                    )
                return HttpResponseRedirect(data["next"] or reverse("landing"))
            people_signin.sign_in_failed_from(request)
            account_event.send(
                sender=mfa_verify_view,
                kind="mfa_code_refused",
                user=user,
                username=user.get_username() if user else "",
                request=request,
            )
            if mfa.pending_failed(request, data):
                messages.error(request, "Too many wrong codes. Please sign in again.")
                return redirect("login")
            form.add_error("code", "That code is not right. Enter the code your app shows now.")
    return render(request, "registration/mfa_verify.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def mfa_overview_view(request: AuthenticatedRequest) -> HttpResponse:
    """Sign-in security: whether an authenticator app is set, and the recovery codes left."""
    return render(
        request,
        "registration/mfa_overview.html",
        {
            "app": mfa.confirmed_app(request.user),
            "recovery_left": mfa.recovery_codes_left(request.user),
            "required": mfa.second_factor_required(request.user),
            "code_form": AppCodeForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def mfa_app_view(request: AuthenticatedRequest) -> HttpResponse:
    """Add (or replace) the authenticator app: scan the secret, prove it with a code."""
    form = AddAppForm(request.POST or None)
    current = mfa.confirmed_app(request.user)
    # A session alone (a borrowed desk, a stolen cookie) must not swap the app for another.
    if request.method == "POST" and form.is_valid() and current is not None:
        current_code = form.cleaned_data["current_code"].strip()
        if not current_code:
            form.add_error("current_code", "Enter the code your current app shows now.")
        elif not current.verify_token(current_code):
            form.add_error("current_code", "That code is not right: enter the code your current app shows.")
    if request.method == "POST" and form.is_valid():
        enrolled = mfa.app_add(
            acting_user=request.user,
            secret=form.cleaned_data["secret"],
            code=form.cleaned_data["code"],
            request=request,
        )
        if enrolled is not None:
            request.session.pop(mfa.ENROL_REQUIRED_KEY, None)
            request.session[RECOVERY_CODES_SHOWN_KEY] = enrolled.recovery_codes
            messages.success(request, "Your authenticator app is set: sign-ins will ask for its code.")
            return redirect("accounts:mfa_recovery_codes")
        form.add_error("code", "That code does not match the secret. Enter the code your app shows now.")
    # Shown again with its errors: keep offering the secret the app was given, if it is valid.
    offer = (
        mfa.app_offer_again(user=request.user, signed=str(form.data.get("secret", "")))
        if form.is_bound
        else None
    )
    offer = offer or mfa.new_app_offer(user=request.user)
    return render(
        request,
        "registration/mfa_app.html",
        {
            "form": form,
            "offer": offer,
            "replacing": current is not None,
            "required": request.session.get(mfa.ENROL_REQUIRED_KEY, False),
        },
    )


@require_http_methods(["GET"])
def mfa_recovery_codes_view(request: AuthenticatedRequest) -> HttpResponse:
    """The new recovery codes, shown once: the page that made them put them in the session, and
    this page takes them out. Only their hashes are kept (people.models)."""
    codes = request.session.pop(RECOVERY_CODES_SHOWN_KEY, None)
    if not codes:
        return redirect("accounts:mfa")
    return render(request, "registration/mfa_recovery_codes.html", {"codes": codes})


@require_http_methods(["POST"])
def mfa_recovery_renew_view(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes, for a user who proves they hold the app."""
    form = AppCodeForm(request.POST)
    app = mfa.confirmed_app(request.user)
    if app is None:
        messages.error(request, "Add an authenticator app first.")
        return redirect("accounts:mfa")
    if not form.is_valid() or not app.verify_token(form.cleaned_data["code"].strip()):
        messages.error(request, "That code is not right: the recovery codes were not renewed.")
        return redirect("accounts:mfa")
    request.session[RECOVERY_CODES_SHOWN_KEY] = mfa.recovery_codes_renew(
        acting_user=request.user, request=request
    )
    return redirect("accounts:mfa_recovery_codes")


@require_http_methods(["POST"])
def mfa_remove_view(request: AuthenticatedRequest) -> HttpResponse:
    """Remove the app and recovery codes, for a user who proves they hold the app."""
    form = AppCodeForm(request.POST)
    app = mfa.confirmed_app(request.user)
    if app is None:
        return redirect("accounts:mfa")
    if not form.is_valid() or not app.verify_token(form.cleaned_data["code"].strip()):
        messages.error(request, "That code is not right: the authenticator app was not removed.")
        return redirect("accounts:mfa")
    mfa.second_factor_remove(acting_user=request.user, request=request)
    messages.success(request, "The authenticator app and its recovery codes were removed.")
    return redirect("accounts:mfa")


# --- single sign-on ------------------------------------------------------------------------------


def _provider_or_404(slug: str) -> sso.Provider:
    if slug not in settings.OIDC_PROVIDERS:
        raise Http404("No such identity provider.")
    return sso.provider(slug)


@login_not_required
@require_http_methods(["GET"])
def sso_start_view(request: HttpRequest, provider: str) -> HttpResponse:
    """Send the visitor to the identity provider (after the system-use notice, if any)."""
    p = _provider_or_404(provider)
    if notice.notice_required(request):
        return redirect(f"{reverse('accounts:notice')}?{urlencode({'next': request.get_full_path()})}")
    try:
        next_url = safe_next(request, default=reverse("landing"))
        return HttpResponseRedirect(sso.start(request, p, next_url=next_url))
    except sso.SignOnRefused as refusal:
        sso.refused(request, p, refusal)
        raise PermissionDenied(str(refusal)) from refusal


@login_not_required
@require_http_methods(["GET"])
def sso_callback_view(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider's answer: sign in the matching portal account, or refuse and say why."""
    p = _provider_or_404(provider)
    try:
        signed_on = sso.finish(request, p)
    except sso.SignOnRefused as refusal:
        sso.refused(request, p, refusal)
        raise PermissionDenied(str(refusal)) from refusal
    setattr(request, SIGN_IN_DETAIL, sso.describe(signed_on))
    login(request, signed_on.user, backend=settings.AUTHENTICATION_BACKENDS[-1])
    request.session[sso.SIGNED_ON_KEY] = {
        "provider": p.slug,
        "sub": signed_on.subject,
        "amr": signed_on.amr,
        "acr": signed_on.acr,
    }
    return HttpResponseRedirect(signed_on.next_url or reverse("landing"))
