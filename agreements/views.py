"""Agreement pages: the list and the agreement in full. Permission, query, respond.

An item's page (its timeline of updates and milestones) is activities' `commitment_detail`.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import permissions, selectors

AGREEMENTS_PER_PAGE = 25


def agreement_list(request: HttpRequest) -> HttpResponse:
    # Paged: a department-wide portal carries hundreds of agreements (docs/performance.md).
    agreements = selectors.agreement_list_for(permissions.visible_agreements(request.user))
    page = Paginator(agreements, AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "agreements/agreement_list.html", {"agreements": page, "page_obj": page})


def agreement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    context = {"agreement": agreement, **selectors.agreement_page(agreement)}
    return render(request, "agreements/agreement_detail.html", context)
