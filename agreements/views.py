"""Agreement pages: the list and the agreement in full. Permission, query, respond.

An item's page (its timeline of updates and milestones) is activities' `commitment_detail`.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from core import cache, pickers, sorting
from core.http import AuthenticatedRequest
from core.time import long_date

from . import drafting, drafts, lifecycle, permissions, selectors, termination
from .forms import (
    AgreementDraftForm,
    AgreementTextForm,
    AgreementUploadForm,
    ConfirmForm,
    ModificationForm,
    MutualTerminationForm,
    NonRenewalForm,
    ProposalDecisionForm,
    SignatureForm,
    TerminationNoticeForm,
)
from .models import Agreement, DraftUpload, Modification, ReadingProposal, TextReading

AGREEMENTS_PER_PAGE = 25


def agreement_list(request: HttpRequest) -> HttpResponse:
    # Paged: a department-wide portal carries hundreds of agreements (docs/performance.md).
    sort = sorting.read(request.GET.get(sorting.PARAM), selectors.SORT_COLUMNS)
    agreements = selectors.agreement_list_for(permissions.visible_agreements(request.user), sort=sort)
    page = Paginator(agreements, AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "agreements": page,
        "page_obj": page,
        "can_start": permissions.can_start_agreement(request.user),
        "sort": sorting.links(selectors.SORT_COLUMNS, sort or selectors.SORT_DEFAULT, request.GET),
    }
    return render(request, "agreements/agreement_list.html", context)


@require_GET
def agreement_lookup(request: HttpRequest) -> JsonResponse:
    """The agreement picker's suggestions (static/js/picker.js): the agreements the user sees
    whose name or slug contains `q`, at most a screenful, as `{"value": slug, "label": name}`."""
    found = selectors.agreement_suggestions(
        permissions.visible_agreements(request.user), pickers.typed_text(request.GET.get("q"))
    )
    rows = pickers.suggestions(found, lambda a: {"value": a.slug, "label": a.short_name})
    return JsonResponse({"results": rows})


def agreement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    # The body (term, item lists, text) is the same for everyone who sees the agreement: kept
    # rendered until the records change (core.cache.kept), as reading and drawing its lists and
    # clauses was most of the page's time (docs/performance.md). The rest is per user.
    body = cache.kept(
        "agreement-body",
        [str(agreement.pk)],
        lambda: render_to_string("agreements/_agreement_body.html", selectors.agreement_body(agreement)),
    )
    context = {
        "agreement": agreement,
        "body": mark_safe(body),  # noqa: S308  # rendered by the template above, escaped there
        **selectors.agreement_page(agreement),
        "acting_party": permissions.acting_party(request.user, agreement),
        "can_edit_draft": drafts.can_edit_draft(request.user, agreement),
    }
    return render(request, "agreements/agreement_detail.html", context)


@require_GET
def text_part(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One part of a long agreement text: a top-level clause and the clauses under it, paged."""
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    top = get_object_or_404(agreement.sections, pk=pk, parent__isnull=True)
    part = selectors.text_part(agreement, top, request.GET.get("page"))
    return render(request, "agreements/text_part.html", {"agreement": agreement, "part": part})


