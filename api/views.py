"""The API's endpoints: permission, input, one service call, respond — as the pages do.

Every list starts from the selector its page uses (`agreements.permissions.visible_agreements`,
`activities.selectors.*_visible_to`, `contacts.permissions.visible_contacts`,
`notifications.selectors.notifications_for`), so a record the browser hides is a 404 here
too; every write asks the page's permission function and calls the page's service.

Conflict-safe edits: records with a version (progress updates, milestones, meetings, events,
contacts) answer with `ETag: "<version>"`; an edit sends it back as `If-Match` (or `version`
in the body) and a stale or unknown version is refused with 409 by the same check the pages use
(`activities.services._claim`, `contacts.services._claim`). A commitment's owner and target
date are conflict-checked on those two values, as the assignment form does: its ETag names
them, and `If-Match` is required.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from activities import permissions as activity_rules
from activities import selectors as activity_selectors
from activities import services as activity_services
from activities.filters import EventFilter, MeetingFilter, UpdateFilter
from activities.forms import (
    FollowUpFormSet,
    MeetingForm,
    MilestoneForm,
    OutreachEventForm,
)
from activities.models import Meeting, Milestone, OutreachEvent, ProgressUpdate
from agreements.models import Agreement, Commitment, Party, Section
from agreements.obligations import Obligation
from agreements.permissions import party_of, visible_agreements
from contacts import permissions as contact_rules
from contacts import services as contact_services
from contacts.forms import DeactivateForm
from contacts.models import PointOfContact
from core.time import today
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import Notification, WebhookSubscription

from . import serializers as s
from .filters import ClauseFilter, CommitmentApiFilter, ContactFilter, MilestoneFilter, NotificationFilter
from .paging import NewestFirstCursor, OldestFirstCursor

if TYPE_CHECKING:
    from django.contrib.auth.models import User as Account


class PortalViewSetMixin:
    """Token or session, never the sign-in redirect: the API answers 401 itself."""

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        return login_not_required(super().as_view(*args, **kwargs))  # type: ignore[misc]


def signed_in(request: Request) -> Account:
    """The request's user: SignedInWithScope has let only an active, signed-in account through."""
    return cast("Account", request.user)


