"""Forms for progress tracking: defaults that fit the common case, refusals in plain words.

Rules live on the models (`clean()`) and in `evidence.check_upload`; the forms run them so the
refusal shows next to the field it concerns, and the services run them again before saving.
"""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat

from agreements.models import Agreement, Commitment, CommitmentStatus, Party
from agreements.permissions import party_of
from contacts.models import PointOfContact
from core.time import today

from .evidence import ACCEPT_ATTRIBUTE, check_upload
from .models import FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate

DATE_FORMAT = "%Y-%m-%d"
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format=DATE_FORMAT)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL_FORMAT)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Any number of evidence files, each checked by content (evidence.check_upload)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Evidence files")
        kwargs.setdefault(
            "help_text",
            "Optional. PDF, Word, Excel, PowerPoint, CSV, PNG or JPEG, up to "
            f"{filesizeformat(settings.EVIDENCE_MAX_BYTES)} each; each file is checked by its content.",
        )
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        errors: list[ValidationError] = []
        for upload in uploads:
            try:
                check_upload(upload)
            except ValidationError as e:
                errors.append(e)
        if errors:
            raise ValidationError(errors)
        return list(uploads)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a model's or service's refusal next to the field it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def users_of(agreement: Agreement) -> QuerySet:
    """Portal users working for one of the agreement's parties."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__party__in=agreement.parties.all())
        .select_related("membership__party")
        .order_by("membership__party__acronym", "last_name", "first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        party = obj.membership.party.acronym if hasattr(obj, "membership") else ""
        name = obj.get_full_name() or obj.username
        return f"{name} ({party})" if party else name


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return UserChoiceField.label_from_instance(self, obj)


class PortalForm(forms.Form):
    """A form crispy renders without its own <form> tag (the template supplies it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


# --- progress updates ---------------------------------------------------------------------------


class ProgressUpdateForm(PortalForm):
    as_of = forms.DateField(
        label="As of",
        widget=DateInput(),
        help_text="The day the report describes. Not before the agreement's execution, not in the future.",
    )
    status = forms.ChoiceField(choices=CommitmentStatus.choices)
    percent_complete = forms.IntegerField(
        label="Percent complete",
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": "Percent complete must be between 0 and 100.",
            "max_value": "Percent complete must be between 0 and 100.",
            "invalid": "Enter a whole number between 0 and 100.",
        },
    )
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened since the last update, in plain words.",
        error_messages={"required": "Write a narrative: say how the item is moving."},
    )
    next_steps = forms.CharField(label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reporting_party = forms.ModelChoiceField(queryset=Party.objects.none(), label="Reporting party")
    evidence = EvidenceField()

    def __init__(
        self,
        *args: Any,
        commitment: Commitment,
        user,
        corrects: ProgressUpdate | None = None,
        instance: ProgressUpdate | None = None,
        **kwargs: Any,
    ) -> None:
        self.commitment = commitment
        self.user = user
        self.corrects = corrects
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        source = instance or corrects
        if source is not None:
            for name in ("as_of", "status", "percent_complete", "narrative", "next_steps"):
                initial.setdefault(name, getattr(source, name))
            initial.setdefault("reporting_party", source.reporting_party_id)
        else:
            initial.setdefault("as_of", today())
            initial.setdefault("status", commitment.status)
            latest = commitment.updates.latest_first().first()
            initial.setdefault("percent_complete", latest.percent_complete if latest else 0)
        super().__init__(*args, **kwargs)
        parties = commitment.agreement.parties.all()
        if commitment.lead_party_id:
            parties = parties.filter(pk=commitment.lead_party_id)
        own = party_of(user)
        if own is not None and not user.is_superuser:
            parties = parties.filter(pk=own.pk)
        self.fields["reporting_party"].queryset = parties
        self.fields["reporting_party"].empty_label = None
        if own is not None and "reporting_party" not in initial:
            self.initial["reporting_party"] = own.pk
        self.fields["as_of"].widget.attrs["max"] = today().strftime(DATE_FORMAT)
        if commitment.agreement.executed_on:
            self.fields["as_of"].widget.attrs["min"] = commitment.agreement.executed_on.strftime(DATE_FORMAT)
        if instance is not None:
            # Who reported cannot change on an edit; a correction can say otherwise.
            self.fields["reporting_party"].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        probe = ProgressUpdate(
            commitment=self.commitment,
            as_of=data.get("as_of"),
            narrative=data.get("narrative", ""),
            corrects=self.corrects,
        )
        try:
            probe.clean()
        except ValidationError as e:
            # Only the errors for fields that passed their own checks are new information.
            for field, errors in e.error_dict.items():
                if field in data or field not in self.fields:
                    self.add_error(field if field in self.fields else None, errors)
        return data


# --- milestones ---------------------------------------------------------------------------------


class MilestoneForm(PortalForm):
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(label="Due on", widget=DateInput())
    owner_user = UserChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Owner (portal user)"
    )
    owner_contact = forms.ModelChoiceField(
        queryset=PointOfContact.objects.none(),
        required=False,
        label="Owner (point of contact)",
        help_text="Choose a portal user or a point of contact, not both.",
    )

    def __init__(
        self, *args: Any, commitment: Commitment, user, instance: Milestone | None = None, **kwargs: Any
    ) -> None:
        self.commitment = commitment
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            for name in ("title", "due_on", "owner_user", "owner_contact"):
                initial.setdefault(name, getattr(instance, name))
        else:
            initial.setdefault("owner_user", user.pk)
        super().__init__(*args, **kwargs)
        agreement = commitment.agreement
        self.fields["owner_user"].queryset = users_of(agreement)
        self.fields["owner_contact"].queryset = (
            PointOfContact.objects.active().filter(agreement=agreement).select_related("party")
        )
        if agreement.executed_on:
            self.fields["due_on"].widget.attrs["min"] = agreement.executed_on.strftime(DATE_FORMAT)

    def clean(self) -> dict:
        data = super().clean()
        probe = Milestone(
            commitment=self.commitment,
            due_on=data.get("due_on"),
            owner_user=data.get("owner_user"),
            owner_contact=data.get("owner_contact"),
        )
        try:
            probe.clean()
        except ValidationError as e:
            apply_errors(self, e)
        return data