@require_GET
def clause(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Where a clause is shown: the agreement page, or the page of its part of a long text."""
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    section = get_object_or_404(agreement.sections, pk=pk)
    place = selectors.clause_place(agreement, section)
    if place is None:
        return redirect(f"{agreement.get_absolute_url()}#{section.anchor}")
    top, page = place
    url = reverse("agreements:text_part", kwargs={"slug": agreement.slug, "pk": top.pk})
    return redirect(f"{url}{f'?page={page}' if page > 1 else ''}#{section.anchor}")


# --- the agreement's life: a new agreement, signatures, modifications -----------------------------


def _refusal_into(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form fields it names (others on the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _refusal_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _agreement_acted_on(request: HttpRequest, slug: str) -> Agreement:
    """The agreement (404 when not visible); 403 unless the user acts for a party to it."""
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    if not permissions.can_act_for_party_on(request.user, agreement):
        raise PermissionDenied("Only an admin of a party to this agreement can do this.")
    return agreement


def agreement_new(request: AuthenticatedRequest) -> HttpResponse:
    """Start an agreement: upload its file (previewed before anything is saved) or fill the short form."""
    if not permissions.can_start_agreement(request.user):
        raise PermissionDenied("Only a party's admin can start an agreement.")
    upload_form, draft_form, text_form = (
        AgreementUploadForm(),
        AgreementDraftForm(),
        AgreementTextForm(prefix="text"),
    )
    if request.method == "POST" and request.POST.get("form") == "read":
        text_form = AgreementTextForm(request.POST, request.FILES, prefix="text")
        if text_form.is_valid():
            file = text_form.cleaned_data["file"]
            try:
                if getattr(file, "over_cap", False):
                    limit = f"{settings.EVIDENCE_MAX_BYTES:,} bytes"
                    raise ValidationError(
                        {"file": [f"“{file.name}” is over the limit; files may be at most {limit}."]}
                    )
                reading = drafting.text_reading_create(
                    acting_user=request.user,
                    file_name=file.name,
                    data=file.read(settings.EVIDENCE_MAX_BYTES + 1),
                )
            except ValidationError as exc:
                _refusal_into(text_form, exc)
            else:
                return redirect("agreements:reading_review", pk=reading.pk)
    elif request.method == "POST" and request.POST.get("form") == "upload":
        upload_form = AgreementUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            file = upload_form.cleaned_data["file"]
            try:
                upload = lifecycle.draft_upload_create(
                    acting_user=request.user,
                    file_name=file.name,
                    data=file.read(lifecycle.MAX_AGREEMENT_FILE_BYTES + 1),
                )
            except ValidationError as exc:
                _refusal_into(upload_form, exc)
            else:
                return redirect("agreements:upload_preview", pk=upload.pk)
    elif request.method == "POST":
        draft_form = AgreementDraftForm(request.POST)
        if draft_form.is_valid():
            try:
                agreement = lifecycle.agreement_draft_create(
                    acting_user=request.user, **draft_form.cleaned_data
                )
            except ValidationError as exc:
                _refusal_into(draft_form, exc)
            else:
                messages.success(
                    request, f"Draft {agreement.short_name} started. Each party now records its signature."
                )
                return redirect(agreement)
    context = {
        "upload_form": upload_form,
        "draft_form": draft_form,
        "text_form": text_form,
        "max_bytes": lifecycle.MAX_AGREEMENT_FILE_BYTES,
        "max_text_bytes": settings.EVIDENCE_MAX_BYTES,
    }
    return render(request, "agreements/agreement_new.html", context)


def upload_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What the uploaded file will create or change; confirming saves exactly that file."""
    if not permissions.can_start_agreement(request.user):
        raise PermissionDenied("Only a party's admin can start an agreement.")
    upload = get_object_or_404(DraftUpload, pk=pk, uploaded_by=request.user, confirmed_at__isnull=True)
    form = ConfirmForm(request.POST or None, initial={"sha256": upload.sha256})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = lifecycle.draft_upload_confirm(
                acting_user=request.user, upload=upload, sha256=form.cleaned_data["sha256"]
            )
        except ValidationError as exc:
            refusal = _refusal_text(exc)
        else:
            messages.success(request, result.summary())
            return redirect(result.agreement)
    try:
        preview = lifecycle.upload_preview(upload)
    except ValidationError as exc:
        preview, refusal = None, _refusal_text(exc)
    context = {"upload": upload, "preview": preview, "form": form, "refusal": refusal}
    return render(request, "agreements/upload_preview.html", context)


def _reading_of(request: AuthenticatedRequest, pk: int) -> TextReading:
    """The admin's own text under review (404 for anyone else's)."""
    if not permissions.can_start_agreement(request.user):
        raise PermissionDenied("Only a party's admin can start an agreement.")
    return get_object_or_404(TextReading, pk=pk, uploaded_by=request.user)


def _review_page(
    request: AuthenticatedRequest,
    reading: TextReading,
    *,
    focus: int | None,
    failed: tuple[int, ProposalDecisionForm] | None = None,
    refusal: str = "",
) -> HttpResponse:
    context = {
        "reading": reading,
        **selectors.reading_review(reading, focus=focus),
        "failed_position": failed[0] if failed else None,
        "failed_form": failed[1] if failed else None,
        "refusal": refusal,
    }
    return render(request, "agreements/reading_review.html", context)


@require_GET
def reading_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The text on one side, each proposal on the other with its clause highlighted."""
    reading = _reading_of(request, pk)
    raw = request.GET.get("proposal", "")
    return _review_page(request, reading, focus=int(raw) if raw.isdigit() else None)


@require_POST
def reading_decide(request: AuthenticatedRequest, pk: int, position: int) -> HttpResponse:
    """Confirm, edit or ignore one proposal."""
    reading = _reading_of(request, pk)
    proposal = get_object_or_404(ReadingProposal, reading=reading, position=position)
    form = ProposalDecisionForm(request.POST)
    if form.is_valid():
        try:
            drafting.reading_proposal_decide(
                acting_user=request.user,
                proposal=proposal,
                decision=form.cleaned_data["decision"],
                expected_version=form.cleaned_data["version"],
                value_text=form.cleaned_data["value"],
            )
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            url = reverse("agreements:reading_review", kwargs={"pk": reading.pk})
            return redirect(f"{url}?proposal={position}#proposal-{position}")
    return _review_page(request, reading, focus=position, failed=(position, form))


@require_POST
def reading_draft(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Make the draft of the confirmed proposals; it goes on to the lifecycle's preview."""
    reading = _reading_of(request, pk)
    try:
        upload = drafting.text_reading_draft(acting_user=request.user, reading=reading)
    except ValidationError as exc:
        return _review_page(request, reading, focus=None, refusal=_refusal_text(exc))
    return redirect("agreements:upload_preview", pk=upload.pk)


def agreement_sign(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Record the signature of the admin's own party."""
    agreement = _agreement_acted_on(request, slug)
    party = permissions.acting_party(request.user, agreement)
    if party is None:  # _agreement_acted_on has refused everyone without a party on it
        raise PermissionDenied("Only an admin of a party to this agreement can do this.")
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.signature_record(acting_user=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            agreement.refresh_from_db()
            said = " It is in force." if agreement.executed_on else ""
            messages.success(request, f"{party.acronym}'s signature is recorded.{said}")
            return redirect(agreement)
    return render(
        request, "agreements/signature_form.html", {"agreement": agreement, "party": party, "form": form}
    )


def modification_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Propose a modification: its words and its effects, for every party to execute."""
    agreement = _agreement_acted_on(request, slug)
    form = ModificationForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            modification = lifecycle.modification_propose(
                acting_user=request.user,
                agreement=agreement,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                effects=form.effects(),
            )
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            messages.success(
                request, f"Modification {modification.number} proposed. Each party now executes it."
            )
            return redirect(modification)
    context = {"agreement": agreement, "form": form, "title": "Propose a modification"}
    return render(request, "agreements/modification_form.html", context)


def _modification(request: HttpRequest, slug: str, number: int) -> Modification:
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    return get_object_or_404(
        agreement.modifications.select_related("agreement", "proposing_party"), number=number
    )


def modification_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A modification: its words, effects, hash, executions and state; the admins' actions."""
    modification = _modification(request, slug, number)
    agreement = modification.agreement
    state = selectors.modification_state(
        agreement.modifications.prefetch_related("executions__party").get(pk=modification.pk),
        list(agreement.parties.all()),
    )
    party = permissions.acting_party(request.user, agreement)
    context = {
        "agreement": agreement,
        "modification": modification,
        "state": state,
        "sha256": lifecycle.content_sha256(modification),
        "party": party,
        "can_execute": bool(party and state.open and party in state.awaiting),
        "can_edit": bool(party and state.open),
        "can_withdraw": bool(party and state.open and modification.proposing_party_id == party.pk),
    }
    return render(request, "agreements/modification_detail.html", context)


def modification_edit(request: AuthenticatedRequest, slug: str, number: int) -> HttpResponse:
    """Change a proposal; executions of its earlier words stop counting (the parties are told)."""
    modification = _modification(request, slug, number)
    agreement = modification.agreement
    if not permissions.can_act_for_party_on(request.user, agreement):
        raise PermissionDenied("Only an admin of a party to this agreement can change a proposal.")
    form = ModificationForm(
        request.POST or None, agreement=agreement, initial=ModificationForm.initial_for(modification)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            modification = lifecycle.modification_update(
                acting_user=request.user,
                modification=modification,
                expected_version=form.cleaned_data.get("version") or 0,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                effects=form.effects(),
            )
        except lifecycle.ProposalChanged as exc:
            conflict = exc
            modification.refresh_from_db()
            form = ModificationForm(
                {**request.POST.dict(), "version": modification.version}, agreement=agreement
            )
            form.is_valid()
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            messages.success(
                request, f"Modification {modification.number} changed. Each party executes it again."
            )
            return redirect(modification)
    context = {
        "agreement": agreement,
        "form": form,
        "modification": modification,
        "conflict": conflict,
        "title": f"Change modification {modification.number}",
    }
    return render(request, "agreements/modification_form.html", context)


@require_POST
def modification_execute(request: AuthenticatedRequest, slug: str, number: int) -> HttpResponse:
    """Execute the modification for the admin's party: exactly the words and effects whose hash was shown."""
    modification = _modification(request, slug, number)
    if not permissions.can_act_for_party_on(request.user, modification.agreement):
        raise PermissionDenied("Only an admin of a party to this agreement can execute it.")
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("The page you executed from did not say what you executed; open it again.")
        lifecycle.modification_execute(
            acting_user=request.user, modification=modification, sha256=form.cleaned_data["sha256"]
        )
    except ValidationError as exc:
        messages.error(request, f"Not executed: {_refusal_text(exc)}")
    else:
        modification.refresh_from_db()
        state = "It is in effect." if modification.applied_at else "It awaits the other parties."
        messages.success(request, f"Modification {modification.number} executed. {state}")
    return redirect(modification)


@require_POST
def modification_withdraw(request: AuthenticatedRequest, slug: str, number: int) -> HttpResponse:
    """The proposing party withdraws the proposal before it takes effect."""
    modification = _modification(request, slug, number)
    if not permissions.can_act_for_party_on(request.user, modification.agreement):
        raise PermissionDenied("Only an admin of the party that proposed it can withdraw it.")
    try:
        lifecycle.modification_withdraw(acting_user=request.user, modification=modification)
    except ValidationError as exc:
        messages.error(request, f"Not withdrawn: {_refusal_text(exc)}")
    else:
        messages.success(request, f"Modification {modification.number} withdrawn.")
    return redirect(modification)


# --- the end of the agreement: notices of termination and non-renewal, mutual termination ---------


def _termination_render(
    request: HttpRequest,
    agreement: Agreement,
    *,
    notice_form: TerminationNoticeForm | None = None,
    mutual_form: MutualTerminationForm | None = None,
    non_renewal_form: NonRenewalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    party = permissions.acting_party(request.user, agreement)
    page = selectors.termination_page(agreement, party)
    own_right = page["own_right"]
    context = {
        "agreement": agreement,
        "party": party,
        **page,
        "notice_form": notice_form
        or TerminationNoticeForm(prefix="notice", notice_days=own_right.notice_days if own_right else None),
        "mutual_form": mutual_form or MutualTerminationForm(prefix="mutual"),
        "non_renewal_form": non_renewal_form or NonRenewalForm(prefix="nonrenewal"),
    }
    return render(request, "agreements/termination.html", context, status=status)


def termination_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The agreement's termination rules, the notices given and the countdown; a party's admin gives
    notice of termination here (POST)."""
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    if request.method != "POST":
        return _termination_render(request, agreement)
    if not permissions.can_act_for_party_on(request.user, agreement):
        raise PermissionDenied("Only an admin of a party to this agreement can give notice of termination.")
    form = TerminationNoticeForm(request.POST, prefix="notice")
    if form.is_valid():
        try:
            notice = termination.termination_notice_give_for(
                acting_user=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            messages.success(
                request,
                f"{notice.party.acronym}'s notice of termination is recorded: it takes effect on "
                f"{long_date(notice.effective_on)}. The other parties' admins are told.",
            )
            return redirect("agreements:termination", slug=agreement.slug)
    return _termination_render(request, agreement, notice_form=form)


@require_POST
def termination_withdraw(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The party that gave the standing notice of termination withdraws it, before it takes effect."""
    agreement = _agreement_acted_on(request, slug)
    try:
        termination.termination_notice_withdraw_for(acting_user=request.user, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, f"Not withdrawn: {_refusal_text(exc)}")
    else:
        messages.success(
            request, "The notice of termination is withdrawn. The other parties' admins are told."
        )
    return redirect("agreements:termination", slug=agreement.slug)


@require_POST
def termination_mutual(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Propose a termination by mutual agreement: a modification every party executes."""
    agreement = _agreement_acted_on(request, slug)
    form = MutualTerminationForm(request.POST, prefix="mutual")
    if form.is_valid():
        try:
            modification = termination.mutual_termination_propose(
                acting_user=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            messages.success(
                request,
                f"Modification {modification.number} proposed. It takes effect when every party executes it.",
            )
            return redirect(modification)
    return _termination_render(request, agreement, mutual_form=form)


@require_POST
def termination_non_renewal(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """A party's admin records its notice that the term is not to renew."""
    agreement = _agreement_acted_on(request, slug)
    form = NonRenewalForm(request.POST, prefix="nonrenewal")
    if form.is_valid():
        try:
            termination.non_renewal_notice_give(
                acting_user=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            messages.success(
                request, "The notice of non-renewal is recorded. The other parties' admins are told."
            )
            return redirect("agreements:termination", slug=agreement.slug)
    return _termination_render(request, agreement, non_renewal_form=form)


@require_POST
def termination_non_renewal_withdraw(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The party that gave the notice of non-renewal withdraws it, by the last day to give one."""
    agreement = _agreement_acted_on(request, slug)
    try:
        termination.non_renewal_notice_withdraw_for(acting_user=request.user, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, f"Not withdrawn: {_refusal_text(exc)}")
    else:
        messages.success(
            request,
            "The notice of non-renewal is withdrawn: the term renews as the agreement states. "
            "The other parties' admins are told.",
        )
    return redirect("agreements:termination", slug=agreement.slug)


@require_POST
def termination_renewal(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Propose renewing a term that renews only when the parties agree (a modification)."""
    agreement = _agreement_acted_on(request, slug)
    try:
        modification = termination.renewal_propose(acting_user=request.user, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, f"Not proposed: {_refusal_text(exc)}")
        return redirect("agreements:termination", slug=agreement.slug)
    messages.success(request, f"Modification {modification.number} proposed. Each party now executes it.")
    return redirect(modification)
