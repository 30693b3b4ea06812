"""The audit trail, read-only: a filtered site-wide log and each record's history (admins only).

A point of contact's history page lives here too: contacts (below audit) only links to it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from agreements.permissions import visible_agreements
from contacts.permissions import visible_contacts
from core import sorting
from core.bounds import page_number

from .forms import AuditFilterForm
from .permissions import can_read_audit
from .selectors import (
    AUDITED_BY_KEY,
    SORT_COLUMNS,
    SORT_DEFAULT,
    AuditFilters,
    audit_log,
    history_of,
    object_history,
)


def _require_reader(request: HttpRequest) -> None:
    if not can_read_audit(request.user):
        raise PermissionDenied("Only admins read the audit trail.")


@require_safe
def log(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = AuditFilterForm(request.GET or None, agreements=visible_agreements(request.user))
    sort = sorting.read(request.GET.get(sorting.PARAM), SORT_COLUMNS)
    filters = AuditFilters(sort=sort)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = AuditFilters(
            model=data["model"],
            user=data["user"].strip(),
            agreement=data["agreement"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            sort=sort,
        )
    page = page_number(request.GET.get("page"))
    entries, has_next = audit_log(reader=request.user, filters=filters, page=page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "entries": entries,
        "page": page,
        "has_next": has_next,
        "previous_page": page - 1,
        "next_page": page + 1,
        "query": query.urlencode(),
        "sort": sorting.links(SORT_COLUMNS, sort or SORT_DEFAULT, request.GET),
        "sort_value": sort or "",
    }
    return render(request, "audit/log.html", context)


@require_safe
def record_history(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    _require_reader(request)
    audited = AUDITED_BY_KEY.get(model)
    if audited is None:
        raise Http404("No such kind of record.")
    entries = object_history(reader=request.user, audited=audited, object_id=pk)
    if not entries:
        raise Http404("No history you can read for this record.")
    context = {"entries": entries, "label": audited.label, "object_repr": entries[0].object_repr}
    return render(request, "audit/record_history.html", context)


def contact_history(request: HttpRequest, pk: int) -> HttpResponse:
    """A point of contact's changes: 404 when its agreement is not visible, 403 for non-admins."""
    contact = get_object_or_404(visible_contacts(request.user).select_related("agreement", "party"), pk=pk)
    _require_reader(request)
    context = {"contact": contact, "entries": history_of(contact)}
    return render(request, "contacts/contact_history.html", context)
