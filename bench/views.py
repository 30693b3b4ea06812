"""The benchmark's floor: the cheapest page the portal can serve (see docs/performance.md).

It goes through the same middleware as every page (session, sign-in, CSRF, CSP, history,
axes) and runs one database query, so a page's throughput divided by the floor's says how
much the page itself costs. Only bench.urls routes it, and only the bench settings (and the
test settings' bench tests) use that URL map: the portal's own has no such page.
"""

from django.http import HttpRequest, HttpResponse

from agreements.models import Party


def floor(request: HttpRequest) -> HttpResponse:
    first_party = Party.objects.order_by("pk").values_list("pk", flat=True).first()
    return HttpResponse(f"floor {first_party}\n", content_type="text/plain")