def refused(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal (a Django ValidationError) as the API's 400, field by field."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": exc.messages})


@contextmanager
def edits_answered() -> Iterator[None]:
    """A service's answers to an edit as the API's: a stale version is 409, a refusal 400."""
    try:
        yield
    except activity_services.EditConflict as exc:
        raise Conflict(exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise refused(exc) from exc


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "The record changed after you read it; nothing was saved. Read it again, then make your change."
    )
    default_code = "conflict"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send the version you read: If-Match with the record's ETag, or `version` in the body."
    default_code = "precondition_required"


def etag(value: Any) -> str:
    return f'"{value}"'


def if_match(request: Request) -> str | None:
    """The tag the client read (If-Match), without quotes or weak marker; None when not sent."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    return header.strip().removeprefix("W/").strip('"')


def expected_version(request: Request, body: dict[str, Any]) -> int:
    tag = if_match(request)
    if tag is not None:
        if not tag.isdigit() or len(tag) > 10:
            raise Conflict("That If-Match is not a version this record ever had; read it again.")
        return int(tag)
    if body.get("version") is None:
        raise PreconditionRequired()
    return int(body["version"])


ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="The input was refused; nothing was saved."),
    401: OpenApiResponse(
        s.ErrorSerializer, description="Not signed in, or the token is unknown, revoked or expired."
    ),
    403: OpenApiResponse(
        s.ErrorSerializer, description="Not allowed (or a read-only token); nothing was saved."
    ),
    404: OpenApiResponse(s.ErrorSerializer, description="No such record among those you see."),
    409: OpenApiResponse(s.ErrorSerializer, description="Changed since you read it; nothing was saved."),
    428: OpenApiResponse(s.ErrorSerializer, description="Send If-Match (or `version`)."),
    429: OpenApiResponse(s.ErrorSerializer, description="Too many requests; wait and retry."),
}


def responses(ok: Any, *codes: int, ok_status: int = 200) -> dict[int, Any]:
    return {ok_status: ok, **{c: ERRORS[c] for c in (400, 401, 403, 404, 429, *codes)}}


class ReadViewSet(PortalViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = NewestFirstCursor


# --- agreements and clauses ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=responses(s.AgreementSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.AgreementDetailSerializer)),
)
class AgreementViewSet(ReadViewSet):
    """The agreements you see (as the Agreements page): their parties, term and obligations."""

    queryset = Agreement.objects.none()  # the model, for the schema; get_queryset decides

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,80}"
    pagination_class = OldestFirstCursor
    serializer_class = s.AgreementSerializer

    def get_queryset(self) -> QuerySet[Agreement]:
        agreements = visible_agreements(self.request.user).prefetch_related(
            "parties", "modifications__executions"
        )
        if self.action == "retrieve":
            agreements = agreements.prefetch_related(
                Prefetch(
                    "obligations",
                    Obligation.objects.select_related("section", "agreement").prefetch_related("parties"),
                )
            )
        return agreements

    def get_serializer_class(self) -> type[Serializer]:
        return s.AgreementDetailSerializer if self.action == "retrieve" else s.AgreementSerializer


@extend_schema_view(
    list=extend_schema(responses=responses(s.ClauseSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.ClauseSerializer)),
)
class ClauseViewSet(ReadViewSet):
    """The text of the agreements you see, clause by clause (`?agreement=<slug>`)."""

    queryset = Section.objects.none()  # the model, for the schema; get_queryset decides

    pagination_class = OldestFirstCursor
    serializer_class = s.ClauseSerializer
    filterset_class = ClauseFilter

    def get_queryset(self):
        return Section.objects.filter(agreement__in=visible_agreements(self.request.user)).select_related(
            "agreement", "parent"
        )


# --- commitments ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=responses(s.CommitmentSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.CommitmentSerializer)),
)
class CommitmentViewSet(ReadViewSet):
    """The commitments you see, filtered as the Commitments page is."""

    queryset = Commitment.objects.none()  # the model, for the schema; get_queryset decides

    pagination_class = OldestFirstCursor
    serializer_class = s.CommitmentSerializer
    filterset_class = CommitmentApiFilter

    def get_queryset(self):
        # The page's selector; the API shows more of each commitment than the list's columns.
        # The clause, goal and owner are read by key a page at a time: joined, the five tables
        # cost PostgreSQL 5-6 ms to plan against 1 ms to run at scale 10 (docs/performance.md).
        return (
            activity_selectors.commitments_visible_to(self.request.user)
            .defer(None)
            .prefetch_related("source_section", "goal", "owner")
        )

    @staticmethod
    def assignment_tag(commitment: Any) -> str:
        target = commitment.target_date.isoformat() if commitment.target_date else ""
        return f"{commitment.owner_id or ''}:{target}"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        commitment = self.get_object()
        return Response(
            self.get_serializer(commitment).data, headers={"ETag": etag(self.assignment_tag(commitment))}
        )

    @extend_schema(
        request=s.AssignmentSerializer,
        responses=responses(s.CommitmentSerializer, 409, 428),
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="The commitment's ETag as you read it.",
            )
        ],
    )
    @action(detail=True, methods=["put"])
    def assignment(self, request: Request, pk: str | None = None) -> Response:
        """Set the owner and target date (managers of a lead party), as the commitment page does."""
        commitment = self.get_object()
        if not activity_rules.can_assign_owner(request.user, commitment):
            raise exceptions.PermissionDenied(
                f"{commitment.code} is led by {commitment.lead_display}. Only managers of a lead party "
                "assign its owner and target date."
            )
        body = s.AssignmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tag = if_match(request)
        if tag is None:
            raise PreconditionRequired("Send If-Match with the commitment's ETag as you read it.")
        opened_owner, _, opened_target = tag.partition(":")
        try:
            opened_owner_id = int(opened_owner) if opened_owner else None
            opened_target_date = datetime.date.fromisoformat(opened_target) if opened_target else None
        except ValueError as exc:
            raise Conflict("That If-Match is not an ETag of this commitment; read it again.") from exc
        owner_id = body.validated_data["owner"]
        owner = get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
        if owner_id and owner is None:
            raise exceptions.ValidationError({"owner": ["No such user."]})
        try:
            commitment = activity_services.commitment_assign(
                commitment=commitment,
                acting_user=request.user,
                owner=owner,
                target_date=body.validated_data["target_date"],
                opened_owner_id=opened_owner_id,
                opened_target_date=opened_target_date,
            )
        except activity_services.AssignmentConflict as exc:
            raise Conflict(str(exc)) from exc
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        commitment = self.get_queryset().get(pk=commitment.pk)
        return Response(
            self.get_serializer(commitment).data, headers={"ETag": etag(self.assignment_tag(commitment))}
        )


# --- progress updates ----------------------------------------------------------------------------

UPDATE_FIELDS = ("as_of", "status", "percent_complete", "narrative", "next_steps")


@extend_schema_view(
    list=extend_schema(responses=responses(s.ProgressUpdateSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.ProgressUpdateSerializer)),
    create=extend_schema(
        request=s.ProgressUpdateCreateSerializer,
        responses=responses(s.ProgressUpdateSerializer, ok_status=201),
    ),
    partial_update=extend_schema(
        request=s.ProgressUpdateEditSerializer,
        responses=responses(s.ProgressUpdateSerializer, 409, 428),
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    ),
)
class ProgressUpdateViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Progress updates on the commitments you see; staff of a lead party log them (and
    corrections), and the author edits one within its edit window."""

    queryset = ProgressUpdate.objects.none()  # the model, for the schema; get_queryset decides

    pagination_class = NewestFirstCursor
    serializer_class = s.ProgressUpdateSerializer
    filterset_class = UpdateFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return activity_selectors.updates_visible_to(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        update = self.get_object()
        return Response(self.get_serializer(update).data, headers={"ETag": etag(update.version)})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.ProgressUpdateCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        commitment = get_object_or_404(
            activity_selectors.commitments_visible_to(request.user).defer(None), pk=data["commitment"]
        )
        if not activity_rules.can_report_on(request.user, commitment):
            raise exceptions.PermissionDenied(activity_rules.refusal_reason(request.user, commitment))
        corrects = None
        if data.get("corrects"):
            corrects = ProgressUpdate.objects.filter(commitment=commitment, pk=data["corrects"]).first()
            if corrects is None:
                raise exceptions.ValidationError({"corrects": ["No such update on this commitment."]})
        # The reporting parties the page offers: the user's own, if it leads the commitment.
        parties = activity_rules.reporting_parties(request.user, commitment)
        own = party_of(request.user)
        acronym = data.get("reporting_party") or (own.acronym if own else "")
        party = parties.filter(acronym=acronym).first()
        if party is None:
            raise exceptions.ValidationError(
                {"reporting_party": ["Report for a party that leads this commitment: yours."]}
            )
        try:
            update = activity_services.progress_update_create(
                commitment=commitment,
                acting_user=signed_in(request),
                reporting_party=party,
                as_of=data["as_of"],
                status=data["status"],
                percent_complete=data["percent_complete"],
                narrative=data["narrative"],
                next_steps=data["next_steps"],
                corrects=corrects,
            )
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        update = self.get_queryset().get(pk=update.pk)
        return Response(
            self.get_serializer(update).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(update.version)},
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        update = self.get_object()
        if not activity_rules.can_edit_update(request.user, update):
            raise exceptions.PermissionDenied(
                "Only the author can edit an update, and only within "
                f"{ProgressUpdate.EDIT_WINDOW_HOURS} hours of entering it. "
                "To change the record after that, add a correction."
            )
        body = s.ProgressUpdateEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = expected_version(request, data)
        # A field left out stays as it is, as the edit page shows it filled in.
        values = {name: data.get(name, getattr(update, name)) for name in UPDATE_FIELDS}
        with edits_answered():
            update = activity_services.progress_update_edit(
                update=update, acting_user=signed_in(request), expected_version=version, **values
            )
        update = self.get_queryset().get(pk=update.pk)
        return Response(self.get_serializer(update).data, headers={"ETag": etag(update.version)})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(request.method or "PUT")


# --- milestones, meetings, outreach --------------------------------------------------------------


IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False, description="The record's ETag as you read it."
)


@extend_schema_view(
    list=extend_schema(responses=responses(s.MilestoneSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.MilestoneSerializer)),
    create=extend_schema(
        request=s.MilestoneCreateSerializer, responses=responses(s.MilestoneSerializer, ok_status=201)
    ),
    partial_update=extend_schema(
        request=s.MilestoneEditSerializer,
        responses=responses(s.MilestoneSerializer, 409, 428),
        parameters=[IF_MATCH],
    ),
)
class MilestoneViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Milestones of the commitments you see (`?commitment=<id>`, `?agreement=<slug>`); those who
    report on a commitment plan its milestones, owned by a user of a party to the agreement or
    one of its active points of contact (as the milestone form offers), and edit, complete or
    cancel them with the milestone pages' rules and version check."""

    queryset = Milestone.objects.none()  # the model, for the schema; get_queryset decides
    pagination_class = NewestFirstCursor
    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Milestone.objects.filter(
            commitment__agreement__in=visible_agreements(self.request.user)
        ).select_related("owner_user", "owner_contact")

    def _answer(self, milestone: Milestone, **kwargs: Any) -> Response:
        milestone = self.get_queryset().get(pk=milestone.pk)
        return Response(
            self.get_serializer(milestone).data, headers={"ETag": etag(milestone.version)}, **kwargs
        )

    def _managed(self) -> Milestone:
        """The milestone asked for, among those the user sees (else 404), if the milestone
        pages' rule lets the user change it (else 403)."""
        milestone = self.get_object()
        commitment = (
            Commitment.objects.select_related("agreement")
            .prefetch_related("lead_parties")
            .get(pk=milestone.commitment_id)
        )
        if not activity_rules.can_manage_milestones(self.request.user, commitment):
            raise exceptions.PermissionDenied(activity_rules.refusal_reason(self.request.user, commitment))
        milestone.commitment = commitment
        return milestone

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        return Response(self.get_serializer(milestone).data, headers={"ETag": etag(milestone.version)})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.MilestoneCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        commitment = get_object_or_404(
            activity_selectors.commitments_visible_to(request.user).defer(None), pk=data["commitment"]
        )
        if not activity_rules.can_manage_milestones(request.user, commitment):
            raise exceptions.PermissionDenied(activity_rules.refusal_reason(request.user, commitment))
        # The owners the milestone page accepts, by its form (one rule, one place).
        form = MilestoneForm(
            {name: data.get(name) or "" for name in ("title", "due_on", "owner_user", "owner_contact")},
            commitment=commitment,
            user=signed_in(request),
        )
        if not form.is_valid():
            raise _form_refused(form, renamed={})
        owner_user, owner_contact = form.cleaned_data["owner_user"], form.cleaned_data["owner_contact"]
        try:
            milestone = activity_services.milestone_create(
                commitment=commitment,
                acting_user=signed_in(request),
                title=data["title"],
                due_on=data["due_on"],
                owner_user=owner_user,
                owner_contact=owner_contact,
            )
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return self._answer(milestone, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Fix the title, due date or owner, as the milestone's Edit page does."""
        milestone = self._managed()
        body = s.MilestoneEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sent = dict(body.validated_data)
        version = expected_version(request, sent)
        sent.pop("version", None)
        # One owner: naming a user clears the point of contact, and the other way round.
        for named, other in (("owner_user", "owner_contact"), ("owner_contact", "owner_user")):
            if sent.get(named) is not None and other not in sent:
                sent[other] = None
        user = signed_in(request)
        shown = MilestoneForm(commitment=milestone.commitment, user=user, instance=milestone)
        form_data = {**_form_data(shown), **sent}  # the version sent is the service's to check
        form = MilestoneForm(form_data, commitment=milestone.commitment, user=user, instance=milestone)
        if not form.is_valid():
            raise _form_refused(form, renamed={})
        data = form.cleaned_data
        with edits_answered():
            milestone = activity_services.milestone_edit(
                milestone=milestone,
                acting_user=user,
                expected_version=version,
                title=data["title"],
                due_on=data["due_on"],
                owner_user=data["owner_user"],
                owner_contact=data["owner_contact"],
            )
        return self._answer(milestone)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(request.method or "PUT")

    @extend_schema(
        request=s.MilestoneCompleteSerializer,
        responses=responses(s.MilestoneSerializer, 409, 428),
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Mark an open milestone done on a day (today unless said), as its Mark complete button does."""
        milestone = self._managed()
        body = s.MilestoneCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sent = body.validated_data
        version = expected_version(request, sent)
        with edits_answered():
            milestone = activity_services.milestone_complete(
                milestone=milestone,
                acting_user=signed_in(request),
                completed_on=sent.get("completed_on") or today(),
                expected_version=version,
            )
        return self._answer(milestone)

    @extend_schema(
        request=s.MilestoneCancelSerializer,
        responses=responses(s.MilestoneSerializer, 409, 428),
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel an open milestone with a reason that is kept, as its Cancel button does."""
        milestone = self._managed()
        body = s.MilestoneCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sent = body.validated_data
        version = expected_version(request, sent)
        with edits_answered():
            milestone = activity_services.milestone_cancel(
                milestone=milestone,
                acting_user=signed_in(request),
                reason=sent["cancel_reason"],
                expected_version=version,
            )
        return self._answer(milestone)


def _form_data(form: Any) -> dict[str, Any]:
    """What a page's form would be sent if nothing were changed: its initial values, with
    records as their ids (a write through the API then overlays only the fields it sends)."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if name == "evidence":
            continue
        value = form.get_initial_for_field(field, name)
        if isinstance(value, list | tuple | QuerySet):
            value = [getattr(v, "pk", v) for v in value]
        else:
            value = getattr(value, "pk", value)
        if value is not None:
            data[name] = value
    return data


def _form_refused(form: Any, *, renamed: dict[str, str], formset: Any = None) -> exceptions.ValidationError:
    """A page form's errors as the API's 400, under the API's field names."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = "non_field_errors" if name == "__all__" else renamed.get(name, name)
        errors.setdefault(key, []).extend(messages)
    if formset is not None:
        rows = [
            f"Follow-up {i}: {'' if field == '__all__' else field + ': '}{message}"
            for i, row in enumerate(formset.errors, start=1)
            for field, messages in row.items()
            for message in messages
        ]
        rows += list(formset.non_form_errors())
        if rows:
            errors["follow_ups"] = rows
    return exceptions.ValidationError(errors)


def _follow_up_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The follow-up rows as the meeting page's formset receives them."""
    prefix = "follow_ups"
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            if value is not None:
                data[f"{prefix}-{i}-{name}"] = value
    return data


def _recording_agreement(request: Request, slug: str, rule: Any, refusal: str) -> Agreement:
    """The agreement a new meeting or event is for: one the user sees (else 400), on which the
    page's rule lets them record (else 403)."""
    agreement = visible_agreements(request.user).filter(slug=slug).first()
    if agreement is None:
        raise exceptions.ValidationError({"agreement": ["No such agreement among those you see."]})
    if not rule(request.user, agreement):
        raise exceptions.PermissionDenied(refusal)
    return agreement


MEETING_RENAMED = {"items": "commitments"}


@extend_schema_view(
    list=extend_schema(responses=responses(s.MeetingSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.MeetingSerializer)),
    create=extend_schema(
        request=s.MeetingCreateSerializer, responses=responses(s.MeetingSerializer, ok_status=201)
    ),
    partial_update=extend_schema(
        request=s.MeetingEditSerializer,
        responses=responses(s.MeetingSerializer, 409, 428),
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    ),
)
class MeetingViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings of the agreements you see, filtered as the Meetings page is. Staff of a party to
    the agreement record them; those of the organising party (any party's, for a meeting on a
    joint item) change them, with the meeting form's rules and its version check."""

    queryset = Meeting.objects.none()  # the model, for the schema; get_queryset decides

    pagination_class = NewestFirstCursor
    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return activity_selectors.meetings_visible_to(self.request.user).prefetch_related(
            "items", "follow_ups__owner_user", "follow_ups__owner_contact"
        )

    def _answer(self, meeting: Meeting, **kwargs: Any) -> Response:
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(meeting).data, headers={"ETag": etag(meeting.version)}, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        return Response(self.get_serializer(meeting).data, headers={"ETag": etag(meeting.version)})

    def _forms(self, data: dict[str, Any], *, agreement: Agreement, instance: Meeting | None) -> tuple:
        """The meeting page's form and follow-up rows, given what the page would show overlaid
        with what was sent: the same checks as the page (kinds, attendees, minutes, duplicates)."""
        sent = dict(data)
        rows = sent.pop("follow_ups", [])
        if "commitments" in sent:
            sent["items"] = sent.pop("commitments")
        form_data = {**_form_data(MeetingForm(agreement=agreement, instance=instance)), **sent}
        form = MeetingForm(form_data, agreement=agreement, instance=instance)
        formset = FollowUpFormSet(
            _follow_up_data(rows), agreement=agreement, meeting_form=form, prefix="follow_ups"
        )
        if not (form.is_valid() & formset.is_valid()):
            raise _form_refused(form, renamed=MEETING_RENAMED, formset=formset)
        cleaned = {k: v for k, v in form.cleaned_data.items() if k not in ("confirm_duplicate", "evidence")}
        return cleaned, formset.follow_ups()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.MeetingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        agreement = _recording_agreement(
            request,
            data.pop("agreement"),
            activity_rules.can_record_meeting,
            "Only staff of the agreement's parties can record its meetings.",
        )
        cleaned, follow_ups = self._forms(data, agreement=agreement, instance=None)
        try:
            meeting = activity_services.meeting_create(
                agreement=agreement,
                acting_user=signed_in(request),
                attendee_contacts=cleaned.pop("attendee_contacts"),
                attendee_users=cleaned.pop("attendee_users"),
                items=cleaned.pop("items"),
                follow_ups=follow_ups,
                **cleaned,
            )
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return self._answer(meeting, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        if not activity_rules.can_edit_meeting(request.user, meeting):
            raise exceptions.PermissionDenied(
                "Only staff of the party that organised this meeting can change it, "
                "unless it discussed an item the parties lead jointly."
            )
        body = s.MeetingEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["version"] = expected_version(request, data)
        cleaned, follow_ups = self._forms(data, agreement=meeting.agreement, instance=meeting)
        with edits_answered():
            meeting = activity_services.meeting_update(
                meeting=meeting,
                acting_user=signed_in(request),
                expected_version=cleaned.pop("version"),
                attendee_contacts=cleaned.pop("attendee_contacts"),
                attendee_users=cleaned.pop("attendee_users"),
                items=cleaned.pop("items"),
                follow_ups=follow_ups,
                **cleaned,
            )
        return self._answer(meeting)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(request.method or "PUT")


@extend_schema_view(
    list=extend_schema(responses=responses(s.OutreachEventSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.OutreachEventSerializer)),
    create=extend_schema(
        request=s.OutreachEventCreateSerializer,
        responses=responses(s.OutreachEventSerializer, ok_status=201),
    ),
    partial_update=extend_schema(
        request=s.OutreachEventEditSerializer,
        responses=responses(s.OutreachEventSerializer, 409, 428),
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    ),
)
class OutreachEventViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Outreach events of the agreements you see, filtered as the Outreach page is. Staff record
    the events their own party organises and change them (any party's staff, for an event that
    served a joint item), with the event form's rules and its version check."""

    queryset = OutreachEvent.objects.none()  # the model, for the schema; get_queryset decides

    pagination_class = NewestFirstCursor
    serializer_class = s.OutreachEventSerializer
    filterset_class = EventFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return activity_selectors.events_visible_to(self.request.user).prefetch_related("items")

    def _answer(self, event: OutreachEvent, **kwargs: Any) -> Response:
        event = self.get_queryset().get(pk=event.pk)
        return Response(self.get_serializer(event).data, headers={"ETag": etag(event.version)}, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        return Response(self.get_serializer(event).data, headers={"ETag": etag(event.version)})

    def _form(self, data: dict[str, Any], *, agreement: Agreement, instance: OutreachEvent | None) -> Any:
        """The event page's form, given what the page would show overlaid with what was sent."""
        user = signed_in(self.request)
        sent = dict(data)
        if "commitments" in sent:
            sent["items"] = sent.pop("commitments")
        if "organising_party" in sent:
            party = agreement.parties.filter(acronym=sent["organising_party"]).first()
            if party is None:
                raise exceptions.ValidationError(
                    {"organising_party": ["No party to the agreement has this acronym."]}
                )
            sent["organising_party"] = party.pk
        shown = OutreachEventForm(agreement=agreement, user=user, instance=instance)
        form_data = {**_form_data(shown), **sent}
        form = OutreachEventForm(form_data, agreement=agreement, user=user, instance=instance)
        if not form.is_valid():
            raise _form_refused(form, renamed=MEETING_RENAMED)
        return form

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.OutreachEventCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        agreement = _recording_agreement(
            request,
            data.pop("agreement"),
            activity_rules.can_record_outreach,
            "Only staff of the agreement's parties can record its outreach events.",
        )
        form = self._form(data, agreement=agreement, instance=None)
        try:
            event = activity_services.outreach_event_create(
                agreement=agreement,
                acting_user=signed_in(request),
                items=form.cleaned_data["items"],
                **form.event_fields(),
            )
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return self._answer(event, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        if not activity_rules.can_edit_event(request.user, event):
            raise exceptions.PermissionDenied(
                "Only staff of the party that organised this event can change it, "
                "unless it served an item the parties lead jointly."
            )
        body = s.OutreachEventEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["version"] = expected_version(request, data)
        form = self._form(data, agreement=event.agreement, instance=event)
        with edits_answered():
            event = activity_services.outreach_event_update(
                event=event,
                acting_user=signed_in(request),
                expected_version=form.cleaned_data["version"],
                items=form.cleaned_data["items"],
                **form.event_fields(),
            )
        return self._answer(event)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(request.method or "PUT")


# --- points of contact ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=responses(s.ContactSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.ContactSerializer)),
    create=extend_schema(
        request=s.ContactCreateSerializer, responses=responses(s.ContactSerializer, ok_status=201)
    ),
    partial_update=extend_schema(
        request=s.ContactEditSerializer,
        responses=responses(s.ContactSerializer, 409, 428),
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    ),
)
class ContactViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Points of contact of the agreements you see; admins keep their own party's."""

    queryset = PointOfContact.objects.none()  # the model, for the schema; get_queryset decides

    pagination_class = OldestFirstCursor
    serializer_class = s.ContactSerializer
    filterset_class = ContactFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return contact_rules.visible_contacts(self.request.user).select_related("agreement", "party")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        return Response(self.get_serializer(contact).data, headers={"ETag": etag(contact.version)})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.ContactCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        # The party's admins only, asked first: a refusal says so whatever the agreement.
        party = Party.objects.filter(acronym=data.pop("party")).first()
        if party is None:
            raise exceptions.ValidationError({"party": ["No party has this acronym."]})
        if not contact_rules.can_manage_party(request.user, party):
            raise exceptions.PermissionDenied("Only an admin of the party adds its points of contact.")
        agreement = visible_agreements(request.user).filter(slug=data.pop("agreement")).first()
        if agreement is None:
            raise exceptions.ValidationError({"agreement": ["No such agreement among those you see."]})
        try:
            contact = contact_services.contact_create(agreement=agreement, party=party, **data)
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(
            self.get_serializer(contact).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(contact.version)},
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        if not contact_rules.can_manage_contact(request.user, contact):
            raise exceptions.PermissionDenied("Only an admin of the contact's party edits it.")
        body = s.ContactEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = expected_version(request, data)
        data.pop("version", None)
        try:
            contact = contact_services.contact_update(contact=contact, expected_version=version, **data)
        except contact_services.ContactEditConflict as exc:
            raise Conflict(str(exc) + " Nothing was saved; read it again.") from exc
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(self.get_serializer(contact).data, headers={"ETag": etag(contact.version)})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(request.method or "PUT")

    @extend_schema(
        request=s.ContactDeactivateSerializer,
        responses=responses(s.ContactSerializer, 409, 428),
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        """The contact stops serving on a day (today unless said), as its Deactivate page does;
        the record and its history stay."""
        contact = self.get_object()
        if not contact_rules.can_manage_contact(request.user, contact):
            raise exceptions.PermissionDenied("Only an admin of the contact's party deactivates it.")
        body = s.ContactDeactivateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sent = body.validated_data
        version = expected_version(request, sent)
        form = DeactivateForm(
            {"active_to": sent.get("active_to") or today(), "version": version}, contact=contact
        )
        if not form.is_valid():
            raise _form_refused(form, renamed={})
        try:
            contact = contact_services.contact_deactivate(
                contact=contact, expected_version=version, active_to=form.cleaned_data["active_to"]
            )
        except contact_services.ContactEditConflict as exc:
            raise Conflict(str(exc) + " Nothing was saved; read it again.") from exc
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(self.get_serializer(contact).data, headers={"ETag": etag(contact.version)})


# --- notifications -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=responses(s.NotificationSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.NotificationSerializer)),
)
class NotificationViewSet(ReadViewSet):
    """Your own notifications (`?unread=true` for the unread ones)."""

    queryset = Notification.objects.none()  # the model, for the schema; get_queryset decides

    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilter
    filterset_takes_agreements = False

    def get_queryset(self):
        return notification_selectors.notifications_for(signed_in(self.request))

    @extend_schema(request=s.MarkReadSerializer, responses=responses(s.MarkedReadSerializer))
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request: Request) -> Response:
        """Mark your notifications read: all of them, or those in `ids`."""
        body = s.MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = notification_services.notifications_mark_read(
            acting_user=signed_in(request), ids=body.validated_data.get("ids")
        )
        return Response({"marked_read": count})


# --- webhooks ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=responses(s.WebhookSubscriptionSerializer(many=True))),
    retrieve=extend_schema(responses=responses(s.WebhookSubscriptionSerializer)),
)
class WebhookSubscriptionViewSet(ReadViewSet):
    """Your party's webhook subscriptions, read only (admins; others have none to see). They are
    kept on the Webhooks pages, where the secret is shown once; the API never shows it."""

    queryset = WebhookSubscription.objects.none()  # the model, for the schema; get_queryset decides

    serializer_class = s.WebhookSubscriptionSerializer
    filterset_takes_agreements = False

    def get_queryset(self):
        return notification_selectors.webhook_subscriptions_for(signed_in(self.request))