class MilestoneCancelForm(PortalForm):
    cancel_reason = forms.CharField(
        label="Reason for cancelling",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the milestone is cancelled; the reason is kept."},
    )


class EvidenceWithdrawForm(PortalForm):
    withdrawal_reason = forms.CharField(
        label="Reason for withdrawing",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the file is withdrawn; the reason is kept."},
    )


class MilestoneCompleteForm(PortalForm):
    completed_on = forms.DateField(label="Completed on", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("completed_on", today())
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].widget.attrs["max"] = today().strftime(DATE_FORMAT)

    def clean_completed_on(self) -> datetime.date:
        day = self.cleaned_data["completed_on"]
        if day > today():
            raise ValidationError("The completion date is in the future.")
        return day


# --- owners and target dates -------------------------------------------------------------------


class AssignmentForm(PortalForm):
    """An item's owner and target date; the hidden fields carry the values the form was opened
    with, so a save over someone else's change is refused (services.commitment_assign)."""

    owner = UserChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Not assigned",
        help_text="A user of a party that leads the item.",
    )
    target_date = forms.DateField(
        label="Target date",
        required=False,
        widget=DateInput(),
        help_text="Not before the agreement's execution, not after its end.",
    )
    opened_owner = forms.IntegerField(required=False, widget=forms.HiddenInput)
    opened_target_date = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, commitment: Commitment, owners: QuerySet, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("owner", commitment.owner_id)
        initial.setdefault("target_date", commitment.target_date)
        initial.setdefault("opened_owner", commitment.owner_id)
        initial.setdefault("opened_target_date", commitment.target_date)
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners.select_related("membership__party")
        agreement = commitment.agreement
        if agreement.executed_on:
            self.fields["target_date"].widget.attrs["min"] = agreement.executed_on.strftime(DATE_FORMAT)
        if agreement.expires_on:
            self.fields["target_date"].widget.attrs["max"] = agreement.expires_on.strftime(DATE_FORMAT)


