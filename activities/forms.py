"""Forms for progress tracking: defaults that fit the common case, refusals in plain words.

Rules live on the models (`clean()`) and in `evidence.check_upload`; the forms run them so the
refusal shows next to the field it concerns, and the services run them again before saving.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.functional import cached_property

from agreements.agreement_file.document import ObligationKind
from agreements.models import Agreement, Commitment, CommitmentStatus, Obligation, Party, VocabularyEntry
from agreements.obligations import Vocabulary
from agreements.permissions import User, party_of
from contacts.models import PointOfContact, distinct_labels
from core.bounds import BoundedDateField, BoundedDateTimeField
from core.pickers import PickerField
from core.time import today

from . import permissions
from .evidence import ACCEPT_ATTRIBUTE, check_upload
from .models import (
    MAX_ATTENDANCE,
    STATUS_PERCENT_RULE,
    FollowUpAction,
    Meeting,
    Milestone,
    OutreachEvent,
    ProgressUpdate,
)
from .selectors import meeting_duplicates

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


def user_label(user: Any) -> str:
    """A user as choices show them: full name (or username) and party."""
    party = user.membership.party.acronym if hasattr(user, "membership") else ""
    name = user.get_full_name() or user.username
    return f"{name} ({party})" if party else name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


class OwnerPickerField(PickerField):
    """An item's owner among those who may own it (permissions.owner_choices): a <select> while
    they are few, past PORTAL_PICKER_LIMIT a text box taking the user's e-mail address or user
    name, with suggestions from the item's owner lookup (activities:commitment_owners)."""

    match_on = ("pk", "email__iexact", "username__iexact")
    hint = "Type part of the person's name or e-mail address and choose them from the suggestions."
    ambiguous_message = "More than one possible owner has “%(value)s”: choose one from the suggestions."
    default_error_messages = {
        "invalid_choice": "“%(value)s” is not a user of a party that leads the item. Type part of "
        "their name or e-mail address and choose them from the suggestions."
    }

    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)

    def text_of(self, obj: Any) -> str:
        return obj.email or obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


def mark_required(form: forms.BaseForm) -> None:
    """Every required field says so to assistive technology: a select without an empty choice
    cannot carry HTML's `required` (invalid HTML), so it gets `aria-required` instead."""
    for field in form.fields.values():
        widget = field.widget
        if field.required and isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
            widget.attrs.setdefault("aria-required", "true")


