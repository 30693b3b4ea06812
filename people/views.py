"""User administration pages (`people:*`): admins keep their party's users and roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from agreements.permissions import ROLES, is_admin, manageable_parties, manageable_users, party_of
from core.http import AuthenticatedRequest

from .forms import UserCreateForm, UserEditForm
from .services import locked_usernames, user_create, user_unlock, user_update


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins manage users.")


def _send_invitation(request: HttpRequest, email: str) -> None:
    """E-mail the new user a link to choose their password (Django's password-reset token)."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name="people/invitation_subject.txt",
            email_template_name="people/invitation_email.txt",
        )


def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    users = (
        manageable_users(request.user)
        .select_related("membership__party")
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )
    locked = locked_usernames(usernames=(u.username for u in users))
    for u in users:
        u.is_locked_out = u.username in locked
    return render(request, "people/user_list.html", {"users": users})


def user_create_view(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    parties = manageable_parties(request.user)
    form = UserCreateForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _send_invitation(request, user.email)
            messages.success(
                request, f"Added {user.username}; a link to set a password went to {user.email}."
            )
            return redirect("people:list")
    return render(request, "people/user_form.html", {"form": form, "title": "Add a user"})


def user_edit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    user = get_object_or_404(manageable_users(request.user), pk=pk)
    parties = manageable_parties(request.user)
    party = party_of(user)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "party": party,
        "roles": [g.name for g in user.groups.filter(name__in=ROLES)],
        "is_active": user.is_active,
    }
    form = UserEditForm(request.POST or None, initial=initial, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(user=user, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved {user.username}.")
            return redirect("people:list")
    context = {
        "form": form,
        "title": f"Edit {user.username}",
        "edited_user": user,
        "is_locked_out": bool(locked_usernames(usernames=[user.username])),
    }
    return render(request, "people/user_form.html", context)


def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a django-axes lockout before its cool-off ends (POST only)."""
    _require_admin(request)
    user = get_object_or_404(manageable_users(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user_unlock(user=user)
    messages.success(request, f"Unlocked {user.username}: they can sign in again.")
    return redirect("people:edit", pk=user.pk)
