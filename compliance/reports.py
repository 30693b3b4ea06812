"""The quarterly report: its content (the page and the PDF draw the same), and which subscribers
are due one.

The report is the dashboard as of a day, with the calendar quarter of that day's updates,
meetings and events (`activities.quarters.Quarter`, as the report page has always used). A
subscriber receives the report as of each quarter's last day, after that day; which reports are
due is decided here as plain data (`core.notices.DueNotice`, its PDF drawn only when the notice
is claimed), and notifications claims and delivers them (the job is moa_portal/tasks.py: the
only layer that may import both).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from activities.quarters import Quarter, local_date
from core.notices import Attachment, DueNotice
from core.time import today

from . import exports, links, pdf, selectors
from .models import ReportSubscription
from .panels import Filters
from .permissions import can_subscribe_report


def report_context(filters: Filters) -> dict[str, Any]:
    """What the report shows, for the page, the PDF and the e-mailed PDF alike."""
    board = selectors.dashboard(filters)
    quarter = Quarter.containing(filters.as_of)
    query = filters.query(as_of=filters.as_of.isoformat())
    return {
        **board.context(),
        "quarter": quarter,
        "quarter_updates": selectors.updates_between(filters, quarter.starts_on, filters.as_of),
        "quarter_meetings": selectors.meetings_between(filters, quarter.starts_on, filters.as_of),
        "quarter_events": selectors.events_between(filters, quarter.starts_on, filters.as_of),
        "generated_on": today(),
        "dashboard_query": links.querystring(**query),
        "pdf_query": links.querystring(**query, format="pdf"),
    }


def report_pdf(filters: Filters) -> bytes:
    """The report as PDF (page numbers, the agreement's name on every page)."""
    return pdf.html_to_pdf(render_to_string("compliance/report_pdf.html", report_context(filters)))


def report_pdf_attachment(filters: Filters) -> Attachment:
    return Attachment(
        filename=exports.export_filename("report", filters, "pdf"),
        content=report_pdf(filters),
        mimetype="application/pdf",
    )


def report_subscription_of(user: Any, agreement: Any) -> ReportSubscription | None:
    """The user's subscription to the agreement's report, if any."""
    if not user.is_authenticated:
        return None
    return ReportSubscription.objects.filter(user=user, agreement=agreement).first()


def last_ended_quarter(on: datetime.date) -> Quarter:
    """The latest calendar quarter whose last day is before `on`."""
    return Quarter.containing(Quarter.containing(on).starts_on - datetime.timedelta(days=1))


def quarterly_reports_due(on: datetime.date | None = None) -> list[DueNotice]:
    """The reports due on `on`: the last ended quarter's, to each subscriber who may still read it.

    Due from the day after the quarter's last day (a run that was missed is caught up by the
    next: the occasion is the quarter, and the log sends it once), to subscriptions made by
    that last day, for agreements in force on at least one day of the quarter. A subscriber who
    lost the right to the report (`can_subscribe_report`) gets nothing.
    """
    on = on or today()
    quarter = last_ended_quarter(on)
    subscriptions = (
        ReportSubscription.objects.filter(
            agreement__executed_on__lte=quarter.ends_on,
            user__is_active=True,
        )
        .filter(Q(agreement__expires_on__isnull=True) | Q(agreement__expires_on__gt=quarter.starts_on))
        .filter(Q(agreement__terminated_on__isnull=True) | Q(agreement__terminated_on__gt=quarter.starts_on))
        .select_related("user", "agreement")
        .order_by("agreement_id", "user_id")
    )
    due: list[DueNotice] = []
    # One drawing per agreement however many subscribe to it (the claim calls each function once).
    drawings: dict[int, Callable[[], Attachment]] = {}
    for subscription in subscriptions:
        if local_date(subscription.created_at) > quarter.ends_on:
            continue
        if not can_subscribe_report(subscription.user, subscription.agreement):
            continue
        filters = Filters(agreement=subscription.agreement, as_of=quarter.ends_on)
        drawing = drawings.setdefault(subscription.agreement_id, partial(report_pdf_attachment, filters))
        due.append(
            DueNotice(
                agreement=subscription.agreement,
                occasion=f"quarterly report {quarter}",
                users=[subscription.user],
                context={"quarter": quarter, "as_of": quarter.ends_on},
                link=reverse("compliance:report")
                + links.querystring(**filters.query(as_of=quarter.ends_on.isoformat())),
                attachment=drawing,
            )
        )
    return due
