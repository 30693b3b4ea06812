"""Reads over django-simple-history's tables: the audit trail as pages show it.

Every audited model has a historical table with one row per create, change and deletion,
the user who made it (HistoryRequestMiddleware) and when. This module turns those rows into
entries that say who changed which fields from what to what, scoped to what the reader may
see: records of agreements visible to them, and users of the parties they manage.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator

from activities.models import Evidence, FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from agreements.models import (
    Agreement,
    Authority,
    Commitment,
    Modification,
    ModificationExecution,
    Party,
    PartyMembership,
    Section,
    Signatory,
    TerminationNotice,
    TerminationRight,
)
from agreements.obligations import Obligation
from agreements.permissions import User, manageable_parties, manageable_users, visible_agreements
from contacts.models import PointOfContact
from core.sorting import Column

from .models import AccountEvent

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
# Fields never shown as changes: bookkeeping, not the record's content.
HIDDEN_FIELDS = {"version", "password", "last_login"}
# Long texts (a clause, a narrative) are cut in the log; the record's own page has them whole.
VALUE_CHARS = 300


#: A row of a historical table. django-simple-history builds these models at run time, and has
#: no type stubs: the checker cannot know their fields (history_date, history_user, …).
HistoricalRecord = Any


def history_manager(model_or_instance: Any) -> Any:
    """simple-history's `history` manager of an audited model or record (untyped, see above)."""
    return model_or_instance.history


@dataclass(frozen=True)
class AuditedModel:
    """One audited model: its key in URLs, its label, and how its rows belong to agreements."""

    key: str
    label: str
    model: type[models.Model]
    # Q over the historical table for rows of the given agreements (a subquery of ids).
    in_agreements: Callable[[models.QuerySet], Q]

    @property
    def history_model(self) -> Any:
        return history_manager(self.model).model


def _commitments_of(agreements: models.QuerySet) -> models.QuerySet:
    return Commitment.objects.filter(agreement__in=agreements).values("pk")


def _meetings_of(agreements: models.QuerySet) -> models.QuerySet:
    return Meeting.objects.filter(agreement__in=agreements).values("pk")


def _no_agreement(agreements: models.QuerySet) -> Q:
    return Q(pk__in=[])


