"""Progress pages. Each view: find what is asked (404 if not visible), check permission (403 with
the reason), bind the form, call one service, respond."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from agreements.models import Agreement, Commitment, Obligation
from agreements.permissions import viewer_scope, visible_agreements
from core import pickers, sorting
from core.cache import query_key
from core.http import AuthenticatedRequest
from core.paging import CappedCountPaginator

from . import permissions, selectors, services
from .filters import CommitmentFilter, EventFilter, MeetingFilter, UpdateFilter
from .forms import (
    AssignmentForm,
    CompletionDayForm,
    EvidenceForm,
    EvidenceWithdrawForm,
    FollowUpFormSet,
    MeetingForm,
    MeetingVersionForm,
    MilestoneCancelForm,
    MilestoneCompleteForm,
    MilestoneForm,
    OutreachEventForm,
    ProgressUpdateForm,
    apply_errors,
    follow_up_initial,
    user_label,
)
from .models import Evidence, FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from .periods import meeting_records

PAGE_SIZE = 25


def commitment_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A commitment of an agreement with its timeline: updates, milestones, who may report on it."""
    # Its parties read once: who may report, plan and assign all ask which of them lead the item.
    agreement = get_object_or_404(visible_agreements(request.user).prefetch_related("parties"), slug=slug)
    commitment = (
        agreement.commitments.select_related("source_section", "goal", "owner")
        .prefetch_related("lead_parties")
        .filter(code=code)
        .first()
    )
    if commitment is None:
        raise Http404("No such commitment in this agreement.")
    commitment.agreement = commitment.source_section.agreement = agreement
    can_report = permissions.can_report_on(request.user, commitment)
    can_assign = permissions.can_assign_owner(request.user, commitment)
    context = {
        "agreement": agreement,
        "commitment": commitment,
        "can_report": can_report,
        "can_manage_milestones": permissions.can_manage_milestones(
            request.user, commitment, can_report=can_report
        ),
        "complete_form": MilestoneCompleteForm(),
        "sees_withdrawn": permissions.can_download_withdrawn(request.user),
        "can_assign": can_assign,
        "assign_form": (
            AssignmentForm(commitment=commitment, owners=permissions.owner_choices(commitment))
            if can_assign
            else None
        ),
        **selectors.commitment_page(commitment, selectors.timeline_page_number(request.GET.get("page"))),
    }
    for entry in context["timeline"]:
        if entry.kind == "update":
            entry.record.can_edit = permissions.can_edit_update(
                request.user, entry.record, can_report=can_report
            )
    return render(request, "activities/commitment_detail.html", context)


def _commitment(request: HttpRequest, slug: str, code: str) -> Commitment:
    agreement = get_object_or_404(visible_agreements(request.user), slug=slug)
    commitment = (
        Commitment.objects.select_related("agreement", "source_section")
        .prefetch_related("lead_parties")
        .filter(agreement=agreement, code=code)
        .first()
    )
    if commitment is None:
        raise Http404("No such commitment in this agreement.")
    return commitment


# --- My work and lists --------------------------------------------------------------------------


def my_work(request: AuthenticatedRequest) -> HttpResponse:
    # The user's own follow-ups are listed, and an owner may close each one (can_close_follow_up).
    context = {**selectors.my_work(request.user), "complete_form": MilestoneCompleteForm()}
    return render(request, "activities/my_work.html", context)


def _list(
    request: HttpRequest,
    filterset_class,
    queryset,
    template: str,
    extra: dict | None = None,
):
    """A filtered, sorted (core.sorting) and paged list of what the user sees, its total counted
    only as far as the page asked for (core/paging.py): "more than 10,000" past that."""
    agreements = visible_agreements(request.user)
    filterset = filterset_class(request.GET or None, queryset=queryset, agreements=agreements)
    # The total depends on whose view and the filters (not the page or the order asked).
    kept_as = (
        f"total:{template}",
        [viewer_scope(request.user), query_key(request.GET, ignore=("page", sorting.PARAM))],
    )
    page = CappedCountPaginator(filterset.qs, PAGE_SIZE, kept_as=kept_as).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page_obj": page,
        "total": page.paginator.count,
        "sort": sorting.sort_links(filterset, request.GET),
        **(extra or {}),
    }
    return render(request, template, context)


