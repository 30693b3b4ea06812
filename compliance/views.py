"""Compliance pages: the dashboard, its exports, the printable report and the calendar feed.

Views are thin: check permission, resolve the filters, call a selector, respond.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from activities.quarters import Quarter
from agreements.forms import AgreementPickerField
from agreements.models import Agreement
from agreements.permissions import viewer_scope, visible_agreements
from core import cache
from core.http import AuthenticatedRequest
from core.time import today

from . import exports, links, pdf, permissions, reports, selectors, services
from .calendar import calendar_for
from .forms import DashboardFilterForm
from .models import CalendarFeedToken
from .panels import Filters


def _require_manager(request: HttpRequest) -> None:
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied("The compliance dashboard is for managers.")


def _filters(request: HttpRequest) -> tuple[Filters | None, DashboardFilterForm]:
    """The filters from the querystring; an agreement or party the user cannot see is a 404."""
    visible = permissions.dashboard_agreements(request.user)
    # The form offers the visible agreements by name (slug and short name only), or past
    # PORTAL_PICKER_LIMIT a text box that reads none of them (core.pickers).
    agreements = visible.order_by(F("executed_on").desc(nulls_last=True), "short_name").only(
        "slug", "short_name"
    )
    slug = request.GET.get("agreement") or None
    agreement = selectors.dashboard_agreement(visible, slug)
    if slug and agreement is None:
        # Not a slug: the short name typed in the picker, else no agreement the manager sees.
        try:
            named = AgreementPickerField(queryset=visible).to_python(slug)
        except ValidationError:
            named = None
        agreement = selectors.dashboard_agreement(visible, cast(Agreement, named).slug) if named else None
        if agreement is None:
            raise Http404("No such agreement.")
    parties = list(agreement.parties.all()) if agreement else []
    acronym = request.GET.get("party") or None
    party = next((p for p in parties if p.acronym == acronym), None)
    if acronym and party is None:
        raise Http404("No such party on this agreement.")
    data = None
    if request.GET:
        # A query that names no day shows today, and says so in the "As of" box.
        data = request.GET.copy()
        if not data.get("as_of"):
            data["as_of"] = today().isoformat()
    form = DashboardFilterForm(
        data,
        agreements=agreements,
        parties=parties,
        shown=agreement,
        initial={"agreement": agreement.slug if agreement else None, "as_of": today()},
    )
    as_of = today()
    if form.is_bound and form.is_valid() and form.cleaned_data["as_of"]:
        as_of = form.cleaned_data["as_of"]
    if agreement is None:
        return None, form
    return Filters(agreement=agreement, as_of=as_of, party=party), form


def _export_links(filters: Filters) -> list[dict]:
    query = links.querystring(**filters.query(as_of=filters.as_of.isoformat()))
    return [
        {
            "what": what,
            "label": label,
            "formats": [
                {"fmt": fmt, "url": reverse("compliance:export", kwargs={"what": what, "fmt": fmt}) + query}
                for fmt in exports.FORMATS
            ],
        }
        for what, label in (
            ("summary", "Compliance summary"),
            ("updates", "Progress updates"),
            ("meetings", "Meetings"),
        )
    ]


def dashboard(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    # The body is kept until the records under it change (core/cache.py), per whose
    # view it is (the form lists the agreements the viewer may see), query and day: a manager's
    # dashboard is read far more often than its records change, and it was the slowest page.
    board = cache.kept(
        "dashboard",
        [viewer_scope(request.user), cache.query_key(request.GET)],
        lambda: _render_board(request),
    )
    links.remember_dashboard(request.session, request.GET.urlencode())
    return render(request, "compliance/dashboard.html", {"board": board})


@dataclass(frozen=True)
class RenderedBoard:
    """The dashboard's page body and the little the surrounding page needs to know about it."""

    title: str
    html: str
    has_charts: bool


def _render_board(request: HttpRequest) -> RenderedBoard:
    """The dashboard's body for this viewer and query."""
    filters, form = _filters(request)
    context: dict[str, Any] = {"form": form, "filters": filters}
    title = "Compliance dashboard"
    if filters is not None:
        title = f"{title}: {filters.agreement.short_name}"
        context.update(selectors.dashboard(filters).context())
        context["exports"] = _export_links(filters)
        context["report_query"] = links.querystring(**filters.query(as_of=filters.as_of.isoformat()))
        context["report_pdf_query"] = links.querystring(
            **filters.query(as_of=filters.as_of.isoformat(), format="pdf")
        )
        quarter_end = end_of_previous_quarter(filters.as_of)
        context["quarter_end"] = quarter_end
        context["quarter_end_query"] = links.querystring(**filters.query(as_of=quarter_end.isoformat()))
    html = render_to_string("compliance/_board.html", context, request=request)
    return RenderedBoard(title=title, html=mark_safe(html), has_charts=filters is not None)  # noqa: S308


def _refuse_filters(request: HttpRequest, form: DashboardFilterForm) -> HttpResponse | None:
    """A query the filter form refuses (an `as_of` of 0001-03-31, say) answers a page naming
    the problem, not a report or a file for some other day."""
    if form.is_bound and not form.is_valid():
        return render(request, "compliance/filters_refused.html", {"form": form}, status=400)
    return None


