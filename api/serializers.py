"""What the API shows of each record, and the input its writes accept.

Output serializers show; they decide nothing. Input serializers only parse and bound the
values (dates within the portal's years, texts within their columns); the rules are the
models' `clean()` and the services', as for the pages' forms.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.models import FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from activities.periods import obligation_periods
from agreements.models import Agreement, Commitment, CommitmentStatus, Section
from agreements.obligations import Obligation
from contacts.models import PointOfContact
from core.bounds import EARLIEST_DAY
from core.time import today
from notifications.models import Notification, WebhookSubscription

LATEST_DAY = "2200-12-31"


def _day_field(**kwargs: Any) -> serializers.DateField:
    """A date within the years the portal accepts (core.bounds), as its forms do."""
    import datetime

    field = serializers.DateField(**kwargs)
    field.validators.append(_within_years(EARLIEST_DAY, datetime.date.fromisoformat(LATEST_DAY)))
    return field


def _within_years(first, last):
    def check(value):
        if value is not None and not (first <= value <= last):
            raise serializers.ValidationError(f"Choose a day between {first:%Y-%m-%d} and {last:%Y-%m-%d}.")

    return check


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- agreements ----------------------------------------------------------------------------------


class TermSerializer(serializers.Serializer):
    """The term as it stands today (agreements.term.Term)."""

    status = serializers.CharField()
    summary = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    original_expires_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    terminated_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    renews = serializers.BooleanField()
    renewals = serializers.IntegerField()
    notice_deadline = serializers.DateField(allow_null=True)
    clause = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # an output key; DRF pops declared fields
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    due_on = serializers.DateField()


class ObligationSerializer(serializers.ModelSerializer):
    clause = serializers.CharField(source="section.number")
    parties: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="acronym"
    )
    periods = serializers.SerializerMethodField(
        help_text="The periods the term owes (up to today if open-ended)."
    )

    class Meta:
        model = Obligation
        fields = ["code", "kind", "title", "clause", "cadence", "parties", "periods"]

    @extend_schema_field(PeriodSerializer(many=True))
    def get_periods(self, obligation: Obligation) -> Any:
        return PeriodSerializer(obligation_periods(obligation), many=True).data


class AgreementSerializer(serializers.ModelSerializer):
    parties: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="acronym"
    )
    status = serializers.CharField(read_only=True)
    term_display = serializers.CharField(read_only=True)
    term = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "slug",
            "short_name",
            "title",
            "kind",
            "status",
            "parties",
            "executed_on",
            "effective_on",
            "expires_on",
            "terminated_on",
            "term_display",
            "term",
        ]

    @extend_schema_field(TermSerializer)
    def get_term(self, agreement: Agreement) -> dict[str, Any]:
        term = agreement.term_on(today())
        return TermSerializer(term).data


class AgreementDetailSerializer(AgreementSerializer):
    obligations = ObligationSerializer(many=True, read_only=True)

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "purpose", "obligations"]


class ClauseSerializer(serializers.ModelSerializer):
    agreement: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    parent: serializers.SlugRelatedField[Section] = serializers.SlugRelatedField(  # type: ignore[assignment]  # an output key
        read_only=True, slug_field="number", allow_null=True
    )

    class Meta:
        model = Section
        fields = ["id", "agreement", "number", "heading", "text", "parent", "position"]


# --- commitments ---------------------------------------------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer):
    agreement: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    lead_parties = serializers.SerializerMethodField()
    clause = serializers.CharField(source="source_section.number", read_only=True)
    goal: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="code", allow_null=True
    )
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "agreement",
            "kind",
            "code",
            "title",
            "description",
            "lead_parties",
            "clause",
            "goal",
            "status",
            "owner",
            "owner_name",
            "target_date",
            "retired_on",
        ]

    def get_lead_parties(self, commitment: Commitment) -> list[str]:
        return [p.acronym for p in commitment.leads]

    def get_owner_name(self, commitment: Commitment) -> str:
        return _person(commitment.owner)


class AssignmentSerializer(serializers.Serializer):
    """The owner (a user id, or null) and target date (or null) a lead party's manager sets."""

    owner = serializers.IntegerField(allow_null=True, min_value=1, max_value=2**62)
    target_date = _day_field(allow_null=True)


# --- progress updates ----------------------------------------------------------------------------


class ProgressUpdateSerializer(serializers.ModelSerializer):
    agreement = serializers.CharField(source="commitment.agreement.slug", read_only=True)
    commitment_code = serializers.CharField(source="commitment.code", read_only=True)
    reporting_party: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="acronym"
    )
    author_name = serializers.SerializerMethodField()
    editable_until = serializers.DateTimeField(read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "commitment",
            "commitment_code",
            "agreement",
            "as_of",
            "status",
            "percent_complete",
            "narrative",
            "next_steps",
            "reporting_party",
            "author",
            "author_name",
            "created_at",
            "corrects",
            "version",
            "editable_until",
        ]

    def get_author_name(self, update: ProgressUpdate) -> str:
        return _person(update.author)


