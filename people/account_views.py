"""The sign-in pages around the password form (`accounts:*`): the system-use notice, the second
factor (TOTP, passkeys and recovery codes) and single sign-on by OpenID Connect."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from agreements.signals import SIGN_IN_DETAIL, account_event
from core.http import AuthenticatedRequest

from . import mfa, notice, passkeys, sso
from . import signin as people_signin
from .forms import (
    AddAppForm,
    AppCodeForm,
    CurrentFactorForm,
    PasskeyAddForm,
    PasskeyAnswerForm,
    SignInCodeForm,
)


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


THROTTLED = "Too many failed sign-ins from your network address. Wait {minutes} minutes and try again."


def _pending_user(data: dict) -> Any:
    return get_user_model().objects.filter(pk=data["user"], is_active=True).first()


def _verify_page(
    request: HttpRequest,
    user: Any,
    *,
    form: SignInCodeForm | None = None,
    passkey_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The second step: a passkey button for an account with one, a code for an account with
    an app or recovery codes (without a script, a passkey cannot be used: the page says so)."""
    has_passkey = user is not None and mfa.has_passkey(user)
    has_codes = user is not None and (
        mfa.confirmed_app(user) is not None or mfa.recovery_codes_left(user) > 0
    )
    return render(
        request,
        "registration/mfa_verify.html",
        {
            "form": form or SignInCodeForm(),
            "has_passkey": has_passkey,
            "has_codes": has_codes or not has_passkey,
            "passkey_form": PasskeyAnswerForm(),
            "passkey_error": passkey_error,
        },
        status=status,
    )


def _second_factor_passed(request: HttpRequest, data: dict, user: Any, how: str) -> HttpResponse:
    request.session.pop(mfa.PENDING_KEY, None)
    setattr(request, SIGN_IN_DETAIL, f"with a password and {how}")
    login(request, user, backend=data["backend"] or None)
    return HttpResponseRedirect(data["next"] or reverse("landing"))


def _second_factor_failed(request: HttpRequest, data: dict, user: Any, kind: str) -> bool:
    """Count a wrong answer against the address and the pending sign-in, on the audit trail;
    True when the pending sign-in is used up (the password must be given again)."""
    people_signin.sign_in_failed_from(request)
    account_event.send(
        sender=_second_factor_failed,
        kind=kind,
        user=user,
        username=user.get_username() if user else "",
        request=request,
    )
    return mfa.pending_failed(request, data)


@login_not_required
@require_http_methods(["GET", "POST"])
def mfa_verify_view(request: HttpRequest) -> HttpResponse:
    """The second step of a password sign-in for an account with a second factor."""
    data = mfa.pending(request)
    if data is None:
        messages.info(request, "Please sign in with your username and password first.")
        return redirect("login")
    user = _pending_user(data)
    form = SignInCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if people_signin.sign_in_address_throttled(request):
            form.add_error(None, THROTTLED.format(minutes=settings.SIGN_IN_ADDRESS_WINDOW_MINUTES))
            status = 429
        else:
            how = (
                mfa.code_matches(user=user, code=form.cleaned_data["code"], request=request) if user else None
            )
            if user is not None and how is not None:
                response = _second_factor_passed(request, data, user, how)
                if how == "recovery code":
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; {mfa.recovery_codes_left(user)} are left. "
                        "Renew them from Sign-in security if you are running low.",
                    )
                return response
            if _second_factor_failed(request, data, user, "mfa_code_refused"):
                messages.error(request, "Too many wrong codes. Please sign in again.")
                return redirect("login")
            form.add_error("code", "That code is not right. Enter the code your app shows now.")
    return _verify_page(request, user, form=form, status=status)


@login_not_required
@require_http_methods(["POST"])
def mfa_verify_passkey_options_view(request: HttpRequest) -> JsonResponse:
    """The options for the browser to sign the pending sign-in with a passkey (passkey.js)."""
    data = mfa.pending(request)
    user = _pending_user(data) if data is not None else None
    if user is None or not mfa.has_passkey(user):
        return JsonResponse({"detail": "Please sign in with your username and password first."}, status=400)
    return JsonResponse(passkeys.sign_in_options(request, user=user))


@login_not_required
@require_http_methods(["POST"])
def mfa_verify_passkey_view(request: HttpRequest) -> HttpResponse:
    """The second step answered by a passkey: its signature over this session's challenge."""
    data = mfa.pending(request)
    if data is None:
        messages.info(request, "Please sign in with your username and password first.")
        return redirect("login")
    user = _pending_user(data)
    if people_signin.sign_in_address_throttled(request):
        minutes = settings.SIGN_IN_ADDRESS_WINDOW_MINUTES
        return _verify_page(request, user, passkey_error=THROTTLED.format(minutes=minutes), status=429)
    form = PasskeyAnswerForm(request.POST)
    answer = form.cleaned_data["credential"] if form.is_valid() else ""
    try:
        if user is None:
            raise passkeys.PasskeyRefused("Please sign in with your username and password first.")
        passkey = passkeys.passkey_matches(request=request, user=user, credential=answer)
    except passkeys.PasskeyRefused as refusal:
        if _second_factor_failed(request, data, user, "passkey_refused"):
            messages.error(request, "Too many refused answers. Please sign in again.")
            return redirect("login")
        return _verify_page(request, user, passkey_error=str(refusal))
    return _second_factor_passed(request, data, user, f"the passkey “{passkey.name}”")


