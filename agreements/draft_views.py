"""Pages that edit a draft: its clauses, commitments, recurring obligations and signatories.

Permission (an admin of one of the draft's parties, while it is a draft), form, one service of
agreements/drafts.py, respond. A draft is invisible (404) to everyone else but a superuser; an
agreement in force answers 403 saying that it changes through modifications.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.http import AuthenticatedRequest

from . import drafts, permissions, selectors
from .draft_forms import ClauseForm, CommitmentForm, DeleteForm, MoveForm, ObligationForm, SignatoryForm
from .models import Agreement
from .views import _refusal_into, _refusal_text


def _draft_for(request: HttpRequest, slug: str) -> Agreement:
    """The draft (404 when not visible); 403 unless the user may edit it now."""
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    if not permissions.can_act_for_party_on(request.user, agreement):
        raise PermissionDenied("Only an admin of a party to this draft can edit it.")
    if agreement.executed_on is not None:
        raise PermissionDenied(
            "This agreement is in force: it changes only through a modification every party executes."
        )
    return agreement


def _draft_url(agreement: Agreement, anchor: str = "") -> str:
    return reverse("agreements:draft", kwargs={"slug": agreement.slug}) + (f"#{anchor}" if anchor else "")


def draft_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The draft as it stands, each part with its edit, move and remove actions."""
    agreement = _draft_for(request, slug)
    party = permissions.acting_party(request.user, agreement)
    context = {"agreement": agreement, **selectors.draft_page(agreement, party)}
    return render(request, "agreements/draft_edit.html", context)