class ProgressUpdateFieldsSerializer(serializers.Serializer):
    as_of = _day_field()
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    percent_complete = serializers.IntegerField(min_value=0, max_value=100)
    narrative = serializers.CharField(max_length=20000)
    next_steps = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")


class ProgressUpdateCreateSerializer(ProgressUpdateFieldsSerializer):
    commitment = serializers.IntegerField(min_value=1, max_value=2**62)
    reporting_party = serializers.CharField(
        max_length=20, required=False, help_text="The reporting party's acronym (default: your own)."
    )
    corrects = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        help_text="The update this one corrects.",
    )


class ProgressUpdateEditSerializer(ProgressUpdateFieldsSerializer):
    """Only the fields sent change; the rest stay as they are (`next_steps` left out is kept)."""

    as_of = _day_field(required=False)
    status = serializers.ChoiceField(choices=CommitmentStatus.choices, required=False)
    percent_complete = serializers.IntegerField(min_value=0, max_value=100, required=False)
    narrative = serializers.CharField(max_length=20000, required=False)
    next_steps = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31,
        required=False,
        help_text="The version you read (or send it as If-Match); a stale one is refused with 409.",
    )


# --- milestones, meetings, outreach ---------------------------------------------------------------

_VERSION_HELP = "The version you read (or send it as If-Match); a stale one is refused with 409."


class MilestoneSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "commitment",
            "title",
            "due_on",
            "completed_on",
            "owner_user",
            "owner_contact",
            "owner_name",
            "is_overdue",
            "cancelled_on",
            "cancel_reason",
            "created_at",
            "version",
        ]


class MilestoneCreateSerializer(serializers.Serializer):
    commitment = serializers.IntegerField(min_value=1, max_value=2**62)
    title = serializers.CharField(max_length=200)
    due_on = _day_field()
    owner_user = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True, help_text="A user of a party to it."
    )
    owner_contact = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True, help_text="An active point of contact."
    )


class MilestoneEditSerializer(serializers.Serializer):
    """Only the fields sent change; the rest stay as they are. Naming one owner (a user or a
    point of contact) replaces the other."""

    title = serializers.CharField(max_length=200, required=False)
    due_on = _day_field(required=False)
    owner_user = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True, help_text="A user of a party to it."
    )
    owner_contact = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True, help_text="An active point of contact."
    )
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False, help_text=_VERSION_HELP)


class MilestoneCompleteSerializer(serializers.Serializer):
    completed_on = _day_field(
        required=False, help_text="The day it was done (default: today); not in the future."
    )
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False, help_text=_VERSION_HELP)


class MilestoneCancelSerializer(serializers.Serializer):
    cancel_reason = serializers.CharField(
        max_length=2000, help_text="Why it is cancelled; kept on the record."
    )
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False, help_text=_VERSION_HELP)


class FollowUpSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(read_only=True)

    class Meta:
        model = FollowUpAction
        fields = [
            "id",
            "description",
            "commitment",
            "owner_user",
            "owner_contact",
            "owner_name",
            "due_on",
            "completed_on",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    agreement: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    kind_label = serializers.CharField(read_only=True)
    commitments: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        source="items", many=True, read_only=True
    )
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "agreement",
            "kind",
            "kind_label",
            "title",
            "starts_at",
            "format",
            "location",
            "agenda",
            "minutes",
            "decisions",
            "is_cancelled",
            "commitments",
            "follow_ups",
            "version",
        ]


class OutreachEventSerializer(serializers.ModelSerializer):
    agreement: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    organising_party: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="acronym"
    )
    place_label = serializers.CharField(read_only=True)
    audiences = serializers.ListField(child=serializers.CharField(), read_only=True)
    commitments: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        source="items", many=True, read_only=True
    )

    class Meta:
        model = OutreachEvent
        fields = [
            "id",
            "agreement",
            "organising_party",
            "title",
            "held_on",
            "city",
            "country",
            "place",
            "place_label",
            "audiences",
            "attendance",
            "outcomes",
            "commitments",
            "version",
        ]


def _ids(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=500,
        help_text=help_text,
    )


class FollowUpWriteSerializer(serializers.Serializer):
    """A follow-up action of a meeting: with `id`, that action changed; without, a new one."""

    id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    description = serializers.CharField(max_length=20000)
    owner_user = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    owner_contact = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    due_on = _day_field()
    completed_on = _day_field(required=False, allow_null=True)