AUDITED: list[AuditedModel] = [
    AuditedModel("agreement", "Agreement", Agreement, lambda a: Q(id__in=a.values("pk"))),
    AuditedModel("contact", "Point of contact", PointOfContact, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel("signatory", "Signatory", Signatory, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel("commitment", "Commitment", Commitment, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel(
        "progress-update",
        "Progress update",
        ProgressUpdate,
        lambda a: Q(commitment_id__in=_commitments_of(a)),
    ),
    AuditedModel("milestone", "Milestone", Milestone, lambda a: Q(commitment_id__in=_commitments_of(a))),
    AuditedModel("meeting", "Meeting", Meeting, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel(
        "follow-up", "Follow-up action", FollowUpAction, lambda a: Q(meeting_id__in=_meetings_of(a))
    ),
    AuditedModel("event", "Outreach event", OutreachEvent, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel(
        "evidence",
        "Evidence",
        Evidence,
        lambda a: (
            Q(progress_update_id__in=ProgressUpdate.objects.filter(commitment__agreement__in=a).values("pk"))
            | Q(meeting_id__in=_meetings_of(a))
            | Q(outreach_event_id__in=OutreachEvent.objects.filter(agreement__in=a).values("pk"))
        ),
    ),
    AuditedModel("modification", "Modification", Modification, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel(
        "modification-execution",
        "Modification execution",
        ModificationExecution,
        lambda a: Q(modification_id__in=Modification.objects.filter(agreement__in=a).values("pk")),
    ),
    AuditedModel(
        "termination-notice",
        "Termination notice",
        TerminationNotice,
        lambda a: Q(agreement_id__in=a.values("pk")),
    ),
    AuditedModel(
        "termination-rule", "Termination rule", TerminationRight, lambda a: Q(agreement_id__in=a.values("pk"))
    ),
    AuditedModel("clause", "Clause", Section, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel(
        "obligation", "Recurring obligation", Obligation, lambda a: Q(agreement_id__in=a.values("pk"))
    ),
    AuditedModel("authority", "Authority", Authority, lambda a: Q(agreement_id__in=a.values("pk"))),
    AuditedModel(
        "party", "Party", Party, lambda a: Q(id__in=Party.objects.filter(agreements__in=a).values("pk"))
    ),
    AuditedModel("user", "User", get_user_model(), _no_agreement),
    AuditedModel("membership", "Party membership", PartyMembership, _no_agreement),
    AuditedModel("account-event", "Sign-in and lockout", AccountEvent, _no_agreement),
    # notifications is a sibling layer that audit may not import: its model is named by label, as
    # a ForeignKey names another app's model. A party's subscriptions belong to no agreement.
    AuditedModel(
        "webhook",
        "Webhook subscription",
        apps.get_model("notifications", "WebhookSubscription"),
        _no_agreement,
    ),
]
AUDITED_BY_KEY: dict[str, AuditedModel] = {a.key: a for a in AUDITED}
AUDITED_BY_MODEL: dict[type[models.Model], AuditedModel] = {a.model: a for a in AUDITED}


def audited_model_for(instance: models.Model) -> AuditedModel:
    return AUDITED_BY_MODEL[type(instance)._meta.concrete_model or type(instance)]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    """One historical row as people read it: who did what to which record, when, field by field."""

    audited: AuditedModel
    object_id: int
    object_repr: str
    when: datetime.datetime
    who: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def model_label(self) -> str:
        return self.audited.label

    @property
    def model_key(self) -> str:
        return self.audited.key


def _scope(audited: AuditedModel, user: User, agreements: models.QuerySet | None) -> Q:
    """Rows the reader may see: of agreements visible to them, or users of parties they manage.

    `agreements` narrows the log to some agreements; user and membership rows have none.
    """
    if audited.key in ("user", "membership", "account-event"):
        if agreements is not None:
            return Q(pk__in=[])
        if audited.key == "account-event" and user.is_superuser:
            return Q()  # a technical admin also sees attempts on usernames nobody has
        users = manageable_users(user).values("pk")
        return Q(id__in=users) if audited.key == "user" else Q(user_id__in=users)
    if audited.key == "webhook":  # a party's, kept by its admins (notifications.permissions)
        if agreements is not None:
            return Q(pk__in=[])
        return Q(party_id__in=manageable_parties(user).values("pk"))
    visible = visible_agreements(user)
    if agreements is not None:
        visible = visible.filter(pk__in=agreements.values("pk"))
    return audited.in_agreements(visible)


def _display(record: HistoricalRecord, field_name: str, value) -> str:
    """A field's value as a reader understands it: choice labels, related records by name."""
    if value is None or value == "":
        return "—"
    try:
        model_field = record._meta.get_field(field_name)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(value, list):
        if model_field is not None and isinstance(model_field, models.JSONField):
            # A list of values (an event's audiences, as vocabulary keys), not linked records.
            return Truncator(", ".join(str(v) for v in value)).chars(VALUE_CHARS) or "—"
        return _display_m2m(record, field_name, value)  # many-to-many: the through rows, as dicts of ids
    if model_field is None:
        return str(value)
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field is not None and isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (removed)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return Truncator(str(value)).chars(VALUE_CHARS)


def _display_m2m(record: HistoricalRecord, field_name: str, rows: list[dict]) -> str:
    """A many-to-many value (a user's roles, an agreement's parties) as the names it links to."""
    target = record.instance_type._meta.get_field(field_name).related_model
    key = target._meta.model_name
    ids = [row.get(key) for row in rows if row.get(key) is not None]
    if not ids:
        return "—"
    return ", ".join(sorted(str(obj) for obj in target._default_manager.filter(pk__in=ids)))


def _verbose(record: HistoricalRecord, field_name: str) -> str:
    try:
        return str(record.instance_type._meta.get_field(field_name).verbose_name)
    except FieldDoesNotExist:
        return field_name.replace("_", " ")


def changes_of(record: HistoricalRecord) -> list[FieldChange]:
    """The fields this historical row changed, old → new; for a creation, the values it started with."""
    if record.history_type == "+":
        created = []
        for model_field in record.instance_type._meta.fields:
            if model_field.name in HIDDEN_FIELDS or model_field.primary_key:
                continue
            if not hasattr(record, model_field.attname):  # kept off the history (a webhook's secret)
                continue
            value = getattr(record, model_field.attname)
            if value not in (None, ""):
                created.append(
                    FieldChange(str(model_field.verbose_name), "—", _display(record, model_field.name, value))
                )
        return created
    previous = record.prev_record
    if previous is None:
        return []
    names = {f.name for f in record.instance_type._meta.fields}
    delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS & names)
    return [
        FieldChange(
            _verbose(record, change.field),
            _display(record, change.field, change.old),
            _display(record, change.field, change.new),
        )
        for change in delta.changes
    ]


def _entry(audited: AuditedModel, record: HistoricalRecord) -> AuditEntry:
    who = record.history_user
    return AuditEntry(
        audited=audited,
        object_id=record.id,
        object_repr=_object_repr(record),
        when=record.history_date,
        who=(who.get_full_name() or who.get_username()) if who else "System",
        action=ACTIONS.get(record.history_type, record.history_type),
        changes=changes_of(record),
    )


def _object_repr(record: HistoricalRecord) -> str:
    try:
        return str(record.instance)
    except ObjectDoesNotExist:  # a record whose related rows are gone still shows its id
        return f"#{record.id}"


@dataclass
class AuditFilters:
    model: str = ""
    user: str = ""
    agreement: Agreement | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    #: `when` (oldest first) or `-when` (newest first, the trail's own order).
    sort: str | None = None


#: The trail's sortable column (core/sorting.py). Only the time: the trail merges the rows of
#: every audited model's table, each read in this order up to the page, so a column can be
#: sorted only if PostgreSQL and Python order it alike under any collation (a time, not a name).
SORT_COLUMNS = {"when": Column("When", ("history_date",), first_descending=True)}
SORT_DEFAULT = "-when"


def _oldest_first(filters: AuditFilters) -> bool:
    return filters.sort == "when"


def _filtered(audited: AuditedModel, reader: User, filters: AuditFilters) -> models.QuerySet:
    agreements = Agreement.objects.filter(pk=filters.agreement.pk) if filters.agreement else None
    rows = audited.history_model.objects.filter(_scope(audited, reader, agreements))
    if filters.user:
        rows = rows.filter(history_user__username=filters.user)
    if filters.date_from:
        rows = rows.filter(history_date__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(history_date__date__lte=filters.date_to)
    rows = rows.select_related("history_user")
    if _oldest_first(filters):
        return rows.order_by("history_date", "history_id")
    return rows.order_by("-history_date", "-history_id")


def audit_log(
    *, reader: User, filters: AuditFilters, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEntry], bool]:
    """The newest audit entries (or the oldest: `filters.sort`) across every audited model, and
    whether there are more.

    Each model's table is read once, for at most page × per_page rows, and the rows are
    merged by time; then each shown entry reads its previous version (and the names of
    related records it changed) to say old → new. The size of the history does not matter.
    """
    chosen = [AUDITED_BY_KEY[filters.model]] if filters.model in AUDITED_BY_KEY else AUDITED
    wanted = page * per_page + 1
    rows: list[tuple[AuditedModel, HistoricalRecord]] = []
    for audited in chosen:
        rows.extend((audited, r) for r in _filtered(audited, reader, filters)[:wanted])
    rows.sort(key=lambda pair: (pair[1].history_date, pair[1].history_id), reverse=not _oldest_first(filters))
    window = rows[(page - 1) * per_page : page * per_page]
    return [_entry(audited, record) for audited, record in window], len(rows) > page * per_page


def object_history(*, reader: User, audited: AuditedModel, object_id: int) -> list[AuditEntry]:
    """Every historical row of one record, newest first; empty when the reader may not see it."""
    rows = (
        audited.history_model.objects.filter(_scope(audited, reader, None), id=object_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return [_entry(audited, r) for r in rows]


def history_of(instance: models.Model) -> list[AuditEntry]:
    """Every historical row of an instance the caller has already checked the reader may see."""
    audited = audited_model_for(instance)
    rows = history_manager(instance).select_related("history_user").order_by("-history_date", "-history_id")
    return [_entry(audited, r) for r in rows]