# --- meetings -----------------------------------------------------------------------------------


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return f"{obj.code} {obj.title}"


class MeetingForm(PortalForm):
    kind = forms.ChoiceField(choices=Meeting.Kind.choices, initial=Meeting.Kind.QUARTERLY)
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(
        label="Date and time", widget=DateTimeLocalInput(), help_text="Local time (the portal's time zone)."
    )
    format = forms.ChoiceField(choices=Meeting.Format.choices, initial=Meeting.Format.CALL)
    location = forms.CharField(max_length=200, required=False, help_text="Room, city, or call details.")
    agenda = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A quarterly meeting counts as held for its quarter only once it has minutes.",
    )
    decisions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_cancelled = forms.BooleanField(label="The meeting was cancelled", required=False)
    attendee_contacts = forms.ModelMultipleChoiceField(
        queryset=PointOfContact.objects.none(),
        required=False,
        label="Attendees: points of contact",
        widget=forms.CheckboxSelectMultiple,
    )
    attendee_users = UserMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Attendees: portal users",
        widget=forms.CheckboxSelectMultiple,
    )
    items = ItemsField(
        queryset=Commitment.objects.none(),
        required=False,
        label="Items discussed",
        help_text="The meeting appears on these items' timelines.",
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = EvidenceField()

    def __init__(
        self, *args: Any, agreement: Agreement, instance: Meeting | None = None, **kwargs: Any
    ) -> None:
        self.agreement = agreement
        self.instance = instance
        if instance is not None:
            initial = kwargs.setdefault("initial", {})
            for name in (
                "kind",
                "title",
                "starts_at",
                "format",
                "location",
                "agenda",
                "minutes",
                "decisions",
                "is_cancelled",
            ):
                initial.setdefault(name, getattr(instance, name))
            initial.setdefault("attendee_contacts", list(instance.attendee_contacts.all()))
            initial.setdefault("attendee_users", list(instance.attendee_users.all()))
            initial.setdefault("items", list(instance.items.all()))
        super().__init__(*args, **kwargs)
        self.fields["attendee_contacts"].queryset = PointOfContact.objects.filter(
            agreement=agreement
        ).select_related("party")
        self.fields["attendee_users"].queryset = users_of(agreement)
        self.fields["items"].queryset = agreement.commitments.order_by("position")
        if instance is None:
            del self.fields["is_cancelled"]

    def clean(self) -> dict:
        data = super().clean()
        probe = Meeting(agreement=self.agreement, starts_at=data.get("starts_at"))
        try:
            probe.clean()
        except ValidationError as e:
            apply_errors(self, e)
        return data


class FollowUpForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Action")
    owner_user = UserChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Owner (portal user)"
    )
    owner_contact = forms.ModelChoiceField(
        queryset=PointOfContact.objects.none(), required=False, label="Owner (point of contact)"
    )
    due_on = forms.DateField(label="Due on", widget=DateInput())
    completed_on = forms.DateField(label="Completed on", required=False, widget=DateInput())

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = users_of(agreement)
        self.fields["owner_contact"].queryset = PointOfContact.objects.filter(
            agreement=agreement
        ).select_related("party")

    def clean(self) -> dict:
        """The rules are FollowUpAction.clean's; the form shows them beside its fields."""
        data = super().clean()
        other_errors = bool(self.errors)
        action = FollowUpAction(
            owner_user=data.get("owner_user"),
            owner_contact=data.get("owner_contact"),
            completed_on=data.get("completed_on"),
        )
        try:
            action.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                # "Name an owner" waits until the row's other fields are right.
                if not (field == "owner_user" and other_errors):
                    self.add_error(field, messages)
        return data


class BaseFollowUpFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        self.agreement = agreement
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def get_form_kwargs(self, index: int | None) -> dict:
        return {"agreement": self.agreement}

    def follow_ups(self) -> list[dict]:
        """The filled-in actions (blank extra rows are ignored)."""
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


