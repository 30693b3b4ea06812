"""The in-app notification list, each user's mute preferences, and the admins' operations page.

Permission, form, call, respond.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agreements import permissions
from core.http import AuthenticatedRequest

from . import selectors, services
from .forms import MuteForm
from .models import Resend
from .tasks import deliver_pending_notices


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


def _require_admin(request: HttpRequest) -> None:
    if not permissions.is_admin(request.user):
        raise PermissionDenied("The operations page is for admins.")


def operations(request: HttpRequest) -> HttpResponse:
    """Admins: each job's last run, the notices that did not go, and Resend."""
    _require_admin(request)
    page = Paginator(selectors.notices_not_sent(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/operations.html",
        {
            "jobs": selectors.job_statuses(),
            "counts": selectors.notice_counts(),
            "page": page,
            "resends": Resend.objects.select_related("requested_by", "notification")[:10],
            "retry_hours": f"{settings.NOTIFICATION_RETRY_HOURS:g}",
        },
    )


def operations_resend(request: HttpRequest) -> HttpResponse:
    """Resend one notice (`notification` in the form) or every failed one (`all`)."""
    _require_admin(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.POST.get("all"):
        count = services.notices_resend(by=request.user, via="operations page")
    else:
        try:
            pk = int(request.POST.get("notification", ""))
        except ValueError:
            return HttpResponseBadRequest("Which notice?")
        count = services.notices_resend(ids=[pk], by=request.user, via="operations page")
    if count:
        services.enqueue_on_commit(deliver_pending_notices)
    messages.success(
        request,
        f"{count} notice{'s' if count != 1 else ''} put back to send; they go out within a minute.",
    )
    return redirect("operations:page")
