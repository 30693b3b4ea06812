"""A party's webhook subscriptions: list, add, edit, pause, rotate the secret, delete, test.

Permission, form, call, respond. Only admins reach these pages (403 for others); an admin
finds only their own party's subscriptions (404 for another party's), a superuser every one.
A new secret is shown on the answer that made it (201), once, never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from agreements.models import Party
from core.http import AuthenticatedRequest

from . import permissions, selectors, services
from .forms import WebhookForm
from .models import Notification, WebhookSubscription


def _require_admin(request: AuthenticatedRequest) -> None:
    if not permissions.can_keep_webhooks(request.user):
        raise PermissionDenied("Webhooks are kept by the admins of a party.")


def _subscription(request: AuthenticatedRequest, pk: int) -> WebhookSubscription:
    _require_admin(request)
    return get_object_or_404(selectors.webhook_subscriptions_for(request.user), pk=pk)


def _add_errors(form: WebhookForm, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _secret_page(
    request: AuthenticatedRequest, subscription: WebhookSubscription, secret: str, *, new: bool
) -> HttpResponse:
    response = render(
        request,
        "notifications/webhooks/secret.html",
        {"subscription": subscription, "secret": secret, "new": new},
        status=201,
    )
    add_never_cache_headers(response)  # the secret is on this answer once
    return response


def webhook_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_admin(request)
    subscriptions = list(selectors.webhook_subscriptions_for(request.user))
    return render(request, "notifications/webhooks/list.html", {"subscriptions": subscriptions})


def webhook_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_admin(request)
    parties: QuerySet[Party] = permissions.webhook_parties(request.user)
    if not parties.exists():
        raise PermissionDenied("You work for no party, so there is no party to keep webhooks for.")
    single = parties.first() if parties.count() == 1 else None
    form = WebhookForm(request.POST or None, parties=None if single else parties)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = services.webhook_create(
                acting_user=request.user,
                party=single or data["party"],
                name=data["name"],
                url=data["url"],
                events=data["events"],
                format=data["format"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _secret_page(request, subscription, secret, new=True)
    return render(request, "notifications/webhooks/form.html", {"form": form, "subscription": None})


def webhook_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    initial = {
        "name": subscription.name,
        "url": subscription.url,
        "events": subscription.events,
        "format": subscription.format,
        "version": subscription.version,
    }
    form = WebhookForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.webhook_edit(
                acting_user=request.user,
                subscription=subscription,
                expected_version=data["version"],
                name=data["name"],
                url=data["url"],
                events=data["events"],
                format=data["format"],
            )
        except services.WebhookEditConflict as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"“{data['name']}” is saved.")
            return redirect("webhooks:list")
    context = {
        "form": form,
        "subscription": subscription,
        "deliveries": selectors.webhook_recent_deliveries(subscription),
    }
    return render(request, "notifications/webhooks/form.html", context, status=status)


@require_POST
def webhook_pause(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Pause an active subscription, or resume a paused one (`active` in the form: 1 or 0)."""
    subscription = _subscription(request, pk)
    active = request.POST.get("active") == "1"
    services.webhook_set_active(acting_user=request.user, subscription=subscription, active=active)
    messages.success(request, f"“{subscription.name}” is {'active' if active else 'paused'}.")
    return redirect("webhooks:list")


@require_POST
def webhook_rotate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    secret = services.webhook_secret_rotate(acting_user=request.user, subscription=subscription)
    return _secret_page(request, subscription, secret, new=False)


def webhook_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    if request.method == "POST":
        services.webhook_delete(acting_user=request.user, subscription=subscription)
        messages.success(request, f"“{subscription.name}” is deleted; nothing more is sent to it.")
        return redirect("webhooks:list")
    return render(request, "notifications/webhooks/delete.html", {"subscription": subscription})


@require_POST
def webhook_test(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send a test event now and say how the receiver answered."""
    subscription = _subscription(request, pk)
    delivery = services.webhook_test_send(acting_user=request.user, subscription=subscription)
    if delivery.status == Notification.Status.SENT:
        messages.success(request, f"The test event reached “{subscription.name}”.")
    else:
        messages.error(
            request,
            f"The test event did not reach “{subscription.name}”: {delivery.last_error[:300]} "
            "It is tried again like any delivery (see Operations).",
        )
    return redirect("webhooks:edit", pk=subscription.pk)