class PortalForm(forms.Form):
    """A form crispy renders without its own <form> tag (the template supplies it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        mark_required(self)


def version_field() -> forms.IntegerField:
    """The version of the record the edit form was opened at (see services._claim)."""
    outdated = "The page you sent this from is out of date; open it again, then make your change."
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=2**31 - 1,
        error_messages={"required": outdated, "invalid": outdated},
    )


class ConfirmDuplicateMixin(forms.BaseForm):
    """A record that looks like one already kept is not saved until its author confirms it:
    the form shows what it looks like and a box to tick, and a second submit saves it."""

    confirm_label = "Yes, record it: it is not the same as the one above"

    def add_confirm_field(self) -> None:
        self.fields["confirm_duplicate"] = forms.BooleanField(
            required=False, label=self.confirm_label, widget=forms.HiddenInput
        )

    def ask_to_confirm(self, message: str) -> None:
        if self.cleaned_data.get("confirm_duplicate"):
            return
        field = self.fields["confirm_duplicate"]
        field.widget = forms.CheckboxInput()
        self.add_error("confirm_duplicate", message)


# --- progress updates ---------------------------------------------------------------------------


class ProgressUpdateForm(PortalForm):
    as_of = BoundedDateField(
        label="As of",
        widget=DateInput(),
        help_text="The day the report describes. Not before the agreement's execution, not in the future.",
    )
    status = forms.ChoiceField(choices=CommitmentStatus.choices)
    percent_complete = forms.IntegerField(
        label="Percent complete",
        min_value=0,
        max_value=100,
        help_text=STATUS_PERCENT_RULE,
        error_messages={
            "min_value": "Percent complete must be between 0 and 100.",
            "max_value": "Percent complete must be between 0 and 100.",
            "invalid": "Enter a whole number between 0 and 100.",
        },
    )
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened since the last update, in plain words.",
        error_messages={"required": "Write a narrative: say how the commitment is moving."},
    )
    next_steps = forms.CharField(label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reporting_party = forms.ModelChoiceField(queryset=Party.objects.none(), label="Reporting party")
    evidence = EvidenceField()

    def __init__(
        self,
        *args: Any,
        commitment: Commitment,
        user: User,
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
            # Today, or the term's last day once the term has ended (updates fall within it).
            ended = [d for d in (commitment.agreement.expires_on, commitment.agreement.terminated_on) if d]
            initial.setdefault("as_of", min([today(), *ended]))
            initial.setdefault("status", commitment.status)
            latest = commitment.updates.latest_first().first()
            initial.setdefault("percent_complete", latest.percent_complete if latest else 0)
        super().__init__(*args, **kwargs)
        own = party_of(user)
        reporting_party = cast(forms.ModelChoiceField, self.fields["reporting_party"])
        reporting_party.queryset = permissions.reporting_parties(user, commitment)
        reporting_party.empty_label = None
        if own is not None and "reporting_party" not in initial:
            self.initial["reporting_party"] = own.pk
        self.fields["as_of"].widget.attrs["max"] = today().strftime(DATE_FORMAT)
        if commitment.agreement.executed_on:
            self.fields["as_of"].widget.attrs["min"] = commitment.agreement.executed_on.strftime(DATE_FORMAT)
        if instance is not None:
            # Who reported cannot change on an edit; a correction can say otherwise.
            self.fields["reporting_party"].disabled = True
            self.fields["version"] = version_field()
            self.initial.setdefault("version", instance.version)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        probe = ProgressUpdate(  # type: ignore[misc]  # probe: a field that failed its own check is None
            commitment=self.commitment,
            as_of=data.get("as_of"),
            status=data.get("status", ""),
            percent_complete=data.get("percent_complete"),
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
    due_on = BoundedDateField(label="Due on", widget=DateInput())
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
        self, *args: Any, commitment: Commitment, user: User, instance: Milestone | None = None, **kwargs: Any
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
        cast(forms.ModelChoiceField, self.fields["owner_user"]).queryset = users_of(agreement)
        cast(forms.ModelChoiceField, self.fields["owner_contact"]).queryset = (
            PointOfContact.objects.active().filter(agreement=agreement).select_related("party")
        )
        if agreement.executed_on:
            self.fields["due_on"].widget.attrs["min"] = agreement.executed_on.strftime(DATE_FORMAT)
        if instance is not None:
            self.fields["version"] = version_field()
            self.initial.setdefault("version", instance.version)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        probe = Milestone(  # type: ignore[misc]  # probe: a field that failed its own check is None
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
    version = version_field()


class EvidenceWithdrawForm(PortalForm):
    withdrawal_reason = forms.CharField(
        label="Reason for withdrawing",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the file is withdrawn; the reason is kept."},
    )


class CompletionDayForm(PortalForm):
    """The day something was done: a follow-up action's closing (no version: the service refuses
    closing one twice), and a milestone's completion (below, with its version)."""

    completed_on = BoundedDateField(label="Completed on", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("completed_on", today())
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].widget.attrs["max"] = today().strftime(DATE_FORMAT)

    def clean_completed_on(self) -> datetime.date:
        day = self.cleaned_data["completed_on"]
        if day > today():
            raise ValidationError("The completion date is in the future.")
        return day


class MilestoneCompleteForm(CompletionDayForm):
    version = version_field()


# --- owners and target dates -------------------------------------------------------------------


