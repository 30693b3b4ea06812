"""The bench's URL map: the portal's own, plus the floor view (ROOT_URLCONF in settings/bench.py)."""

from django.urls import path

from moa_portal import urls as portal_urls

from . import views

urlpatterns = [
    path("bench/floor", views.floor, name="bench_floor"),
    *portal_urls.urlpatterns,
]

# Django reads the error views from the root URLconf only: keep the portal's, if it names any.
for _handler in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(portal_urls, _handler):
        globals()[_handler] = getattr(portal_urls, _handler)
