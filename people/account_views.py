"""The sign-in pages around the password form (`accounts:*`): the system-use notice, the second
factor (TOTP and recovery codes) and single sign-on by OpenID Connect."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import notice


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The `next` the request names if it stays on this site, else `default` (or the sign-in page)."""
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
        return redirect(safe_next(request))
    if request.method == "POST":
        notice.notice_accept(request)
        return redirect(safe_next(request))
    return render(
        request,
        "registration/system_use_notice.html",
        {"paragraphs": notice.notice_paragraphs(), "next": safe_next(request)},
    )