def _form_page(
    request: HttpRequest,
    *,
    agreement: Agreement,
    make_form: Callable[[Any], forms.Form],
    save: Callable[[Any], Any],
    title: str,
    done: Callable[[Any], str],
    to: Callable[[Any], str],
    intro: str = "",
) -> HttpResponse:
    """Show the form; on a valid POST call `save(form)`; a stale version shows what changed (409)."""
    form = make_form(request.POST if request.method == "POST" else None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except drafts.DraftItemChanged as exc:
            conflict = exc
            # The user's entries again, now against the current version: saving again is a
            # choice made after seeing what changed.
            data = request.POST.copy()
            data["version"] = str(getattr(exc.item, "version", 0))
            form = make_form(data)
            form.is_valid()
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            messages.success(request, done(saved))
            return redirect(to(saved))
    context = {"agreement": agreement, "form": form, "title": title, "conflict": conflict, "intro": intro}
    return render(request, "agreements/draft_form.html", context, status=409 if conflict else 200)


def _delete_page(
    request: HttpRequest, *, agreement: Agreement, item: Any, what: str, delete: Callable[[int], None]
) -> HttpResponse:
    """Confirm a removal (GET); remove the item as it was shown (POST, with its version)."""
    form = DeleteForm(request.POST if request.method == "POST" else None, initial={"version": item.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            delete(form.expected_version())
        except drafts.DraftItemChanged as exc:
            conflict = exc
            item = exc.item
            form = DeleteForm(initial={"version": getattr(item, "version", 0)})
        except ValidationError as exc:
            _refusal_into(form, exc)
        else:
            messages.success(request, f"Removed {what}.")
            return redirect(_draft_url(agreement))
    context = {"agreement": agreement, "form": form, "item": item, "what": what, "conflict": conflict}
    return render(request, "agreements/draft_delete.html", context, status=409 if conflict else 200)


# --- clauses ------------------------------------------------------------------------------------


def clause_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    agreement = _draft_for(request, slug)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent", "").isdigit() else {}
    return _form_page(
        request,
        agreement=agreement,
        make_form=lambda data: ClauseForm(data, agreement=agreement, initial=initial),
        save=lambda form: drafts.clause_create(
            acting_user=request.user,
            agreement=agreement,
            number=form.cleaned_data["number"],
            heading=form.cleaned_data["heading"],
            text=form.cleaned_data["text"],
            parent=form.cleaned_data["parent"],
        ),
        title="Add a clause",
        intro="A clause within another comes after the last clause within it; move it from the draft's page.",
        done=lambda clause: f"Clause {clause.number} added.",
        to=lambda clause: _draft_url(agreement, clause.anchor),
    )


def clause_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    agreement = _draft_for(request, slug)
    clause = get_object_or_404(agreement.sections, pk=pk)
    return _form_page(
        request,
        agreement=agreement,
        make_form=lambda data: ClauseForm(
            data, agreement=agreement, clause=clause, initial=ClauseForm.initial_for(clause)
        ),
        save=lambda form: drafts.clause_update(
            acting_user=request.user,
            clause=clause,
            expected_version=form.expected_version(),
            number=form.cleaned_data["number"],
            heading=form.cleaned_data["heading"],
            text=form.cleaned_data["text"],
            parent=form.cleaned_data["parent"],
        ),
        title=f"Edit clause {clause.number}",
        done=lambda saved: f"Clause {saved.number} saved.",
        to=lambda saved: _draft_url(agreement, saved.anchor),
    )


@require_POST
def clause_move(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Move a clause up or down among the clauses at its level (the buttons on the draft's page)."""
    agreement = _draft_for(request, slug)
    clause = get_object_or_404(agreement.sections, pk=pk)
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say whether to move the clause up or down.")
        drafts.clause_move(
            acting_user=request.user,
            clause=clause,
            expected_version=form.expected_version(),
            direction=form.cleaned_data["direction"],
        )
    except drafts.DraftItemChanged as exc:
        changed = "; ".join(f"{c.label}: {c.when_opened} → {c.now}" for c in exc.changes)
        messages.error(request, f"Not moved: {exc.messages[0]}{' ' + changed if changed else ''}")
    except ValidationError as exc:
        messages.error(request, f"Not moved: {_refusal_text(exc)}")
    else:
        messages.success(request, f"Clause {clause.number} moved {form.cleaned_data['direction']}.")
    return redirect(_draft_url(agreement, clause.anchor))


def clause_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    agreement = _draft_for(request, slug)
    clause = get_object_or_404(agreement.sections, pk=pk)
    return _delete_page(
        request,
        agreement=agreement,
        item=clause,
        what=f"clause {clause.number}",
        delete=lambda version: drafts.clause_delete(
            acting_user=request.user, clause=clause, expected_version=version
        ),
    )


# --- commitments -------------------------------------------------------------------------------


def commitment_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    agreement = _draft_for(request, slug)
    return _form_page(
        request,
        agreement=agreement,
        make_form=lambda data: CommitmentForm(data, agreement=agreement),
        save=lambda form: drafts.commitment_create(
            acting_user=request.user, agreement=agreement, **form.values()
        ),
        title="Add a commitment",
        done=lambda c: f"Commitment {c.code} added.",
        to=lambda c: _draft_url(agreement, f"commitment-{c.pk}"),
    )


def commitment_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    agreement = _draft_for(request, slug)
    commitment = get_object_or_404(agreement.commitments, pk=pk)
    return _form_page(
        request,
        agreement=agreement,
        make_form=lambda data: CommitmentForm(
            data, agreement=agreement, commitment=commitment, initial=CommitmentForm.initial_for(commitment)
        ),
        save=lambda form: drafts.commitment_update(
            acting_user=request.user,
            commitment=commitment,
            expected_version=form.expected_version(),
            **form.values(),
        ),
        title=f"Edit commitment {commitment.code}",
        done=lambda c: f"Commitment {c.code} saved.",
        to=lambda c: _draft_url(agreement, f"commitment-{c.pk}"),
    )


def commitment_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    agreement = _draft_for(request, slug)
    commitment = get_object_or_404(agreement.commitments, pk=pk)
    return _delete_page(
        request,
        agreement=agreement,
        item=commitment,
        what=f"commitment {commitment.code}",
        delete=lambda version: drafts.commitment_delete(
            acting_user=request.user, commitment=commitment, expected_version=version
        ),
    )


# --- recurring obligations -------------------------------------------------------------------


def obligation_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    agreement = _draft_for(request, slug)
    return _form_page(
        request,
        agreement=agreement,
        make_form=lambda data: ObligationForm(data, agreement=agreement),
        save=lambda form: drafts.obligation_create(
            acting_user=request.user, agreement=agreement, values=form.values()
        ),
        title="Add a recurring obligation",
        done=lambda o: f"Obligation {o.code} added.",
        to=lambda o: _draft_url(agreement, f"obligation-{o.pk}"),
    )


def obligation_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    agreement = _draft_for(request, slug)
    obligation = get_object_or_404(agreement.obligations, pk=pk)
    return _form_page(
        request,
        agreement=agreement,
        make_form=lambda data: ObligationForm(
            data, agreement=agreement, obligation=obligation, initial=ObligationForm.initial_for(obligation)
        ),
        save=lambda form: drafts.obligation_update(
            acting_user=request.user,
            obligation=obligation,
            expected_version=form.expected_version(),
            values=form.values(),
        ),
        title=f"Edit obligation {obligation.code}",
        done=lambda o: f"Obligation {o.code} saved.",
        to=lambda o: _draft_url(agreement, f"obligation-{o.pk}"),
    )


def obligation_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    agreement = _draft_for(request, slug)
    obligation = get_object_or_404(agreement.obligations, pk=pk)
    return _delete_page(
        request,
        agreement=agreement,
        item=obligation,
        what=f"obligation {obligation.code}",
        delete=lambda version: drafts.obligation_delete(
            acting_user=request.user, obligation=obligation, expected_version=version
        ),
    )


# --- signatories -------------------------------------------------------------------------------


def signatory_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Correct the admin's own party's signatory (name, title, the date once signed)."""
    agreement = _draft_for(request, slug)
    signatory = get_object_or_404(agreement.signatories.select_related("party"), pk=pk)
    if signatory.party != permissions.acting_party(request.user, agreement):
        raise PermissionDenied(f"Only {signatory.party.acronym}'s admins correct its signatory.")
    return _form_page(
        request,
        agreement=agreement,
        make_form=lambda data: SignatoryForm(data, initial=SignatoryForm.initial_for(signatory)),
        save=lambda form: drafts.signatory_update(
            acting_user=request.user,
            signatory=signatory,
            expected_version=form.expected_version(),
            name=form.cleaned_data["name"],
            title=form.cleaned_data["title"],
            signed_on=form.cleaned_data["signed_on"],
        ),
        title=f"{signatory.party.acronym}'s signatory",
        intro="The agreement is in force from the last party's signature.",
        done=lambda s: f"{s.party.acronym}'s signatory saved.",
        to=lambda s: (
            _draft_url(agreement, "signatories")
            if s.agreement.executed_on is None
            else s.agreement.get_absolute_url()
        ),
    )