FollowUpFormSet = forms.formset_factory(FollowUpForm, formset=BaseFollowUpFormSet, extra=2)


def follow_up_initial(meeting: Meeting) -> list[dict]:
    return [
        {
            "id": f.pk,
            "description": f.description,
            "owner_user": f.owner_user_id,
            "owner_contact": f.owner_contact_id,
            "due_on": f.due_on,
            "completed_on": f.completed_on,
        }
        for f in FollowUpAction.objects.filter(meeting=meeting).order_by("due_on", "pk")
    ]


# --- outreach events ----------------------------------------------------------------------------

VENUE_CHOICES = [("us", "In the United States"), ("abroad", "Abroad")]


class OutreachEventForm(PortalForm):
    title = forms.CharField(max_length=200)
    held_on = forms.DateField(label="Date", widget=DateInput())
    city = forms.CharField(max_length=120)
    country = forms.CharField(max_length=120, initial="United States")
    venue = forms.ChoiceField(label="Where", choices=VENUE_CHOICES, widget=forms.RadioSelect, initial="us")
    audience_platforms = forms.BooleanField(label="E-commerce platforms", required=False)
    audience_enterprises = forms.BooleanField(
        label="Micro, small, medium and large enterprises", required=False
    )
    audience_financial_technology = forms.BooleanField(
        label="Financial and technology entities", required=False
    )
    attendance = forms.IntegerField(
        min_value=0,
        required=False,
        help_text="How many took part, if known.",
        error_messages={"min_value": "Attendance cannot be negative."},
    )
    outcomes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    organising_party = forms.ModelChoiceField(queryset=Party.objects.none(), label="Organising party")
    items = ItemsField(
        queryset=Commitment.objects.none(),
        required=False,
        label="Items served",
        help_text="The event appears on these items' timelines.",
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = EvidenceField()

    def __init__(
        self, *args: Any, agreement: Agreement, user, instance: OutreachEvent | None = None, **kwargs: Any
    ) -> None:
        self.agreement = agreement
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            for name in (
                "title",
                "held_on",
                "city",
                "country",
                "audience_platforms",
                "audience_enterprises",
                "audience_financial_technology",
                "attendance",
                "outcomes",
            ):
                initial.setdefault(name, getattr(instance, name))
            initial.setdefault("venue", "us" if instance.in_united_states else "abroad")
            initial.setdefault("organising_party", instance.organising_party_id)
            initial.setdefault("items", list(instance.items.all()))
        else:
            own = party_of(user)
            if own is not None:
                initial.setdefault("organising_party", own.pk)
            vi3 = agreement.commitments.filter(code="VI.3").first()
            if vi3 is not None:
                initial.setdefault("items", [vi3])
        super().__init__(*args, **kwargs)
        self.fields["organising_party"].queryset = agreement.parties.all()
        self.fields["organising_party"].empty_label = None
        self.fields["items"].queryset = agreement.commitments.order_by("position")

    def clean(self) -> dict:
        data = super().clean()
        venue = data.get("venue")
        probe = OutreachEvent(
            agreement=self.agreement,
            held_on=data.get("held_on"),
            country=data.get("country", ""),
            in_united_states=(venue == "us") if venue else None,
            audience_platforms=data.get("audience_platforms", False),
            audience_enterprises=data.get("audience_enterprises", False),
            audience_financial_technology=data.get("audience_financial_technology", False),
        )
        try:
            probe.clean()
        except ValidationError as e:
            apply_errors(self, e)
        return data

    def event_fields(self) -> dict:
        """The cleaned data as the service's keyword arguments."""
        data = dict(self.cleaned_data)
        data["in_united_states"] = data.pop("venue") == "us"
        data.pop("items")
        data.pop("evidence")
        return data


class EvidenceForm(PortalForm):
    """Attach more files to a meeting or an event after it was recorded."""

    evidence = EvidenceField(required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = self.fields["evidence"].help_text.removeprefix("Optional. ")
