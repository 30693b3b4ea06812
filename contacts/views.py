"""Points-of-contact pages: read by every user of the agreement, kept by their party's admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from agreements.models import Agreement
from agreements.permissions import is_admin, manageable_parties, visible_agreements
from agreements.selectors import agreement_list_for, parties_to
from core import sorting
from core.time import long_date

from . import permissions, selectors, services
from .forms import ContactCreateForm, ContactForm, ContactListForm, DeactivateForm
from .models import PointOfContact


def _contact_for(request: HttpRequest, pk: int) -> PointOfContact:
    """The contact, or 404 when its agreement is not visible to the user."""
    return get_object_or_404(
        permissions.visible_contacts(request.user).select_related("agreement", "party"), pk=pk
    )


def _list_url(contact: PointOfContact) -> str:
    return f"{reverse('contacts:list')}?agreement={contact.agreement.slug}"


def contact_list(request: HttpRequest) -> HttpResponse:
    """Contacts grouped by agreement and party, a few whole agreements per page; `?agreement=`
    (the filter the agreement page and the dashboard link with) shows one agreement, `?party=`
    one party's contacts on the agreements it is a party to."""
    visible = visible_agreements(request.user)
    parties = parties_to(visible)
    slug, acronym = request.GET.get("agreement"), request.GET.get("party")
    party = get_object_or_404(parties, acronym=acronym) if acronym else None
    shown = visible.filter(parties=party) if party else visible
    agreements: list[Agreement] | QuerySet[Agreement]
    choices = visible.order_by("short_name").only("slug", "short_name")
    form = ContactListForm({"agreement": slug} if slug else None, agreements=choices)
    if slug:
        # A slug (what links carry) or an agreement's short name typed in the picker.
        if not form.is_valid():
            raise Http404("No such agreement.")
        slug = form.cleaned_data["agreement"].slug
        agreements = list(shown.filter(slug=slug))
    else:
        agreements = agreement_list_for(shown)
    page = Paginator(agreements, selectors.AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    manageable = set(manageable_parties(request.user).values_list("pk", flat=True))
    sort = sorting.read(request.GET.get(sorting.PARAM), selectors.SORT_COLUMNS)
    blocks = selectors.contacts_by_agreement_and_party(
        page.object_list, permissions.visible_contacts(request.user), manageable, party, sort=sort
    )
    context = {
        "blocks": blocks,
        "page_obj": page,
        "agreement_slug": slug or "",
        "party_acronym": acronym or "",
        "form": form,
        "party_choices": parties.values_list("acronym", "name"),
        "can_add": bool(manageable),
        "sort": sorting.links(selectors.SORT_COLUMNS, sort, request.GET),
        "sort_value": sort or "",
    }
    return render(request, "contacts/contact_list.html", context)


def contact_create(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins add points of contact.")
    parties = manageable_parties(request.user)
    agreements = visible_agreements(request.user).filter(parties__in=parties).distinct()
    initial = {}
    if slug := request.GET.get("agreement"):
        initial["agreement"] = agreements.filter(slug=slug).first()
    form = ContactCreateForm(request.POST or None, initial=initial, agreements=agreements, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Added {contact}.")
            return redirect(_list_url(contact))
    return render(request, "contacts/contact_form.html", {"form": form, "title": "Add a point of contact"})


def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact_for(request, pk)
    if not permissions.can_manage_contact(request.user, contact):
        raise PermissionDenied("Only admins of this contact's party edit it.")
    title = f"Edit {contact}"
    form = ContactForm(request.POST or None, instance=contact)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            saved = services.contact_update(
                contact=contact, expected_version=form.cleaned_data["version"], **values
            )
        except services.ContactEditConflict as error:
            conflict = error
            contact = error.contact
            # Show the user's entries again, now against the current version: saving again is
            # a deliberate choice made after seeing what changed.
            data = request.POST.copy()
            data["version"] = str(contact.version)
            form = ContactForm(data, instance=contact)
            form.is_valid()
            conflict_rows = [(change, values.get(change.field)) for change in error.changes]
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved {saved}.")
            return redirect(_list_url(saved))
    context = {
        "form": form,
        "contact": contact,
        "conflict": conflict,
        "conflict_rows": conflict_rows if conflict else [],
        "show_yours": True,
        "title": title,
    }
    return render(request, "contacts/contact_form.html", context, status=409 if conflict else 200)


def contact_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact_for(request, pk)
    if not permissions.can_manage_contact(request.user, contact):
        raise PermissionDenied("Only admins of this contact's party deactivate it.")
    if contact.active_to is not None:
        messages.info(request, f"{contact} was already deactivated on {long_date(contact.active_to)}.")
        return redirect(_list_url(contact))
    form = DeactivateForm(request.POST or None, contact=contact)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_deactivate(
                contact=contact,
                expected_version=form.cleaned_data["version"],
                active_to=form.cleaned_data["active_to"],
            )
        except services.ContactEditConflict as error:
            conflict = error
            contact = error.contact
            form = DeactivateForm(contact=contact)
            conflict_rows = [(change, None) for change in error.changes]
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Deactivated {contact} from {long_date(contact.active_to)}.")
            return redirect(_list_url(contact))
    context = {
        "form": form,
        "contact": contact,
        "conflict": conflict,
        "conflict_rows": conflict_rows if conflict else [],
    }
    return render(request, "contacts/contact_deactivate.html", context, status=409 if conflict else 200)
