"""The pages of the API: each user's personal access tokens, and the API's documentation.

Permission, form, call, respond. Any signed-in user keeps their own tokens: a token can do
no more than its user (and a read-only one less), so no role is needed to make one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from core.http import AuthenticatedRequest

from . import services
from .forms import AccessTokenForm, default_expiry
from .models import AccessToken


def token_list(request: AuthenticatedRequest) -> HttpResponse:
    """Your tokens, and the form that makes one; a new token is shown on this answer only."""
    form = AccessTokenForm(request.POST or None, initial={"expires_on": default_expiry()})
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = services.access_token_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form = AccessTokenForm(initial={"expires_on": default_expiry()})
    context = {
        "form": form,
        "new": new,
        "tokens": AccessToken.objects.filter(user=request.user),
        "api_root": request.build_absolute_uri(reverse("api:agreement-list")),
    }
    response = render(request, "api/tokens.html", context, status=201 if new else 200)
    # The new token is on this page once: no cache, no back-button copy.
    add_never_cache_headers(response)
    return response


@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(AccessToken, pk=pk, user=request.user)
    if token.is_revoked:
        messages.info(request, f"“{token.name}” was already revoked.")
    else:
        services.access_token_revoke(acting_user=request.user, token=token)
        messages.success(request, f"“{token.name}” is revoked: it is refused from now on.")
    return redirect("tokens:list")


def api_docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI over the schema, from static files (no CDN; its start-up script is a file too)."""
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})