def _overview(request: AuthenticatedRequest, *, passkey_form: PasskeyAddForm | None = None) -> HttpResponse:
    user = request.user
    return render(
        request,
        "registration/mfa_overview.html",
        {
            "app": mfa.confirmed_app(user),
            "passkeys": list(passkeys.passkeys_of(user)),
            "recovery_left": mfa.recovery_codes_left(user),
            "required": mfa.second_factor_required(user),
            "app_is_last": mfa.would_leave_no_factor(user, app=True),
            "passkey_form": passkey_form or PasskeyAddForm(),
            # Two forms ask the same proof on this page: the same names, ids of their own.
            "add_proof_form": CurrentFactorForm(user=user, request=request, auto_id="add-%s"),
            "renew_proof_form": CurrentFactorForm(user=user, request=request, auto_id="renew-%s"),
        },
    )


@require_http_methods(["GET"])
def mfa_overview_view(request: AuthenticatedRequest) -> HttpResponse:
    """Sign-in security: the authenticator app, the passkeys, and the recovery codes left."""
    return _overview(request)


@require_http_methods(["POST"])
def mfa_passkey_options_view(request: AuthenticatedRequest) -> JsonResponse:
    """The options for the browser to create a passkey (static/js/passkey.js asks for them, with
    the add form's fields): only after proof of a current factor, if the account has one. The
    challenge they carry is the only way to the add step, so the proof is asked here, once, and
    before the browser makes a passkey that would not be kept."""
    proof = CurrentFactorForm(request.POST, user=request.user, request=request)
    if not proof.is_valid():
        return JsonResponse({"detail": proof.refusal()}, status=400)
    return JsonResponse(passkeys.registration_options(request, user=request.user))


@require_http_methods(["POST"])
def mfa_passkey_add_view(request: AuthenticatedRequest) -> HttpResponse:
    """Register the passkey the browser created, under the name the user gave it."""
    form = PasskeyAddForm(request.POST)
    if form.is_valid():
        try:
            added = passkeys.passkey_add(
                request=request,
                acting_user=request.user,
                name=form.cleaned_data["name"],
                credential=form.cleaned_data["credential"],
            )
        except passkeys.PasskeyRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            request.session.pop(mfa.ENROL_REQUIRED_KEY, None)
            messages.success(request, f"The passkey “{added.passkey.name}” is added: sign-ins can use it.")
            if added.recovery_codes:
                request.session[RECOVERY_CODES_SHOWN_KEY] = added.recovery_codes
                return redirect("accounts:mfa_recovery_codes")
            return redirect("accounts:mfa")
    return _overview(request, passkey_form=form)


@require_http_methods(["GET", "POST"])
def mfa_passkey_remove_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask (with proof of a current factor), then remove one of the user's own passkeys
    (someone else's is not found)."""
    passkey = get_object_or_404(passkeys.passkeys_of(request.user), pk=pk)
    data = request.POST if request.method == "POST" else None
    form = CurrentFactorForm(data, user=request.user, request=request)
    if form.is_bound and form.is_valid():
        try:
            passkeys.passkey_remove(request=request, acting_user=request.user, passkey=passkey)
        except passkeys.PasskeyRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"The passkey “{passkey.name}” was removed.")
        return redirect("accounts:mfa")
    return render(
        request,
        "registration/mfa_passkey_remove.html",
        {
            "passkey": passkey,
            "form": form,
            "is_last": mfa.would_leave_no_factor(request.user, passkey_id=passkey.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def mfa_app_view(request: AuthenticatedRequest) -> HttpResponse:
    """Add (or replace) the authenticator app: scan the secret, prove it with a code."""
    form = AddAppForm(request.POST or None)
    current = mfa.confirmed_app(request.user)
    # Without an app, an account with passkeys proves its password (people.mfa.proof_asked).
    proof = (
        CurrentFactorForm(request.POST or None, user=request.user, request=request)
        if current is None
        else None
    )
    # A session alone (a borrowed desk, a stolen cookie) must not swap the app for another.
    if request.method == "POST" and form.is_valid() and current is not None:
        current_code = form.cleaned_data["current_code"].strip()
        if not current_code:
            form.add_error("current_code", "Enter the code your current app shows now.")
        elif not current.verify_token(current_code):
            form.add_error("current_code", "That code is not right: enter the code your current app shows.")
    if request.method == "POST" and form.is_valid() and proof is not None and not proof.is_valid():
        form.add_error(None, proof.refusal())
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
            "proof_form": proof,
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
    """New recovery codes, for a user who proves a current factor: the app's code, or the
    password of an account with only passkeys."""
    if not mfa.has_second_factor(request.user):
        messages.error(request, "Add an authenticator app or a passkey first.")
        return redirect("accounts:mfa")
    form = CurrentFactorForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        messages.error(request, f"{form.refusal()} The recovery codes were not renewed.")
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
    if mfa.would_leave_no_factor(request.user, app=True):
        messages.error(request, "Admins must keep a second factor: add a passkey before removing the app.")
        return redirect("accounts:mfa")
    if not form.is_valid() or not app.verify_token(form.cleaned_data["code"].strip()):
        messages.error(request, "That code is not right: the authenticator app was not removed.")
        return redirect("accounts:mfa")
    mfa.second_factor_remove(acting_user=request.user, request=request)
    if mfa.has_passkey(request.user):
        messages.success(request, "The authenticator app was removed; your passkeys and recovery codes stay.")
    else:
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
