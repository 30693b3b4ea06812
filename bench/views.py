"""The benchmark's floor: the cheapest page the portal can serve (see docs/performance.md).

It goes through the same middleware as every page (session, sign-in, CSRF, CSP, history,
axes) and runs one database query, so a page's throughput divided by the floor's says how
much the page itself costs. It answers 404 unless the BENCH_FLOOR_VIEW setting is on.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from agreements.models import Party


def floor(request: HttpRequest) -> HttpResponse:
    if not settings.BENCH_FLOOR_VIEW:
        raise Http404("The benchmark floor view is off.")
    first_party = Party.objects.order_by("pk").values_list("pk", flat=True).first()
    return HttpResponse(f"floor {first_party}\n", content_type="text/plain")