class AssignmentForm(PortalForm):
    """An item's owner and target date; the hidden fields carry the values the form was opened
    with, so a save over someone else's change is refused (services.commitment_assign)."""

    owner = OwnerPickerField(
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
        # The owner itself when the page has read it: a text box shows their e-mail address
        # without asking for them again (core.pickers).
        owner_read = Commitment.owner.is_cached(commitment)
        initial.setdefault("owner", commitment.owner if owner_read else commitment.owner_id)
        initial.setdefault("target_date", commitment.target_date)
        initial.setdefault("opened_owner", commitment.owner_id)
        initial.setdefault("opened_target_date", commitment.target_date)
        super().__init__(*args, **kwargs)
        owner = cast(OwnerPickerField, self.fields["owner"])
        owner.queryset = owners.select_related("membership__party")
        owner.widget.lookup_url = reverse(
            "activities:commitment_owners",
            kwargs={"slug": commitment.agreement.slug, "code": commitment.code},
        )
        agreement = commitment.agreement
        if agreement.executed_on:
            self.fields["target_date"].widget.attrs["min"] = agreement.executed_on.strftime(DATE_FORMAT)
        if agreement.expires_on:
            self.fields["target_date"].widget.attrs["max"] = agreement.expires_on.strftime(DATE_FORMAT)


# --- meetings -----------------------------------------------------------------------------------


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return f"{obj.code} {obj.title}"


class CommitmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return f"{obj.code} {obj.title}"


class ContactChoiceMixin:
    """Points of contact by name and office ("Name, Office — Party: Title"), never two alike
    (contacts.models.distinct_labels): the labels are worked out once for the whole list."""

    @cached_property
    def labels(self) -> dict[int, str]:
        return distinct_labels(cast(forms.ModelChoiceField, self).queryset or ())

    def label_from_instance(self, obj: PointOfContact) -> str:
        return self.labels.get(obj.pk) or str(obj)


class ContactChoiceField(ContactChoiceMixin, forms.ModelChoiceField):
    pass


class ContactMultipleChoiceField(ContactChoiceMixin, forms.ModelMultipleChoiceField):
    pass


def meeting_kind_choices(agreement: Agreement) -> list[tuple[str, str]]:
    """The agreement's meeting kinds; one plain kind when it names none."""
    return VocabularyEntry.objects.choices(agreement, Vocabulary.MEETING_KINDS) or [("meeting", "Meeting")]


def default_meeting_kind(agreement: Agreement) -> str:
    """A new meeting's likely kind: the first the agreement's first meeting obligation counts."""
    obligation = Obligation.objects.meetings().filter(agreement=agreement).first()
    if obligation is not None and obligation.meeting_kinds:
        return obligation.meeting_kinds[0]
    return meeting_kind_choices(agreement)[0][0]


class MeetingForm(ConfirmDuplicateMixin, PortalForm):
    kind = forms.ChoiceField(choices=[], help_text="The agreement's kinds of meeting.")
    title = forms.CharField(max_length=200)
    starts_at = BoundedDateTimeField(
        label="Date and time", widget=DateTimeLocalInput(), help_text="Local time (the portal's time zone)."
    )
    format = forms.ChoiceField(choices=Meeting.Format.choices, initial=Meeting.Format.CALL)
    location = forms.CharField(max_length=200, required=False, help_text="Room, city, or call details.")
    agenda = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Where the agreement asks for minutes, a meeting counts only once it has them.",
    )
    decisions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_cancelled = forms.BooleanField(label="The meeting was cancelled", required=False)
    attendee_contacts = ContactMultipleChoiceField(
        queryset=PointOfContact.objects.none(),
        required=False,
        label="Points of contact",
        widget=forms.CheckboxSelectMultiple,
    )
    attendee_users = UserMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Portal users",
        widget=forms.CheckboxSelectMultiple,
    )
    items = ItemsField(
        queryset=Commitment.objects.none(),
        required=False,
        label="Commitments discussed",
        help_text="The meeting appears on these commitments' timelines.",
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
        cast(forms.ModelChoiceField, self.fields["attendee_contacts"]).queryset = (
            PointOfContact.objects.filter(agreement=agreement)
            .select_related("party")
            .order_by("party__acronym", "person_name", "position", "pk")
        )
        cast(forms.ModelChoiceField, self.fields["attendee_users"]).queryset = users_of(agreement)
        cast(forms.ModelChoiceField, self.fields["items"]).queryset = agreement.commitments.order_by(
            "position"
        )
        cast(forms.ChoiceField, self.fields["kind"]).choices = meeting_kind_choices(agreement)
        if instance is None:
            self.fields["kind"].initial = default_meeting_kind(agreement)
            del self.fields["is_cancelled"]
        else:
            self.fields["version"] = version_field()
            self.initial.setdefault("version", instance.version)
        self.add_confirm_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # A probe: a field that failed its own check is None.
        probe = Meeting(  # type: ignore[misc]
            agreement=self.agreement,
            starts_at=data.get("starts_at"),
            kind=data.get("kind", ""),
            minutes=data.get("minutes", ""),
        )
        try:
            probe.clean()
        except ValidationError as e:
            apply_errors(self, e)
        if data.get("starts_at") and data.get("kind") and not self.errors:
            same = meeting_duplicates(
                self.agreement,
                kind=data["kind"],
                starts_at=data["starts_at"],
                exclude_pk=self.instance.pk if self.instance else None,
            )
            if same:
                listed = "; ".join(f"“{m.title}”" for m in same[:3])
                self.ask_to_confirm(
                    f"A meeting of this kind on the same day is already recorded: {listed}. "
                    "Tick the box to record this one as well."
                )
        return data


class MeetingVersionForm(forms.Form):
    """The version of the meeting a one-button change (use the agenda draft) was offered at."""

    version = version_field()


class FollowUpForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Action")
    owner_user = UserChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Owner (portal user)"
    )
    owner_contact = ContactChoiceField(
        queryset=PointOfContact.objects.none(), required=False, label="Owner (point of contact)"
    )
    due_on = BoundedDateField(label="Due on", widget=DateInput())
    completed_on = BoundedDateField(label="Completed on", required=False, widget=DateInput())
    commitment = CommitmentChoiceField(
        queryset=Commitment.objects.none(),
        required=False,
        label="Commitment",
        empty_label="None",
        error_messages={"invalid_choice": "Choose a commitment of this meeting's agreement."},
    )

    def __init__(
        self,
        *args: Any,
        agreement: Agreement,
        meeting_starts_at: datetime.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.meeting_starts_at = meeting_starts_at
        mark_required(self)
        cast(forms.ModelChoiceField, self.fields["owner_user"]).queryset = users_of(agreement)
        cast(forms.ModelChoiceField, self.fields["owner_contact"]).queryset = PointOfContact.objects.filter(
            agreement=agreement
        ).select_related("party")
        cast(forms.ModelChoiceField, self.fields["commitment"]).queryset = agreement.commitments.order_by(
            "position"
        )

    def clean(self) -> dict[str, Any]:
        """The rules are FollowUpAction.clean's; the form shows them beside its fields."""
        super().clean()
        data = self.cleaned_data
        other_errors = bool(self.errors)
        action = FollowUpAction(
            owner_user=data.get("owner_user"),
            owner_contact=data.get("owner_contact"),
            completed_on=data.get("completed_on"),
            commitment=data.get("commitment"),
        )
        if data.get("due_on"):
            action.due_on = data["due_on"]
        # The meeting as the form above gives it, so "due before its meeting" (and "a commitment
        # of another agreement") shows on this row.
        action.meeting = Meeting(agreement=self.agreement, starts_at=self.meeting_starts_at)  # type: ignore[misc]  # a probe: no day when the meeting's own failed
        try:
            action.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                # "Name an owner" waits until the row's other fields are right; a field that
                # already has its own error keeps just that one.
                if not (field == "owner_user" and other_errors) and field not in self.errors:
                    self.add_error(field, messages)
        return data


class BaseFollowUpFormSet(forms.BaseFormSet):
    """A meeting's follow-up rows; given the meeting's form, each row is checked against the
    meeting's day as that form has it (a row due before the meeting says so beside its date)."""

    def __init__(
        self, *args: Any, agreement: Agreement, meeting_form: forms.Form | None = None, **kwargs: Any
    ) -> None:
        self.agreement = agreement
        self.meeting_form = meeting_form
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def get_form_kwargs(self, index: int | None) -> dict:
        # The rows are built when first used, after the meeting's form was checked (the views
        # check it first), so its day is known by then.
        starts_at = getattr(self.meeting_form, "cleaned_data", {}).get("starts_at")
        return {"agreement": self.agreement, "meeting_starts_at": starts_at}

    def follow_ups(self) -> list[dict]:
        """The filled-in actions (blank extra rows are ignored)."""
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


# formset_factory builds a subclass of the formset it is given; the stubs return the base type.
FollowUpFormSet = cast(
    "type[BaseFollowUpFormSet]",
    forms.formset_factory(FollowUpForm, formset=BaseFollowUpFormSet, extra=2),
)


def follow_up_initial(meeting: Meeting) -> list[dict]:
    return [
        {
            "id": f.pk,
            "description": f.description,
            "owner_user": f.owner_user_id,
            "owner_contact": f.owner_contact_id,
            "due_on": f.due_on,
            "completed_on": f.completed_on,
            "commitment": f.commitment_id,
        }
        for f in FollowUpAction.objects.filter(meeting=meeting).order_by("due_on", "pk")
    ]


# --- outreach events ----------------------------------------------------------------------------


class OutreachEventForm(PortalForm):
    """An event: where it was held and whom it reached are the agreement's own vocabularies."""

    title = forms.CharField(max_length=200)
    held_on = BoundedDateField(label="Date", widget=DateInput())
    city = forms.CharField(max_length=120)
    country = forms.CharField(max_length=120)
    place = forms.ChoiceField(label="Where", choices=[], widget=forms.RadioSelect)
    audiences = forms.MultipleChoiceField(
        label="Audiences reached", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    attendance = forms.IntegerField(
        min_value=0,
        max_value=MAX_ATTENDANCE,
        required=False,
        help_text="How many took part, if known.",
        error_messages={
            "min_value": "Attendance cannot be negative.",
            "max_value": f"Attendance above {MAX_ATTENDANCE:,} is not plausible; check the number.",
        },
    )
    outcomes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    organising_party = forms.ModelChoiceField(queryset=Party.objects.none(), label="Organising party")
    items = ItemsField(
        queryset=Commitment.objects.none(),
        required=False,
        label="Commitments served",
        help_text="The event appears on these commitments' timelines.",
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = EvidenceField()

    def __init__(
        self,
        *args: Any,
        agreement: Agreement,
        user: User,
        instance: OutreachEvent | None = None,
        **kwargs: Any,
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
                "place",
                "audiences",
                "attendance",
                "outcomes",
            ):
                initial.setdefault(name, getattr(instance, name))
            initial.setdefault("organising_party", instance.organising_party_id)
            initial.setdefault("items", list(instance.items.all()))
        else:
            own = party_of(user)
            if own is not None:
                initial.setdefault("organising_party", own.pk)
            # The items the agreement's event obligations carry out, as its file says.
            served = agreement.commitments.filter(obligations__kind=ObligationKind.EVENT).distinct()
            initial.setdefault("items", list(served))
        super().__init__(*args, **kwargs)
        places = VocabularyEntry.objects.choices(agreement, Vocabulary.EVENT_PLACES)
        audiences = VocabularyEntry.objects.choices(agreement, Vocabulary.AUDIENCES)
        if places:
            cast(forms.ChoiceField, self.fields["place"]).choices = places
            self.fields["place"].initial = places[0][0]
        else:
            del self.fields["place"]
        if audiences:
            cast(forms.ChoiceField, self.fields["audiences"]).choices = audiences
        else:
            del self.fields["audiences"]
        # Staff record the events their own party organises (a superuser may record any party's).
        parties = agreement.parties.all()
        own = party_of(user)
        if instance is not None:
            parties = parties.filter(pk=instance.organising_party_id)
        elif own is not None and not user.is_superuser:
            parties = parties.filter(pk=own.pk)
        organising_party = cast(forms.ModelChoiceField, self.fields["organising_party"])
        organising_party.queryset = parties
        organising_party.empty_label = None
        cast(forms.ModelChoiceField, self.fields["items"]).queryset = agreement.commitments.order_by(
            "position"
        )
        if instance is not None:
            self.fields["version"] = version_field()
            self.initial.setdefault("version", instance.version)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        probe = OutreachEvent(  # type: ignore[misc]  # probe: a field that failed its own check is None
            agreement=self.agreement,
            held_on=data.get("held_on"),
            country=data.get("country", ""),
            place=data.get("place", ""),
            audiences=list(data.get("audiences", [])),
            attendance=data.get("attendance"),
            outcomes=data.get("outcomes", ""),
        )
        try:
            probe.clean()
        except ValidationError as e:
            apply_errors(self, e)
        return data

    def event_fields(self) -> dict:
        """The cleaned data as the service's keyword arguments."""
        data = dict(self.cleaned_data)
        data["audiences"] = list(data.get("audiences", []))
        data.setdefault("place", "")
        data.pop("items")
        data.pop("evidence")
        data.pop("version", None)
        return data


class EvidenceForm(PortalForm):
    """Attach more files to a meeting or an event after it was recorded."""

    evidence = EvidenceField(required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = self.fields["evidence"].help_text.removeprefix("Optional. ")
