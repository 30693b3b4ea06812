"""Agreement pages: the list and the agreement in full. Permission, query, respond."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from activities.forms import MilestoneCompleteForm
from activities.selectors import commitment_page, timeline_page_number

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


def commitment_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    agreement = get_object_or_404(permissions.visible_agreements(request.user), slug=slug)
    commitment = (
        agreement.commitments.select_related("lead_party", "source_section", "goal", "owner")
        .filter(code=code)
        .first()
    )
    if commitment is None:
        raise Http404("No such item in this agreement.")
    commitment.agreement = commitment.source_section.agreement = agreement
    can_report = permissions.can_report_on(request.user, commitment)
    context = {
        "agreement": agreement,
        "item": commitment,
        "can_report": can_report,
        "can_manage_milestones": permissions.can_manage_milestones(
            request.user, commitment, can_report=can_report
        ),
        "complete_form": MilestoneCompleteForm(),
        **commitment_page(commitment, timeline_page_number(request.GET.get("page"))),
    }
    for entry in context["timeline"]:
        if entry.kind == "update":
            entry.record.can_edit = permissions.can_edit_update(
                request.user, entry.record, can_report=can_report
            )
    return render(request, "agreements/commitment_detail.html", context)
