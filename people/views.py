"""User administration pages (`people:*`): admins keep their party's users and roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_http_methods

from agreements import permissions
from agreements.permissions import ROLES, is_admin, manageable_parties, manageable_users
from core import sorting
from core.http import AuthenticatedRequest

from . import selectors
from .forms import UserCreateForm, UserEditForm
from .services import (
    APPROVE,
    CONFIRM,
    EmailChange,
    EmailChangeLinkInvalid,
    UserEditConflict,
    email_change_approve,
    email_change_confirm,
    email_change_read,
    email_change_request,
    locked_usernames,
    user_create,
    user_unlock,
    user_update,
    user_version,
)


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins manage users.")


def _mail(to: str, template: str, context: dict) -> None:
    subject = render_to_string(f"people/{template}_subject.txt", context).strip()
    body = render_to_string(f"people/{template}_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _send_invitation(request: HttpRequest, user) -> None:
    """E-mail the new user a link to choose their password (Django's password-reset token).

    The link is made for this user, never looked up by address: an address another account
    also had would otherwise mail that account's reset link to whoever was just invited.
    """
    context = {
        "email": user.email,
        "domain": request.get_host(),
        "site_name": request.get_host(),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if request.is_secure() else "http",
    }
    _mail(user.email, "invitation", context)


def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    sort = sorting.read(request.GET.get(sorting.PARAM), selectors.SORT_COLUMNS)
    users = selectors.user_list_for(manageable_users(request.user), sort=sort)
    locked = locked_usernames(usernames=(u.username for u in users))
    editable = set(permissions.editable_users(request.user).values_list("pk", flat=True))
    for u in users:
        u.is_locked_out = u.username in locked
        u.is_editable = u.pk in editable
    context = {"users": users, "sort": sorting.links(selectors.SORT_COLUMNS, sort, request.GET)}
    return render(request, "people/user_list.html", context)


def user_create_view(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    parties = manageable_parties(request.user)
    form = UserCreateForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(**form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            _send_invitation(request, user)
            messages.success(
                request, f"Added {user.username}; a link to set a password went to {user.email}."
            )
            return redirect("people:list")
    return render(request, "people/user_form.html", {"form": form, "title": "Add a user"})


def _link(request: HttpRequest, name: str, token: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"token": token}))


def _send_email_change_mail(request: HttpRequest, change: EmailChange) -> None:
    """The approval link to the old address, or the confirmation link to the new one."""
    context = {"change": change, "username": change.user.get_username()}
    if change.step == APPROVE:
        context["link"] = _link(request, "people:email_change_approve", change.token(APPROVE))
        _mail(change.old_email, "email_change_approve", context)
    else:
        context["link"] = _link(request, "people:email_change_confirm", change.token(CONFIRM))
        _mail(change.new_email, "email_change_confirm", context)


def user_edit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    editable = permissions.editable_users(request.user)
    protected = not editable.filter(pk=pk).exists()
    if protected and permissions.manageable_users(request.user).filter(pk=pk).exists():
        raise PermissionDenied("Only a technical admin edits a superuser or Django-staff account.")
    user = get_object_or_404(editable, pk=pk)
    parties = permissions.manageable_parties(request.user)
    party = permissions.party_of(user)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "party": party,
        "roles": [g.name for g in user.groups.filter(name__in=ROLES)],
        "is_active": user.is_active,
        "version": user_version(user=user),
    }
    form = UserEditForm(request.POST or None, initial=initial, parties=parties)
    conflict: UserEditConflict | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        new_email = data.pop("email")
        expected_version = data.pop("version")
        change = None
        try:
            if new_email.lower() != (user.email or "").lower():
                if not permissions.can_change_email_of(request.user, user):
                    raise ValidationError(
                        {"email": "Only the admin themselves or a technical admin changes an admin's e-mail."}
                    )
                change = email_change_request(user=user, new_email=new_email, requested_by=request.user)
            user_update(user=user, acting_user=request.user, expected_version=expected_version, **data)
        except UserEditConflict as error:
            # The user's entries again, now against the current version: saving again is a
            # deliberate choice made after seeing what changed. Nothing was mailed.
            conflict = error
            posted = request.POST.copy()
            posted["version"] = user_version(user=error.user)
            form = UserEditForm(posted, initial=initial, parties=parties)
            form.is_valid()
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved {user.username}.")
            if change is not None:
                _send_email_change_mail(request, change)
                messages.info(
                    request,
                    f"The e-mail address stays {change.old_email or '(none)'} until the change is approved "
                    f"from that address and confirmed from {change.new_email}; a link went out."
                    if change.step == APPROVE
                    else f"The e-mail address changes once {change.new_email} confirms it; a link went out.",
                )
            return redirect("people:list")
    yours = _entered(form)
    context = {
        "form": form,
        "title": f"Edit {user.username}",
        "edited_user": user,
        "is_locked_out": bool(locked_usernames(usernames=[user.username])),
        "conflict": conflict,
        "conflict_what": "account",
        "conflict_rows": [(ch, yours.get(ch.field)) for ch in conflict.changes] if conflict else [],
        "show_yours": True,
    }
    return render(request, "people/user_form.html", context, status=409 if conflict else 200)


def _entered(form: UserEditForm) -> dict[str, str]:
    """What the admin entered, shown as the conflict table shows the account's values."""
    data = getattr(form, "cleaned_data", {})
    shown = {name: str(data.get(name) or "") for name in ("first_name", "last_name", "email", "party")}
    shown["roles"] = ", ".join(sorted(data.get("roles") or []))
    shown["is_active"] = "Yes" if data.get("is_active") else "No"
    return shown


def locked_list(request: HttpRequest) -> HttpResponse:
    """Every locked account, of any party: an admin of any party or a technical admin unlocks."""
    if not permissions.can_unlock_accounts(request.user):
        raise PermissionDenied("Only admins unlock accounts.")
    users = get_user_model().objects.select_related("membership__party").order_by("username")
    locked = locked_usernames(usernames=users.values_list("username", flat=True))
    return render(request, "people/locked_list.html", {"users": users.filter(username__in=locked)})


def user_unlock_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Lift a django-axes lockout before its cool-off ends (POST only)."""
    if not permissions.can_unlock_accounts(request.user):
        raise PermissionDenied("Only admins unlock accounts.")
    user = get_object_or_404(get_user_model(), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user_unlock(user=user, by=request.user)
    messages.success(request, f"Unlocked {user.username}: they can sign in again.")
    if permissions.editable_users(request.user).filter(pk=user.pk).exists():
        return redirect("people:edit", pk=user.pk)
    return redirect("people:locked")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_approve_view(request: HttpRequest, token: str) -> HttpResponse:
    """Step one, from the link mailed to the current address: approve (POST), then the new
    address gets its confirmation link. GET only shows the question, so a mail scanner that
    opens links approves nothing."""
    return _email_change_step(request, token, APPROVE)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """Step two, from the link mailed to the new address: confirm (POST) and the change applies."""
    return _email_change_step(request, token, CONFIRM)


def _email_change_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    try:
        change = email_change_read(token, step)
        if request.method == "POST":
            if step == APPROVE:
                _send_email_change_mail(request, email_change_approve(token))
                return render(request, "people/email_change_done.html", {"change": change, "step": step})
            change = email_change_confirm(token)
            context = {"change": change, "username": change.user.get_username()}
            for address in (change.old_email, change.new_email):
                if address:
                    _mail(address, "email_changed", context)
            return render(request, "people/email_change_done.html", {"change": change, "step": step})
    except (EmailChangeLinkInvalid, ValidationError):
        return render(request, "people/email_change_invalid.html", status=400)
    return render(request, "people/email_change_step.html", {"change": change, "step": step})
