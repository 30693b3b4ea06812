"""Paging, throttling and filtering as the API does them.

Cursor pagination: a page link stays right while records are added (progress updates are
logged all day), and deep pages cost no OFFSET scan. Throttle rates are read from the settings
at each request (`API_THROTTLE_RATES`), so an operator's change needs no code. The list
filters are the pages' own FilterSets, given the agreements the user sees, as the pages do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from agreements.permissions import visible_agreements


class NewestFirstCursor(CursorPagination):
    """Pages of 25 (up to 100 with `page_size`), newest record first, stable under inserts."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"


class OldestFirstCursor(NewestFirstCursor):
    """For the agreement's own records (clauses, commitments, contacts): in the order they were made."""

    ordering = "pk"


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope or "")


class AnonymousThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope or "")


class VisibleFilterBackend(DjangoFilterBackend):
    """The list pages' FilterSets, whose agreement (and party) choices are the user's visible ones."""

    def get_filterset_kwargs(self, request: Request, queryset: QuerySet, view: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if getattr(view, "filterset_takes_agreements", True):
            kwargs["agreements"] = visible_agreements(request.user)
        return kwargs