def commitment_list(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        CommitmentFilter,
        selectors.commitments_visible_to(request.user),
        "activities/commitment_list.html",
    )


def update_list(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        UpdateFilter,
        selectors.updates_visible_to(request.user),
        "activities/update_list.html",
    )


def meeting_list(request: HttpRequest) -> HttpResponse:
    visible = visible_agreements(request.user)
    slug = request.GET.get("agreement")
    if slug:
        shown = visible.filter(slug=slug).first()
    else:  # the periods are shown when the user sees a single agreement: read two, not count all
        two = list(visible.order_by()[:2])
        shown = two[0] if len(two) == 1 else None
    return _list(
        request,
        MeetingFilter,
        selectors.meetings_visible_to(request.user),
        "activities/meeting_list.html",
        {
            "recordable": _can_record_on_any(request, permissions.can_record_meeting),
            "periods_agreement": shown,
            "obligation_records": meeting_records(shown) if shown else [],
        },
    )


def event_list(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        EventFilter,
        selectors.events_visible_to(request.user),
        "activities/event_list.html",
        {"recordable": _can_record_on_any(request, permissions.can_record_outreach)},
    )


# --- progress updates ---------------------------------------------------------------------------


def update_create(request: AuthenticatedRequest, slug: str, code: str) -> HttpResponse:
    commitment = _commitment(request, slug, code)
    if not permissions.can_report_on(request.user, commitment):
        raise PermissionDenied(permissions.refusal_reason(request.user, commitment))
    corrects = None
    corrects_pk = request.GET.get("corrects") or request.POST.get("corrects")
    if corrects_pk:
        if not str(corrects_pk).isdigit():
            raise Http404("No such update on this commitment.")
        corrects = ProgressUpdate.objects.filter(commitment=commitment, pk=corrects_pk).first()
        if corrects is None:
            raise Http404("No such update on this commitment.")
    form = ProgressUpdateForm(
        request.POST or None,
        request.FILES or None,
        commitment=commitment,
        user=request.user,
        corrects=corrects,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_update_create(
                commitment=commitment,
                acting_user=request.user,
                reporting_party=data["reporting_party"],
                as_of=data["as_of"],
                status=data["status"],
                percent_complete=data["percent_complete"],
                narrative=data["narrative"],
                next_steps=data["next_steps"],
                corrects=corrects,
                files=data["evidence"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            what = "Correction" if corrects else "Update"
            messages.success(
                request,
                f"{what} saved for {commitment.code}. Its status is now {commitment.get_status_display()}.",
            )
            return redirect(commitment.get_absolute_url())
    return render(
        request,
        "activities/update_form.html",
        {
            "form": form,
            "commitment": commitment,
            "agreement": commitment.agreement,
            "corrects": corrects,
            "edit_window_hours": ProgressUpdate.EDIT_WINDOW_HOURS,
        },
    )


def update_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(
        ProgressUpdate.objects.select_related("commitment__agreement").prefetch_related(
            "commitment__lead_parties"
        ),
        pk=pk,
        commitment__agreement__in=visible_agreements(request.user),
    )
    commitment = update.commitment
    if not permissions.can_edit_update(request.user, update):
        raise PermissionDenied(
            "Only the author can edit an update, and only within "
            f"{ProgressUpdate.EDIT_WINDOW_HOURS} hours of entering it. "
            "To change the record after that, add a correction.",
        )
    form = ProgressUpdateForm(
        request.POST or None, request.FILES or None, commitment=commitment, user=request.user, instance=update
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_update_edit(
                update=update,
                acting_user=request.user,
                expected_version=data["version"],
                as_of=data["as_of"],
                status=data["status"],
                percent_complete=data["percent_complete"],
                narrative=data["narrative"],
                next_steps=data["next_steps"],
                files=data["evidence"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request, f"Update on {commitment.code} changed; the earlier version is kept in its history."
            )
            return redirect(commitment.get_absolute_url())
    return render(
        request,
        "activities/update_form.html",
        {
            "form": form,
            "commitment": commitment,
            "agreement": commitment.agreement,
            "editing": update,
            "edit_window_hours": ProgressUpdate.EDIT_WINDOW_HOURS,
        },
    )


# --- owners and target dates -------------------------------------------------------------------


def _refuse_assigning(request: HttpRequest, item: Commitment) -> None:
    if not permissions.can_assign_owner(request.user, item):
        raise PermissionDenied(
            f"{item.code} is led by {item.lead_display}. Only managers of a lead party assign "
            "its owner and target date."
        )


@require_GET
def commitment_owners(request: HttpRequest, slug: str, code: str) -> JsonResponse:
    """The owner picker's suggestions (static/js/picker.js): who may own the item and whose name
    or e-mail address contains `q`, for whoever may assign it, as `{"value": e-mail, "label"}`."""
    item = _commitment(request, slug, code)
    _refuse_assigning(request, item)
    text = pickers.typed_text(request.GET.get("q"))
    found = selectors.owner_suggestions(permissions.owner_choices(item), text)
    rows = pickers.suggestions(
        found,
        lambda u: {"value": u.email or u.username, "label": f"{user_label(u)}, {u.email or u.username}"},
    )
    return JsonResponse({"results": rows})


def commitment_assign(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Managers of a lead party set the item's owner and target date (the item page has the form)."""
    item = _commitment(request, slug, code)
    _refuse_assigning(request, item)
    owners = permissions.owner_choices(item)
    form = AssignmentForm(request.POST or None, commitment=item, owners=owners)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.commitment_assign(
                commitment=item,
                acting_user=request.user,
                owner=data["owner"],
                target_date=data["target_date"],
                opened_owner_id=data["opened_owner"],
                opened_target_date=data["opened_target_date"],
            )
        except services.AssignmentConflict as error:
            conflict = error
            item = error.commitment
            # The user's choices again, now against the current values: saving is a new decision.
            post = request.POST.copy()
            post["opened_owner"] = str(item.owner_id or "")
            post["opened_target_date"] = item.target_date.isoformat() if item.target_date else ""
            form = AssignmentForm(post, commitment=item, owners=owners)
            form.is_valid()
        except ValidationError as e:
            apply_errors(form, e)
        else:
            owner = (item.owner.get_full_name() or item.owner.username) if item.owner else "nobody"
            when = f"{item.target_date:%Y-%m-%d}" if item.target_date else "no target date"
            messages.success(request, f"{item.code} is owned by {owner}, {when}.")
            return redirect(item.get_absolute_url())
    return render(
        request,
        "activities/assignment_form.html",
        {"form": form, "commitment": item, "agreement": item.agreement, "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- milestones ---------------------------------------------------------------------------------


def milestone_create(request: AuthenticatedRequest, slug: str, code: str) -> HttpResponse:
    commitment = _commitment(request, slug, code)
    if not permissions.can_manage_milestones(request.user, commitment):
        raise PermissionDenied(permissions.refusal_reason(request.user, commitment))
    form = MilestoneForm(request.POST or None, commitment=commitment, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_create(
                commitment=commitment,
                acting_user=request.user,
                title=data["title"],
                due_on=data["due_on"],
                owner_user=data["owner_user"],
                owner_contact=data["owner_contact"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"Milestone “{data['title']}” added to {commitment.code}.")
            return redirect(commitment.get_absolute_url())
    return render(
        request,
        "activities/milestone_form.html",
        {"form": form, "commitment": commitment, "agreement": commitment.agreement},
    )


def _milestone(request: HttpRequest, pk: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.select_related("commitment__agreement").prefetch_related(
            "commitment__lead_parties"
        ),
        pk=pk,
        commitment__agreement__in=visible_agreements(request.user),
    )


def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead party's staff fix a milestone's title, due date or owner."""
    milestone = _milestone(request, pk)
    item = milestone.commitment
    if not permissions.can_manage_milestones(request.user, item):
        raise PermissionDenied(permissions.refusal_reason(request.user, item))
    form = MilestoneForm(request.POST or None, commitment=item, user=request.user, instance=milestone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_edit(
                milestone=milestone,
                acting_user=request.user,
                expected_version=data["version"],
                title=data["title"],
                due_on=data["due_on"],
                owner_user=data["owner_user"],
                owner_contact=data["owner_contact"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"Milestone “{data['title']}” changed; the earlier version is kept.")
            return redirect(item.get_absolute_url())
    return render(
        request,
        "activities/milestone_form.html",
        {"form": form, "commitment": item, "agreement": item.agreement, "milestone": milestone},
    )


@require_POST
def milestone_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead party's staff cancel a milestone with a reason; it stays on the item's record."""
    milestone = _milestone(request, pk)
    item = milestone.commitment
    if not permissions.can_manage_milestones(request.user, item):
        raise PermissionDenied(permissions.refusal_reason(request.user, item))
    form = MilestoneCancelForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_cancel(
                milestone=milestone,
                acting_user=request.user,
                reason=form.cleaned_data["cancel_reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            apply_errors(form, e)
    if form.errors:
        for error in [
            *form.errors.get("cancel_reason", []),
            *form.errors.get("version", []),
            *form.non_field_errors(),
        ]:
            messages.error(request, f"Milestone “{milestone.title}” not cancelled: {error}")
    else:
        messages.success(request, f"Milestone “{milestone.title}” cancelled; it stays on the record.")
    return redirect(item.get_absolute_url())


@require_POST
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.select_related("commitment__agreement").prefetch_related(
            "commitment__lead_parties"
        ),
        pk=pk,
        commitment__agreement__in=visible_agreements(request.user),
    )
    commitment = milestone.commitment
    if not permissions.can_manage_milestones(request.user, commitment):
        raise PermissionDenied(permissions.refusal_reason(request.user, commitment))
    form = MilestoneCompleteForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_complete(
                milestone=milestone,
                acting_user=request.user,
                completed_on=form.cleaned_data["completed_on"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            apply_errors(form, e)
    if form.errors:
        for error in [
            *form.errors.get("completed_on", []),
            *form.errors.get("version", []),
            *form.non_field_errors(),
        ]:
            messages.error(request, f"Milestone “{milestone.title}” not completed: {error}")
    else:
        messages.success(request, f"Milestone “{milestone.title}” marked complete.")
    return redirect(commitment.get_absolute_url())


# --- meetings -----------------------------------------------------------------------------------


def _recordable_agreements(request: HttpRequest, rule) -> list[Agreement]:
    # The rules ask whether the user's party is on each agreement: its parties, loaded at once.
    agreements = visible_agreements(request.user).prefetch_related("parties")
    return [a for a in agreements if rule(request.user, a)]


def _can_record_on_any(request: HttpRequest, rule) -> bool:
    """Whether to offer "Record …" on a list: stops at the first agreement the rule allows,
    reading the agreements 20 at a time, instead of loading every visible one (2,000 at scale 10).

    Slices by key, not `.iterator()`: outside a transaction that declares a cursor WITH HOLD,
    which PostgreSQL fills with every visible agreement before the first 20 are read.
    """
    agreements = visible_agreements(request.user).prefetch_related("parties").order_by("pk")
    after = 0
    while chunk := list(agreements.filter(pk__gt=after)[:20]):
        if any(rule(request.user, a) for a in chunk):
            return True
        after = chunk[-1].pk
    return False


def _chosen_agreement(request: HttpRequest, rule) -> Agreement | None:
    """The agreement named by `?agreement=<slug>`, or the only one the user can record on."""
    slug = request.GET.get("agreement")
    if slug:
        return get_object_or_404(visible_agreements(request.user), slug=slug)
    recordable = _recordable_agreements(request, rule)
    return recordable[0] if len(recordable) == 1 else None


def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    agreement = _chosen_agreement(request, permissions.can_record_meeting)
    if agreement is None:
        choices = _recordable_agreements(request, permissions.can_record_meeting)
        return render(request, "activities/choose_agreement.html", {"agreements": choices, "what": "meeting"})
    if not permissions.can_record_meeting(request.user, agreement):
        raise PermissionDenied("Only staff of the agreement's parties can record its meetings.")
    form = MeetingForm(request.POST or None, request.FILES or None, agreement=agreement)
    formset = FollowUpFormSet(
        request.POST or None, agreement=agreement, meeting_form=form, prefix="follow_ups"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_duplicate"}
        try:
            meeting = services.meeting_create(
                agreement=agreement,
                acting_user=request.user,
                attendee_contacts=data.pop("attendee_contacts"),
                attendee_users=data.pop("attendee_users"),
                items=data.pop("items"),
                files=data.pop("evidence"),
                follow_ups=formset.follow_ups(),
                **data,
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"Meeting “{meeting.title}” recorded.")
            return redirect("activities:meeting_detail", pk=meeting.pk)
    return render(
        request, "activities/meeting_form.html", {"form": form, "formset": formset, "agreement": agreement}
    )


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("agreement", "organiser__membership"),
        pk=pk,
        agreement__in=visible_agreements(request.user),
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_page(_meeting(request, pk))
    can_edit = permissions.can_edit_meeting(request.user, meeting)
    for action in meeting.follow_ups.all():
        # For the page: whether this user may close this action here.
        action.can_close = (  # type: ignore[attr-defined]
            action.completed_on is None and permissions.can_close_follow_up(request.user, action)
        )
    return render(
        request,
        "activities/meeting_detail.html",
        {
            "meeting": meeting,
            "agreement": meeting.agreement,
            "can_edit": can_edit,
            "sees_withdrawn": permissions.can_download_withdrawn(request.user),
            "evidence_form": EvidenceForm(),
            "complete_form": MilestoneCompleteForm(),
            # For an upcoming meeting: what changed since the last one, to be its agenda.
            "agenda_draft": selectors.agenda_draft(meeting, request.user),
        },
    )


@require_POST
def meeting_agenda_use(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Put the meeting's generated agenda draft into its agenda (services.meeting_agenda_from_draft)."""
    meeting = _meeting(request, pk)
    if not permissions.can_edit_meeting(request.user, meeting):
        raise PermissionDenied(
            "Only staff of the party that organised this meeting can change its agenda, "
            "unless it discussed an item the parties lead jointly.",
        )
    form = MeetingVersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("The page was out of date; nothing was saved. Open the meeting again.")
        services.meeting_agenda_from_draft(
            meeting=meeting, acting_user=request.user, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as e:
        for error in e.messages:
            messages.error(request, f"The agenda was not changed: {error}")
    else:
        messages.success(
            request, "The agenda draft is now the meeting's agenda; the earlier one is kept in its history."
        )
    return redirect(meeting.get_absolute_url() + "#agenda-heading")


def meeting_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    agreement = meeting.agreement
    if not permissions.can_edit_meeting(request.user, meeting):
        raise PermissionDenied(
            "Only staff of the party that organised this meeting can change it, "
            "unless it discussed an item the parties lead jointly.",
        )
    form = MeetingForm(request.POST or None, request.FILES or None, agreement=agreement, instance=meeting)
    formset = FollowUpFormSet(
        request.POST or None,
        agreement=agreement,
        meeting_form=form,
        prefix="follow_ups",
        initial=None if request.method == "POST" else follow_up_initial(meeting),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_duplicate"}
        try:
            services.meeting_update(
                meeting=meeting,
                acting_user=request.user,
                expected_version=data.pop("version"),
                attendee_contacts=data.pop("attendee_contacts"),
                attendee_users=data.pop("attendee_users"),
                items=data.pop("items"),
                files=data.pop("evidence"),
                follow_ups=formset.follow_ups(),
                **data,
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request, f"Meeting “{meeting.title}” updated; earlier versions are kept in its history."
            )
            return redirect("activities:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "activities/meeting_form.html",
        {"form": form, "formset": formset, "agreement": agreement, "meeting": meeting},
    )


@require_POST
def meeting_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if not permissions.can_edit_meeting(request.user, meeting):
        raise PermissionDenied("Only staff of the party that organised this meeting can add evidence to it.")
    return _attach(request, EvidenceForm(request.POST, request.FILES), meeting=meeting)


@require_POST
def follow_up_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Close one follow-up action, from the meeting page or from My work (`return_to=my_work`)."""
    action = get_object_or_404(
        FollowUpAction.objects.select_related("meeting__agreement"),
        pk=pk,
        meeting__agreement__in=visible_agreements(request.user),
    )
    if not permissions.can_close_follow_up(request.user, action):
        raise PermissionDenied(
            "Only staff of the agreement's parties, or the action's owner, can close a follow-up action."
        )
    form = CompletionDayForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_complete(
                action=action, acting_user=request.user, completed_on=form.cleaned_data["completed_on"]
            )
        except ValidationError as e:
            apply_errors(form, e)
    what = f"Follow-up “{action}”"
    if form.errors:
        for error in [
            *form.errors.get("completed_on", []),
            *form.non_field_errors(),
        ]:
            messages.error(request, f"{what} not closed: {error}")
    else:
        messages.success(request, f"{what} closed.")
    if request.POST.get("return_to") == "my_work":
        return redirect("my_work")
    return redirect(action.meeting.get_absolute_url())


def _attach(request: AuthenticatedRequest, form: EvidenceForm, **target) -> HttpResponse:
    record = next(iter(target.values()))
    if form.is_valid():
        try:
            stored = services.evidence_attach(
                files=form.cleaned_data["evidence"], acting_user=request.user, **target
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"{len(stored)} file{'s' if len(stored) != 1 else ''} attached.")
            return redirect(record.get_absolute_url())
    for error in form.errors.get("evidence", []) + form.non_field_errors():
        messages.error(request, f"Nothing was attached: {error}")
    return redirect(record.get_absolute_url())


# --- outreach events ----------------------------------------------------------------------------


def event_create(request: AuthenticatedRequest) -> HttpResponse:
    agreement = _chosen_agreement(request, permissions.can_record_outreach)
    if agreement is None:
        choices = _recordable_agreements(request, permissions.can_record_outreach)
        return render(
            request, "activities/choose_agreement.html", {"agreements": choices, "what": "outreach event"}
        )
    if not permissions.can_record_outreach(request.user, agreement):
        raise PermissionDenied("Only staff of the agreement's parties can record its outreach events.")
    form = OutreachEventForm(
        request.POST or None, request.FILES or None, agreement=agreement, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.outreach_event_create(
                agreement=agreement,
                acting_user=request.user,
                items=form.cleaned_data["items"],
                files=form.cleaned_data["evidence"],
                **form.event_fields(),
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"Outreach event “{event.title}” recorded.")
            return redirect("activities:event_detail", pk=event.pk)
    return render(
        request,
        "activities/event_form.html",
        {"form": form, "agreement": agreement, "event_obligation": _event_obligation(agreement)},
    )


def _event_obligation(agreement: Agreement) -> Obligation | None:
    """The agreement's (first) event obligation: its title and clause head the event pages."""
    return Obligation.objects.events().filter(agreement=agreement).select_related("section").first()


def _event(request: HttpRequest, pk: int) -> OutreachEvent:
    return get_object_or_404(
        OutreachEvent.objects.select_related("agreement"),
        pk=pk,
        agreement__in=visible_agreements(request.user),
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_page(_event(request, pk))
    return render(
        request,
        "activities/event_detail.html",
        {
            "event": event,
            "agreement": event.agreement,
            "event_obligation": _event_obligation(event.agreement),
            "can_edit": permissions.can_edit_event(request.user, event),
            "sees_withdrawn": permissions.can_download_withdrawn(request.user),
            "evidence_form": EvidenceForm(),
        },
    )


def event_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    agreement = event.agreement
    if not permissions.can_edit_event(request.user, event):
        raise PermissionDenied(
            "Only staff of the party that organised this event can change it, "
            "unless it served an item the parties lead jointly.",
        )
    form = OutreachEventForm(
        request.POST or None, request.FILES or None, agreement=agreement, user=request.user, instance=event
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outreach_event_update(
                event=event,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
                items=form.cleaned_data["items"],
                files=form.cleaned_data["evidence"],
                **form.event_fields(),
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"Outreach event “{event.title}” updated.")
            return redirect("activities:event_detail", pk=event.pk)
    return render(
        request,
        "activities/event_form.html",
        {
            "form": form,
            "agreement": agreement,
            "event": event,
            "event_obligation": _event_obligation(agreement),
        },
    )


@require_POST
def event_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if not permissions.can_edit_event(request.user, event):
        raise PermissionDenied("Only staff of the party that organised this event can add evidence to it.")
    return _attach(request, EvidenceForm(request.POST, request.FILES), outreach_event=event)


# --- evidence -----------------------------------------------------------------------------------


def evidence_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """Send a file only to those who see its agreement, always as a download, never inline."""
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "progress_update__commitment__agreement", "meeting__agreement", "outreach_event__agreement"
        ),
        pk=pk,
    )
    if not permissions.can_view_evidence(request.user, evidence):
        raise Http404("No such file.")
    if evidence.is_withdrawn and not permissions.can_download_withdrawn(request.user):
        raise PermissionDenied(
            f"{evidence.original_name} was withdrawn on {evidence.withdrawn_at:%Y-%m-%d} "
            f"({evidence.withdrawal_reason}). Only admins can still download it."
        )
    if settings.EVIDENCE_ACCEL_REDIRECT:
        # Behind nginx (deploy/nginx): the permission is checked here, nginx sends the file
        # from its internal location, and no application worker is held by a slow download.
        accel = HttpResponse(content_type=evidence.content_type)
        accel["X-Accel-Redirect"] = quote(f"{settings.EVIDENCE_ACCEL_REDIRECT}{evidence.file.name}")
        accel["Content-Disposition"] = content_disposition_header(True, evidence.original_name)
        accel["X-Content-Type-Options"] = "nosniff"
        return accel
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as e:
        raise Http404("The file is missing from storage.") from e
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def evidence_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Withdraw a wrong file with a reason; it stays on the record, shown as withdrawn."""
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "progress_update__commitment__agreement",
            "meeting__agreement",
            "outreach_event__agreement",
        ),
        pk=pk,
    )
    if not permissions.can_view_evidence(request.user, evidence):
        raise Http404("No such file.")
    if not permissions.can_withdraw_evidence(request.user, evidence):
        raise PermissionDenied("Only those who keep the record a file backs can withdraw it.")
    form = EvidenceWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.evidence_withdraw(
                evidence=evidence, acting_user=request.user, reason=form.cleaned_data["withdrawal_reason"]
            )
        except ValidationError as e:
            apply_errors(form, e)
    if form.errors:
        for error in form.errors.get("withdrawal_reason", []) + form.non_field_errors():
            messages.error(request, f"{evidence.original_name} not withdrawn: {error}")
    else:
        messages.success(request, f"{evidence.original_name} withdrawn; it stays on the record.")
    if evidence.progress_update is not None:
        return redirect(evidence.progress_update.commitment.get_absolute_url())
    record = evidence.meeting or evidence.outreach_event
    return redirect(record.get_absolute_url() if record is not None else "my_work")
