"""Filters of the API's lists that have no list page of their own (clauses, milestones,
contacts, notifications), built like the pages' (`activities.filters`): `agreement=<slug>`
chooses among the agreements the user sees, `party=<acronym>` among their parties."""

from __future__ import annotations

from typing import cast

import django_filters as filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from activities.filters import AgreementFilter, CommitmentFilter, PartyFilter, VisibleFilterSet
from activities.models import Milestone, MilestoneQuerySet
from agreements.models import Section
from contacts.models import PointOfContact
from notifications.models import Notification


@extend_schema_field(OpenApiTypes.STR)
class LeadPartyFilter(PartyFilter):
    """The commitment list's `party` (a party's acronym), which the schema cannot guess: it
    filters through a method (`led_by`), not a field."""


class CommitmentApiFilter(CommitmentFilter):
    """The Commitments page's filters, unchanged; only `party` is described for the schema."""

    party = LeadPartyFilter(
        label="Lead party", method="filter_party", help_text="Commitments it leads or co-leads."
    )


class ClauseFilter(VisibleFilterSet):
    agreement = AgreementFilter(field_name="agreement")

    class Meta:
        model = Section
        fields: list[str] = []


class MilestoneFilter(VisibleFilterSet):
    agreement = AgreementFilter(field_name="commitment__agreement")
    commitment = filters.NumberFilter(field_name="commitment_id", min_value=1, max_value=2**62)
    open = filters.BooleanFilter(method="filter_open", label="Neither completed nor cancelled")

    class Meta:
        model = Milestone
        fields: list[str] = []

    def filter_open(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return (
            cast(MilestoneQuerySet, qs).open()
            if value
            else qs.exclude(pk__in=Milestone.objects.open().values("pk"))
        )


class ContactFilter(VisibleFilterSet):
    """As the contacts page: `agreement=<slug>` and `party=<acronym>`."""

    agreement = AgreementFilter(field_name="agreement")
    party = PartyFilter(field_name="party")
    active = filters.BooleanFilter(method="filter_active", label="In office today")

    class Meta:
        model = PointOfContact
        fields: list[str] = []

    def filter_active(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        active = PointOfContact.objects.active().values("pk")
        return qs.filter(pk__in=active) if value else qs.exclude(pk__in=active)


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread only")

    class Meta:
        model = Notification
        fields: list[str] = []
