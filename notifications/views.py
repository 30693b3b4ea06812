"""The in-app notification list and each user's mute preferences. Permission, form, call, respond."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.http import AuthenticatedRequest

from . import selectors, services
from .forms import MuteForm


def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    count = services.notifications_mark_read(acting_user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")


def preferences(request: AuthenticatedRequest) -> HttpResponse:
    form = MuteForm(request.POST or None, initial={"muted": sorted(selectors.muted_kinds(request.user))})
    if request.method == "POST" and form.is_valid():
        services.mutes_set(acting_user=request.user, kinds=form.cleaned_data["muted"])
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