def export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    _require_manager(request)
    if what not in exports.EXPORTS or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    filters, form = _filters(request)
    if (refused := _refuse_filters(request, form)) is not None:
        return refused
    if filters is None:
        raise Http404("No agreement to export.")
    rows: Iterable[list[Any]]
    if what == "summary":
        headers, rows = exports.summary_rows(selectors.dashboard(filters))
    elif what == "updates":
        headers, rows = exports.update_rows(filters)
    else:
        headers, rows = exports.meeting_rows(filters)
    filename = exports.export_filename(what, filters, fmt)
    if fmt == "csv":
        return exports.csv_response(filename, headers, rows)
    return exports.xlsx_response(filename, what.capitalize(), headers, rows)


REPORT_FORMATS = ("html", "pdf")


def report(request: HttpRequest) -> HttpResponse:
    """The quarterly report: the dashboard as of a day, as tables, for leadership; a printable
    page, or with `format=pdf` the same content as a PDF to file (page numbers, the agreement's
    name on every page)."""
    _require_manager(request)
    fmt = request.GET.get("format") or "html"
    if fmt not in REPORT_FORMATS:
        raise Http404("No such report format.")
    filters, form = _filters(request)
    if (refused := _refuse_filters(request, form)) is not None:
        return refused
    if filters is None:
        raise Http404("No agreement to report on.")
    context = {"form": form, **reports.report_context(filters)}
    if fmt == "html":
        agreement = filters.agreement
        context["can_subscribe"] = permissions.can_subscribe_report(request.user, agreement)
        context["subscription"] = reports.report_subscription_of(request.user, agreement)
        return render(request, "compliance/report.html", context)
    body = pdf.html_to_pdf(render_to_string("compliance/report_pdf.html", context, request=request))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.export_filename("report", filters, "pdf")}"'
    )
    return response


# --- the quarterly report by e-mail ----------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def report_subscription(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Whether the user receives the agreement's quarterly report by e-mail; POST to change it.

    An agreement the user cannot see is a 404 (its existence does not leak); one they see but
    may not receive the report of (staff) is a 403. Unsubscribing is always allowed.
    """
    # Someone who lost the right to the report still finds their own subscription, to end it.
    subscribed = Agreement.objects.filter(report_subscriptions__user=request.user)
    agreement = get_object_or_404((visible_agreements(request.user) | subscribed).distinct(), slug=slug)
    subscription = reports.report_subscription_of(request.user, agreement)
    allowed = permissions.can_subscribe_report(request.user, agreement)
    if not allowed and subscription is None:
        raise PermissionDenied("Only managers of the agreement's parties receive its quarterly report.")
    context = {
        "agreement": agreement,
        "subscription": subscription,
        "can_subscribe": allowed,
        "report_query": links.querystring(agreement=agreement.slug),
    }
    if request.method != "POST":
        return render(request, "compliance/report_subscription.html", context)
    choice = request.POST.get("subscribe")
    if choice == "1":
        try:
            services.report_subscribe(acting_user=request.user, agreement=agreement)
        except services.SubscriptionRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        messages.success(
            request,
            f"You will receive the quarterly report of {agreement.short_name} as a PDF by e-mail "
            "after each quarter's end.",
        )
    elif choice == "0":
        if services.report_unsubscribe(acting_user=request.user, agreement=agreement):
            messages.success(
                request, f"You no longer receive the quarterly report of {agreement.short_name}."
            )
    else:
        context["error"] = "Choose to subscribe or to unsubscribe."
        return render(request, "compliance/report_subscription.html", context, status=400)
    return redirect(reverse("compliance:report_subscription", kwargs={"slug": agreement.slug}))


# --- the calendar feed ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def calendar_settings(request: AuthenticatedRequest) -> HttpResponse:
    """The owner's page: the private feed URL, and buttons to regenerate or revoke it."""
    if not permissions.can_have_calendar_feed(request.user):
        raise PermissionDenied("No calendar for this account.")
    feed = CalendarFeedToken.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else None
    return render(request, "compliance/calendar.html", {"feed": feed, "feed_url": feed_url})


@require_POST
def calendar_regenerate(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_have_calendar_feed(request.user):
        raise PermissionDenied("No calendar for this account.")
    services.calendar_feed_token_regenerate(acting_user=request.user)
    messages.success(request, "Your calendar has a new private address; any earlier one no longer works.")
    return redirect("compliance:calendar")


@require_POST
def calendar_revoke(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_have_calendar_feed(request.user):
        raise PermissionDenied("No calendar for this account.")
    if services.calendar_feed_token_revoke(acting_user=request.user):
        messages.success(request, "Your calendar address is revoked: calendars using it stop updating.")
    return redirect("compliance:calendar")


@login_not_required
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself; the token in the URL is the credential, so no sign-in is asked."""
    feed = CalendarFeedToken.objects.select_related("user__membership").filter(token=token).first()
    if feed is None or not feed.user.is_active or not permissions.can_have_calendar_feed(feed.user):
        raise Http404("No such calendar.")
    body = calendar_for(feed.user, request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="moa-portal.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def end_of_previous_quarter(day: datetime.date) -> datetime.date:
    return Quarter.containing(day).starts_on - datetime.timedelta(days=1)