class MeetingFieldsSerializer(serializers.Serializer):
    """A meeting's fields as the meeting form has them; the agreement's rules (its kinds of
    meeting, who may attend, minutes where asked) are the form's, checked after this."""

    kind = serializers.CharField(max_length=40, required=False, help_text="One of the agreement's kinds.")
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField(help_text="With an offset; without one, the portal's time zone.")
    format = serializers.ChoiceField(choices=Meeting.Format.choices, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agenda = serializers.CharField(max_length=100000, required=False, allow_blank=True)
    minutes = serializers.CharField(max_length=100000, required=False, allow_blank=True)
    decisions = serializers.CharField(max_length=100000, required=False, allow_blank=True)
    attendee_contacts = _ids("Points of contact of the agreement who attend.")
    attendee_users = _ids("Users of a party to the agreement who attend.")
    commitments = _ids("The commitments discussed (the meeting shows on their timelines).")
    follow_ups = FollowUpWriteSerializer(many=True, required=False, max_length=200)  # type: ignore[call-arg]
    confirm_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True to record a meeting of the same kind on a day that already has one.",
    )


class MeetingCreateSerializer(MeetingFieldsSerializer):
    agreement = serializers.CharField(max_length=80, help_text="The agreement's slug.")


class MeetingEditSerializer(MeetingFieldsSerializer):
    """Only the fields sent change; the rest stay as they are."""

    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    is_cancelled = serializers.BooleanField(required=False)
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False, help_text=_VERSION_HELP)


class OutreachEventFieldsSerializer(serializers.Serializer):
    """An outreach event's fields as the event form has them; where it was held and whom it
    reached are the agreement's own vocabularies, checked by the form after this."""

    title = serializers.CharField(max_length=200)
    held_on = _day_field()
    city = serializers.CharField(max_length=120)
    country = serializers.CharField(max_length=120)
    place = serializers.CharField(max_length=40, required=False, allow_blank=True)
    audiences = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=100
    )
    attendance = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31)
    outcomes = serializers.CharField(max_length=100000, required=False, allow_blank=True)
    commitments = _ids("The commitments the event served (default on creation: those its obligations name).")


class OutreachEventCreateSerializer(OutreachEventFieldsSerializer):
    agreement = serializers.CharField(max_length=80, help_text="The agreement's slug.")
    organising_party = serializers.CharField(
        max_length=20, required=False, help_text="The organising party's acronym (default: your own)."
    )


class OutreachEventEditSerializer(OutreachEventFieldsSerializer):
    """Only the fields sent change; the rest stay as they are."""

    title = serializers.CharField(max_length=200, required=False)
    held_on = _day_field(required=False)
    city = serializers.CharField(max_length=120, required=False)
    country = serializers.CharField(max_length=120, required=False)
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False, help_text=_VERSION_HELP)


# --- points of contact ---------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    agreement: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    party: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="acronym"
    )
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = PointOfContact
        fields = [
            "id",
            "agreement",
            "party",
            "role_title",
            "office",
            "person_name",
            "email",
            "phone",
            "is_coordinator",
            "active_from",
            "active_to",
            "is_active",
            "version",
        ]


class ContactFieldsSerializer(serializers.Serializer):
    role_title = serializers.CharField(max_length=200)
    office = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    person_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    is_coordinator = serializers.BooleanField(required=False, default=False)
    active_from = _day_field()


class ContactCreateSerializer(ContactFieldsSerializer):
    agreement = serializers.CharField(max_length=80, help_text="The agreement's slug.")
    party = serializers.CharField(max_length=20, help_text="The party's acronym.")


class ContactEditSerializer(serializers.Serializer):
    """Only the fields sent change; the rest stay as they are (a field left out is not blanked)."""

    role_title = serializers.CharField(max_length=200, required=False)
    office = serializers.CharField(max_length=300, required=False, allow_blank=True)
    person_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    is_coordinator = serializers.BooleanField(required=False)
    active_from = _day_field(required=False)
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False, help_text=_VERSION_HELP)


class ContactDeactivateSerializer(serializers.Serializer):
    active_to = _day_field(
        required=False, help_text="The day the contact stopped serving (default: today); not in the future."
    )
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False, help_text=_VERSION_HELP)


# --- notifications -------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    agreement: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", allow_null=True
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "agreement",
            "subject",
            "summary",
            "body_text",
            "link",
            "created_at",
            "read_at",
        ]


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    """A party's webhook subscription as its admins see it; never its secret."""

    party: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="acronym"
    )
    events = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "party",
            "name",
            "url",
            "events",
            "format",
            "active",
            "created_at",
            "secret_rotated_at",
        ]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; leave out to mark all read.",
    )


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    """Every refusal: a sentence, and for a refused input the fields and what is wrong with each."""

    detail = serializers.CharField(required=False)
    errors = serializers.DictField(  # type: ignore[assignment]  # an output key, as `label` above
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
