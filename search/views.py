"""The search page (`/search/?q=…`): the form, the search, the results grouped by kind."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .documents import BY_KEY
from .forms import SearchForm
from .selectors import COUNT_CAP, search


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Every signed-in user may search; what they find is only what they may see."""
    form = SearchForm(request.GET or None)
    groups = []
    query = ""
    kind = None
    if form.is_valid():
        query = form.cleaned_data["q"]
        kind = BY_KEY.get(form.cleaned_data["kind"])
        if query:
            groups = search(
                request.user, query, kind=kind.key if kind else None, page=request.GET.get("page")
            )
    context = {
        "form": form,
        "query": query,
        "kind": kind,
        "groups": groups,
        "count_cap": COUNT_CAP,
    }
    return render(request, "search/results.html", context)
